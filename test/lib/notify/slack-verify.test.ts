// Slack request signatures: the test builds its vector with node:crypto, an
// implementation independent of the Web Crypto code under test.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseApprovalAction, timingSafeEqual, verifySlackRequest } from '../../../lib/notify/index.ts';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const now = 1_780_000_000_000;
const ts = String(now / 1000);
const payload = {
  type: 'block_actions',
  user: { id: 'U0123', username: 'ada' },
  response_url: 'https://hooks.slack.example/actions/T1/1/abc',
  actions: [{ action_id: 'cairn_approve', block_id: 'cairn_approval', value: 'redis/prod-eu/7.2.4-7.4.1' }],
};
const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
const sign = (key: string, t: string, b: string) =>
  `v0=${createHmac('sha256', key).update(`v0:${t}:${b}`).digest('hex')}`;

describe('verifySlackRequest', () => {
  it('accepts a request signed with the signing secret', async () => {
    expect(
      await verifySlackRequest({ timestamp: ts, signature: sign(secret, ts, body), body }, secret, now),
    ).toEqual({
      ok: true,
    });
  });

  it('refuses a changed body, a wrong secret or a missing header', async () => {
    const signature = sign(secret, ts, body);
    expect(await verifySlackRequest({ timestamp: ts, signature, body: `${body}x` }, secret, now)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    expect(await verifySlackRequest({ timestamp: ts, signature, body }, 'another-secret', now)).toMatchObject(
      {
        reason: 'bad-signature',
      },
    );
    expect(await verifySlackRequest({ timestamp: ts, signature: null, body }, secret, now)).toMatchObject({
      reason: 'missing-headers',
    });
  });

  it('refuses a timestamp more than five minutes away, even when correctly signed', async () => {
    const old = String(now / 1000 - 301);
    expect(
      await verifySlackRequest({ timestamp: old, signature: sign(secret, old, body), body }, secret, now),
    ).toEqual({
      ok: false,
      reason: 'stale-timestamp',
    });
    const recent = String(now / 1000 - 299);
    expect(
      (
        await verifySlackRequest(
          { timestamp: recent, signature: sign(secret, recent, body), body },
          secret,
          now,
        )
      ).ok,
    ).toBe(true);
  });

  it('accepts either of two secrets while one is rotated', async () => {
    const signature = sign('new-secret-abcdef', ts, body);
    expect(
      (await verifySlackRequest({ timestamp: ts, signature, body }, [secret, 'new-secret-abcdef'], now)).ok,
    ).toBe(true);
  });

  it('compares strings of different lengths as unequal', () => {
    expect(timingSafeEqual('v0=abc', 'v0=abc')).toBe(true);
    expect(timingSafeEqual('v0=abc', 'v0=abcd')).toBe(false);
    expect(timingSafeEqual('v0=abd', 'v0=abc')).toBe(false);
  });
});

describe('parseApprovalAction', () => {
  it('reads who clicked Approve on which step', () => {
    expect(parseApprovalAction(body)).toEqual({
      ok: true,
      action: 'approve',
      stepId: 'redis/prod-eu/7.2.4-7.4.1',
      userId: 'U0123',
      userName: 'ada',
      responseUrl: 'https://hooks.slack.example/actions/T1/1/abc',
    });
  });

  it('reads Hold, and refuses bodies that are not a cairn button click', () => {
    const hold = { ...payload, actions: [{ action_id: 'cairn_hold', value: 's1' }] };
    expect(parseApprovalAction(`payload=${encodeURIComponent(JSON.stringify(hold))}`)).toMatchObject({
      ok: true,
      action: 'hold',
      stepId: 's1',
    });
    expect(parseApprovalAction('token=x&command=/deploy')).toEqual({ ok: false, reason: 'no payload field' });
    expect(parseApprovalAction('payload=%7Bnot-json')).toEqual({ ok: false, reason: 'payload is not JSON' });
    const other = { ...payload, actions: [{ action_id: 'someone_else', value: 's1' }] };
    expect(parseApprovalAction(`payload=${encodeURIComponent(JSON.stringify(other))}`)).toEqual({
      ok: false,
      reason: 'no cairn approval action',
    });
  });
});
