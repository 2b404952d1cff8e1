// The store on Cloudflare Workers: one Durable Object holds the entries in its
// transactional storage, and a `Store` client talks to it through its stub's
// `fetch`. Locks and delivery dedupe need a single, strongly consistent writer,
// which a Durable Object is and Workers KV (eventually consistent, last write
// wins) is not, so KV is never used for this.
//
// Each entry is stored as `{ v: value, e?: expiresAt }`. As everywhere in the
// store, expiry is measured on the caller's clock: the client sends its `now`
// and absolute `expiresAt` with every request, and the object never reads a
// clock. Compare-and-set runs in `storage.transaction`, so it is atomic even if
// the object's requests interleave. Expired entries are swept a page at a time
// every few writes, so the object's storage does not grow without bound.
//
// The storage types below are the subset of `DurableObjectState.storage` this
// file uses, so it builds without the Workers type package.
import { z } from 'zod';
import { RemoteError } from '../errors.ts';
import type { Clock, Store } from './index.ts';

export interface DurableObjectTransactionLike {
  get<T = unknown>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
  delete(key: string): Promise<boolean>;
  rollback(): void;
}

export interface DurableObjectStorageLike {
  get<T = unknown>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
  delete(key: string): Promise<boolean>;
  list<T = unknown>(options?: { startAfter?: string; limit?: number }): Promise<Map<string, T>>;
  transaction<T>(closure: (txn: DurableObjectTransactionLike) => Promise<T>): Promise<T>;
}

export interface DurableObjectStateLike {
  storage: DurableObjectStorageLike;
}

export interface DurableObjectStubLike {
  fetch(input: string, init?: RequestInit): Promise<Response>;
}

/** Durable Object storage limits: keys up to 2,048 bytes, values up to 128 KiB. */
export const MAX_KEY_BYTES = 2048;
export const MAX_VALUE_BYTES = 128 * 1024;
const SWEEP_EVERY_WRITES = 64;
const SWEEP_PAGE = 128;

interface Entry {
  v: string;
  e?: number;
}

const key = z.string().refine((k) => new TextEncoder().encode(k).length <= MAX_KEY_BYTES, {
  message: `key longer than ${MAX_KEY_BYTES} bytes`,
});
const time = z.number().finite();
const value = z.string().refine((v) => new TextEncoder().encode(v).length <= MAX_VALUE_BYTES, {
  message: `value larger than ${MAX_VALUE_BYTES} bytes`,
});

/** One request from the client to the object. */
export const storeRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('get'), key, now: time }),
  z.object({ op: z.literal('put'), key, value, expiresAt: time.optional(), now: time }),
  z.object({
    op: z.literal('cas'),
    key,
    /** `null`: only if absent or expired. */
    expected: z.string().nullable(),
    next: value,
    expiresAt: time.optional(),
    now: time,
  }),
  z.object({ op: z.literal('delete'), key }),
]);
export type StoreRequest = z.infer<typeof storeRequestSchema>;

function isEntry(x: unknown): x is Entry {
  if (typeof x !== 'object' || x === null) return false;
  const { v, e } = x as Partial<Entry>;
  return typeof v === 'string' && (e === undefined || typeof e === 'number');
}

/** The live value of a stored entry at `now`; expired or foreign data reads as absent. */
function live(x: unknown, now: number): string | undefined {
  if (!isEntry(x)) return undefined;
  return x.e !== undefined && x.e <= now ? undefined : x.v;
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/**
 * The Durable Object class. Export it from the Worker entry and bind it in
 * wrangler.toml; one instance (by name) serves the whole installation.
 */
export class CairnStoreObject {
  readonly #storage: DurableObjectStorageLike;
  #writes = 0;
  #sweepAfter: string | undefined;

  constructor(state: DurableObjectStateLike, _env?: unknown) {
    this.#storage = state.storage;
  }

  async fetch(request: Request): Promise<Response> {
    if (request.method !== 'POST') return json({ error: 'POST a store request' }, 405);
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      return json({ error: 'the body is not JSON' }, 400);
    }
    const parsed = storeRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
      return json({ error: issues.join('; ') }, 400);
    }
    return json(await this.handle(parsed.data));
  }

  /** Runs one validated request; exposed for callers that hold the object itself. */
  async handle(req: StoreRequest): Promise<{ value: string | null } | { ok: boolean }> {
    switch (req.op) {
      case 'get':
        return { value: live(await this.#storage.get(req.key), req.now) ?? null };
      case 'put':
        await this.#storage.put(req.key, entry(req.value, req.expiresAt));
        await this.#wrote(req.now);
        return { ok: true };
      case 'cas': {
        const ok = await this.#storage.transaction(async (txn) => {
          const current = live(await txn.get(req.key), req.now) ?? null;
          if (current !== req.expected) return false;
          await txn.put(req.key, entry(req.next, req.expiresAt));
          return true;
        });
        if (ok) await this.#wrote(req.now);
        return { ok };
      }
      case 'delete':
        await this.#storage.delete(req.key);
        return { ok: true };
    }
  }

  /** Every few writes, deletes the expired entries of the next page of keys. */
  async #wrote(now: number): Promise<void> {
    if (++this.#writes % SWEEP_EVERY_WRITES !== 0) return;
    const page = await this.#storage.list(
      this.#sweepAfter === undefined
        ? { limit: SWEEP_PAGE }
        : { startAfter: this.#sweepAfter, limit: SWEEP_PAGE },
    );
    const keys = [...page.keys()];
    this.#sweepAfter = keys.length < SWEEP_PAGE ? undefined : keys.at(-1);
    const expired = keys.filter((k) => isEntry(page.get(k)) && live(page.get(k), now) === undefined);
    if (expired.length === 0) return;
    await this.#storage.transaction(async (txn) => {
      // Re-read inside the transaction: an entry written since the listing stays.
      for (const k of expired) {
        const x = await txn.get(k);
        if (isEntry(x) && live(x, now) === undefined) await txn.delete(k);
      }
    });
  }
}

function entry(v: string, expiresAt: number | undefined): Entry {
  return expiresAt === undefined ? { v } : { v, e: expiresAt };
}

/**
 * A `Store` over the object behind `stub` (e.g. `env.STORE.get(env.STORE.idFromName('cairn'))`),
 * on the caller's clock (the Worker entry passes the real one).
 */
export function durableObjectStore(stub: DurableObjectStubLike, clock: Clock): Store {
  const send = async (req: StoreRequest): Promise<Record<string, unknown>> => {
    let res: Response;
    try {
      res = await stub.fetch('https://cairn-store/', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(req),
      });
    } catch (e) {
      throw new RemoteError('durable-object', `${req.op} failed: ${(e as Error).message}`, {
        retryable: true,
        cause: e,
      });
    }
    const text = await res.text();
    if (!res.ok) {
      throw new RemoteError('durable-object', `${req.op} answered ${res.status}: ${text}`, {
        retryable: res.status >= 500,
        status: res.status,
      });
    }
    return JSON.parse(text) as Record<string, unknown>;
  };
  const expiresAt = (now: number, ttlMs: number | undefined) =>
    ttlMs === undefined ? {} : { expiresAt: now + ttlMs };
  return {
    get: async (k) => {
      const { value } = await send({ op: 'get', key: k, now: clock.now() });
      return typeof value === 'string' ? value : undefined;
    },
    put: async (k, v, o) => {
      const now = clock.now();
      await send({ op: 'put', key: k, value: v, now, ...expiresAt(now, o?.ttlMs) });
    },
    compareAndSet: async (k, expected, next, o) => {
      const now = clock.now();
      const { ok } = await send({
        op: 'cas',
        key: k,
        expected: expected ?? null,
        next,
        now,
        ...expiresAt(now, o?.ttlMs),
      });
      return ok === true;
    },
    delete: async (k) => {
      await send({ op: 'delete', key: k });
    },
  };
}
