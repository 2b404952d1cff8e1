// The Redis store, for several Node replicas sharing one state (ioredis client).
// Each key is a hash `{ v: value, e: expiresAt }` under a prefix. Every
// operation is one Lua script, so compare-and-set is atomic on the server.
//
// Time: the store's contract measures TTLs on the caller's injected clock, so
// `expiresAt` (caller's clock, ms since the epoch) is stored with the value and
// the scripts compare it with the caller's `now`; that is what decides. Redis's
// own PEXPIRE is set as well, later by a grace period, only so that abandoned
// keys are eventually removed; it never makes an entry vanish before its
// `expiresAt` unless the caller's clock runs slower than the server's by more
// than the grace.
import { Redis } from 'ioredis';
import { RemoteError } from '../errors.ts';
import type { ClosableStore, Clock, PutOptions } from '../store/index.ts';
import { systemClock } from './clock.ts';

export interface RedisStoreOptions {
  clock?: Clock;
  /** Prepended to every key, so several cairn installations can share a database. */
  prefix?: string;
  /** Redis's own expiry is set this much after the clock's, in ms. */
  expiryGraceMs?: number;
}

const WRITE = `
local function write(k, v, e, px)
  redis.call('DEL', k)
  if e == '' then
    redis.call('HSET', k, 'v', v)
  else
    redis.call('HSET', k, 'v', v, 'e', e)
    redis.call('PEXPIRE', k, px)
  end
end
local function live(k, now)
  local r = redis.call('HMGET', k, 'v', 'e')
  if not r[1] then return false end
  if r[2] and tonumber(r[2]) <= tonumber(now) then return false end
  return r[1]
end
`;

const SCRIPTS = {
  // KEYS: key; ARGV: now
  cairnGet: `${WRITE}\nreturn live(KEYS[1], ARGV[1])`,
  // KEYS: key; ARGV: value, expiresAt or '', px
  cairnPut: `${WRITE}\nwrite(KEYS[1], ARGV[1], ARGV[2], ARGV[3])\nreturn 1`,
  // KEYS: key; ARGV: now, '1' when expected is given, expected, next, expiresAt or '', px
  cairnCas: `${WRITE}
local current = live(KEYS[1], ARGV[1])
if ARGV[2] == '1' then
  if current ~= ARGV[3] then return 0 end
elseif current then
  return 0
end
write(KEYS[1], ARGV[4], ARGV[5], ARGV[6])
return 1`,
} as const;

interface ScriptCommands {
  cairnGet(key: string, now: string): Promise<string | null>;
  cairnPut(key: string, value: string, expiresAt: string, px: string): Promise<number>;
  cairnCas(
    key: string,
    now: string,
    hasExpected: string,
    expected: string,
    next: string,
    expiresAt: string,
    px: string,
  ): Promise<number>;
}

/**
 * A store over Redis at `target` (a `redis://HOST:PORT` URL, or a client the caller
 * owns and closes). `close()` quits only a client this function created.
 */
export function redisStore(target: string | Redis, options: RedisStoreOptions = {}): ClosableStore {
  const clock = options.clock ?? systemClock;
  const prefix = options.prefix ?? 'cairn:';
  const grace = options.expiryGraceMs ?? 60_000;
  const owned = typeof target === 'string';
  const client =
    typeof target === 'string'
      ? new Redis(target, { maxRetriesPerRequest: 3, connectTimeout: 5000 })
      : target;
  // Connection errors reach callers as rejected commands; without a listener
  // ioredis would also print each one.
  if (owned) client.on('error', () => {});
  for (const [name, lua] of Object.entries(SCRIPTS)) {
    client.defineCommand(name, { numberOfKeys: 1, lua });
  }
  const commands = client as unknown as ScriptCommands;

  const expiry = (o?: PutOptions): [expiresAt: string, px: string] => {
    if (o?.ttlMs === undefined) return ['', ''];
    const expiresAt = clock.now() + o.ttlMs;
    return [String(expiresAt), String(Math.max(1, Math.ceil(o.ttlMs + grace)))];
  };
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw new RemoteError('redis', `${what} failed: ${(e as Error).message}`, {
        retryable: true,
        cause: e,
      });
    }
  };

  return {
    get: async (key) =>
      (await call('get', () => commands.cairnGet(prefix + key, String(clock.now())))) ?? undefined,
    put: async (key, value, o) => {
      await call('put', () => commands.cairnPut(prefix + key, value, ...expiry(o)));
    },
    compareAndSet: async (key, expected, next, o) => {
      const now = String(clock.now());
      const has = expected === undefined ? '0' : '1';
      const result = await call('compare-and-set', () =>
        commands.cairnCas(prefix + key, now, has, expected ?? '', next, ...expiry(o)),
      );
      return result === 1;
    },
    delete: async (key) => {
      await call('delete', () => client.del(prefix + key));
    },
    close: async () => {
      if (owned && client.status !== 'end') await client.quit();
    },
  };
}
