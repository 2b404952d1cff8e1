// The dependency dashboard: one issue per repository, edited in place, showing every
// cluster's position on each path, the open step PRs, failed steps and their rollback, steps in flight, steps skipped by
// a human, and blocked goals with their reasons and unblock actions.
import type { Plan } from '../planner/types.ts';

export const DASHBOARD_TITLE = 'cairn: dependency dashboard';
export const DASHBOARD_MARKER = '<!-- cairn:dashboard -->';

export interface DashboardInput {
  plan: Plan;
  open: { number: number; title: string; waiting?: string }[];
  inFlight: { number: number; title: string; mergeCommit: string }[];
  skipped: { number: number; title: string }[];
  /** Failed steps, one line each with their rollback (lib/engine/revert.ts). */
  failed?: string[];
  /** Labelled PRs whose step block cairn did not write, and why they are ignored. */
  ignored?: { pr: number; reason: string }[];
}

const cell = (s: string | undefined) => (s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function dashboardBody(input: DashboardInput): string {
  const { plan } = input;
  const lines = [
    DASHBOARD_MARKER,
    'cairn keeps this issue current; edits to it are overwritten.',
    '',
    '## Positions',
    '',
    '| cluster | component | file | current | next | goal | status |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...plan.targets.map(
      (t) =>
        `| ${cell(t.cluster ?? '-')} | ${cell(t.component)} | \`${cell(t.target.file)}\` | ${cell(t.current)} | ${cell(t.next ?? '')} | ${cell(t.goal ?? '')} | ${t.status} |`,
    ),
    '',
    '## Open step pull requests',
    '',
    ...(input.open.length
      ? input.open.map((p) => `- #${p.number} ${p.title}${p.waiting ? ` (waiting: ${p.waiting})` : ''}`)
      : ['none']),
    '',
    ...(input.failed?.length
      ? ['## Failed (the path is stopped)', '', ...input.failed.map((t) => `- ${t}`), '']
      : []),
    '## In flight (merged, gate not passed yet)',
    '',
    ...(input.inFlight.length
      ? input.inFlight.map(
          (p) =>
            `- #${p.number} ${p.title}: waiting for \`cairn/gate\` success on ${p.mergeCommit.slice(0, 12)}`,
        )
      : ['none']),
    '',
    '## Skipped by a human',
    '',
    ...(input.skipped.length
      ? input.skipped.map(
          (p) =>
            `- #${p.number} ${p.title}: closed unmerged; a policy change or \`/cairn retry\` brings it back`,
        )
      : ['none']),
    '',
    ...(input.ignored?.length
      ? [
          '## Ignored pull requests',
          '',
          'Labelled `cairn` with a step block cairn did not write; the block is not trusted:',
          '',
          ...input.ignored.map((p) => `- #${p.pr}: ${cell(p.reason)}`),
          '',
        ]
      : []),
    '## Blocked',
    '',
    ...(plan.blocked.length
      ? plan.blocked.map(
          (b) =>
            `- ${b.cluster ? `**${b.cluster}** ` : ''}${b.component} ${b.current} -> ${b.wanted}: ${b.reason}. Unblock: ${b.unblock}`,
        )
      : ['none']),
    '',
  ];
  return lines.join('\n');
}
