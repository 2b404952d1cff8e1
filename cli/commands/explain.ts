import { planLocalRepository } from '../../lib/node/plan-local.ts';
import { explain } from '../../lib/planner/explain.ts';
import { resolveTargetId } from '../../lib/render/short-ids.ts';
import type { Command } from '../args.ts';
import { requireStr, str } from '../args.ts';
import { localPlanOptions, planOptions } from './plan.ts';

export const explainCommand: Command = {
  name: 'explain',
  summary: 'Explain why a version is or is not reachable for one target, rule by rule',
  usage: 'explain --repo DIR TARGET --to VERSION [plan options] [--format text|json]',
  description: "TARGET is a target id, a step id, or the short id 'cairn plan' shows in front of a row.",
  positionals: { min: 1, max: 1 },
  options: {
    ...planOptions,
    to: { type: 'string', value: 'VERSION', description: 'The version to explain' },
    format: {
      type: 'string',
      value: 'FORMAT',
      description: 'Output format',
      default: 'text',
      choices: ['text', 'json'],
    },
  },
  async run(values, positionals, ctx) {
    const local = await planLocalRepository(localPlanOptions(values, ctx, 'explain'));
    const { plan, inventory, policy, catalog, releases, clusters, now } = local;
    const e = explain(
      { inventory, policy, catalog, releases, clusters, now },
      resolveTargetId(plan, positionals[0]!),
      requireStr(values, 'to', 'explain'),
    );
    if (str(values, 'format') === 'json') {
      ctx.stdout(`${JSON.stringify(e, null, 2)}\n`);
    } else {
      const lines = [
        `${e.targetId}`,
        `${e.component} ${e.current} -> ${e.version}: ${e.reachable ? 'reachable' : 'NOT reachable'}`,
        '',
      ];
      for (const c of e.checks)
        lines.push(`  ${c.passed ? 'pass' : 'FAIL'}  ${c.rule.padEnd(14)} ${c.detail}`);
      if (e.path.length) {
        lines.push('', 'path:');
        for (const s of e.path)
          lines.push(`  ${s.from} -> ${s.to}  (${s.rules.map((r) => r.id).join(', ')})  step ${s.id}`);
      }
      ctx.stdout(`${lines.join('\n')}\n`);
    }
    return e.reachable ? 0 : 1;
  },
};
