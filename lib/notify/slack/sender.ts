// Posts Slack messages by incoming webhook or by the Web API's
// chat.postMessage, with plain `fetch` (runs on Node and Workers; the official
// @slack/web-api needs node:fs, node:os and more, so it is not used).
// Promises: per channel, at most one message per `minIntervalMs` (1 s), in
// order; 429 waits out Retry-After and tries again; a failure comes back as a
// result and is logged redacted, never thrown into the caller.
import type { Logger } from '../../log.ts';
import { redact } from '../../log.ts';
import type { NotifyEvent } from '../events.ts';
import { type BuildOptions, buildSlackMessages, type SlackMessage } from './blocks.ts';

export type SlackTarget =
  | {
      kind: 'webhook';
      /** The incoming webhook URL (a secret: it is never logged). */
      url: string;
      /** A name for logs and pacing; a webhook posts to the one channel it was made for. */
      channel?: string;
    }
  | {
      kind: 'web-api';
      /** A bot token (xoxb-...). */
      token: string;
      channel: string;
      /** Base of the Web API; tests point it at a local server. */
      apiUrl?: string;
    };

export const SLACK_API_URL = 'https://slack.com/api';

export interface NotifyResult {
  ok: boolean;
  channel: string;
  /** Messages the event needed, and how many Slack accepted. */
  parts: number;
  delivered: number;
  /** HTTP requests made, retries included. */
  attempts: number;
  /** Slack's error code (`channel_not_found`, `invalid_auth`, `rate_limited`) or a short reason. */
  error?: string;
  /** Whether sending the same again later may succeed. */
  retryable?: boolean;
  /** Web API: the `ts` of each delivered message. */
  ts?: string[];
}

export interface SlackSenderDeps {
  fetch: typeof fetch;
  /** Milliseconds since the epoch. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  logger?: Logger;
  /** Requests per message part before giving up; default 4. */
  maxAttempts?: number;
  /** Minimum gap between two messages to one channel; default 1000 ms (Slack: about one per second). */
  minIntervalMs?: number;
  /** A Retry-After longer than this is not waited for; the result says retryable. Default 120 s. */
  maxRetryAfterMs?: number;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
}

type Attempt =
  | { kind: 'ok'; ts?: string }
  | { kind: 'rate-limited'; retryAfterMs: number }
  | { kind: 'transient'; error: string }
  | { kind: 'permanent'; error: string };

const TRANSIENT_API_ERRORS = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

function channelOf(t: SlackTarget): string {
  return t.kind === 'web-api' ? t.channel : (t.channel ?? 'webhook');
}

function retryAfterMs(res: Response): number {
  const s = Number(res.headers.get('retry-after'));
  return Number.isFinite(s) && s >= 0 ? s * 1000 : 1000;
}

export class SlackSender {
  private readonly deps: Required<Omit<SlackSenderDeps, 'logger'>> & { logger?: Logger };
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly nextAt = new Map<string, number>();

  constructor(deps: SlackSenderDeps) {
    this.deps = {
      maxAttempts: 4,
      minIntervalMs: 1000,
      maxRetryAfterMs: 120_000,
      timeoutMs: 10_000,
      ...deps,
    };
  }

  /** Builds the event's messages and sends them. Resolves when sent or given up; never rejects. */
  notify(target: SlackTarget, event: NotifyEvent, opts: BuildOptions = {}): Promise<NotifyResult> {
    let messages: SlackMessage[];
    try {
      messages = buildSlackMessages(event, opts);
    } catch (e) {
      return Promise.resolve(
        this.failed(target, 0, 0, 0, `could not build the message: ${String(e)}`, false),
      );
    }
    return this.send(target, messages);
  }

  /** Queues messages for the target's channel, behind anything already queued there. */
  send(target: SlackTarget, messages: readonly SlackMessage[]): Promise<NotifyResult> {
    // Webhooks without a channel name are paced per URL: each posts to its own channel.
    const key =
      target.kind === 'webhook' ? `webhook:${target.channel ?? target.url}` : `web-api:${target.channel}`;
    const run = (this.tails.get(key) ?? Promise.resolve()).then(() => this.deliver(key, target, messages));
    const tail = run.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return run.catch((e: unknown) =>
      this.failed(target, messages.length, 0, 0, `unexpected: ${String(e)}`, true),
    );
  }

  private async deliver(
    key: string,
    target: SlackTarget,
    messages: readonly SlackMessage[],
  ): Promise<NotifyResult> {
    const channel = channelOf(target);
    let attempts = 0;
    const ts: string[] = [];
    for (const [i, message] of messages.entries()) {
      let backoff = 1000;
      for (let tries = 1; ; tries++) {
        await this.waitTurn(key);
        attempts++;
        const outcome = await this.post(target, message);
        this.nextAt.set(key, this.deps.now() + this.deps.minIntervalMs);
        if (outcome.kind === 'ok') {
          if (outcome.ts) ts.push(outcome.ts);
          break;
        }
        if (outcome.kind === 'permanent')
          return this.failed(target, messages.length, i, attempts, outcome.error, false);
        if (tries >= this.deps.maxAttempts) {
          const error = outcome.kind === 'rate-limited' ? 'rate_limited' : outcome.error;
          return this.failed(target, messages.length, i, attempts, error, true);
        }
        if (outcome.kind === 'rate-limited') {
          if (outcome.retryAfterMs > this.deps.maxRetryAfterMs)
            return this.failed(target, messages.length, i, attempts, 'rate_limited', true);
          this.nextAt.set(key, this.deps.now() + Math.max(outcome.retryAfterMs, this.deps.minIntervalMs));
        } else {
          this.nextAt.set(key, this.deps.now() + backoff);
          backoff *= 2;
        }
      }
    }
    return {
      ok: true,
      channel,
      parts: messages.length,
      delivered: messages.length,
      attempts,
      ...(ts.length ? { ts } : {}),
    };
  }

  private async waitTurn(key: string): Promise<void> {
    const wait = (this.nextAt.get(key) ?? 0) - this.deps.now();
    if (wait > 0) await this.deps.sleep(wait);
  }

  private async post(target: SlackTarget, message: SlackMessage): Promise<Attempt> {
    const signal = AbortSignal.timeout(this.deps.timeoutMs);
    let res: Response;
    try {
      if (target.kind === 'webhook') {
        res = await this.deps.fetch(target.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(message),
          signal,
        });
      } else {
        res = await this.deps.fetch(`${target.apiUrl ?? SLACK_API_URL}/chat.postMessage`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json; charset=utf-8',
            authorization: `Bearer ${target.token}`,
          },
          body: JSON.stringify({ channel: target.channel, ...message }),
          signal,
        });
      }
    } catch (e) {
      return { kind: 'transient', error: `network: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (res.status === 429) {
      await res.body?.cancel();
      return { kind: 'rate-limited', retryAfterMs: retryAfterMs(res) };
    }
    const text = await res.text().catch(() => '');
    if (target.kind === 'webhook') {
      // Incoming webhooks answer 200 "ok", or an error code as plain text (400 invalid_payload, 404 channel_not_found ...).
      if (res.ok) return { kind: 'ok' };
      const error = text.trim().slice(0, 100) || `http_${res.status}`;
      return res.status >= 500 ? { kind: 'transient', error } : { kind: 'permanent', error };
    }
    if (res.status >= 500) return { kind: 'transient', error: `http_${res.status}` };
    let body: { ok?: unknown; error?: unknown; ts?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      return { kind: 'transient', error: `http_${res.status}: not JSON` };
    }
    if (body.ok === true) return { kind: 'ok', ...(typeof body.ts === 'string' ? { ts: body.ts } : {}) };
    const error = typeof body.error === 'string' ? body.error : `http_${res.status}`;
    if (error === 'ratelimited') return { kind: 'rate-limited', retryAfterMs: retryAfterMs(res) };
    return TRANSIENT_API_ERRORS.has(error) ? { kind: 'transient', error } : { kind: 'permanent', error };
  }

  private failed(
    target: SlackTarget,
    parts: number,
    delivered: number,
    attempts: number,
    error: string,
    retryable: boolean,
  ): NotifyResult {
    const secrets = target.kind === 'webhook' ? [target.url] : [target.token];
    const safeError = String(redact(error, secrets));
    const channel = channelOf(target);
    this.deps.logger?.warn('slack notification failed', {
      channel,
      error: safeError,
      parts,
      delivered,
      attempts,
      retryable,
    });
    return { ok: false, channel, parts, delivered, attempts, error: safeError, retryable };
  }
}
