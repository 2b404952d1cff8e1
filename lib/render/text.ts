// The plan for people: a table of targets, each step with its reasons and
// risks, and what is blocked with what would unblock it.
import type { Plan, Step } from '../planner/types.ts';

export interface RenderContext {
  repo: string;
  conventions: string[];
  problems: { file: string; line?: number; reason: string }[];
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

export function stepLines(s: Step, index: number, total: number): string[] {
  const out = [
    `${String(index + 1).padStart(String(total).length)}. ${s.id}`,
    `   ${where(s)} · ${s.component} · ${s.target.name} ${s.target.field} (${s.target.file}:${s.target.line})`,
    `   ${s.from} -> ${s.to}${s.change === 'ops-request' ? '  (via a KubeDB RedisOpsRequest)' : ''}${s.oneWay ? '  [one-way]' : ''}`,
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

export function renderText(plan: Plan, ctx: RenderContext): string {
  const out: string[] = [`cairn plan for ${ctx.repo} at ${plan.at}`];
  for (const c of ctx.conventions) out.push(`convention: ${c}`);
  out.push('', `TARGETS (${plan.targets.length})`);
  if (plan.targets.length) {
    const rows = [['CLUSTER', 'COMPONENT', 'TARGET', 'CURRENT', 'NEXT', 'GOAL', 'STATUS']];
    for (const t of plan.targets) {
      rows.push([
        where(t),
        t.component,
        `${t.target.name} ${t.target.field}`,
        t.current,
        t.next ?? '-',
        t.goal ?? '-',
        t.status + (t.stale ? ` (stale: ${t.stale.minorsBehind} minors behind)` : ''),
      ]);
    }
    out.push(...table(rows).map((l) => `  ${l}`));
  } else {
    out.push(
      '  none found: cairn looks for Helm values, Flux, Argo CD, Kustomize and operator custom resources',
    );
  }
  out.push('', `STEPS (${plan.steps.length})`);
  if (!plan.steps.length) out.push('  nothing to do');
  plan.steps.forEach((s, i) => {
    out.push(...stepLines(s, i, plan.steps.length), '');
  });
  out.push(`BLOCKED (${plan.blocked.length})`);
  if (!plan.blocked.length) out.push('  nothing');
  for (const b of plan.blocked) {
    out.push(
      `  ${where(b)} · ${b.component} · ${b.target.name} ${b.target.field}: ${b.current} -> ${b.wanted}`,
    );
    out.push(`    reason:  ${b.reason}`);
    out.push(`    unblock: ${b.unblock}`);
    if (b.rule) out.push(`    rule:    ${b.rule.id} [${b.rule.source}]`);
  }
  const notes = plan.targets.filter((t) => t.note);
  if (notes.length) {
    out.push('', 'NOTES');
    for (const t of notes) out.push(`  ${t.target.name} ${t.target.field}: ${t.note}`);
  }
  if (ctx.problems.length) {
    out.push('', `FILES NOT READ SAFELY (${ctx.problems.length})`);
    for (const p of ctx.problems) out.push(`  ${p.file}${p.line ? `:${p.line}` : ''}: ${p.reason}`);
  }
  return `${out.join('\n')}\n`;
}
