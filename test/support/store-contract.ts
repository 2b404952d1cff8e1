// The contract every Store implementation must pass. Each implementation's test calls
// `describeStoreContract(name, make)`, where `make` returns a fresh, empty store on a
// clock the test controls.
import { describe, expect, it } from 'vitest';
import type { Clock, Store } from '../../lib/store/index.ts';

export interface ManualClock extends Clock {
  advance(ms: number): void;
}

export function manualClock(start = Date.parse('2026-12-01T00:00:00Z')): ManualClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export function describeStoreContract(
  name: string,
  make: (clock: ManualClock) => Promise<{ store: Store; close?: () => Promise<void> }>,
): void {
  describe(`Store contract: ${name}`, () => {
    const withStore = async (fn: (store: Store, clock: ManualClock) => Promise<void>) => {
      const clock = manualClock();
      const { store, close } = await make(clock);
      try {
        await fn(store, clock);
      } finally {
        await close?.();
      }
    };

    it('reads back what was put, and nothing for an unknown key', () =>
      withStore(async (store) => {
        expect(await store.get('a')).toBeUndefined();
        await store.put('a', 'one');
        expect(await store.get('a')).toBe('one');
        await store.put('a', 'two');
        expect(await store.get('a')).toBe('two');
      }));

    it('keeps values byte for byte (unicode, newlines, empty)', () =>
      withStore(async (store) => {
        const value = 'ünï\n\u0000{"k":[1,2]}\r\n';
        await store.put('k', value);
        expect(await store.get('k')).toBe(value);
        await store.put('empty', '');
        expect(await store.get('empty')).toBe('');
      }));

    it('deletes, and deleting an absent key is fine', () =>
      withStore(async (store) => {
        await store.put('a', '1');
        await store.delete('a');
        await store.delete('never');
        expect(await store.get('a')).toBeUndefined();
      }));

    it('expires an entry once its TTL has passed', () =>
      withStore(async (store, clock) => {
        await store.put('t', 'v', { ttlMs: 1000 });
        clock.advance(999);
        expect(await store.get('t')).toBe('v');
        clock.advance(1);
        expect(await store.get('t')).toBeUndefined();
      }));

    it('compare-and-set writes only when the current value is the expected one', () =>
      withStore(async (store) => {
        expect(await store.compareAndSet('c', undefined, 'first')).toBe(true);
        expect(await store.compareAndSet('c', undefined, 'second')).toBe(false);
        expect(await store.compareAndSet('c', 'wrong', 'third')).toBe(false);
        expect(await store.get('c')).toBe('first');
        expect(await store.compareAndSet('c', 'first', 'fourth')).toBe(true);
        expect(await store.get('c')).toBe('fourth');
      }));

    it('treats an expired entry as absent for compare-and-set (a lease can be taken over)', () =>
      withStore(async (store, clock) => {
        expect(await store.compareAndSet('lock', undefined, 'holder-1', { ttlMs: 500 })).toBe(true);
        expect(await store.compareAndSet('lock', undefined, 'holder-2', { ttlMs: 500 })).toBe(false);
        clock.advance(500);
        expect(await store.compareAndSet('lock', undefined, 'holder-2', { ttlMs: 500 })).toBe(true);
        expect(await store.get('lock')).toBe('holder-2');
      }));

    it('of many concurrent compare-and-sets on one key, exactly one wins', () =>
      withStore(async (store) => {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.compareAndSet('race', undefined, `w${i}`)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = results.indexOf(true);
        expect(await store.get('race')).toBe(`w${winner}`);
      }));

    it('a TTL of zero reads as absent at once (how a lease is given up)', () =>
      withStore(async (store) => {
        await store.put('z', 'v');
        expect(await store.compareAndSet('z', 'v', 'gone', { ttlMs: 0 })).toBe(true);
        expect(await store.get('z')).toBeUndefined();
        expect(await store.compareAndSet('z', undefined, 'again')).toBe(true);
      }));

    it('compare-and-set sets the TTL it is given, and clears it when given none', () =>
      withStore(async (store, clock) => {
        await store.put('r', 'a');
        expect(await store.compareAndSet('r', 'a', 'b', { ttlMs: 100 })).toBe(true);
        clock.advance(50);
        expect(await store.compareAndSet('r', 'b', 'c')).toBe(true);
        clock.advance(1_000_000);
        expect(await store.get('r')).toBe('c');
        expect(await store.compareAndSet('r', 'c', 'd', { ttlMs: 100 })).toBe(true);
        clock.advance(100);
        expect(await store.get('r')).toBeUndefined();
      }));

    it('put without a TTL clears an earlier TTL', () =>
      withStore(async (store, clock) => {
        await store.put('p', 'short', { ttlMs: 10 });
        await store.put('p', 'forever');
        clock.advance(1_000_000);
        expect(await store.get('p')).toBe('forever');
      }));
  });
}
