import { applyStep } from '../../lib/node/apply-step.ts';
import type { Command } from '../args.ts';
import { requireStr, str } from '../args.ts';
import { localPlanOptions, planOptions } from './plan.ts';

export const applyCommand: Command = {
  name: 'apply',
  summary: "Make one step's edits on a new local branch, as one commit, and print its PR",
  usage: 'apply --repo DIR --step ID [--branch NAME] [plan options]',
  description:
    'Refuses a dirty work tree and a step whose `after` steps are not in the repository yet.\n' +
    'The branch defaults to cairn/<cluster>/<component>/<hash of target and from version>. Nothing is pushed,\n' +
    'nothing is checked out: HEAD and the work tree stay as they were.',
  options: {
    ...planOptions,
    step: {
      type: 'string',
      value: 'ID',
      description: "Step id from 'cairn plan', or the short id in front of a step or target row",
    },
    branch: {
      type: 'string',
      value: 'NAME',
      description: 'Branch to create (default: cairn/<cluster>/<component>/<hash>)',
    },
  },
  async run(values, _pos, ctx) {
    const result = await applyStep({
      ...localPlanOptions(values, ctx, 'apply'),
      stepId: requireStr(values, 'step', 'apply'),
      ...(str(values, 'branch') ? { branch: str(values, 'branch')! } : {}),
    });
    ctx.log.info('created branch', { branch: result.branch, commit: result.commit, files: result.files });
    ctx.stdout(
      `branch: ${result.branch}\ncommit: ${result.commit}\nfiles: ${result.files.join(', ')}\n\nPR title: ${result.title}\n\n${result.body}`,
    );
    return 0;
  },
};
