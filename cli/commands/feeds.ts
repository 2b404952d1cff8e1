// `cairn feeds snapshot`: read every release source (or those of the named
// components) and print the feed snapshot `cairn plan --feed` reads.
import { UsageError } from '../../lib/errors.ts';
import type { Command, CommandContext, Values } from '../args.ts';
import { list, str } from '../args.ts';

export const feedsCommand: Command = {
  name: 'feeds',
  summary: 'Read release feeds live and print them as a feed snapshot (YAML)',
  usage: 'feeds snapshot [--component ID]... [--policies DIR] [--cluster-state NAME=FILE]... > feed.yaml',
  description:
    "Sources per component come from the catalog, plus the policy's `feeds.sources` (docs/feeds.md). " +
    'Sources that fail are reported on stderr and as comments; their components keep the catalog list. ' +
    'ETags, earlier reads and backoffs are kept in the store ($CAIRN_STORE, default SQLite in .cairn-state/), ' +
    'so re-reading an unchanged source costs one 304. Exit code 1 when a named component could not be read at all.',
  positionals: { min: 1, max: 1 },
  options: {
    component: { type: 'string', multiple: true, value: 'ID', description: 'Only this catalog component' },
    policies: { type: 'string', value: 'DIR', description: 'Policy directory (default: $CAIRN_POLICIES)' },
    'cluster-state': {
      type: 'string',
      multiple: true,
      value: 'NAME=FILE',
      description: 'kubectl get -o yaml output for cluster NAME (KubeDB RedisVersion objects)',
    },
  },
  async run(values, positionals, ctx) {
    if (positionals[0] !== 'snapshot')
      throw new UsageError(`unknown feeds action "${positionals[0]}"; expected: snapshot`);
    const { readLiveFeeds, feedProblems } = await import('../../lib/node/feeds.ts');
    const components = list(values, 'component');
    const live = await readLiveFeeds({
      cwd: ctx.cwd,
      env: ctx.env,
      ...(str(values, 'policies') ? { policies: str(values, 'policies')! } : {}),
      components,
      clusterStates: list(values, 'cluster-state'),
    });
    ctx.stdout(live.snapshot);
    for (const line of feedProblems(live.result)) ctx.stderr(`cairn feeds: ${line}\n`);
    const missing = components.filter((c) => !live.result.feed[c]);
    return missing.length ? 1 : 0;
  },
};

/** The `plan --live` flag. */
export const liveOption = {
  live: {
    type: 'boolean',
    description: 'Read releases live from their sources (docs/feeds.md) instead of the shipped lists',
  },
} as const;

/** For `plan --live`: the live feeds as a snapshot file (the format --feed reads); problems go to stderr. */
export async function liveFeedForPlan(
  values: Values,
  ctx: CommandContext,
): Promise<{ file: string; cleanup(): void }> {
  if (str(values, 'feed'))
    throw new UsageError('--live and --feed exclude each other: pick one source of releases');
  const { liveFeedFile, feedProblems } = await import('../../lib/node/feeds.ts');
  const live = await liveFeedFile({
    cwd: ctx.cwd,
    env: ctx.env,
    ...(str(values, 'policies') ? { policies: str(values, 'policies')! } : {}),
    ...(str(values, 'repo') ? { repo: str(values, 'repo')! } : {}),
    clusterStates: list(values, 'cluster-state'),
  });
  for (const line of feedProblems(live.result)) ctx.stderr(`cairn plan --live: ${line}\n`);
  return live;
}
