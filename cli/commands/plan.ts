import { planLocalRepository } from '../../lib/node/plan-local.ts';
import { UsageError } from '../../lib/errors.ts';
import { planJsonChunks } from '../../lib/render/json.ts';
import { renderMarkdown } from '../../lib/render/markdown.ts';
import { renderText, type TextOptions } from '../../lib/render/text.ts';
import type { LocalPlanOptions } from '../../lib/node/plan-local.ts';
import type { Command, CommandContext, Values } from '../args.ts';
import { list, requireStr, str } from '../args.ts';
import { liveFeedForPlan, liveOption } from './feeds.ts';

export function parseNow(text: string | undefined): Date {
  if (!text) return new Date();
  const d = new Date(text);
  if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(text)) {
    throw new UsageError(`--now must be an ISO-8601 instant such as 2026-11-21T09:00:00Z, got "${text}"`);
  }
  return d;
}

/**
 * Colour only on a terminal, and never with NO_COLOR set (any value, see no-color.org)
 * or TERM=dumb; the width is the terminal's, else 120 columns.
 */
export function textOptions(ctx: CommandContext): TextOptions {
  const colour = ctx.stdoutTTY === true && !ctx.env.NO_COLOR && ctx.env.TERM !== 'dumb';
  return { colour, width: ctx.stdoutTTY && ctx.columns && ctx.columns >= 60 ? ctx.columns : 120 };
}

/**
 * A progress line on stderr while files are scanned (a terminal only), redrawn in
 * place at most every 1% and cleared when done, so it never mixes with the plan.
 */
export function scanProgress(ctx: CommandContext): (done: number, total: number) => void {
  let shown = -1;
  return (done, total) => {
    const pct = total ? Math.floor((done * 100) / total) : 100;
    if (pct === shown && done !== total) return;
    shown = pct;
    ctx.stderr(done === total ? '\r\x1b[2K' : `\rscanning ${done}/${total} files (${pct}%)`);
  };
}

export const planOptions = {
  repo: { type: 'string', value: 'DIR', description: 'GitOps repository checkout to scan' },
  policies: {
    type: 'string',
    value: 'DIR',
    description: 'Policy directory (default: $CAIRN_POLICIES, else DIR/.cairn when present)',
  },
  feed: {
    type: 'string',
    value: 'FILE',
    description: 'Offline feed snapshot (YAML); default: the catalog release lists',
  },
  'cluster-state': {
    type: 'string',
    multiple: true,
    value: 'NAME=FILE',
    description: 'kubectl get -o yaml output for cluster NAME',
  },
  now: {
    type: 'string',
    value: 'ISO-8601',
    description: 'Plan as of this instant (default: the current time)',
  },
} as const;

/** The planning inputs shared by plan, apply and explain, from their common flags. */
export function localPlanOptions(values: Values, ctx: CommandContext, command: string): LocalPlanOptions {
  return {
    repo: requireStr(values, 'repo', command),
    ...(str(values, 'policies') ? { policies: str(values, 'policies')! } : {}),
    ...(str(values, 'feed') ? { feed: str(values, 'feed')! } : {}),
    clusterStates: list(values, 'cluster-state'),
    now: parseNow(str(values, 'now')),
    cwd: ctx.cwd,
    env: ctx.env,
    log: ctx.log,
  };
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'Compute the validated upgrade path for every target in a GitOps repository',
  usage:
    'plan --repo DIR [--policies DIR] [--feed FILE | --live] [--cluster-state NAME=FILE]... [--kubeconfig [NAME=]FILE]... [--now ISO-8601] [--format text|markdown|json]',
  description: 'Works offline on a local checkout with no credentials. Nothing is written.',
  options: {
    ...planOptions,
    ...liveOption,
    kubeconfig: {
      type: 'string',
      multiple: true,
      value: '[NAME=]FILE',
      description:
        'Read cluster NAME live instead of a --cluster-state file (FILE "default": KUBECONFIG, ~/.kube/config or the in-cluster service account)',
    },
    format: {
      type: 'string',
      value: 'FORMAT',
      description: 'Output format',
      default: 'text',
      choices: ['text', 'markdown', 'json'],
    },
  },
  async run(values, _pos, ctx) {
    const progress = ctx.isTTY ? scanProgress(ctx) : undefined;
    // The Kubernetes client loads only when a live cluster is read (it costs ~0.4 s at start).
    const kubeconfigs = list(values, 'kubeconfig');
    const { readLiveCluster } = kubeconfigs.length
      ? await import('../../lib/node/live-cluster.ts')
      : { readLiveCluster: undefined };
    const liveClusters = await Promise.all(kubeconfigs.map((k) => readLiveCluster!(k, ctx.cwd)));
    const live = values.live ? await liveFeedForPlan(values, ctx) : undefined;
    const result = await planLocalRepository({
      ...localPlanOptions(values, ctx, 'plan'),
      ...(live ? { feed: live.file } : {}),
      ...(liveClusters.length ? { liveClusters } : {}),
      ...(progress ? { onProgress: progress } : {}),
    }).finally(() => live?.cleanup());
    const rctx = {
      repo: requireStr(values, 'repo', 'plan'),
      conventions: result.conventions,
      problems: result.inventory.problems,
    };
    const format = str(values, 'format');
    if (format === 'json') {
      // Streamed in 64 KiB pieces, waiting for a slow reader: a fleet's plan can be tens of megabytes.
      let buffer = '';
      for (const chunk of planJsonChunks(result.plan, rctx)) {
        buffer += chunk;
        if (buffer.length >= 65536) {
          ctx.stdout(buffer);
          buffer = '';
          await ctx.drained?.();
        }
      }
      ctx.stdout(`${buffer}\n`);
    } else if (format === 'markdown') ctx.stdout(renderMarkdown(result.plan, rctx));
    else ctx.stdout(renderText(result.plan, rctx, textOptions(ctx)));
    return 0;
  },
};
