// The work queue behind the webhooks: a delivery is verified, deduplicated and answered
// 202 at once; what it asks for (re-read feeds, re-plan a repository, re-read its gates)
// is queued here and done after the answer. Per key (a repository, or the feeds) at most
// one job runs and at most one waits: work that arrives while a job waits is merged into
// it, so a burst of 200 pushes is one or two re-plans, and the last one starts after the
// last push was queued, so it reads the newest head. Nothing is dropped: every waiting job
// is also written to the store before the delivery is answered (the answer promises it),
// is cleared only when a run of it succeeded, and a run that throws is retried with a
// growing backoff, its work merged with whatever arrived meanwhile. A process that dies
// leaves the record; `recover` (at start, and on Workers from the cron trigger) queues it
// again. Runtime-neutral: the store, the sleep and the runner are passed in.
import type { Logger } from '../lib/log.ts';
import type { Store } from '../lib/store/index.ts';
import type { Metrics } from './metrics.ts';

/** What one key's waiting job asks for; `merge` joins two. */
export type Job =
  | { kind: 'feeds'; keys: string[] }
  | { kind: 'repository'; slug: string; gates: boolean; retryFailed: boolean };

export function merge(a: Job | undefined, b: Job): Job {
  if (!a) return b;
  if (a.kind === 'feeds' && b.kind === 'feeds')
    return { kind: 'feeds', keys: [...new Set([...a.keys, ...b.keys])].sort() };
  if (a.kind === 'repository' && b.kind === 'repository')
    return { ...a, gates: a.gates || b.gates, retryFailed: a.retryFailed || b.retryFailed };
  throw new TypeError(`work: cannot merge a ${a.kind} job with a ${b.kind} job`);
}

export const keyOf = (job: Job): string => (job.kind === 'feeds' ? 'feeds' : `repository:${job.slug}`);
export const workKey = (key: string) => `functions:work:${key}`;
/** A cleared record: kept (not deleted) so the clear is one compare-and-set. */
const CLEARED = '';
const RECORD_TTL_MS = 30 * 86_400_000;

export interface WorkQueueOptions {
  /** Does one job; a throw means "not done": the job is retried. */
  run(job: Job): Promise<void>;
  store: Store;
  sleep(ms: number): Promise<void>;
  log: Logger;
  metrics: Metrics;
  /** This process or isolate (in each record, with a random id, so two replicas never write the same text). */
  instance?: string;
  /** Backoff after the first failure, doubled per failure up to `maxBackoffMs`. */
  firstBackoffMs?: number;
  maxBackoffMs?: number;
}

interface Slot {
  /** The job waiting, with the store record written for it. */
  waiting?: { job: Job; record: string };
  /** The loop draining this slot, while there is one. */
  loop?: Promise<void>;
  /** Failures in a row. */
  failures: number;
  /** Resolved when the job the enqueuer joined has been done. */
  waiters: (() => void)[];
}

export interface WorkQueue {
  /**
   * Queues `job` (merged into the key's waiting job) and writes it to the store. Resolves
   * once the job is recorded; `done` resolves when a run that included it succeeded.
   */
  enqueue(job: Job): Promise<{ done: Promise<void>; merged: boolean }>;
  /** Queues again what the store holds for these keys (a process that died left it). */
  recover(keys: readonly string[]): Promise<number>;
  /** Resolves when nothing runs and nothing waits (tests, shutdown). */
  idle(): Promise<void>;
  /** Jobs waiting or running now. */
  size(): number;
  /** No new run starts; resolves when the running ones ended. Waiting work stays recorded. */
  stop(): Promise<void>;
}

export function workQueue(opts: WorkQueueOptions): WorkQueue {
  const first = opts.firstBackoffMs ?? 1_000;
  const max = opts.maxBackoffMs ?? 5 * 60_000;
  const slots = new Map<string, Slot>();
  let sequence = 0;
  let stopped = false;
  const size = () => [...slots.values()].reduce((n, s) => n + (s.waiting ? 1 : 0) + (s.loop ? 1 : 0), 0);
  const gauge = () => opts.metrics.set('cairn_work_waiting', {}, size());

  const loop = async (key: string, slot: Slot): Promise<void> => {
    while (slot.waiting && !stopped) {
      const { job, record } = slot.waiting;
      slot.waiting = undefined;
      const waiters = slot.waiters.splice(0);
      const kind = job.kind;
      try {
        await opts.run(job);
      } catch (e) {
        slot.failures++;
        const delay = Math.min(max, first * 2 ** (slot.failures - 1));
        opts.metrics.inc('cairn_work_runs_total', { kind, outcome: 'failed' });
        opts.log.warn('queued work failed; retrying', {
          work: key,
          failures: slot.failures,
          retryInMs: delay,
          error: e,
        });
        // Not done: the job goes back, joined with what arrived meanwhile (whose record,
        // written later, stands for both), and its waiters wait on.
        const later = slot.waiting as Slot['waiting'];
        slot.waiting = later ? { job: merge(job, later.job), record: later.record } : { job, record };
        slot.waiters.unshift(...waiters);
        await opts.sleep(delay);
        continue;
      }
      slot.failures = 0;
      opts.metrics.inc('cairn_work_runs_total', { kind, outcome: 'done' });
      // Cleared only if no newer job was recorded meanwhile (here or by another replica).
      await opts.store
        .compareAndSet(workKey(key), record, CLEARED, { ttlMs: RECORD_TTL_MS })
        .catch((e: unknown) => opts.log.warn('could not clear a done work record', { work: key, error: e }));
      for (const w of waiters) w();
    }
  };

  const start = (key: string, slot: Slot) => {
    if (slot.loop || stopped) return;
    slot.loop = loop(key, slot).finally(() => {
      slot.loop = undefined;
      if (slot.waiting && !stopped) start(key, slot);
      else if (!slot.waiting) slots.delete(key);
      gauge();
    });
  };

  const add = async (job: Job, record?: string) => {
    const key = keyOf(job);
    let slot = slots.get(key);
    if (!slot) slots.set(key, (slot = { failures: 0, waiters: [] }));
    const merged = !!slot.waiting;
    const next = merge(slot.waiting?.job, job);
    const text =
      record ?? JSON.stringify({ job: next, by: opts.instance, id: `${++sequence}-${crypto.randomUUID()}` });
    // Recorded before the caller answers: the answer promises the work.
    if (record === undefined) await opts.store.put(workKey(key), text, { ttlMs: RECORD_TTL_MS });
    // Another enqueue may have joined while the record was written: merge again.
    slot.waiting = { job: merge(slot.waiting?.job, next), record: text };
    opts.metrics.inc('cairn_work_queued_total', { kind: job.kind, merged: String(merged) });
    const done = new Promise<void>((resolve) => slot.waiters.push(resolve));
    start(key, slot);
    gauge();
    return { done, merged };
  };

  return {
    enqueue: (job) => add(job),
    async recover(keys) {
      let n = 0;
      for (const key of keys) {
        const text = await opts.store.get(workKey(key));
        if (!text) continue;
        const { job } = JSON.parse(text) as { job: Job };
        await add(job, text);
        n++;
      }
      if (n) opts.log.info('queued work recovered', { jobs: n });
      return n;
    },
    async idle() {
      for (;;) {
        const loops = [...slots.values()].flatMap((s) => (s.loop ? [s.loop] : []));
        if (!loops.length) return;
        await Promise.all(loops);
      }
    },
    size,
    async stop() {
      stopped = true;
      await Promise.all([...slots.values()].flatMap((s) => (s.loop ? [s.loop] : [])));
    },
  };
}
