// The texts cairn writes on GitHub for a step's gate and its pull request.
import { describe, expect, it } from 'vitest';
import {
  gateCheckRun,
  gateCommitStatus,
  type GateSummary,
  pullRequestComment,
} from '../../../lib/notify/index.ts';

const step = { id: 's1', component: 'redis', from: '7.2.4', to: '7.4.1', cluster: 'prod-eu' };
const evidence = [
  { check: 'applied revision', status: 'pass' as const, detail: 'abc123 ⊇ merge commit' },
  { check: 'health', status: 'fail' as const, detail: 'state Degraded | 1/3 ready\nsince 10:02' },
];

describe('gate commit status', () => {
  it.each<[GateSummary['outcome'], string]>([
    ['waiting', 'pending'],
    ['passed', 'success'],
    ['failed', 'failure'],
    ['error', 'error'],
  ])('%s is a %s cairn/gate status', (outcome, state) => {
    expect(gateCommitStatus({ outcome, reason: 'r', evidence: [] })).toEqual({
      state,
      context: 'cairn/gate',
      description: 'r',
    });
  });

  it('carries the window text and keeps to GitHub’s 140 characters', () => {
    const s = gateCommitStatus({
      outcome: 'waiting',
      reason: 'waiting for window (opens Tue 02:00 Europe/Berlin)',
      evidence: [],
      detailsUrl: 'https://cairn.example/status/prod-eu/s1',
    });
    expect(s).toEqual({
      state: 'pending',
      context: 'cairn/gate',
      description: 'waiting for window (opens Tue 02:00 Europe/Berlin)',
      target_url: 'https://cairn.example/status/prod-eu/s1',
    });
    expect(
      gateCommitStatus({ outcome: 'failed', reason: 'z'.repeat(300), evidence: [] }).description,
    ).toHaveLength(140);
  });
});

describe('gate check run', () => {
  it('completes with failure and the evidence as a table that a pipe or newline cannot break', () => {
    const run = gateCheckRun(step, { outcome: 'failed', reason: 'operator reports Degraded', evidence });
    expect(run).toMatchObject({
      name: 'cairn/gate',
      status: 'completed',
      conclusion: 'failure',
      output: { title: 'redis 7.2.4 -> 7.4.1 on prod-eu: operator reports Degraded' },
    });
    expect(run.output.summary).toContain('| ❌ | health | state Degraded \\| 1/3 ready since 10:02 |');
  });

  it('stays in progress while the gate waits', () => {
    const run = gateCheckRun(step, { outcome: 'waiting', reason: 'soaking (12h of 48h)', evidence: [] });
    expect(run.status).toBe('in_progress');
    expect(run.conclusion).toBeUndefined();
  });
});

describe('pull request comments', () => {
  it('explains a failed gate with its evidence and a marker to update it in place', () => {
    const c = pullRequestComment({
      kind: 'gate-failed',
      step,
      reason: 'operator reports Degraded',
      evidence,
    })!;
    expect(c.split('\n').slice(0, 3)).toEqual([
      '<!-- cairn:comment gate-failed s1 -->',
      '### Gate failed: redis 7.2.4 -> 7.4.1 on prod-eu',
      '',
    ]);
    expect(c).toContain('| ✅ | applied revision | abc123 ⊇ merge commit |');
  });

  it('tells a reviewer how to approve', () => {
    expect(pullRequestComment({ kind: 'needs-approval', step, reason: 'primary switchover' })).toContain(
      '`/cairn approve 7.4.1`',
    );
  });

  it('says nothing for events GitHub already shows', () => {
    const pr = { number: 1, url: 'u' };
    expect(pullRequestComment({ kind: 'step-opened', step, pr })).toBeUndefined();
    expect(pullRequestComment({ kind: 'merged', step, pr, mergeCommit: 'abc' })).toBeUndefined();
  });
});
