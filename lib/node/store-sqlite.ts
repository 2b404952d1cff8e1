// The embedded SQLite store (`node:sqlite`), the Node default: a single Node
// process needs nothing else, and several processes on one host may share the
// file. WAL mode lets readers run beside the one writer; each write is a single
// conditional statement, so compare-and-set is atomic across processes (SQLite's
// write lock serialises them). Expiry is measured on the injected clock: a row
// whose `expires_at` is at or before `clock.now()` reads as absent.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { PreconditionError, RemoteError } from '../errors.ts';
import type { ClosableStore, Clock, PutOptions } from '../store/index.ts';
import { systemClock } from './clock.ts';

export interface SqliteStoreOptions {
  clock?: Clock;
  /** How long a write waits for another process's write lock, in ms. */
  busyTimeoutMs?: number;
}

/** Expired rows are removed on open and after this many writes. */
const PURGE_EVERY_WRITES = 1000;

/** Opens (creating if needed) the store at `path`; `:memory:` gives a private in-process one. */
export function sqliteStore(path: string, options: SqliteStoreOptions = {}): ClosableStore {
  const clock = options.clock ?? systemClock;
  let db: DatabaseSync;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new DatabaseSync(path, { timeout: options.busyTimeoutMs ?? 5000 });
    db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS cairn_store (
        key TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL,
        expires_at INTEGER
      ) STRICT;
    `);
  } catch (e) {
    throw new PreconditionError(`${path}: cannot open the SQLite store: ${(e as Error).message}`, {
      cause: e,
    });
  }
  // A busy or locked database (another process held the write lock past the
  // timeout) may succeed later; other failures (disk full, corrupt file) are reported the same way.
  const call = <T>(what: string, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      const message = (e as Error).message;
      throw new RemoteError('sqlite', `${path}: ${what} failed: ${message}`, {
        retryable: /busy|locked/i.test(message),
        cause: e,
      });
    }
  };

  const statements = {
    get: db.prepare('SELECT value FROM cairn_store WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)'),
    put: db.prepare(
      `INSERT INTO cairn_store (key, value, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    ),
    // Absent or expired: insert, or overwrite only an expired row.
    insertIfAbsent: db.prepare(
      `INSERT INTO cairn_store (key, value, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
       WHERE cairn_store.expires_at IS NOT NULL AND cairn_store.expires_at <= ?`,
    ),
    replaceIfEqual: db.prepare(
      `UPDATE cairn_store SET value = ?, expires_at = ?
       WHERE key = ? AND value = ? AND (expires_at IS NULL OR expires_at > ?)`,
    ),
    delete: db.prepare('DELETE FROM cairn_store WHERE key = ?'),
    purge: db.prepare('DELETE FROM cairn_store WHERE expires_at IS NOT NULL AND expires_at <= ?'),
  } satisfies Record<string, StatementSync>;

  let writes = 0;
  const wrote = () => {
    if (++writes % PURGE_EVERY_WRITES === 0) call('purge', () => statements.purge.run(clock.now()));
  };
  // The column is an INTEGER: a fractional expiry is rounded up, never early.
  const expiresAt = (now: number, o?: PutOptions) =>
    o?.ttlMs !== undefined ? Math.ceil(now + o.ttlMs) : null;
  call('purge', () => statements.purge.run(clock.now()));

  return {
    get: async (key) => {
      const row = call('get', () => statements.get.get(key, clock.now())) as { value: string } | undefined;
      return row?.value;
    },
    put: async (key, value, o) => {
      call('put', () => statements.put.run(key, value, expiresAt(clock.now(), o)));
      wrote();
    },
    compareAndSet: async (key, expected, next, o) => {
      const now = clock.now();
      const { changes } = call('compare-and-set', () =>
        expected === undefined
          ? statements.insertIfAbsent.run(key, next, expiresAt(now, o), now)
          : statements.replaceIfEqual.run(next, expiresAt(now, o), key, expected, now),
      );
      wrote();
      return Number(changes) === 1;
    },
    delete: async (key) => {
      call('delete', () => statements.delete.run(key));
    },
    close: async () => {
      if (db.isOpen) db.close();
    },
  };
}
