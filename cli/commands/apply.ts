import { applyStep } from '../../lib/app/apply-step.ts';
import type { Command } from '../args.ts';
import { list, requireStr, str } from '../args.ts';
import { parseNow, planOptions } from './plan.ts';

export const applyCommand: Command = {
  name: 'apply',
  summary: "Make one step's edits on a new local branch, as one commit, and print its PR",
  usage: 'apply --repo DIR --step ID [--branch NAME] [plan options]',
  description:
    'Refuses a dirty work tree and a step whose `after` steps are not in the repository yet.\n' +
    'The branch defaults to cairn/<step id>. Nothing is pushed.',
  options: {
    ...planOptions,
    step: { type: 'string', value: 'ID', description: "Step id from 'cairn plan'" },
    branch: { type: 'string', value: 'NAME', description: 'Branch to create (default: cairn/<step id>)' },
  },
  async run(values, _pos, ctx) {
    const result = await applyStep({
      repo: requireStr(values, 'repo', 'apply'),
      stepId: requireStr(values, 'step', 'apply'),
      ...(str(values, 'branch') ? { branch: str(values, 'branch')! } : {}),
      ...(str(values, 'policies') ? { policies: str(values, 'policies')! } : {}),
      ...(str(values, 'feed') ? { feed: str(values, 'feed')! } : {}),
      clusterStates: list(values, 'cluster-state'),
      now: parseNow(str(values, 'now')),
      cwd: ctx.cwd,
      env: ctx.env,
    });
    ctx.log.info('created branch', { branch: result.branch, commit: result.commit, files: result.files });
    ctx.stdout(
      `branch: ${result.branch}\ncommit: ${result.commit}\nfiles: ${result.files.join(', ')}\n\nPR title: ${result.title}\n\n${result.body}`,
    );
    return 0;
  },
};
