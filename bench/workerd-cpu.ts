// Benchmark: the CPU time of a no-op GitHub webhook in real workerd, next to the same
// request in Node.
//
// workerd does not report CPU per request when run locally (its open-source server gives
// each invocation's tracer the outcome with 0 ms CPU and 0 ms wall time; only
// Cloudflare's production runtime fills them in). So this bench measures the
// workerd processes from outside: it starts the real Worker build exactly as
// test/functions/worker.test.ts does (`wrangler dev`, local mode, the repository's
// wrangler.toml and the Durable Object store, offline), finds every `workerd` process
// under wrangler, and reads their utime+stime (/proc/PID/stat, all threads) around N
// sequential requests on one keep-alive connection:
//   - baseline: GET /healthz (Hono routing and a tiny JSON answer, no other work);
//   - irrelevant event: a correctly signed `check_run.completed` delivery, a fresh
//     delivery id each time (body bound, HMAC, dedupe claim in the Durable Object,
//     JSON parse, "cairn does not act on", the 'done' mark, one log line);
//   - duplicate delivery: a correctly signed `release.published` with a delivery id
//     already seen (body bound, HMAC, the dedupe claim refused).
// The figure per request is (CPU over N webhooks - CPU over N /healthz) / N, which
// removes what every request costs (wrangler's proxy worker, HTTP parsing, the
// isolate's per-request set-up). Rounds interleave the three kinds; medians over the
// rounds. The Node figure is bench/functions.ts's (the same requests through the same
// app, in process, no socket), so the two compare as a ratio.
// Linux only (/proc). The machine is shared: the load average is printed with the
// figures, and nothing here asserts a time.
// wrangler dev attaches its local trace collector to the Worker (in the runtime process)
// unless X_LOCAL_OBSERVABILITY=false, which this bench passes through; it prints which.
// Run: scripts/with-node.sh node bench/workerd-cpu.ts   (N=2000 ROUNDS=5 by default)
// docs/benchmarks.md has the figures and what they include.
import { createHmac } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { canRunWorkerd, freePort, startWranglerDev, WRANGLER } from '../test/support/wrangler.ts';
import { cpuPerWebhook, payload } from './functions.ts';

const N = Number(process.env.N ?? 2000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SECRET = 'bench-webhook-secret-0001';
const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime, clock ticks, all threads. */
  ticks: number;
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const f = stat.slice(close + 2).split(' '); // f[0] is field 3 (state)
    return { pid, ppid: Number(f[1]), comm, ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return undefined; // gone
  }
}

/** Every process under `root` (not `root` itself). */
function descendants(root: number): Proc[] {
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProc(Number(d)))
    .filter((p): p is Proc => p !== undefined);
  const out: Proc[] = [];
  const frontier = [root];
  while (frontier.length) {
    const parent = frontier.pop()!;
    for (const p of all)
      if (p.ppid === parent) {
        out.push(p);
        frontier.push(p.pid);
      }
  }
  return out;
}

/** The runtime's threads by name, user and kernel ticks apart, summed over the threads of each name. */
function threadTicks(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' ');
      const add = (k: string, t: number) => out.set(k, (out.get(k) ?? 0) + t);
      add(`${name}, user`, Number(f[11]));
      add(`${name}, kernel`, Number(f[12]));
    } catch {
      // a thread that ended meanwhile
    }
  }
  return out;
}

function ticksOf(pids: number[]): number {
  let sum = 0;
  for (const pid of pids) {
    const p = readProc(pid);
    if (!p) throw new Error(`process ${pid} exited during the bench`);
    sum += p.ticks;
  }
  return sum;
}

/** The Worker in workerd, with nothing it could read from GitHub. */
async function startWorker() {
  return startWranglerDev(
    {
      GITHUB_WEBHOOK_SECRET: SECRET,
      GITHUB_TOKEN: 'bench-token',
      // Nothing measured reads GitHub; a closed loopback port makes any read fail loudly.
      GITHUB_API_URL: `http://127.0.0.1:${await freePort()}`,
      CAIRN_REPOSITORIES: 'acme/fleet',
    },
    { readyWithinMs: 180_000 },
  );
}

type Send = () => Promise<void>;

function webhook(url: string, event: string, body: string, deliveryFor: () => string, expect: string): Send {
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  return async () => {
    const res = await fetch(`${url}/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': deliveryFor(),
        'x-hub-signature-256': signature,
      },
      body,
    });
    const answer = (await res.json()) as { outcome?: string };
    if (res.status !== 200 || answer.outcome !== expect)
      throw new Error(`${event}: HTTP ${res.status} ${JSON.stringify(answer)} (expected outcome ${expect})`);
  };
}

const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

if (!canRunWorkerd()) throw new Error(`needs Node >= 22 and wrangler at ${WRANGLER}: run npm ci`);
if (!existsSync('/proc/self/stat')) throw new Error('this bench reads /proc: Linux only');

const release = payload('release/published.payload.json');
const checkRun = payload('check_run/completed.payload.json');
const load0 = loadavg();
const worker = await startWorker();
try {
  const procs = descendants(worker.child.pid!).filter((p) => p.comm === 'workerd');
  const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  // wrangler dev runs two workerd processes: the runtime (the Worker, its Durable Object
  // and miniflare's entry worker; the one with an inspector) and the proxy in front of it
  // (wrangler's ProxyWorker, which holds requests across reloads; not in production).
  const runtime = procs
    .filter((p) => cmdline(p.pid).some((a) => a.startsWith('--inspector-addr')))
    .map((p) => p.pid);
  const proxy = procs.map((p) => p.pid).filter((pid) => !runtime.includes(pid));
  if (runtime.length !== 1)
    throw new Error(
      `expected one workerd runtime under wrangler, found ${procs.map((p) => p.pid).join(', ') || 'none'}`,
    );
  const groups = { runtime, proxy, wrangler: [worker.child.pid!] };

  let seq = 0;
  const healthz: Send = async () => {
    const res = await fetch(`${worker.url}/healthz`);
    if (res.status !== 200) throw new Error(`/healthz: HTTP ${res.status}`);
    await res.arrayBuffer();
  };
  const irrelevant = webhook(worker.url, 'check_run', checkRun, () => `bench-cr-${seq++}`, 'ignored');
  // The duplicate's delivery id is first seen as an event cairn ignores (so no feed read
  // is due); every later delivery with it is a duplicate.
  await webhook(worker.url, 'star', release, () => 'bench-same-delivery', 'ignored')();
  const duplicate = webhook(worker.url, 'release', release, () => 'bench-same-delivery', 'duplicate');
  const kinds = { healthz, irrelevant, duplicate };
  type Kind = keyof typeof kinds;
  type Group = keyof typeof groups;

  // Warm up: JIT, the Durable Object's first use, connection set-up.
  for (const send of Object.values(kinds)) for (let i = 0; i < 200; i++) await send();

  // perRequest[group][kind][round]: CPU ms per request.
  const perRequest = {} as Record<Group, Record<Kind, number[]>>;
  for (const g of Object.keys(groups) as Group[])
    perRequest[g] = { healthz: [], irrelevant: [], duplicate: [] };
  /** `kind\tthread name` to ticks over all rounds. */
  const threads = new Map<string, number>();
  const t0 = Date.now();
  for (let r = 0; r < ROUNDS; r++) {
    for (const kind of Object.keys(kinds) as Kind[]) {
      const before = Object.values(groups).map(ticksOf);
      const threadsBefore = threadTicks(runtime[0]!);
      for (let i = 0; i < N; i++) await kinds[kind]();
      for (const [name, t] of threadTicks(runtime[0]!)) {
        const key = `${kind}\t${name}`;
        threads.set(key, (threads.get(key) ?? 0) + t - (threadsBefore.get(name) ?? 0));
      }
      Object.values(groups).forEach((pids, gi) => {
        perRequest[(Object.keys(groups) as Group[])[gi]!][kind].push(
          ((ticksOf(pids) - before[gi]!) * TICK_MS) / N,
        );
      });
    }
    process.stderr.write(`round ${r + 1}/${ROUNDS} done\n`);
  }
  const wallS = (Date.now() - t0) / 1000;
  const load1 = loadavg();
  const diff = (g: Group, k: Kind) => perRequest[g][k].map((x, i) => x - perRequest[g].healthz[i]!);

  const nodeRows = {
    irrelevant: await cpuPerWebhook(
      'irrelevant event (check_run.completed)',
      'check_run',
      checkRun,
      (i) => `d-${i}`,
    ),
    duplicate: await cpuPerWebhook('duplicate delivery', 'release', release, () => 'same-delivery'),
  };

  const loads = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const range = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
  console.log(
    `workerd CPU per request: ${ROUNDS} rounds × ${N} sequential requests per kind, one keep-alive connection, ${wallS.toFixed(0)} s`,
  );
  console.log(
    `wrangler's local trace collector (X_LOCAL_OBSERVABILITY): ${process.env.X_LOCAL_OBSERVABILITY === 'false' ? 'off' : 'on (default)'}`,
  );
  console.log(
    `processes: workerd runtime ${runtime.join(', ')}, workerd proxy ${proxy.join(', ') || '-'}, wrangler ${worker.child.pid}`,
  );
  console.log(
    `CPU: utime+stime of all threads (/proc/PID/stat, 10 ms ticks); load average (1/5/15 min) before ${loads(load0)}, after ${loads(load1)}, ${cpus().length} CPUs`,
  );
  console.log('');
  console.log(
    '| request | runtime workerd | runtime minus /healthz (min–max) | proxy workerd | wrangler (Node) | Node in process | runtime minus /healthz ÷ Node |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [kind, label] of [
    ['healthz', 'GET /healthz (baseline)'],
    ['irrelevant', 'signed check_run.completed (ignored)'],
    ['duplicate', 'signed release, duplicate delivery'],
  ] as const) {
    const m = (g: Group) => fmt(median(perRequest[g][kind]));
    if (kind === 'healthz') {
      console.log(`| ${label} | ${m('runtime')} | – | ${m('proxy')} | ${m('wrangler')} | – | – |`);
      continue;
    }
    const d = diff('runtime', kind);
    const node = nodeRows[kind].median;
    console.log(
      `| ${label} | ${m('runtime')} | ${fmt(median(d))} (${range(d)}) | ${m('proxy')} | ${m('wrangler')} | ${fmt(node)} | ${(median(d) / node).toFixed(0)}× |`,
    );
  }
  console.log('');
  console.log(
    'Runtime workerd threads, user and kernel CPU per request (mean over all rounds; threads named alike summed):',
  );
  const names = [...new Set([...threads.keys()].map((k) => k.split('\t')[1]!))];
  console.log(`| thread | ${Object.keys(kinds).join(' | ')} |`);
  console.log(
    `| --- | ${Object.keys(kinds)
      .map(() => '---:')
      .join(' | ')} |`,
  );
  for (const name of names) {
    const cells = Object.keys(kinds).map(
      (k) => ((threads.get(`${k}\t${name}`) ?? 0) * TICK_MS) / (N * ROUNDS),
    );
    if (cells.some((c) => c > 0)) console.log(`| ${name} | ${cells.map(fmt).join(' | ')} |`);
  }
} finally {
  await worker.stop();
}
