// The lease lock's behaviour over one Store implementation. Each store's test
// calls `describeLockContract(name, make)` with the same `make` as its store contract.
import { describe, expect, it } from 'vitest';
import type { Store } from '../../lib/store/index.ts';
import { acquire, readLock, release, renew } from '../../lib/store/lock.ts';
import { manualClock, type ManualClock } from './store-contract.ts';

type Make = (clock: ManualClock) => Promise<{ store: Store; close?: () => Promise<void> }>;

export function describeLockContract(name: string, make: Make): void {
  describe(`Lease lock: ${name}`, () => {
    const withStore = async (fn: (store: Store, clock: ManualClock) => Promise<void>) => {
      const clock = manualClock();
      const { store, close } = await make(clock);
      try {
        await fn(store, clock);
      } finally {
        await close?.();
      }
    };

    it('gives a free lock to one holder and refuses every other while it is held', () =>
      withStore(async (store) => {
        const lease = await acquire(store, 'cron', 'a', 1000);
        expect(lease?.token).toBeGreaterThan(0);
        expect(await acquire(store, 'cron', 'b', 1000)).toBeUndefined();
        expect(await acquire(store, 'cron', 'a', 1000)).toBeUndefined();
        expect(await readLock(store, 'cron')).toEqual({ holder: 'a', token: lease!.token });
        expect(await acquire(store, 'other', 'b', 1000)).toBeDefined();
      }));

    it('lets only the holder release, and the next holder gets a larger token', () =>
      withStore(async (store) => {
        const first = await acquire(store, 'cron', 'a', 1000);
        expect(await release(store, 'cron', 'b')).toBe(false);
        expect(await acquire(store, 'cron', 'b', 1000)).toBeUndefined();
        expect(await release(store, 'cron', 'a')).toBe(true);
        expect(await readLock(store, 'cron')).toBeUndefined();
        expect(await release(store, 'cron', 'a')).toBe(false);
        const second = await acquire(store, 'cron', 'b', 1000);
        expect(second!.token).toBeGreaterThan(first!.token);
      }));

    it('renew extends the lease from now; only the holder can renew', () =>
      withStore(async (store, clock) => {
        await acquire(store, 'cron', 'a', 100);
        clock.advance(80);
        expect(await renew(store, 'cron', 'b', 100)).toBe(false);
        expect(await renew(store, 'cron', 'a', 100)).toBe(true);
        clock.advance(80);
        expect(await acquire(store, 'cron', 'b', 100)).toBeUndefined();
        clock.advance(20);
        expect(await acquire(store, 'cron', 'b', 100)).toBeDefined();
      }));

    it('an expired lease is taken over with a larger token; the old holder can neither renew nor release', () =>
      withStore(async (store, clock) => {
        const old = await acquire(store, 'cron', 'a', 100);
        clock.advance(100);
        const next = await acquire(store, 'cron', 'b', 100);
        expect(next!.token).toBeGreaterThan(old!.token);
        expect(await renew(store, 'cron', 'a', 100)).toBe(false);
        expect(await release(store, 'cron', 'a')).toBe(false);
        expect(await readLock(store, 'cron')).toEqual({ holder: 'b', token: next!.token });
      }));

    it('of many concurrent acquirers, exactly one holds the lock', () =>
      withStore(async (store) => {
        const leases = await Promise.all(
          Array.from({ length: 10 }, (_, i) => acquire(store, 'cron', `h${i}`, 1000)),
        );
        const winners = leases.flatMap((l, i) => (l ? [i] : []));
        expect(winners).toHaveLength(1);
        expect((await readLock(store, 'cron'))?.holder).toBe(`h${winners[0]}`);
      }));

    it('tokens only grow across holders, releases and expiries', () =>
      withStore(async (store, clock) => {
        const tokens: number[] = [];
        for (let i = 0; i < 6; i++) {
          const lease = await acquire(store, 'cron', `h${i}`, 100);
          tokens.push(lease!.token);
          if (i % 2) await release(store, 'cron', `h${i}`);
          else clock.advance(100);
        }
        expect([...tokens].sort((x, y) => x - y)).toEqual(tokens);
        expect(new Set(tokens).size).toBe(tokens.length);
      }));

    it('a contender that drew its token early and took an expired lease late still ends with the largest token', () =>
      withStore(async (inner, clock) => {
        // While `slow` is between drawing its token and writing the lease, `fast`
        // draws a later token, holds the lock, and its lease expires.
        let fastToken: number | undefined;
        let paused = false;
        const store: Store = {
          ...inner,
          get: (k) => inner.get(k),
          put: (k, v, o) => inner.put(k, v, o),
          delete: (k) => inner.delete(k),
          compareAndSet: async (key, expected, next, options) => {
            if (!paused && key === 'lock:cron' && next.includes('"slow"')) {
              paused = true;
              fastToken = (await acquire(inner, 'cron', 'fast', 100))?.token;
              clock.advance(100);
            }
            return inner.compareAndSet(key, expected, next, options);
          },
        };
        const slow = await acquire(store, 'cron', 'slow', 100);
        expect(fastToken).toBeDefined();
        expect(slow!.token).toBeGreaterThan(fastToken!);
        expect(await readLock(inner, 'cron')).toEqual({ holder: 'slow', token: slow!.token });
      }));
  });
}
