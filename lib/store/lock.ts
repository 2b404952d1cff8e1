// A lease lock with a fencing token, over any Store: the guard that keeps
// overlapping cron runs (or replicas) from acting twice.
//
// A lease is the key `lock:NAME` holding `{"holder","token"}` with a TTL; it is
// taken with compare-and-set from absent, so two holders never both acquire, and
// an expired lease reads as absent, so it can be taken over. The fencing token
// comes from the counter `lock-fence:NAME` (never expires, never reset): each
// successful acquisition holds a token larger than every earlier holder's, so a
// holder that outlived its lease without knowing it can be refused by whatever
// it writes to (compare the token). Holder ids must be unique per contender
// (e.g. host, process and run), because renew and release trust the id.
import { InternalError } from '../errors.ts';
import type { Store } from './index.ts';

export interface Lease {
  /** Fencing token: larger than every earlier holder's token for this lock name. */
  token: number;
}

export interface LockHolder {
  holder: string;
  token: number;
}

const lockKey = (name: string) => `lock:${name}`;
const fenceKey = (name: string) => `lock-fence:${name}`;
/** Each failed compare-and-set means another contender made progress, so a few suffice. */
const MAX_ATTEMPTS = 50;

const encode = (h: LockHolder) => JSON.stringify({ holder: h.holder, token: h.token });

function decode(value: string | undefined): LockHolder | undefined {
  if (value === undefined) return undefined;
  try {
    const v = JSON.parse(value) as Partial<LockHolder>;
    if (typeof v.holder === 'string' && Number.isSafeInteger(v.token)) {
      return { holder: v.holder, token: v.token! };
    }
  } catch {
    // not ours: fall through
  }
  return undefined;
}

function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new InternalError(`lock lease must be a positive number of ms, got ${ttlMs}`);
  }
}

/** Draws the next fencing token, or undefined if contention did not let it through. */
async function drawToken(store: Store, name: string): Promise<number | undefined> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await store.get(fenceKey(name));
    const n = current === undefined ? 0 : Number(current);
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new InternalError(`lock ${name}: fencing counter holds ${JSON.stringify(current)}`);
    }
    if (await store.compareAndSet(fenceKey(name), current, String(n + 1))) return n + 1;
  }
  return undefined;
}

/** The current holder of `name`, if its lease has not expired. */
export async function readLock(store: Store, name: string): Promise<LockHolder | undefined> {
  return decode(await store.get(lockKey(name)));
}

/**
 * Takes the lock for `ttlMs` if nobody holds it (or the last lease expired).
 * Undefined when it is held, or when contention kept this call from finishing.
 */
export async function acquire(
  store: Store,
  name: string,
  holder: string,
  ttlMs: number,
): Promise<Lease | undefined> {
  checkTtl(ttlMs);
  // Held: give up without drawing a token.
  if ((await store.get(lockKey(name))) !== undefined) return undefined;
  let token = await drawToken(store, name);
  if (token === undefined) return undefined;
  let value = encode({ holder, token });
  if (!(await store.compareAndSet(lockKey(name), undefined, value, { ttlMs }))) return undefined;
  // A contender may have drawn a larger token before us and held the lock while we
  // waited; then our token is stale. Only a token that is still the newest drawn
  // after we hold the lease is larger than every earlier holder's: draw again.
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (Number(await store.get(fenceKey(name))) === token) return { token };
    const newer = await drawToken(store, name);
    if (newer === undefined) break;
    const next = encode({ holder, token: newer });
    if (!(await store.compareAndSet(lockKey(name), value, next, { ttlMs }))) return undefined;
    [token, value] = [newer, next];
  }
  await store.compareAndSet(lockKey(name), value, '', { ttlMs: 0 });
  return undefined;
}

/** Extends the lease by `ttlMs` from now. False if `holder` no longer holds it. */
export async function renew(store: Store, name: string, holder: string, ttlMs: number): Promise<boolean> {
  checkTtl(ttlMs);
  const current = await store.get(lockKey(name));
  if (decode(current)?.holder !== holder) return false;
  return store.compareAndSet(lockKey(name), current, current!, { ttlMs });
}

/** Gives the lock up. Only its holder can; false if `holder` did not hold it. */
export async function release(store: Store, name: string, holder: string): Promise<boolean> {
  const current = await store.get(lockKey(name));
  if (decode(current)?.holder !== holder) return false;
  // A zero TTL reads as absent at once; the fencing counter stays.
  return store.compareAndSet(lockKey(name), current, '', { ttlMs: 0 });
}
