// Opens the store `CAIRN_STORE` names (see lib/store/spec.ts) on Node: memory,
// SQLite (the default, `.cairn-state/cairn.db` under the working folder) or Redis.
import { resolve } from 'node:path';
import { ValidationError } from '../errors.ts';
import { memoryStore, type ClosableStore, type Clock } from '../store/index.ts';
import { systemClock } from './clock.ts';
import { readStoreSpec } from '../store/spec.ts';
import { redisStore } from './store-redis.ts';
import { sqliteStore } from './store-sqlite.ts';

export interface OpenStoreOptions {
  clock?: Clock;
  /** Relative SQLite paths are resolved against this folder (default: the process's). */
  cwd?: string;
}

/** The store for the `CAIRN_STORE` value `text` (unset: SQLite at the default path). */
export function openStore(text: string | undefined, options: OpenStoreOptions = {}): ClosableStore {
  const clock = options.clock ?? systemClock;
  const read = readStoreSpec(text);
  if (!read.ok) {
    throw new ValidationError([{ file: 'environment', field: 'CAIRN_STORE', message: read.problem }]);
  }
  const { spec } = read;
  switch (spec.kind) {
    case 'memory':
      return { ...memoryStore(clock), close: async () => {} };
    case 'sqlite':
      return sqliteStore(resolve(options.cwd ?? process.cwd(), spec.path), { clock });
    case 'redis':
      return redisStore(spec.url, { clock });
  }
}
