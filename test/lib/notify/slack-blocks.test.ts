// The Block Kit messages people see in Slack, and how long ones are split.
import { describe, expect, it } from 'vitest';
import {
  APPROVE_ACTION,
  approvalReply,
  buildSlackMessages,
  HOLD_ACTION,
  type NotifyEvent,
  SLACK_LIMITS,
  type SlackMessage,
  splitText,
} from '../../../lib/notify/index.ts';

const step = {
  id: 'redis/prod-eu/7.2.4-7.4.1',
  component: 'redis',
  from: '7.2.4',
  to: '7.4.1',
  cluster: 'prod-eu',
  environment: 'prod',
  file: 'clusters/prod/redis.yaml',
};
const pr = { number: 42, url: 'https://github.example/acme/infra/pull/42' };

const allText = (ms: SlackMessage[]) => JSON.stringify(ms.map((m) => m.blocks));

describe('Slack messages per event', () => {
  it("says a KubeDB record step records the version, not an upgrade from Git's old one", () => {
    const record = {
      ...step,
      component: 'kubedb-redis',
      from: '6.2.14',
      to: '7.0.14',
      record: true as const,
    };
    const [m] = buildSlackMessages({ kind: 'merged', step: record, pr, mergeCommit: '0123456789abcdef0123' });
    expect(m!.text).toBe('Merged: kubedb-redis 7.0.14 recorded in Git (ops request done) on prod-eu (prod)');
  });

  it.each<[NotifyEvent, string]>([
    [{ kind: 'step-opened', step, pr }, 'Step opened: redis 7.2.4 -> 7.4.1 on prod-eu (prod)'],
    [
      { kind: 'merged', step, pr, mergeCommit: '0123456789abcdef0123' },
      'Merged: redis 7.2.4 -> 7.4.1 on prod-eu (prod)',
    ],
    [{ kind: 'gate-passed', step, evidence: [] }, 'Gate passed: redis 7.2.4 -> 7.4.1 on prod-eu (prod)'],
    [
      { kind: 'gate-failed', step, reason: 'degraded', evidence: [] },
      'Gate failed: redis 7.2.4 -> 7.4.1 on prod-eu (prod)',
    ],
    [
      { kind: 'needs-approval', step, reason: 'primary switchover' },
      'Needs approval: redis 7.2.4 -> 7.4.1 on prod-eu (prod)',
    ],
    [
      {
        kind: 'path-complete',
        component: 'redis',
        target: 't1',
        cluster: 'prod-eu',
        from: '7.2.4',
        to: '8.0.2',
        steps: 2,
      },
      'Path complete: redis 7.2.4 -> 8.0.2 on prod-eu',
    ],
  ])('%# %s has a header and fallback text', (event, title) => {
    const [m, ...more] = buildSlackMessages(event);
    expect(more).toEqual([]);
    expect(m!.text).toBe(title);
    expect(m!.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: title, emoji: true } });
  });

  it('links the pull request and names file and step', () => {
    const text = allText(
      buildSlackMessages({
        kind: 'step-opened',
        step,
        pr,
        windowText: 'waiting for window (opens Sat 02:00 UTC)',
      }),
    );
    expect(text).toContain('<https://github.example/acme/infra/pull/42|#42>');
    expect(text).toContain('`clusters/prod/redis.yaml`');
    expect(text).toContain('Merging waits for the window: waiting for window (opens Sat 02:00 UTC)');
  });

  it('shows each piece of evidence of a failed gate, escaped', () => {
    const text = allText(
      buildSlackMessages({
        kind: 'gate-failed',
        step,
        reason: 'operator reports Degraded',
        evidence: [
          { check: 'applied revision', status: 'pass', detail: 'abc123 contains the merge commit' },
          {
            check: 'health',
            status: 'fail',
            detail: 'RedisEnterpriseCluster <rec> state Degraded & 1/3 pods ready',
          },
        ],
      }),
    );
    expect(text).toContain('✅ *applied revision*: abc123 contains the merge commit');
    expect(text).toContain(
      '❌ *health*: RedisEnterpriseCluster &lt;rec&gt; state Degraded &amp; 1/3 pods ready',
    );
    expect(text).toContain('*Why:* operator reports Degraded');
  });

  it('replaces the buttons with who decided, once clicked', () => {
    expect(approvalReply('hold', step.id, 'U0123')).toEqual({
      replace_original: true,
      text: 'Held by <@U0123>: step `redis/prod-eu/7.2.4-7.4.1`',
      blocks: [
        {
          type: 'section',
          text: { type: 'mrkdwn', text: 'Held by <@U0123>: step `redis/prod-eu/7.2.4-7.4.1`' },
        },
      ],
    });
  });

  it('offers Approve and Hold buttons only when the Slack app is configured', () => {
    const event: NotifyEvent = { kind: 'needs-approval', step, pr, reason: 'supervised primary update' };
    const withApp = buildSlackMessages(event, { interactive: true })[0]!;
    const actions = withApp.blocks.find((b) => b.type === 'actions');
    expect(actions).toMatchObject({
      elements: [
        { action_id: APPROVE_ACTION, value: step.id, text: { text: 'Approve' }, style: 'primary' },
        { action_id: HOLD_ACTION, value: step.id, text: { text: 'Hold' }, style: 'danger' },
      ],
    });
    const without = buildSlackMessages(event)[0]!;
    expect(without.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(allText([without])).toContain('/cairn approve 7.4.1');
  });
});

describe('messages that exceed Slack limits', () => {
  const evidence = Array.from({ length: 2500 }, (_, i) => ({
    check: `pod-${String(i).padStart(4, '0')}`,
    status: 'fail' as const,
    detail: 'x'.repeat(80),
  }));
  const messages = buildSlackMessages({ kind: 'gate-failed', step, reason: 'many pods failed', evidence });

  it('splits into several messages within the block, section and text limits', () => {
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) {
      expect(m.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
      expect(m.text.length).toBeLessThanOrEqual(SLACK_LIMITS.messageText);
      for (const b of m.blocks)
        if (b.type === 'section') expect(b.text.text.length).toBeLessThanOrEqual(3000);
    }
    expect(messages.map((m) => m.text)).toEqual(
      messages.map(
        (_, i) => `Gate failed: redis 7.2.4 -> 7.4.1 on prod-eu (prod) (part ${i + 1} of ${messages.length})`,
      ),
    );
  });

  it('keeps every line of evidence, in order, without cutting one', () => {
    const text = allText(messages);
    const seen = [...text.matchAll(/\*pod-(\d{4})\*: x{80}/g)].map((m) => Number(m[1]));
    expect(seen).toEqual(evidence.map((_, i) => i));
  });

  it('hard-splits a single line longer than a section', () => {
    const parts = splitText('y'.repeat(7000), 3000);
    expect(parts.map((p) => p.length)).toEqual([3000, 3000, 1000]);
  });
});
