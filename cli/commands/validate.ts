import { relative, resolve } from 'node:path';
import { planSources } from '../../lib/feeds/plan-sources.ts';
import { loadPolicyDir, loadShippedCatalog, resolvePolicyDir } from '../../lib/node/files.ts';
import type { Command } from '../args.ts';
import { str } from '../args.ts';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check policy files and the catalog against their schemas and rules',
  usage: 'validate [--policies DIR] [--catalog DIR]',
  description:
    'Reports every problem with file:line, the field and the allowed values, and exits 2 when there is any.\n' +
    'Without --policies, uses $CAIRN_POLICIES or ./.cairn when present.',
  options: {
    policies: { type: 'string', value: 'DIR', description: 'Directory of policy files (*.yaml)' },
    catalog: {
      type: 'string',
      value: 'DIR',
      description: 'Catalog directory (default: the shipped policies/catalog)',
    },
  },
  async run(values, _pos, ctx) {
    const catalogDir = str(values, 'catalog');
    const catalog = loadShippedCatalog(catalogDir ? resolve(ctx.cwd, catalogDir) : undefined);
    const policyDir = resolvePolicyDir(str(values, 'policies'), ctx.env.CAIRN_POLICIES, ctx.cwd);
    const lines = [
      `catalog: ok (${catalog.components.size} components, ${[...catalog.components.values()].reduce((n, c) => n + c.releases.length, 0)} releases, ${catalog.rules.size} rules)`,
    ];
    if (policyDir) {
      const dir = resolve(ctx.cwd, policyDir);
      const policy = loadPolicyDir(dir, ctx.cwd, dir, { components: [...catalog.components.keys()] });
      planSources(catalog, policy); // feed sources must name catalog components
      lines.push(
        `policies: ok (${policy.files.length} file(s) in ${relative(ctx.cwd, dir) || '.'}: ${policy.clusters.length} clusters, ${policy.environments.length} environments, ${policy.rules.length} rules, ${policy.windows.length} windows)`,
      );
    } else {
      lines.push('policies: none given; the shipped defaults apply');
    }
    ctx.stdout(`${lines.join('\n')}\n`);
    return 0;
  },
};
