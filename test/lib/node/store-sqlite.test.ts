import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteStore } from '../../../lib/node/store-sqlite.ts';
import { describeLockContract } from '../../support/lock-contract.ts';
import { manualClock, describeStoreContract, type ManualClock } from '../../support/store-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'cairn-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const makeSqlite = async (clock: ManualClock) => {
  const store = sqliteStore(join(dir, `contract-${n++}.db`), { clock });
  return { store, close: () => store.close() };
};
describeStoreContract('sqlite', makeSqlite);
describeLockContract('sqlite', makeSqlite);

describe('sqlite store on a file', () => {
  it('keeps entries across a close and reopen, TTLs included', async () => {
    const path = join(dir, 'reopen.db');
    const clock = manualClock();
    const first = sqliteStore(path, { clock });
    await first.put('kept', 'yes');
    await first.put('short', 'soon gone', { ttlMs: 100 });
    await first.close();
    clock.advance(100);
    const second = sqliteStore(path, { clock });
    expect(await second.get('kept')).toBe('yes');
    expect(await second.get('short')).toBeUndefined();
    await second.close();
  });

  it('creates the parent folder of a new database file', async () => {
    const store = sqliteStore(join(dir, 'nested', 'deeper', 'cairn.db'));
    await store.put('a', 'b');
    expect(await store.get('a')).toBe('b');
    await store.close();
  });

  it('two processes on one file: exactly one wins each round, and no increment is lost', async () => {
    const path = join(dir, 'race.db');
    sqliteStore(path).close(); // create the schema before both start
    const rounds = 200;
    const racer = join(import.meta.dirname, '../../support/sqlite-racer.ts');
    const startAt = String(Date.now() + 1500);
    const run = (id: string) =>
      promisify(execFile)(process.execPath, [racer, path, id, String(rounds), startAt]);
    const outputs = await Promise.all([run('a'), run('b')]);
    const [a, b] = outputs.map((o) => JSON.parse(o.stdout) as { won: number[] });
    const wonA = new Set(a!.won);
    const wonB = new Set(b!.won);
    for (let round = 0; round < rounds; round++) {
      expect(wonA.has(round) !== wonB.has(round), `round ${round}`).toBe(true);
    }
    const store = sqliteStore(path);
    expect(await store.get('counter')).toBe(String(2 * rounds));
    for (const round of [0, rounds - 1]) {
      expect(await store.get(`round:${round}`)).toBe(wonA.has(round) ? 'a' : 'b');
    }
    await store.close();
  });

  it('two processes contending for the lease lock: never both inside, tokens only grow', async () => {
    const path = join(dir, 'lock-race.db');
    await sqliteStore(path).close();
    const racer = join(import.meta.dirname, '../../support/sqlite-lock-racer.ts');
    const startAt = String(Date.now() + 1500);
    const run = (id: string) => promisify(execFile)(process.execPath, [racer, path, id, '300', startAt]);
    const outputs = await Promise.all([run('a'), run('b')]);
    const results = outputs.map((o) => JSON.parse(o.stdout) as { tokens: number[]; violations: string[] });
    expect(results.flatMap((r) => r.violations)).toEqual([]);
    const tokens = results.flatMap((r) => r.tokens);
    expect(tokens.length).toBeGreaterThan(0);
    expect(new Set(tokens).size).toBe(tokens.length);
    const store = sqliteStore(path);
    expect(await store.get('fenced')).toBe(String(Math.max(...tokens)));
    await store.close();
  });
});
