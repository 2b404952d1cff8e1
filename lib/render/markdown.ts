// The plan as a pull request body shows it: a summary table, a mermaid
// diagram of every path with the current position and each hop's rule, the
// steps with reasons and risks, and what is blocked.
import type { Plan, Step } from '../planner/types.ts';
import type { RenderContext } from './text.ts';

const esc = (s: string) => s.replace(/\|/g, '\\|');
const label = (s: string) => s.replace(/"/g, '#quot;');

/** A mermaid flowchart: one chain per target, hops labelled by their rule, dependencies dotted. */
export function mermaid(plan: Plan): string {
  const lines = ['flowchart LR'];
  const nodeOf = new Map<string, string>();
  const byTarget = new Map<string, Step[]>();
  for (const s of plan.steps) {
    const list = byTarget.get(s.target.id);
    if (list) list.push(s);
    else byTarget.set(s.target.id, [s]);
  }
  let n = 0;
  for (const [targetId, steps] of byTarget) {
    const first = steps[0]!;
    const title = `${first.cluster ?? 'unassigned'}: ${first.target.name}`;
    lines.push(`  subgraph g${n}["${label(title)}"]`);
    const cur = `n${n}_0`;
    lines.push(`    ${cur}(["${label(first.from)} (current)"]):::current`);
    let prev = cur;
    steps.forEach((s, i) => {
      const id = `n${n}_${i + 1}`;
      nodeOf.set(s.id, id);
      lines.push(`    ${id}["${label(s.to)}"]`);
      const rule =
        s.rules.find((r) => r.id !== 'operator-before-data-plane' && r.id !== 'lower-environment-first')
          ?.id ??
        s.rules[0]?.id ??
        '';
      lines.push(`    ${prev} -->|${label(rule)}| ${id}`);
      prev = id;
    });
    lines.push('  end');
    n++;
    void targetId;
  }
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  for (const s of plan.steps) {
    const to = nodeOf.get(s.id)!;
    for (const a of s.after) {
      const from = nodeOf.get(a);
      const dep = byId.get(a);
      if (from && dep && dep.target.id !== s.target.id) lines.push(`  ${from} -.-> ${to}`);
    }
  }
  lines.push('  classDef current fill:#dff0d8,stroke:#3c763d');
  return lines.join('\n');
}

export function renderMarkdown(plan: Plan, ctx: RenderContext): string {
  const out: string[] = [`## cairn upgrade plan`, '', `Repository \`${ctx.repo}\`, planned at ${plan.at}.`];
  for (const c of ctx.conventions) out.push(`- Convention: ${c}`);
  out.push(
    '',
    '| Cluster | Component | Target | Current | Next | Goal | Status |',
    '|---|---|---|---|---|---|---|',
  );
  for (const t of plan.targets) {
    out.push(
      `| ${esc(t.cluster ?? '-')} | ${esc(t.component)} | \`${esc(t.target.name)}\` ${esc(t.target.field)} | ${esc(t.current)} | ${esc(t.next ?? '-')} | ${esc(t.goal ?? '-')} | ${t.status} |`,
    );
  }
  if (plan.steps.length) out.push('', '```mermaid', mermaid(plan), '```');
  out.push('', `### Steps (${plan.steps.length})`);
  plan.steps.forEach((s, i) => {
    out.push(
      '',
      `${i + 1}. **${esc(s.component)} ${esc(s.from)} → ${esc(s.to)}** on ${s.cluster ?? 'unassigned'} — \`${s.target.file}:${s.target.line}\` \`${s.target.field}\` (step \`${s.id}\`)`,
    );
    if (s.after.length) out.push(`   - After: ${s.after.map((a) => `\`${a}\``).join(', ')}`);
    for (const r of s.rules) out.push(`   - Allowed by \`${r.id}\`: ${r.text} _(${r.source})_`);
    for (const p of s.preSteps) out.push(`   - Before merging: ${p.description}`);
    for (const r of s.risks) out.push(`   - ⚠️ ${r}`);
    out.push(
      `   - Gate: merge commit applied; ${s.gate.health.join('; ')}${s.gate.soak ? `; soak ${s.gate.soak}` : ''}`,
    );
  });
  if (plan.blocked.length) {
    out.push('', `### Blocked (${plan.blocked.length})`, '');
    for (const b of plan.blocked) {
      out.push(
        `- **${esc(b.component)}** \`${b.target.name}\` on ${b.cluster ?? 'unassigned'}: ${esc(b.current)} → ${esc(b.wanted)}: ${b.reason}. **Unblock:** ${b.unblock}`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}
