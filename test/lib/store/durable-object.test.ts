// The Durable Object store, over a faithful in-memory double of its storage
// (test/support/durable-object-storage.ts). It has not run in workerd here.
import { describe, expect, it } from 'vitest';
import {
  CairnStoreObject,
  durableObjectStore,
  MAX_KEY_BYTES,
  MAX_VALUE_BYTES,
  type DurableObjectStubLike,
} from '../../../lib/store/durable-object.ts';
import { durableObjectStorageDouble } from '../../support/durable-object-storage.ts';
import { describeLockContract } from '../../support/lock-contract.ts';
import { describeStoreContract, manualClock, type ManualClock } from '../../support/store-contract.ts';

function setUp(clock: ManualClock = manualClock()) {
  const storage = durableObjectStorageDouble();
  const object = new CairnStoreObject({ storage });
  const stub: DurableObjectStubLike = {
    fetch: (input, init) => object.fetch(new Request(input, init)),
  };
  return { storage, object, stub, store: durableObjectStore(stub, clock) };
}

const make = async (clock: ManualClock) => ({ store: setUp(clock).store });
describeStoreContract('durable object (storage double)', make);
describeLockContract('durable object (storage double)', make);

describe('durable object store', () => {
  it('refuses keys and values over the storage limits with a non-retryable error', async () => {
    const { store } = setUp();
    await expect(store.put('k'.repeat(MAX_KEY_BYTES + 1), 'v')).rejects.toMatchObject({
      code: 'remote',
      retryable: false,
      status: 400,
      message: expect.stringMatching(/key: key longer than 2048 bytes/),
    });
    await expect(store.compareAndSet('k', undefined, 'v'.repeat(MAX_VALUE_BYTES + 1))).rejects.toThrow(
      /next: value larger than 131072 bytes/,
    );
    expect(await store.get('k')).toBeUndefined();
  });

  it('answers a request that is not a store request with 400, and GET with 405', async () => {
    const { object } = setUp();
    const post = (body: string) => object.fetch(new Request('https://x/', { method: 'POST', body }));
    expect((await post('not json')).status).toBe(400);
    const unknown = await post(JSON.stringify({ op: 'increment', key: 'a' }));
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toMatch(/op/);
    expect((await object.fetch(new Request('https://x/'))).status).toBe(405);
  });

  it('sweeps expired entries out of storage as writes go on, keeping live ones', async () => {
    const clock = manualClock();
    const { storage, store } = setUp(clock);
    for (let i = 0; i < 10; i++) await store.put(`delivery:${i}`, 'seen', { ttlMs: 1000 });
    await store.put('kept', 'forever');
    clock.advance(1000);
    for (let i = 0; i < 64; i++) await store.put('busy', String(i), { ttlMs: 60_000 });
    expect([...storage.data.keys()].sort()).toEqual(['busy', 'kept']);
  });
});

describe('the storage double interleaves like a real object', () => {
  it('a read-then-write outside a transaction can lose a race (which is why compare-and-set uses one)', async () => {
    const storage = durableObjectStorageDouble();
    const naive = async (who: string) => {
      if ((await storage.get('k')) !== undefined) return false;
      await storage.put('k', who);
      return true;
    };
    const wins = await Promise.all(['a', 'b', 'c'].map(naive));
    expect(wins.filter(Boolean).length).toBeGreaterThan(1);
  });

  it('commits a transaction as a unit, and discards it on throw or rollback', async () => {
    const storage = durableObjectStorageDouble();
    await storage.put('a', { n: 1 });
    await storage.transaction(async (txn) => {
      await txn.put('a', { n: 2 });
      await txn.put('b', { n: 2 });
    });
    await expect(
      storage.transaction(async (txn) => {
        await txn.put('a', { n: 3 });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await storage.transaction(async (txn) => {
      await txn.delete('b');
      txn.rollback();
      await expect(txn.get('a')).rejects.toThrow(/rollback/);
    });
    expect(await storage.get('a')).toEqual({ n: 2 });
    expect(await storage.get('b')).toEqual({ n: 2 });
  });

  it('stores structured clones', async () => {
    const storage = durableObjectStorageDouble();
    const value = { list: [1] };
    await storage.put('v', value);
    value.list.push(2);
    expect(await storage.get('v')).toEqual({ list: [1] });
    expect(await storage.delete('v')).toBe(true);
    expect(await storage.delete('v')).toBe(false);
  });
});
