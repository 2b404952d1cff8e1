// An in-memory double of a Durable Object's `state.storage`, as documented for
// the asynchronous KV API: values are structured clones (a caller's later edits
// do not reach storage); keys are at most 2,048 bytes and values at most 128 KiB;
// `delete` says whether the key existed; `list` returns a Map sorted by the keys'
// UTF-8 bytes, with `startAfter` and `limit`; each call is atomic and isolated;
// `transaction(closure)` runs the closure's `txn` calls as one unit that commits
// when the closure resolves and rolls back when it throws or calls `rollback()`,
// after which further `txn` calls throw. Every call yields to the event loop
// first, so code that reads and writes outside a transaction can race here, as
// requests interleave at awaits in a real object.
// Not modelled: input/output gates, alarms, the SQL API, write coalescing.
import { Buffer } from 'node:buffer';
import type {
  DurableObjectStorageLike,
  DurableObjectTransactionLike,
} from '../../lib/store/durable-object.ts';

const MAX_KEY_BYTES = 2048;
const MAX_VALUE_BYTES = 128 * 1024;
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface StorageDouble extends DurableObjectStorageLike {
  /** Raw stored values, for assertions. */
  readonly data: Map<string, unknown>;
}

export function durableObjectStorageDouble(): StorageDouble {
  const data = new Map<string, unknown>();
  // One operation or transaction at a time: each is isolated from the others.
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(async () => {
      await tick();
      return fn();
    });
    queue = run.catch(() => {});
    return run;
  };
  const checkKey = (key: string) => {
    if (Buffer.byteLength(key) > MAX_KEY_BYTES)
      throw new RangeError('Keys cannot be larger than 2048 bytes.');
  };
  const cloneForPut = (value: unknown) => {
    const copy = structuredClone(value);
    // The serialised size is what counts; JSON is a close stand-in for these plain values.
    if (Buffer.byteLength(JSON.stringify(copy) ?? '') > MAX_VALUE_BYTES) {
      throw new RangeError('Values cannot be larger than 131072 bytes.');
    }
    return copy;
  };

  const transaction = <T>(closure: (txn: DurableObjectTransactionLike) => Promise<T>) =>
    exclusive(async () => {
      const writes = new Map<string, { value: unknown } | 'deleted'>();
      let rolledBack = false;
      const open = () => {
        if (rolledBack) throw new Error('Cannot use a transaction after rollback()');
      };
      const read = (key: string) => {
        const w = writes.get(key);
        if (w === 'deleted') return undefined;
        return structuredClone(w ? w.value : data.get(key));
      };
      const txn: DurableObjectTransactionLike = {
        get: async <V>(key: string) => {
          open();
          checkKey(key);
          await tick();
          return read(key) as V | undefined;
        },
        put: async (key, value) => {
          open();
          checkKey(key);
          writes.set(key, { value: cloneForPut(value) });
        },
        delete: async (key) => {
          open();
          checkKey(key);
          const existed = read(key) !== undefined;
          writes.set(key, 'deleted');
          return existed;
        },
        rollback: () => {
          open();
          rolledBack = true;
        },
      };
      const result = await closure(txn);
      if (!rolledBack) {
        for (const [key, w] of writes) {
          if (w === 'deleted') data.delete(key);
          else data.set(key, w.value);
        }
      }
      return result;
    });

  return {
    data,
    get: <V>(key: string) =>
      exclusive(async () => {
        checkKey(key);
        return structuredClone(data.get(key)) as V | undefined;
      }),
    put: (key, value) =>
      exclusive(async () => {
        checkKey(key);
        data.set(key, cloneForPut(value));
      }),
    delete: (key) =>
      exclusive(async () => {
        checkKey(key);
        return data.delete(key);
      }),
    list: <V>(options: { startAfter?: string; limit?: number } = {}) =>
      exclusive(async () => {
        const after = options.startAfter === undefined ? undefined : Buffer.from(options.startAfter);
        const keys = [...data.keys()]
          .map((k) => [k, Buffer.from(k)] as const)
          .sort((a, b) => Buffer.compare(a[1], b[1]))
          .filter(([, bytes]) => after === undefined || Buffer.compare(bytes, after) > 0)
          .slice(0, options.limit ?? Infinity)
          .map(([k]) => k);
        return new Map(keys.map((k) => [k, structuredClone(data.get(k)) as V]));
      }),
    transaction,
  };
}
