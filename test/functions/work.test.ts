// The work queue on its own (functions/work.ts), over a memory store: per key one job
// runs and one waits, later work joins the waiting one, a failure is retried with a
// doubling backoff and keeps its record, a record another replica wrote is not cleared,
// and what a stopped queue leaves recorded is queued again by `recover`.
import { expect, it } from 'vitest';
import { Metrics } from '../../functions/metrics.ts';
import { type Job, workKey, workQueue } from '../../functions/work.ts';
import { createLogger } from '../../lib/log.ts';
import { memoryStore } from '../../lib/store/index.ts';

const push = (slug = 'acme/fleet'): Job => ({ kind: 'repository', slug, gates: false, retryFailed: false });
const KEY = workKey('repository:acme/fleet');

function world(run: (job: Job) => Promise<void>) {
  const store = memoryStore({ now: () => 0 });
  const sleeps: number[] = [];
  const metrics = new Metrics();
  const queue = workQueue({
    run,
    store,
    metrics,
    sleep: async (ms) => void sleeps.push(ms),
    log: createLogger({ level: 'error', format: 'json', write: () => {}, now: () => new Date(0) }),
    instance: 'test',
  });
  return { store, sleeps, metrics, queue };
}

it('one job runs and one waits per key; work arriving meanwhile joins the waiting one', async () => {
  const ran: Job[] = [];
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const { queue, metrics } = world(async (job) => {
    ran.push(job);
    if (ran.length === 1) await held;
  });
  const first = await queue.enqueue(push());
  expect(first.merged).toBe(false);
  const second = await queue.enqueue(push());
  expect(second.merged).toBe(false); // the first is running: this one waits
  const joined = await Promise.all([1, 2, 3].map(() => queue.enqueue(push())));
  expect(joined.every((j) => j.merged)).toBe(true);
  await queue.enqueue({ kind: 'repository', slug: 'acme/fleet', gates: true, retryFailed: false });
  // Another repository is another key: it runs at once, beside the held one.
  await queue.enqueue(push('acme/other'));
  release();
  await queue.idle();
  expect(ran.map((j) => (j.kind === 'repository' ? `${j.slug} gates=${j.gates}` : j.kind))).toEqual([
    'acme/fleet gates=false',
    'acme/other gates=false',
    'acme/fleet gates=true',
  ]);
  expect(metrics.get('cairn_work_runs_total', { kind: 'repository', outcome: 'done' })).toBe(3);
  await Promise.all([first.done, second.done, ...joined.map((j) => j.done)]);
  expect(queue.size()).toBe(0);
});

it('a job that throws is retried with a doubling backoff and its record kept until a run succeeds', async () => {
  let calls = 0;
  const records: (string | undefined)[] = [];
  const w = world(async () => {
    records.push(await w.store.get(KEY));
    if (++calls <= 3) throw new Error('GitHub 502');
  });
  const { done } = await w.queue.enqueue(push());
  await done;
  expect(calls).toBe(4);
  expect(w.sleeps).toEqual([1000, 2000, 4000]);
  expect(records.every((r) => r && JSON.parse(r).job.slug === 'acme/fleet')).toBe(true);
  expect(await w.store.get(KEY)).toBe('');
  expect(w.metrics.get('cairn_work_runs_total', { kind: 'repository', outcome: 'failed' })).toBe(3);
});

it('a record written by another replica while a job runs is not cleared by it', async () => {
  const w = world(async () => {
    await w.store.put(KEY, JSON.stringify({ job: push(), by: 'other', id: 'x' }));
  });
  await w.queue.enqueue(push());
  await w.queue.idle();
  expect(JSON.parse((await w.store.get(KEY))!).by).toBe('other');
});

it('a stopped queue leaves the waiting job recorded; recover queues it again and it is done once', async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const a = world(async () => held);
  await a.queue.enqueue(push()); // runs, held
  await a.queue.enqueue(push()); // waits
  const stopping = a.queue.stop();
  release();
  await stopping;
  const left = await a.store.get(KEY);
  expect(left).toBeTruthy();
  // The next process, on the same store.
  const ran: Job[] = [];
  const b = workQueue({
    run: async (job) => void ran.push(job),
    store: a.store,
    metrics: new Metrics(),
    sleep: async () => {},
    log: createLogger({ level: 'error', format: 'json', write: () => {}, now: () => new Date(0) }),
  });
  expect(await b.recover(['feeds', 'repository:acme/fleet'])).toBe(1);
  await b.idle();
  expect(ran).toEqual([push()]);
  expect(await a.store.get(KEY)).toBe('');
  expect(await b.recover(['feeds', 'repository:acme/fleet'])).toBe(0);
});
