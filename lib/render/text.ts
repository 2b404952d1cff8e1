// The plan for people: a table of targets, each step with its reasons and
// risks, and what is blocked with what would unblock it. Every row starts
// with a short id (`short-ids.ts`) that `explain` and `apply` accept, and
// names its file. Lines fit `width` columns (120 unless the terminal says
// otherwise), wrapping at spaces with a hanging indent; colour only when
// asked for (a terminal without NO_COLOR), never in files or pipes.
import type { Plan, Step, TargetSummary } from '../planner/types.ts';
import { planShortIds } from './short-ids.ts';

export interface RenderContext {
  repo: string;
  conventions: string[];
  problems: { file: string; line?: number; field?: string; reason: string }[];
}

export interface TextOptions {
  /** Columns to fit; default 120. */
  width?: number;
  /** ANSI colour (bold headings, status colours). Default off. */
  colour?: boolean;
}

const DEFAULT_WIDTH = 120;
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const visible = (s: string) => s.replace(ANSI, '').length;

type Paint = (code: string, s: string) => string;
const paintWith =
  (on: boolean): Paint =>
  (code, s) =>
    on && s ? `\x1b[${code}m${s}\x1b[0m` : s;

const STATUS_COLOUR: Record<string, string> = {
  planned: '32',
  blocked: '31',
  unplannable: '31',
  'unknown-component': '33',
  shadowed: '2',
  'up-to-date': '2',
};

/** Breaks a line longer than `width` at spaces; continuation lines get `hang` spaces. */
export function wrap(line: string, width: number, hang: number): string[] {
  if (visible(line) <= width) return [line];
  const lead = /^ */.exec(line)![0];
  const words = line.slice(lead.length).split(' ');
  const out: string[] = [];
  let cur = lead;
  let curHasWord = false;
  const pad = ' '.repeat(Math.min(hang, width - 20));
  for (const w of words) {
    const next = curHasWord ? `${cur} ${w}` : `${cur}${w}`;
    if (visible(next) > width && curHasWord && w) {
      out.push(cur.trimEnd());
      cur = pad + w;
    } else cur = next;
    curHasWord = true;
  }
  out.push(cur);
  return out;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

function where(s: { cluster?: string; environment?: string; clusters?: string[] }): string {
  if (s.clusters?.length) return s.clusters.join(', ');
  if (!s.cluster) return '(unassigned)';
  return s.environment && s.environment !== s.cluster ? `${s.cluster} (${s.environment})` : s.cluster;
}

/** `Kind/ns/name field`; a plain values file is already named by its path. */
function label(t: { file: string; name: string; field: string }): string {
  return t.file === t.name || t.file.endsWith(`/${t.name}`) ? t.field : `${t.name} ${t.field}`;
}

const opsRequestKind = (s: Step) =>
  s.target.name.startsWith('RedisSentinel/') ? 'RedisSentinelOpsRequest' : 'RedisOpsRequest';

export function stepLines(s: Step, index: number, total: number, short?: string): string[] {
  const out = [
    `${String(index + 1).padStart(String(total).length)}. ${short ? `${short}  ` : ''}${s.id}`,
    `   ${where(s)} · ${s.component} · ${s.target.name} ${s.target.field} (${s.target.file}:${s.target.line})`,
    ...(s.target.also ?? []).map(
      (a) => `   and:   ${a.field} (${s.target.file}:${a.line}), same image, same commit`,
    ),
    `   ${s.from} -> ${s.to}${s.change === 'ops-request' ? `  (via a KubeDB ${opsRequestKind(s)})` : s.change === 'record' ? '  (record the finished ops request in Git)' : ''}${s.oneWay ? '  [one-way]' : ''}`,
  ];
  if (s.after.length) out.push(`   after: ${s.after.join(', ')}`);
  for (const r of s.rules) out.push(`   why:   ${r.id}: ${r.text} [${r.source}]`);
  for (const p of s.preSteps) out.push(`   first: ${p.description}`);
  for (const r of s.risks) out.push(`   risk:  ${r}`);
  out.push(
    `   gate:  merge commit applied; ${s.gate.health.join('; ')}${s.gate.soak ? `; soak ${s.gate.soak}` : ''}`,
  );
  return out;
}

/** Target-level skips (a digest pin, an empty tag) are notes, not unreadable files. */
const isPinNote = (p: { field?: string }) => p.field !== undefined;

function targetRows(
  targets: readonly TargetSummary[],
  ids: ReadonlyMap<string, string>,
  width: number,
  paint: Paint,
): string[] {
  const head = ['ID', 'CLUSTER', 'COMPONENT', 'CURRENT', 'NEXT', 'GOAL', 'STATUS'];
  const cells = (t: TargetSummary) => [
    ids.get(t.target.id) ?? '',
    where(t),
    t.component,
    t.current,
    t.next ?? '-',
    t.goal ?? '-',
    t.status + (t.stale ? ` · ${t.stale.minorsBehind} behind` : ''),
  ];
  let rows = [head, ...targets.map(cells)];
  // Too wide with GOAL as a column: it moves to the detail line.
  const withGoal = Math.max(...table(rows).map((l) => l.length)) + 2 <= width;
  if (!withGoal) rows = rows.map((r) => [...r.slice(0, 5), r[6]!]);
  const lines = table(rows);
  const indent = ' '.repeat((ids.get(targets[0]?.target.id ?? '') ?? '').length + 4);
  const out = [`  ${paint('1', lines[0]!)}`];
  targets.forEach((t, i) => {
    const line = lines[i + 1]!;
    const status = rows[i + 1]!.at(-1)!;
    out.push(
      `  ${line.slice(0, line.length - status.length)}${paint(STATUS_COLOUR[t.status] ?? '0', status)}`,
    );
    const goal = !withGoal && t.goal && t.goal !== t.next ? `  (goal ${t.goal})` : '';
    out.push(
      ...wrap(
        `${indent}${t.target.file}:${t.target.line}  ${label(t.target)}${goal}`,
        width,
        indent.length + 2,
      ),
    );
  });
  return out;
}

export function renderText(plan: Plan, ctx: RenderContext, opts: TextOptions = {}): string {
  const width = opts.width ?? DEFAULT_WIDTH;
  const paint = paintWith(opts.colour === true);
  const heading = (s: string) => paint('1', s);
  const ids = planShortIds(plan);
  const out: string[] = [`cairn plan for ${ctx.repo} at ${plan.at}`];
  const push = (line: string, hang: number) => out.push(...wrap(line, width, hang));
  for (const c of ctx.conventions) push(`convention: ${c}`, 2);
  out.push('', heading(`TARGETS (${plan.targets.length})`));
  if (plan.targets.length) out.push(...targetRows(plan.targets, ids, width, paint));
  else {
    push(
      '  none found: cairn looks for Helm values, Flux, Argo CD, Kustomize and operator custom resources',
      4,
    );
  }
  out.push('', heading(`STEPS (${plan.steps.length})`));
  if (!plan.steps.length) out.push('  nothing to do');
  plan.steps.forEach((s, i) => {
    for (const line of stepLines(s, i, plan.steps.length, ids.get(s.id))) {
      const label = /^ {3}(why|first|risk|gate|after): +/.exec(line);
      push(line, label ? label[0].length : 3);
    }
    out.push('');
  });
  out.push(heading(`BLOCKED (${plan.blocked.length})`));
  if (!plan.blocked.length) out.push('  nothing');
  for (const b of plan.blocked) {
    const id = ids.get(b.target.id) ?? '';
    const indent = ' '.repeat(id.length + 4);
    push(`  ${id}  ${where(b)} · ${b.component}: ${b.current} -> ${b.wanted}`, indent.length);
    push(`${indent}at:      ${b.target.file}:${b.target.line}  ${label(b.target)}`, indent.length + 9);
    push(`${indent}${paint('31', 'reason:')}  ${b.reason}`, indent.length + 9);
    push(`${indent}unblock: ${b.unblock}`, indent.length + 9);
    if (b.rule) push(`${indent}rule:    ${b.rule.id} [${b.rule.source}]`, indent.length + 9);
  }
  // A blocked target's reason is said once, under BLOCKED.
  const blockedReasons = new Map<string, string[]>();
  for (const b of plan.blocked)
    blockedReasons.set(b.target.id, [...(blockedReasons.get(b.target.id) ?? []), b.reason]);
  const notes = plan.targets.filter(
    (t) => t.note && !(blockedReasons.get(t.target.id) ?? []).some((r) => r.includes(t.note!)),
  );
  const pinNotes = ctx.problems.filter(isPinNote);
  if (notes.length || pinNotes.length) {
    out.push('', heading('NOTES'));
    for (const t of notes) {
      push(`  ${ids.get(t.target.id)}  ${t.target.file}:${t.target.line}  ${label(t.target)}: ${t.note}`, 4);
    }
    for (const p of pinNotes)
      push(`  ${p.file}${p.line ? `:${p.line}` : ''}  ${p.field}: not planned: ${p.reason}`, 4);
  }
  const files = ctx.problems.filter((p) => !isPinNote(p));
  if (files.length) {
    out.push('', heading(`FILES NOT READ SAFELY (${files.length})`));
    for (const p of files) push(`  ${p.file}${p.line ? `:${p.line}` : ''}: ${p.reason}`, 4);
  }
  return `${out.join('\n')}\n`;
}
