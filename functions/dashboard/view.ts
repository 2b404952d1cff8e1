// What the page shows, computed from the read model (model.ts) and the gate verdicts
// kept per cluster, at an instant: pure data in, pure data out. Each target's path is a
// list of versions with a state each; the position is the newest version whose arrival
// is proven (or the version the repository has, when nothing is merged on the path).
import type { TargetSummary } from '../../lib/planner/types.ts';
import { evaluateWindows } from '../../lib/schedule/windows.ts';
import type { StatusRecord } from '../use-cases.ts';
import type { PathStep, RepositoryRecord } from './model.ts';

export type NodeState =
  'done' | 'current' | 'in-flight' | 'failed' | 'pr-open' | 'waiting' | 'planned' | 'blocked';

export interface Link {
  number: number;
  url: string;
}

export interface NodeView {
  version: string;
  state: NodeState;
  /** The state in words (never colour alone). */
  label: string;
  /** The position on the path: the newest version whose arrival is proven. */
  position: boolean;
  pr?: Link;
  detail?: string;
}

export interface PathView {
  id: string;
  component: string;
  environment?: string;
  file: string;
  line: number;
  object: string;
  field: string;
  status: TargetSummary['status'];
  goal?: string;
  note?: string;
  nodes: NodeView[];
}

export interface ClusterView {
  name: string;
  paths: PathView[];
}

export interface PullView extends Link {
  title: string;
  cluster?: string;
  waiting?: string;
}

export interface InFlightView extends Link {
  title: string;
  cluster: string;
  state: 'pending' | 'failure';
  text: string;
}

export interface BlockedView {
  cluster?: string;
  component: string;
  file: string;
  current: string;
  wanted: string;
  reason: string;
  unblock: string;
  rule?: { id: string; source: string };
}

export interface WindowView {
  scope: string;
  open: boolean;
  text: string;
  opensAt?: string;
  closesAt?: string;
}

export interface EvidenceView {
  check: string;
  objects: string[];
  status: string;
  reasons: string[];
}

export interface VerdictView extends Link {
  cluster: string;
  step: string;
  title: string;
  verdict: string;
  state?: string;
  text: string;
  at: string;
  reasons: string[];
  configProblems: string[];
  evidence: EvidenceView[];
  rollback?: string;
}

export interface RepositoryView {
  name: string;
  url: string;
  reconciledAt?: string;
  base?: string;
  commit?: string;
  error?: { message: string; at: string };
  clusters: ClusterView[];
  pulls: PullView[];
  inFlight: InFlightView[];
  blocked: BlockedView[];
  windows: WindowView[];
  verdicts: VerdictView[];
}

export interface FleetView {
  at: string;
  repositories: RepositoryView[];
  clusters: string[];
  /** Where changes may move now, and the next window to open where they may not. */
  windows: { openNow: WindowSummary[]; next?: WindowSummary & { opensAt: string } };
}

export interface WindowSummary {
  repository: string;
  scope: string;
  text: string;
}

export interface ViewInput {
  now: Date;
  repositories: {
    name: string;
    url: string;
    record?: Partial<RepositoryRecord>;
    /** Gate verdicts of the clusters the record names (all repositories'; filtered here). */
    verdicts: (StatusRecord & { cluster: string })[];
    pullUrl: (n: number) => string;
  }[];
}

const UNASSIGNED = '(unassigned)';
const OPEN_KINDS = new Set(['opened', 'updated', 'unchanged', 'human-pushed', 'waiting']);

interface Hop {
  id: string;
  from: string;
  to: string;
  pr: number;
  state: 'pending' | 'success' | 'failure';
  text: string;
  at: string;
}

function asStrings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** A gate outcome (lib/gate ConditionOutcome), read defensively: records outlive code versions. */
function evidence(v: unknown): EvidenceView {
  const o = (v ?? {}) as Record<string, unknown>;
  const condition = (o.condition ?? {}) as Record<string, unknown>;
  const result = (o.result ?? {}) as Record<string, unknown>;
  return {
    check: typeof condition.text === 'string' ? condition.text : String(condition.evaluator ?? 'check'),
    objects: asStrings(o.objects),
    status: typeof result.status === 'string' ? result.status : 'unknown',
    reasons: asStrings(result.reasons),
  };
}

function pathOf(
  t: TargetSummary,
  record: Partial<RepositoryRecord>,
  hops: Hop[],
  pullUrl: (n: number) => string,
): PathView {
  const byFrom = new Map<string, Hop>();
  const byTo = new Map<string, Hop>();
  for (const h of hops) {
    byFrom.set(h.from, h);
    byTo.set(h.to, h);
  }
  // The merged hops that chain to the version the repository has: back from it, and
  // forward from it (merged after the last reconcile planned).
  const back: Hop[] = [];
  for (let h = byTo.get(t.current); h && back.length < 10; h = byTo.get(h.from)) {
    if (back.some((b) => b.id === h!.id)) break;
    back.unshift(h);
  }
  const forward: Hop[] = [];
  for (let h = byFrom.get(t.current); h && forward.length < 10; h = byFrom.get(h.to)) {
    if (back.some((b) => b.id === h!.id) || forward.some((b) => b.id === h!.id)) break;
    forward.push(h);
  }
  const chain = [...back, ...forward];
  const nodes: NodeView[] = [];
  const start = chain[0]?.from ?? t.current;
  nodes.push({ version: start, state: 'current', label: 'current', position: false });
  for (const h of chain) {
    const link = { number: h.pr, url: pullUrl(h.pr) };
    if (h.state === 'success') {
      nodes.push({ version: h.to, state: 'done', label: 'proven', position: false, pr: link });
    } else if (h.state === 'failure') {
      nodes.push({
        version: h.to,
        state: 'failed',
        label: 'gate failed',
        position: false,
        pr: link,
        detail: h.text,
      });
    } else {
      nodes.push({
        version: h.to,
        state: 'in-flight',
        label: 'merged, gate pending',
        position: false,
        pr: link,
        detail: h.text,
      });
    }
  }
  // The position: the last version reached by proven hops only.
  let pos = 0;
  for (let i = 1; i < nodes.length && nodes[i]!.state === 'done'; i++) pos = i;
  nodes[pos] = {
    ...nodes[pos]!,
    position: true,
    state: 'current',
    label: pos === 0 ? 'current' : 'current (proven)',
  };
  for (let i = 0; i < pos; i++) nodes[i] = { ...nodes[i]!, state: 'done', label: i === 0 ? 'was' : 'proven' };

  // The planned hops after the last merged version.
  const merged = new Set(chain.map((h) => h.id));
  const steps = (record.steps ?? []).filter((s) => s.target === t.target.id && !merged.has(s.id));
  const actions = record.actions ?? [];
  let at = nodes[nodes.length - 1]!.version;
  for (let i = 0; i < 20; i++) {
    const s: PathStep | undefined = steps.find((x) => x.from === at);
    if (!s) break;
    const a = actions.find((x) => x.step === s.id);
    if (a?.pr !== undefined && OPEN_KINDS.has(a.kind)) {
      nodes.push({
        version: s.to,
        state: 'pr-open',
        label: a.kind === 'waiting' ? 'PR open, waiting' : 'PR open',
        position: false,
        pr: { number: a.pr, url: pullUrl(a.pr) },
        ...(a.reason ? { detail: a.reason } : {}),
      });
    } else if (a?.kind === 'waiting') {
      nodes.push({
        version: s.to,
        state: 'waiting',
        label: 'waiting',
        position: false,
        detail: a.reason ?? '',
      });
    } else {
      nodes.push({
        version: s.to,
        state: 'planned',
        label: a?.kind === 'skipped-by-human' ? 'skipped by a human' : 'planned',
        position: false,
        ...(a?.reason ? { detail: a.reason } : {}),
      });
    }
    at = s.to;
  }
  const blocked = (record.blocked ?? []).find((b) => b.target.id === t.target.id);
  if (blocked)
    nodes.push({
      version: blocked.wanted,
      state: 'blocked',
      label: 'blocked',
      position: false,
      detail: `${blocked.reason}. Unblock: ${blocked.unblock}`,
    });
  return {
    id: t.target.id,
    component: t.component,
    ...(t.environment !== undefined ? { environment: t.environment } : {}),
    file: t.target.file,
    line: t.target.line,
    object: t.target.name,
    field: t.target.field,
    status: t.status,
    ...(t.goal !== undefined ? { goal: t.goal } : {}),
    ...(t.note !== undefined ? { note: t.note } : {}),
    nodes,
  };
}

function scopeName(cluster: string | undefined, environment: string | undefined): string {
  if (cluster && environment && cluster !== environment) return `${cluster} (environment ${environment})`;
  return cluster ?? (environment ? `environment ${environment}` : 'every cluster');
}

function repositoryView(input: ViewInput['repositories'][number], now: Date): RepositoryView {
  const record = input.record ?? {};
  const verdicts = input.verdicts.filter((v) => v.repository === input.name);
  const hopsByTarget = new Map<string, Hop[]>();
  const hop = (target: string, h: Hop) => {
    const list = hopsByTarget.get(target) ?? [];
    const i = list.findIndex((x) => x.id === h.id);
    if (i >= 0) list[i] = h;
    else list.push(h);
    hopsByTarget.set(target, list);
  };
  for (const f of record.inFlight ?? [])
    hop(f.step.target, {
      id: f.step.id,
      from: f.step.from,
      to: f.step.to,
      pr: f.pr,
      state: 'pending',
      text: 'merged: waiting for its gate',
      at: '',
    });
  for (const v of [...verdicts].sort((a, b) => a.at.localeCompare(b.at)))
    if (v.target && v.from && v.to)
      hop(v.target, {
        id: v.step,
        from: v.from,
        to: v.to,
        pr: v.pr,
        state: v.state ?? (v.verdict === 'fail' ? 'failure' : 'pending'),
        text: v.text,
        at: v.at,
      });

  const clusters = new Map<string, PathView[]>();
  for (const t of record.targets ?? []) {
    const name = t.cluster ?? UNASSIGNED;
    const path = pathOf(t, record, hopsByTarget.get(t.target.id) ?? [], input.pullUrl);
    clusters.set(name, [...(clusters.get(name) ?? []), path]);
  }
  const titleOf = (id: string) =>
    record.steps?.find((s) => s.id === id)?.title ??
    record.inFlight?.find((f) => f.step.id === id)?.step.title ??
    id;
  const clusterOf = (id: string) =>
    record.steps?.find((s) => s.id === id)?.cluster ??
    record.inFlight?.find((f) => f.step.id === id)?.step.cluster;

  const pulls: PullView[] = [];
  for (const a of record.actions ?? []) {
    if (a.pr === undefined || !OPEN_KINDS.has(a.kind)) continue;
    const cluster = clusterOf(a.step);
    pulls.push({
      number: a.pr,
      url: input.pullUrl(a.pr),
      title: titleOf(a.step),
      ...(cluster ? { cluster } : {}),
      ...(a.kind === 'waiting' || a.kind === 'human-pushed' ? { waiting: a.reason ?? a.kind } : {}),
    });
  }
  // Merged PRs leave the open list at once, even before the next reconcile.
  const mergedPrs = new Set(verdicts.map((v) => v.pr));
  const openPulls = pulls.filter((p) => !mergedPrs.has(p.number));

  const inFlight: InFlightView[] = [];
  for (const list of hopsByTarget.values())
    for (const h of list) {
      if (h.state === 'success') continue;
      inFlight.push({
        number: h.pr,
        url: input.pullUrl(h.pr),
        title: titleOf(h.id),
        cluster: clusterOf(h.id) ?? verdicts.find((v) => v.step === h.id)?.cluster ?? UNASSIGNED,
        state: h.state,
        text: h.text,
      });
    }

  const scopes = new Map<string, { cluster?: string; environment?: string }>();
  for (const t of record.targets ?? [])
    scopes.set(scopeName(t.cluster, t.environment), {
      ...(t.cluster !== undefined ? { cluster: t.cluster } : {}),
      ...(t.environment !== undefined ? { environment: t.environment } : {}),
    });
  const windows: WindowView[] = record.targets
    ? [...scopes].map(([scope, where]) => {
        const v = evaluateWindows(record.windows ?? [], now, where);
        return {
          scope,
          open: v.open,
          text: v.text,
          ...(v.opensAt ? { opensAt: v.opensAt } : {}),
          ...(v.closesAt ? { closesAt: v.closesAt } : {}),
        };
      })
    : [];

  return {
    name: input.name,
    url: input.url,
    ...(record.at ? { reconciledAt: record.at } : {}),
    ...(record.base ? { base: record.base } : {}),
    ...(record.commit ? { commit: record.commit } : {}),
    ...(record.error ? { error: record.error } : {}),
    clusters: [...clusters].map(([name, paths]) => ({ name, paths })),
    pulls: openPulls,
    inFlight,
    blocked: (record.blocked ?? []).map((b) => ({
      ...(b.cluster !== undefined ? { cluster: b.cluster } : {}),
      component: b.component,
      file: b.target.file,
      current: b.current,
      wanted: b.wanted,
      reason: b.reason,
      unblock: b.unblock,
      ...(b.rule ? { rule: { id: b.rule.id, source: b.rule.source } } : {}),
    })),
    windows,
    verdicts: [...verdicts]
      .sort((a, b) => b.at.localeCompare(a.at))
      .map((v) => {
        const rollback = (v.rollback ?? undefined) as { text?: unknown } | undefined;
        return {
          number: v.pr,
          url: input.pullUrl(v.pr),
          cluster: v.cluster,
          step: v.step,
          title: titleOf(v.step),
          verdict: v.verdict,
          ...(v.state ? { state: v.state } : {}),
          text: v.text,
          at: v.at,
          reasons: asStrings(v.reasons),
          configProblems: asStrings(v.configProblems),
          evidence: Array.isArray(v.evidence) ? v.evidence.map(evidence) : [],
          ...(typeof rollback?.text === 'string' ? { rollback: rollback.text } : {}),
        };
      }),
  };
}

export function fleetView(input: ViewInput): FleetView {
  const repositories = input.repositories.map((r) => repositoryView(r, input.now));
  const clusters = [...new Set(repositories.flatMap((r) => r.clusters.map((c) => c.name)))].sort();
  const openNow: WindowSummary[] = [];
  let next: (WindowSummary & { opensAt: string }) | undefined;
  for (const r of repositories)
    for (const w of r.windows) {
      if (w.open) openNow.push({ repository: r.name, scope: w.scope, text: w.text });
      else if (w.opensAt && (!next || w.opensAt < next.opensAt))
        next = { repository: r.name, scope: w.scope, text: w.text, opensAt: w.opensAt };
    }
  return {
    at: input.now.toISOString(),
    repositories,
    clusters,
    windows: { openNow, ...(next ? { next } : {}) },
  };
}
