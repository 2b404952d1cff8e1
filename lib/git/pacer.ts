// The write pacer: GitHub's secondary limits allow no more than 80 content-creating
// requests a minute (per user or App installation, whatever the repository). One pacer is
// shared by every provider of a process, and each write (any request but a GET) waits for
// a slot in the sliding minute; waiters are served in arrival order, so a burst of work is
// queued and delayed, never dropped. Pure: the clock and the sleep are passed in, and the
// slots are computed, never polled, so a sleep that does not wait cannot make it spin.
// The GitHub provider acquires a slot in the `fetch` it gives Octokit (lib/git/github.ts),
// below Octokit's throttling and retries, so a write reaches the wire when it is granted
// and a retried write takes a slot of its own.

export interface WritePacer {
  /** Resolves when this write may go; the writes in the last `windowMs` then number under `limit`. */
  acquire(): Promise<void>;
  /** Writes waiting for a slot now. */
  waiting(): number;
}

export interface WritePacerOptions {
  /** Writes allowed in any window (GitHub: 80 content-creating requests a minute). */
  limit?: number;
  windowMs?: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export const GITHUB_WRITES_PER_MINUTE = 80;

export function writePacer(opts: WritePacerOptions): WritePacer {
  const limit = opts.limit ?? GITHUB_WRITES_PER_MINUTE;
  const windowMs = opts.windowMs ?? 60_000;
  if (!(limit >= 1) || !(windowMs > 0)) throw new RangeError('writePacer: limit and window must be positive');
  // When each of the last `limit` writes was let go (ascending).
  const granted: number[] = [];
  let queue: Promise<void> = Promise.resolve();
  let waiting = 0;
  const take = async (): Promise<void> => {
    const now = opts.now();
    const oldest = granted.length >= limit ? granted[granted.length - limit]! : -Infinity;
    const at = Math.max(now, oldest + windowMs, granted.at(-1) ?? -Infinity);
    if (at > now) await opts.sleep(at - now);
    // The write goes now: if the sleep overran, count it from when it really goes.
    granted.push(Math.max(at, opts.now()));
    if (granted.length > limit) granted.splice(0, granted.length - limit);
  };
  return {
    acquire() {
      waiting++;
      const turn = queue.then(take).finally(() => {
        waiting--;
      });
      queue = turn.catch(() => undefined);
      return turn;
    },
    waiting: () => waiting,
  };
}
