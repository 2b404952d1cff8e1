// The title and body of a step's pull request. The body ends with a
// machine-readable block holding the step, so the PR engine and the gate can
// recover a step's plan from the PR alone (truth lives in Git and PRs).
import type { GateObject, Plan, Step } from '../planner/types.ts';
import { stepSchema } from '../planner/types.ts';
import { mermaid } from './markdown.ts';

export const STEP_BLOCK_START = '<!-- cairn:step';
export const STEP_BLOCK_END = '-->';
/**
 * Version of the block's shape: `{"v":1,"step":{...}}`. A reader knows every version up
 * to its own, so a later change to the step's shape can still read old PRs; a block of
 * a newer version than the reader knows is not guessed at.
 */
export const STEP_BLOCK_VERSION = 1;

export function pullRequestTitle(s: Step): string {
  const where = s.clusters?.length ? ` on ${s.clusters.join(', ')}` : s.cluster ? ` on ${s.cluster}` : '';
  if (s.change === 'record') return `chore(deps): record ${s.component} ${s.to} (ops request done)${where}`;
  return `chore(deps): upgrade ${s.component} ${s.from} -> ${s.to}${where}`;
}

export function commitMessage(s: Step): string {
  return `${pullRequestTitle(s)}\n\n${s.target.file} ${s.target.field}\n\nCairn-Step: ${s.id}\n`;
}

function objectLabel(o: GateObject): string {
  const where = o.namespace ? `${o.namespace}/` : '';
  return o.name ? `${o.kind} ${where}${o.name}` : `every ${o.kind}${o.namespace ? ` in ${o.namespace}` : ''}`;
}

export function pullRequestBody(s: Step, plan: Plan): string {
  const sameTarget = { ...plan, steps: plan.steps.filter((x) => x.target.id === s.target.id) };
  if (s.change === 'record') return recordBody(s, sameTarget);
  const lines = [
    `Upgrades **${s.component}** from \`${s.from}\` to \`${s.to}\` in \`${s.target.file}\` (\`${s.target.field}\`)${s.clusters?.length ? ` on clusters ${s.clusters.map((c) => `**${c}**`).join(', ')} (the file is shared by all of them)` : s.cluster ? ` on cluster **${s.cluster}**` : ''}.`,
    '',
    s.change === 'ops-request'
      ? 'The version changes through a KubeDB `RedisOpsRequest` (type `UpdateVersion`) added next to the database manifest.'
      : s.target.also?.length
        ? `The same image is pinned ${s.target.also.length + 1} times in this manifest (${[s.target.field, ...s.target.also.map((a) => a.field)].map((f) => `\`${f}\``).join(', ')}): every one of those version tokens changes in this commit, and every other byte of the file stays as it was.`
        : 'Only the version token changes; every other byte of the file stays as it was.',
    '',
    '### Why this hop is allowed',
    ...s.rules.map((r) => `- \`${r.id}\`: ${r.text} _(${r.source})_`),
  ];
  if (s.preSteps.length)
    lines.push('', '### Before merging', ...s.preSteps.map((p) => `- [ ] ${p.description}`));
  if (s.risks.length) lines.push('', '### Risks', ...s.risks.map((r) => `- ${r}`));
  if (s.oneWay)
    lines.push(
      '',
      '**Rollback:** this hop is one-way; rolling back means restoring from the backup taken before it.',
    );
  lines.push(
    '',
    '### Gate: the next step opens only when',
    '- Argo CD / Flux reports a revision that contains this merge commit',
    ...(s.gate.conditions
      ? s.gate.conditions.map((c) => `- ${c.text} (\`${c.evaluator}\` on ${objectLabel(c.object)})`)
      : s.gate.health.map((h) => `- ${h}`)),
    ...(s.gate.soak ? [`- it has run healthy for ${s.gate.soak}`] : []),
  );
  if (s.after.length) lines.push('', `Waits for: ${s.after.map((a) => `\`${a}\``).join(', ')}`);
  lines.push(...pathAndStepBlock(s, sameTarget));
  return lines.join('\n');
}

/** KubeDB's step 2: what the PR records and removes, its gate, and the step block. */
function recordBody(s: Step, sameTarget: Plan): string {
  const lines = [
    `Records **${s.component}** \`${s.to}\` in \`${s.target.file}\` (\`${s.target.field}\`, today \`${s.from}\`)${s.cluster ? ` on cluster **${s.cluster}**` : ''}: the KubeDB ops request that moved the database there is done, so Git says what the cluster runs and Argo CD / Flux will not write \`${s.from}\` back.`,
    '',
    'This pull request changes nothing in the cluster: `spec.version` already reads the new version there, and the finished request file is removed (with its `kustomization.yaml` entry), as the KubeDB guides delete a finished request. The next ops request of the path opens after it.',
    '',
    '### Why',
    ...s.rules.map((r) => `- \`${r.id}\`: ${r.text} _(${r.source})_`),
    '',
    '### Gate: the next step opens only when',
    '- Argo CD / Flux reports a revision that contains this merge commit',
    ...(s.gate.conditions ?? []).map((c) => `- ${c.text} (\`${c.evaluator}\` on ${objectLabel(c.object)})`),
    ...pathAndStepBlock(s, sameTarget),
  ];
  return lines.join('\n');
}

/** The end of every step PR body: the path as a mermaid graph, then the hidden step block. */
function pathAndStepBlock(s: Step, sameTarget: Plan): string[] {
  return [
    '',
    '### Path',
    '',
    '```mermaid',
    mermaid(sameTarget),
    '```',
    '',
    STEP_BLOCK_START,
    JSON.stringify({ v: STEP_BLOCK_VERSION, step: s }).replace(/-->/g, '--\\u003e'),
    STEP_BLOCK_END,
    '',
  ];
}

/** Recovers the step recorded in a PR body; undefined when there is none or it does not validate. */
export function stepFromPullRequestBody(body: string): Step | undefined {
  const start = body.lastIndexOf(STEP_BLOCK_START);
  if (start < 0) return undefined;
  const end = body.indexOf(STEP_BLOCK_END, start + STEP_BLOCK_START.length);
  if (end < 0) return undefined;
  try {
    const block = JSON.parse(body.slice(start + STEP_BLOCK_START.length, end)) as {
      v?: unknown;
      step?: unknown;
    };
    if (block.v !== STEP_BLOCK_VERSION) return undefined;
    const parsed = stepSchema.safeParse(block.step);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
