import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisStore } from '../../../lib/node/store-redis.ts';
import { describeLockContract } from '../../support/lock-contract.ts';
import { describeStoreContract, manualClock, type ManualClock } from '../../support/store-contract.ts';
import {
  findRedisServer,
  REDIS_MISSING,
  startRedisServer,
  type RunningRedis,
} from '../../support/redis-server.ts';

const bin = findRedisServer();

if (!bin) {
  it.skip(`redis store: ${REDIS_MISSING}`, () => {});
} else {
  let server: RunningRedis;
  beforeAll(async () => {
    server = await startRedisServer(bin);
  });
  afterAll(() => server?.stop());
  let n = 0;

  const makeRedis = async (clock: ManualClock) => {
    const store = redisStore(server.url, { clock, prefix: `contract-${n++}:` });
    return { store, close: () => store.close() };
  };
  describeStoreContract('redis', makeRedis);
  describeLockContract('redis', makeRedis);

  describe('redis store', () => {
    it('two clients racing compare-and-set: exactly one wins each round, no increment lost', async () => {
      const a = redisStore(server.url, { prefix: 'race:' });
      const b = redisStore(server.url, { prefix: 'race:' });
      const rounds = 100;
      const bump = async (store: typeof a) => {
        for (;;) {
          const current = await store.get('counter');
          if (await store.compareAndSet('counter', current, String(Number(current ?? 0) + 1))) return;
        }
      };
      for (let round = 0; round < rounds; round++) {
        const [wonA, wonB] = await Promise.all([
          a.compareAndSet(`round:${round}`, undefined, 'a'),
          b.compareAndSet(`round:${round}`, undefined, 'b'),
          bump(a),
          bump(b),
        ]);
        expect(wonA !== wonB, `round ${round}`).toBe(true);
        expect(await a.get(`round:${round}`)).toBe(wonA ? 'a' : 'b');
      }
      expect(await a.get('counter')).toBe(String(2 * rounds));
      await Promise.all([a.close(), b.close()]);
    });

    it('keeps the clock’s expiry in the value and lets Redis drop the key later', async () => {
      const raw = new Redis(server.url);
      const clock = manualClock();
      const store = redisStore(raw, { clock, prefix: 'px:', expiryGraceMs: 30_000 });
      await store.put('k', 'v', { ttlMs: 1000 });
      expect(await raw.hget('px:k', 'e')).toBe(String(clock.now() + 1000));
      const pttl = await raw.pttl('px:k');
      expect(pttl).toBeGreaterThan(1000);
      expect(pttl).toBeLessThanOrEqual(31_000);
      await store.put('k', 'forever');
      expect(await raw.pttl('px:k')).toBe(-1);
      await store.close(); // a client the caller passed in stays open
      expect(await raw.ping()).toBe('PONG');
      await raw.quit();
    });

    it('reports an unreachable server as a retryable remote error', async () => {
      const store = redisStore('redis://127.0.0.1:1', {});
      await expect(store.get('x')).rejects.toMatchObject({
        code: 'remote',
        retryable: true,
        service: 'redis',
      });
      await store.close();
    });
  });
}
