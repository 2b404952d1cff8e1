// The one HTTP client every source reader uses, over an injected `fetch`
// (the global one on Node and Workers, a test server's in tests). It bounds
// concurrency per host, gives every request a deadline (headers and body),
// caps body size, and honours `retry-after` and rate-limit headers by
// refusing to call a host again before it said so (kept in the store, so
// the next cron run respects it too). It never sleeps.
import { RemoteError } from '../errors.ts';
import type { Clock, Store } from '../store/index.ts';

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

export interface HttpOptions {
  fetch: FetchFn;
  clock: Clock;
  store: Store;
  /** Requests in flight per host. Default 4. */
  perHost?: number;
  /** Deadline for one request, headers and body. Default 15 s. */
  timeoutMs?: number;
  /** Largest body read. Default 32 MiB (a big Helm index.yaml fits). */
  maxBodyBytes?: number;
  userAgent?: string;
}

export interface RateLimit {
  limit?: number;
  remaining?: number;
  /** Epoch milliseconds when the window resets. */
  resetAt?: number;
}

export interface HttpStats {
  requests: number;
  /** Requests that carried If-None-Match or If-Modified-Since. */
  conditional: number;
  notModified: number;
  failed: number;
  /** Last rate-limit headers seen, by host. */
  rateLimits: Record<string, RateLimit>;
}

export interface HttpClient {
  /** Like fetch, but bounded; the response body is already read (a deadline or size overrun throws). */
  fetch: FetchFn;
  stats: HttpStats;
}

const BACKOFF_KEY = 'feeds:backoff:';

/** Seconds or an HTTP date, as `retry-after` allows; returns epoch ms. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return now + Number(value.trim()) * 1000;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/** GitHub's `x-ratelimit-*` and the IETF/Docker Hub `ratelimit-*` (`100;w=21600`) headers. */
export function parseRateLimit(h: Headers, now: number): RateLimit | undefined {
  const num = (v: string | null) => {
    const n = v === null ? Number.NaN : Number.parseInt(v, 10);
    return Number.isNaN(n) ? undefined : n;
  };
  const limit = num(h.get('x-ratelimit-limit') ?? h.get('ratelimit-limit'));
  const remaining = num(h.get('x-ratelimit-remaining') ?? h.get('ratelimit-remaining'));
  if (limit === undefined && remaining === undefined) return undefined;
  const out: RateLimit = {};
  if (limit !== undefined) out.limit = limit;
  if (remaining !== undefined) out.remaining = remaining;
  const reset = num(h.get('x-ratelimit-reset'));
  if (reset !== undefined) out.resetAt = reset > 1e11 ? reset : reset * 1000; // seconds, or ms (some recordings)
  const window = /w=(\d+)/.exec(h.get('ratelimit-remaining') ?? h.get('ratelimit-limit') ?? '')?.[1];
  const resetDelta = num(h.get('ratelimit-reset'));
  if (out.resetAt === undefined && resetDelta !== undefined) out.resetAt = now + resetDelta * 1000;
  else if (out.resetAt === undefined && window) out.resetAt = now + Number(window) * 1000;
  return out;
}

class Semaphore {
  #free: number;
  #waiting: (() => void)[] = [];
  constructor(n: number) {
    this.#free = n;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((r) => this.#waiting.push(r));
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}

async function readBody(res: Response, max: number, host: string): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array();
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (declared > max)
    throw new RemoteError(host, `response of ${declared} bytes is over the ${max}-byte limit`, {
      retryable: false,
    });
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new RemoteError(host, `response is over the ${max}-byte limit`, { retryable: false });
    }
    chunks.push(value);
  }
  // A compressed body is decoded by fetch, so its length then differs from content-length.
  if (!Number.isNaN(declared) && !res.headers.has('content-encoding') && size !== declared)
    throw new RemoteError(host, `truncated response: ${size} of ${declared} bytes`, { retryable: true });
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function hostOf(url: string): string {
  return new URL(url).host;
}

export function createHttpClient(opts: HttpOptions): HttpClient {
  const perHost = opts.perHost ?? 4;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const maxBody = opts.maxBodyBytes ?? 32 * 1024 * 1024;
  const limits = new Map<string, Semaphore>();
  const stats: HttpStats = { requests: 0, conditional: 0, notModified: 0, failed: 0, rateLimits: {} };

  const backOff = async (host: string, until: number, why: string) => {
    const now = opts.clock.now();
    if (until <= now) return;
    await opts.store.put(`${BACKOFF_KEY}${host}`, JSON.stringify({ until, why }), { ttlMs: until - now });
  };

  const once = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const host = hostOf(url);
    const held = await opts.store.get(`${BACKOFF_KEY}${host}`);
    if (held) {
      const { until, why } = JSON.parse(held) as { until: number; why: string };
      throw new RemoteError(host, `not asked again before ${new Date(until).toISOString()} (${why})`, {
        retryable: true,
        status: 429,
      });
    }
    const headers = new Headers(init.headers);
    if (opts.userAgent && !headers.has('user-agent')) headers.set('user-agent', opts.userAgent);
    stats.requests++;
    if (headers.has('if-none-match') || headers.has('if-modified-since')) stats.conditional++;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    try {
      const res = await opts.fetch(url, { ...init, headers, signal, redirect: init.redirect ?? 'follow' });
      const now = opts.clock.now();
      const rl = parseRateLimit(res.headers, now);
      if (rl) stats.rateLimits[host] = rl;
      const retryAt = parseRetryAfter(res.headers.get('retry-after'), now);
      if (
        res.status === 429 ||
        (res.status === 503 && retryAt) ||
        (res.status === 403 && rl?.remaining === 0)
      ) {
        const until = retryAt ?? rl?.resetAt ?? now + 60_000;
        await backOff(host, until, `HTTP ${res.status}`);
        await res.body?.cancel();
        throw new RemoteError(
          host,
          `rate limited (HTTP ${res.status}); retry after ${new Date(until).toISOString()}`,
          { retryable: true, status: res.status },
        );
      }
      if (rl?.remaining === 0 && rl.resetAt) await backOff(host, rl.resetAt, 'rate limit exhausted');
      if (res.status === 304) stats.notModified++;
      const body =
        res.status === 304 || res.status === 204 ? new Uint8Array() : await readBody(res, maxBody, host);
      return new Response(res.status === 304 || res.status === 204 ? null : body, {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
      });
    } catch (e) {
      stats.failed++;
      if (e instanceof RemoteError) throw e;
      if (deadline.aborted)
        throw new RemoteError(host, `no complete response within ${timeoutMs} ms`, {
          retryable: true,
          cause: e,
        });
      // undici says "fetch failed" and keeps the reason (ENOTFOUND, ECONNREFUSED) in the cause.
      const cause = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
      const why =
        typeof cause?.code === 'string'
          ? cause.code
          : typeof cause?.message === 'string'
            ? cause.message
            : '';
      throw new RemoteError(host, `request failed: ${(e as Error).message}${why ? ` (${why})` : ''}`, {
        retryable: true,
        cause: e,
      });
    }
  };

  return {
    stats,
    fetch: (input, init) => {
      const host = hostOf(input);
      let sem = limits.get(host);
      if (!sem) limits.set(host, (sem = new Semaphore(perHost)));
      return sem.run(() => once(input, init));
    },
  };
}

/** Response headers a 200 carries that make the next request conditional. */
export interface Validators {
  etag?: string;
  lastModified?: string;
}

export function validatorsOf(res: Response): Validators {
  const v: Validators = {};
  const etag = res.headers.get('etag');
  const lm = res.headers.get('last-modified');
  if (etag) v.etag = etag;
  if (lm) v.lastModified = lm;
  return v;
}

export function conditionalHeaders(v: Validators | undefined): Record<string, string> {
  const h: Record<string, string> = {};
  if (v?.etag) h['if-none-match'] = v.etag;
  if (v?.lastModified) h['if-modified-since'] = v.lastModified;
  return h;
}

/** Throws a RemoteError naming the host and status for anything but 2xx/304. */
export async function expectOk(res: Response, url: string): Promise<void> {
  if (res.ok || res.status === 304) return;
  const text = (await res.text()).slice(0, 200).replace(/\s+/g, ' ');
  throw new RemoteError(
    hostOf(url),
    `HTTP ${res.status} for ${new URL(url).pathname}${text ? `: ${text}` : ''}`,
    {
      retryable: res.status >= 500 || res.status === 408,
      status: res.status,
    },
  );
}
