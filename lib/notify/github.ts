// What cairn writes on GitHub: the `cairn/gate` commit status, a check run
// with a summary, and PR comments for the events a reviewer needs. Pure
// builders only; the GitHub provider (lib/git) implements GitHubNotifier and
// posts them.
import {
  describeStep,
  EVIDENCE_MARK,
  type Evidence,
  headline,
  type NotifyEvent,
  type NotifyStep,
} from './events.ts';

export const GATE_CONTEXT = 'cairn/gate';

/** GitHub's limits: status description 140 characters; check-run title and summary. */
export const GITHUB_LIMITS = {
  statusDescription: 140,
  checkRunSummary: 65_535,
  checkRunTitle: 255,
  comment: 65_536,
} as const;

/** The gate's state for one step, as the status function reports it. */
export interface GateSummary {
  outcome: 'waiting' | 'passed' | 'failed' | 'error';
  /** One line, e.g. "waiting for window (opens Tue 02:00 Europe/Berlin)". */
  reason: string;
  evidence: Evidence[];
  /** Link to the JSON status (`GET /status/:cluster/:step`). */
  detailsUrl?: string;
}

export interface CommitStatus {
  state: 'pending' | 'success' | 'failure' | 'error';
  context: string;
  description: string;
  target_url?: string;
}

export interface CheckRun {
  name: string;
  status: 'in_progress' | 'completed';
  conclusion?: 'success' | 'failure' | 'action_required';
  details_url?: string;
  output: { title: string; summary: string };
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

const STATUS_STATE = { waiting: 'pending', passed: 'success', failed: 'failure', error: 'error' } as const;

/** The `cairn/gate` commit status for a gate summary. */
export function gateCommitStatus(g: GateSummary): CommitStatus {
  return {
    state: STATUS_STATE[g.outcome],
    context: GATE_CONTEXT,
    description: truncate(g.reason, GITHUB_LIMITS.statusDescription),
    ...(g.detailsUrl ? { target_url: g.detailsUrl } : {}),
  };
}

/** Markdown table of evidence; cells escaped so a pipe or newline in a detail cannot break it. */
export function evidenceTable(evidence: readonly Evidence[]): string {
  if (!evidence.length) return '_No evidence was collected._';
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  return [
    '| | check | seen |',
    '| --- | --- | --- |',
    ...evidence.map((e) => `| ${EVIDENCE_MARK[e.status]} | ${cell(e.check)} | ${cell(e.detail)} |`),
  ].join('\n');
}

/** The check run for a step's gate, with the evidence as its summary. */
export function gateCheckRun(step: NotifyStep, g: GateSummary): CheckRun {
  const title = truncate(`${describeStep(step)}: ${g.reason}`, GITHUB_LIMITS.checkRunTitle);
  const summary = truncate(
    `**${g.reason}**\n\n${evidenceTable(g.evidence)}\n\nStep \`${step.id}\``,
    GITHUB_LIMITS.checkRunSummary,
  );
  const done = g.outcome !== 'waiting';
  return {
    name: GATE_CONTEXT,
    status: done ? 'completed' : 'in_progress',
    ...(done ? { conclusion: g.outcome === 'passed' ? 'success' : 'failure' } : {}),
    ...(g.detailsUrl ? { details_url: g.detailsUrl } : {}),
    output: { title, summary },
  };
}

/** Hidden marker that lets the provider update its own comment instead of adding another. */
export function commentMarker(e: NotifyEvent): string {
  const id = 'step' in e ? e.step.id : `${e.target}@${e.to}`;
  return `<!-- cairn:comment ${e.kind} ${id} -->`;
}

/**
 * The PR comment for an event a reviewer needs (gate failed, needs approval,
 * gate passed, path complete), or undefined for events GitHub already shows
 * (the PR was opened, merged).
 */
export function pullRequestComment(e: NotifyEvent): string | undefined {
  const lines = [commentMarker(e), `### ${headline(e)}`, ''];
  switch (e.kind) {
    case 'step-opened':
    case 'merged':
      return undefined;
    case 'gate-failed':
      lines.push(
        `**Why:** ${e.reason}`,
        '',
        evidenceTable(e.evidence),
        '',
        'The next step stays gated until this one is healthy. `/cairn retry` re-checks.',
      );
      break;
    case 'needs-approval':
      lines.push(
        `**Why:** ${e.reason}`,
        '',
        `A maintainer approves with \`/cairn approve ${e.step.to}\`, or holds with \`/cairn pause\`.`,
      );
      break;
    case 'gate-passed':
      lines.push(evidenceTable(e.evidence), ...(e.next ? ['', `Next: ${e.next}`] : []));
      break;
    case 'path-complete':
      lines.push(
        `\`${e.target}\` reached \`${e.to}\` from \`${e.from}\` in ${e.steps} step${e.steps === 1 ? '' : 's'}.`,
      );
      break;
  }
  return truncate(lines.join('\n'), GITHUB_LIMITS.comment);
}

/** Implemented by the GitHub provider; each call resolves to whether it worked, never rejects. */
export interface GitHubNotifier {
  setCommitStatus(sha: string, status: CommitStatus): Promise<{ ok: boolean; error?: string }>;
  upsertCheckRun(sha: string, run: CheckRun): Promise<{ ok: boolean; error?: string }>;
  /** Creates the comment, or edits the one carrying the same marker. */
  upsertComment(pullNumber: number, marker: string, body: string): Promise<{ ok: boolean; error?: string }>;
}
