// What cairn tells people about. One event shape feeds every channel (Slack
// blocks, GitHub statuses, check runs and PR comments), so the channels never
// disagree about what happened.

/** The step an event is about; a subset of the planner's Step, so callers map it in one line. */
export interface NotifyStep {
  id: string;
  component: string;
  from: string;
  to: string;
  cluster?: string;
  environment?: string;
  /** The file the version sits in. */
  file?: string;
  /** KubeDB's step 2: `to` recorded in Git after its ops request finished (no upgrade). */
  record?: true;
}

export interface PullRequestRef {
  number: number;
  url: string;
}

/** One piece of gate evidence: a check, its outcome and what was seen. */
export interface Evidence {
  check: string;
  status: 'pass' | 'fail' | 'unknown';
  detail: string;
}

export type NotifyEvent =
  | { kind: 'step-opened'; step: NotifyStep; pr: PullRequestRef; windowText?: string }
  | { kind: 'merged'; step: NotifyStep; pr: PullRequestRef; mergeCommit: string }
  | { kind: 'gate-passed'; step: NotifyStep; pr?: PullRequestRef; evidence: Evidence[]; next?: string }
  | { kind: 'gate-failed'; step: NotifyStep; pr?: PullRequestRef; reason: string; evidence: Evidence[] }
  | { kind: 'needs-approval'; step: NotifyStep; pr?: PullRequestRef; reason: string }
  | {
      kind: 'path-complete';
      component: string;
      target: string;
      cluster?: string;
      from: string;
      to: string;
      steps: number;
    };

export type NotifyEventKind = NotifyEvent['kind'];

/** "redis 7.2.4 -> 7.4.1 on prod-eu (prod)". */
export function describeStep(s: NotifyStep): string {
  const where = s.cluster ? ` on ${s.cluster}${s.environment ? ` (${s.environment})` : ''}` : '';
  if (s.record) return `${s.component} ${s.to} recorded in Git (ops request done)${where}`;
  return `${s.component} ${s.from} -> ${s.to}${where}`;
}

/** The one-line summary every channel starts with. */
export function headline(e: NotifyEvent): string {
  switch (e.kind) {
    case 'step-opened':
      return `Step opened: ${describeStep(e.step)}`;
    case 'merged':
      return `Merged: ${describeStep(e.step)}`;
    case 'gate-passed':
      return `Gate passed: ${describeStep(e.step)}`;
    case 'gate-failed':
      return `Gate failed: ${describeStep(e.step)}`;
    case 'needs-approval':
      return `Needs approval: ${describeStep(e.step)}`;
    case 'path-complete':
      return `Path complete: ${e.component} ${e.from} -> ${e.to}${e.cluster ? ` on ${e.cluster}` : ''}`;
  }
}

export const EVIDENCE_MARK: Record<Evidence['status'], string> = { pass: '✅', fail: '❌', unknown: '❔' };
