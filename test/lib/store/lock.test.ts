import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../../lib/store/index.ts';
import { acquire, renew } from '../../../lib/store/lock.ts';
import { describeLockContract } from '../../support/lock-contract.ts';
import { manualClock } from '../../support/store-contract.ts';

describeLockContract('memory', async (clock) => ({ store: memoryStore(clock) }));

describe('lease lock arguments', () => {
  it.each([0, -1, Number.NaN])('refuses a lease of %s ms', async (ttl) => {
    await expect(acquire(memoryStore(manualClock()), 'cron', 'a', ttl)).rejects.toThrow(/positive number/);
    await expect(renew(memoryStore(manualClock()), 'cron', 'a', ttl)).rejects.toThrow(/positive number/);
  });
});
