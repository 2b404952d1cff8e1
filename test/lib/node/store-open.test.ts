import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/errors.ts';
import { openStore } from '../../../lib/node/store-open.ts';
import { findRedisServer, REDIS_MISSING, startRedisServer } from '../../support/redis-server.ts';

const dir = mkdtempSync(join(tmpdir(), 'cairn-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openStore (CAIRN_STORE)', () => {
  it('unset: SQLite at .cairn-state/cairn.db under the working folder, kept across opens', async () => {
    const first = openStore(undefined, { cwd: dir });
    await first.put('delivery:1', 'seen');
    await first.close();
    expect(existsSync(join(dir, '.cairn-state', 'cairn.db'))).toBe(true);
    const second = openStore('', { cwd: dir });
    expect(await second.get('delivery:1')).toBe('seen');
    await second.close();
  });

  it('sqlite:PATH resolves a relative path against the working folder', async () => {
    const store = openStore('sqlite:state/other.db', { cwd: dir });
    await store.put('a', 'b');
    await store.close();
    expect(existsSync(join(dir, 'state', 'other.db'))).toBe(true);
  });

  it('memory: keeps nothing between opens', async () => {
    const first = openStore('memory:');
    await first.put('a', 'b');
    expect(await first.get('a')).toBe('b');
    await first.close();
    expect(await openStore('memory:').get('a')).toBeUndefined();
  });

  it('a bad value is a validation error naming CAIRN_STORE', () => {
    expect(() => openStore('mysql://db')).toThrow(ValidationError);
    expect(() => openStore('mysql://db')).toThrow(/^environment CAIRN_STORE: "mysql:\/\/db": unknown store/);
  });

  it('a SQLite path that cannot be opened is a named error, not a raw one', () => {
    expect(() => openStore(`sqlite:${dir}`)).toThrow(/cannot open the SQLite store/);
  });

  const bin = findRedisServer();
  it.skipIf(!bin)(`redis://HOST:PORT talks to that server${bin ? '' : ` (${REDIS_MISSING})`}`, async () => {
    const server = await startRedisServer(bin!);
    try {
      const a = openStore(server.url);
      const b = openStore(server.url);
      await a.put('shared', 'yes');
      expect(await b.get('shared')).toBe('yes');
      await Promise.all([a.close(), b.close()]);
    } finally {
      await server.stop();
    }
  });
});
