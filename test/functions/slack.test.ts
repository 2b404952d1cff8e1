// POST /webhooks/slack: Approve/Hold clicks, trusted only when Slack's signature verifies
// and the clicking user is a configured approver. The signature is made here with
// node:crypto, independently of the code under test.
import { createHmac } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { APPROVE_ACTION, HOLD_ACTION } from '../../lib/notify/slack/blocks.ts';
import { approvalKey } from '../../functions/use-cases.ts';
import { describeWithFixtures } from '../support/fixtures.ts';
import type { GitHubTestServer } from '../support/github-server/index.ts';
import { notify } from '../../functions/notify.ts';
import { fleetServer, NOW, SLACK_URL, service } from './helpers.ts';

const SIGNING = 'test-slack-signing-secret-01';
const STEP = 'howl-redis-operator-0.2.6-c4263675';

const servers: GitHubTestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

function click(action: string, user: string, at = NOW, secret = SIGNING) {
  const payload = {
    type: 'block_actions',
    user: { id: user, username: 'ops' },
    actions: [{ action_id: action, value: STEP }],
  };
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const ts = String(Math.floor(at / 1000));
  const sig = `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': ts,
      'x-slack-signature': sig,
    },
    body,
  };
}

describeWithFixtures('Slack Approve/Hold', () => {
  const setup = async (env: Record<string, string> = {}) => {
    const server = await fleetServer();
    servers.push(server);
    return service(server, {
      CAIRN_SLACK_SIGNING_SECRET: SIGNING,
      CAIRN_SLACK_APPROVERS: 'U0APPROVER',
      ...env,
    });
  };

  it('an approver’s signed click records the approval, a replay changes nothing, Hold withdraws it', async () => {
    const { request, store } = await setup();
    const res = await request('/webhooks/slack', click(APPROVE_ACTION, 'U0APPROVER'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      replace_original: true,
      text: expect.stringContaining('Approved by'),
    });
    expect(await store.get(approvalKey(STEP))).toBe('slack:U0APPROVER');
    const again = await request('/webhooks/slack', click(APPROVE_ACTION, 'U0APPROVER'));
    expect(await again.json()).toEqual({ outcome: 'duplicate' });
    const hold = await request('/webhooks/slack', click(HOLD_ACTION, 'U0APPROVER', NOW + 1000));
    expect(await hold.json()).toMatchObject({ text: expect.stringContaining('Held by') });
    expect(await store.get(approvalKey(STEP))).toBeUndefined();
  });

  it('a forged, stale or unsigned click is 401 and records nothing', async () => {
    const { request, store } = await setup();
    for (const init of [
      click(APPROVE_ACTION, 'U0APPROVER', NOW, 'not-the-signing-secret-000'),
      click(APPROVE_ACTION, 'U0APPROVER', NOW - 6 * 60_000),
      { method: 'POST', body: click(APPROVE_ACTION, 'U0APPROVER').body },
    ]) {
      expect((await request('/webhooks/slack', init)).status).toBe(401);
    }
    expect(await store.get(approvalKey(STEP))).toBeUndefined();
  });

  it('a user who is not an approver, or any user when no approvers are set, changes nothing', async () => {
    const { request, store } = await setup();
    const other = await request('/webhooks/slack', click(APPROVE_ACTION, 'U0SOMEBODY'));
    expect(other.status).toBe(200);
    expect(await other.json()).toMatchObject({
      replace_original: false,
      text: expect.stringContaining('changed nothing'),
    });
    expect(await store.get(approvalKey(STEP))).toBeUndefined();

    const { request: open, store: openStore } = await setup({ CAIRN_SLACK_APPROVERS: '' });
    const none = await open('/webhooks/slack', click(APPROVE_ACTION, 'U0APPROVER'));
    expect(none.status).toBe(200);
    expect(await none.json()).toMatchObject({ text: expect.stringContaining('changed nothing') });
    expect(await openStore.get(approvalKey(STEP))).toBeUndefined();
  });

  it('without a signing secret every click is refused', async () => {
    const server = await fleetServer();
    servers.push(server);
    const { request, store } = service(server, { CAIRN_SLACK_APPROVERS: 'U0APPROVER' });
    expect((await request('/webhooks/slack', click(APPROVE_ACTION, 'U0APPROVER'))).status).toBe(401);
    expect(await store.get(approvalKey(STEP))).toBeUndefined();
  });

  it('a needs-approval message carries the buttons only when the clicks can be verified', async () => {
    const event = {
      kind: 'needs-approval' as const,
      step: { id: STEP, component: 'redis', from: '7.2.4', to: '7.4.1', file: 'apps/cache.yaml' },
      reason: 'the primary switchover is supervised',
    };
    const actionIds = (m: { blocks?: unknown[] }) =>
      JSON.stringify(m.blocks ?? []).match(/cairn_(approve|hold)/g) ?? [];
    const verified = await setup({ SLACK_WEBHOOK_URL: SLACK_URL });
    expect(await notify(verified.cairn.services(verified.env), event, 'a')).toBe(true);
    expect(actionIds(verified.slack[0]!)).toEqual([APPROVE_ACTION, HOLD_ACTION]);

    const server = await fleetServer();
    servers.push(server);
    const plain = service(server, { SLACK_WEBHOOK_URL: SLACK_URL });
    expect(await notify(plain.cairn.services(plain.env), event, 'b')).toBe(true);
    expect(actionIds(plain.slack[0]!)).toEqual([]);
    expect(JSON.stringify(plain.slack[0])).toContain('/cairn approve');
  });
});
