// The Slack sender against a local endpoint that answers as Slack does:
// incoming webhooks reply "ok" or an error code in plain text; the Web API
// replies {"ok":true,...} or {"ok":false,"error":...}; both send 429 with
// Retry-After when rate limited. The clock and sleep are fakes, so pacing is
// asserted from what the sender asked to wait, never from elapsed time.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../lib/log.ts';
import { type NotifyEvent, SlackSender, type SlackTarget } from '../../../lib/notify/index.ts';

interface Captured {
  path: string;
  auth?: string;
  body: { channel?: string; text: string; blocks: unknown[] };
}
type Reply = { status: number; body: string; headers?: Record<string, string> };

let base = '';
const captured: Captured[] = [];
const script = new Map<string, Reply[]>(); // path -> replies, in order; the last one repeats
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  let raw = '';
  req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
  req.on('end', () => {
    captured.push({
      path: req.url ?? '',
      ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
      body: JSON.parse(raw),
    });
    const replies = script.get(req.url ?? '') ?? [{ status: 404, body: 'no_service' }];
    const r = replies.length > 1 ? replies.shift()! : replies[0]!;
    res.writeHead(r.status, {
      'content-type': r.body.startsWith('{') ? 'application/json' : 'text/html',
      ...r.headers,
    });
    res.end(r.body);
  });
});

beforeAll(async () => {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

const ok = (ts: string): Reply => ({
  status: 200,
  body: JSON.stringify({ ok: true, channel: 'C123', ts, message: {} }),
});
const apiError = (error: string): Reply => ({ status: 200, body: JSON.stringify({ ok: false, error }) });
const limited = (seconds: number): Reply => ({
  status: 429,
  body: JSON.stringify({ ok: false, error: 'ratelimited' }),
  headers: { 'retry-after': String(seconds) },
});

let clock = 0;
let sleeps: number[] = [];
let logs: string[] = [];
function sender(extra: { maxAttempts?: number } = {}) {
  return new SlackSender({
    fetch,
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    logger: createLogger({ write: (l) => logs.push(l), now: () => new Date(clock) }),
    ...extra,
  });
}

beforeEach(() => {
  captured.length = 0;
  script.clear();
  clock = 1_780_000_000_000;
  sleeps = [];
  logs = [];
});

const step = { id: 's1', component: 'redis', from: '7.2.4', to: '7.4.1', cluster: 'prod-eu' };
const pr = { number: 7, url: 'https://github.example/a/b/pull/7' };
const opened: NotifyEvent = { kind: 'step-opened', step, pr };
const TOKEN = 'xoxb-test-1234567890-secret';
const api = (channel: string): SlackTarget => ({
  kind: 'web-api',
  token: TOKEN,
  channel,
  apiUrl: `${base}/api`,
});

describe('Slack Web API (chat.postMessage)', () => {
  it('posts blocks to the channel with the bot token', async () => {
    script.set('/api/chat.postMessage', [ok('1700000000.000100')]);
    const r = await sender().notify(api('#upgrades'), opened);
    expect(r).toMatchObject({
      ok: true,
      channel: '#upgrades',
      parts: 1,
      delivered: 1,
      attempts: 1,
      ts: ['1700000000.000100'],
    });
    expect(captured[0]).toMatchObject({
      path: '/api/chat.postMessage',
      auth: `Bearer ${TOKEN}`,
      body: { channel: '#upgrades', text: 'Step opened: redis 7.2.4 -> 7.4.1 on prod-eu' },
    });
    expect(captured[0]!.body.blocks.length).toBeGreaterThan(1);
  });

  it('sends at most one message per second to a channel, in order', async () => {
    script.set('/api/chat.postMessage', [ok('1')]);
    const s = sender();
    const results = await Promise.all([
      s.notify(api('#a'), { ...opened, step: { ...step, to: '7.2.5' } }),
      s.notify(api('#a'), { ...opened, step: { ...step, to: '7.2.6' } }),
      s.notify(api('#b'), opened),
      s.notify(api('#a'), { ...opened, step: { ...step, to: '7.2.7' } }),
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    const toA = captured.filter((c) => c.body.channel === '#a').map((c) => c.body.text);
    expect(toA).toEqual([
      'Step opened: redis 7.2.4 -> 7.2.5 on prod-eu',
      'Step opened: redis 7.2.4 -> 7.2.6 on prod-eu',
      'Step opened: redis 7.2.4 -> 7.2.7 on prod-eu',
    ]);
    // Two waits of a full second for #a; #b, another channel, never waits behind it.
    expect(sleeps).toEqual([1000, 1000]);
  });

  it('waits out Retry-After on 429 and then delivers', async () => {
    script.set('/api/chat.postMessage', [limited(3), ok('2')]);
    const r = await sender().notify(api('#a'), opened);
    expect(r).toMatchObject({ ok: true, attempts: 2, delivered: 1 });
    expect(sleeps).toEqual([3000]);
    expect(captured).toHaveLength(2);
  });

  it('gives up after the attempts allowed, as a retryable result, without throwing', async () => {
    script.set('/api/chat.postMessage', [limited(1)]);
    const r = await sender({ maxAttempts: 3 }).notify(api('#a'), opened);
    expect(r).toMatchObject({ ok: false, error: 'rate_limited', retryable: true, attempts: 3, delivered: 0 });
    expect(sleeps).toEqual([1000, 1000]);
  });

  it('does not retry a permanent error, and logs it without the token', async () => {
    script.set('/api/chat.postMessage', [apiError('channel_not_found')]);
    const r = await sender().notify(api('#nope'), opened);
    expect(r).toMatchObject({ ok: false, error: 'channel_not_found', retryable: false, attempts: 1 });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('channel_not_found');
    expect(logs[0]).not.toContain(TOKEN);
  });

  it('retries a transient Slack error with backoff', async () => {
    script.set('/api/chat.postMessage', [apiError('internal_error'), apiError('internal_error'), ok('3')]);
    const r = await sender().notify(api('#a'), opened);
    expect(r).toMatchObject({ ok: true, attempts: 3 });
    expect(sleeps).toEqual([1000, 2000]);
  });

  it('posts every part of a split message, in order', async () => {
    script.set('/api/chat.postMessage', [ok('4')]);
    const evidence = Array.from({ length: 2000 }, (_, i) => ({
      check: `c${i}`,
      status: 'fail' as const,
      detail: 'd'.repeat(90),
    }));
    const r = await sender().notify(api('#a'), { kind: 'gate-failed', step, reason: 'bad', evidence });
    expect(r.ok).toBe(true);
    expect(r.parts).toBeGreaterThan(1);
    expect(captured.map((c) => c.body.text)).toEqual(
      Array.from(
        { length: r.parts },
        (_, i) => `Gate failed: redis 7.2.4 -> 7.4.1 on prod-eu (part ${i + 1} of ${r.parts})`,
      ),
    );
    expect(sleeps).toEqual(Array.from({ length: r.parts - 1 }, () => 1000));
  });
});

describe('Slack incoming webhook', () => {
  const hookPath = '/services/T000/B000/XXXXsecretXXXX';
  const hook = (): SlackTarget => ({ kind: 'webhook', url: `${base}${hookPath}`, channel: '#ops' });

  it('posts the message and accepts the plain "ok" reply', async () => {
    script.set(hookPath, [{ status: 200, body: 'ok' }]);
    const r = await sender().notify(hook(), opened);
    expect(r).toMatchObject({ ok: true, channel: '#ops', delivered: 1 });
    expect(captured[0]!.body.text).toBe('Step opened: redis 7.2.4 -> 7.4.1 on prod-eu');
    expect(captured[0]!.body.channel).toBeUndefined();
  });

  it('paces two webhooks for different channels independently', async () => {
    script.set('/services/T000/B000/one', [{ status: 200, body: 'ok' }]);
    script.set('/services/T000/B000/two', [{ status: 200, body: 'ok' }]);
    const s = sender();
    const one: SlackTarget = { kind: 'webhook', url: `${base}/services/T000/B000/one` };
    const two: SlackTarget = { kind: 'webhook', url: `${base}/services/T000/B000/two` };
    const results = await Promise.all([s.notify(one, opened), s.notify(two, opened), s.notify(one, opened)]);
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(sleeps).toEqual([1000]);
  });

  it('reports the error code Slack sends as text', async () => {
    script.set(hookPath, [{ status: 404, body: 'channel_is_archived' }]);
    const r = await sender().notify(hook(), opened);
    expect(r).toMatchObject({ ok: false, error: 'channel_is_archived', retryable: false });
  });

  it('turns an unreachable endpoint into a result, with the webhook URL kept out of the log', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((done) => closed.close(() => done()));
    const url = `http://127.0.0.1:${port}${hookPath}`;
    const r = await sender({ maxAttempts: 2 }).notify({ kind: 'webhook', url }, opened);
    expect(r).toMatchObject({ ok: false, retryable: true, attempts: 2 });
    expect(r.error).toMatch(/^network: /);
    expect(logs.join('\n')).not.toContain('XXXXsecretXXXX');
  });
});
