// Load: `cairn`'s app on Node over real HTTP (loopback), driven open-loop at RATE webhook
// deliveries a second for SECONDS, against the GitHub-compatible test server holding the
// Flux example fleet. The service runs as `cairn serve` does (`work: 'queue'`: answered
// 202 once the work is recorded, the work coalesced per repository, functions/work.ts).
// The mix: events cairn does not act on, signed pings, pushes of other repositories,
// replays of earlier delivery ids (duplicates), the same release again and again, every
// 10 s a real new release (a new feed version: a feed re-read, a re-plan and a PR update),
// and 5 s after each a burst of BURST pushes of the reconciled repository (one real
// commit). Three processes: the generator, the service, and the GitHub test server (which
// runs `git` synchronously, so it must not stall the generator's clock); the service's
// CPU and memory are its own. Reported: p50 / p99 / max latency (and per 10 s window),
// the service's event-loop delay, CPU per request, peak RSS (maxRSS), and the accounting,
// from the app's own records (every delivery id's claims and 'done' marks in its store;
// the work records left; the queue's runs) and the test server's (one open PR per step,
// no orphan branch, the operator PR at the newest release), not only from the answers.
// Bounded: at most MAX_IN_FLIGHT requests at once (more is counted as shed by the
// generator, never silently dropped). Exits 1 when anything was lost or done twice.
// Run: scripts/with-node.sh npm run bench:load
//   LOAD_SECONDS=10 LOAD_RATE=200 to shorten; LOAD_PUSH_BURST=0 for no push bursts;
//   LOAD_CPU_PROF=DIR to write the service's V8 CPU profile.
import { execFileSync, fork } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { operatorFeedPolicy } from '../test/support/operator-feed.ts';

const SECRET = 'load-webhook-secret-000001';
const RELEASES_API = 'http://releases.load.test';
const here = fileURLToPath(import.meta.url);
const repoRoot = join(here, '..', '..');

if (process.argv[2] === '--serve') await serve();
else if (process.argv[2] === '--github') await github();
else await drive();

// ------------------------------------------------------------------ the GitHub test server (child)

/** Its own process: the test server runs `git` synchronously, which must not stall the generator's clock. */
async function github(): Promise<void> {
  const server = await fleet();
  process.on('message', async (m: { commit?: string; report?: boolean }) => {
    if (m.commit)
      process.send!({ sha: server.commitFiles('main', { 'notes.txt': `${m.commit}\n` }, m.commit) });
    if (m.report) {
      const heads = new Set([...server.pulls.values()].map((p) => p.head));
      const orphans = server
        .git(['for-each-ref', '--format=%(refname:short)', 'refs/heads/cairn/'])
        .split('\n')
        .filter((b) => b && !heads.has(b));
      process.send!({
        pulls: [...server.pulls.values()].map((p) => ({ state: p.state, body: p.body })),
        requests: server.log.length,
        writes: server.log.filter((r) => r.method !== 'GET').length,
        orphans,
      });
      await server.stop();
      process.disconnect();
    }
  });
  process.send!({ url: server.url, head: server.branchSha('main') });
}

// ------------------------------------------------------------------ the service (child)

async function serve(): Promise<void> {
  const { serve: honoServe } = await import('@hono/node-server');
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  const { createApp } = await import('../functions/app.ts');
  const { workKeys } = await import('../functions/use-cases.ts');
  const { workKey } = await import('../functions/work.ts');
  const { memoryStore } = await import('../lib/store/index.ts');
  const clock = { now: () => Date.now() };
  const inner = memoryStore(clock);
  // The app's own record of each delivery, read through the store it writes: how many
  // times its id was claimed, and how many times it was marked handled ('done').
  const claimed = new Map<string, number>();
  const marked = new Map<string, number>();
  const DELIVERY = 'functions:delivery:github:';
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  const store: typeof inner = {
    ...inner,
    async compareAndSet(key, expected, next, o) {
      const won = await inner.compareAndSet(key, expected, next, o);
      if (won && key.startsWith(DELIVERY) && next === 'handling') bump(claimed, key.slice(DELIVERY.length));
      return won;
    },
    async put(key, value, o) {
      await inner.put(key, value, o);
      if (key.startsWith(DELIVERY) && value === 'done') bump(marked, key.slice(DELIVERY.length));
    },
  };
  let releases: unknown[] = JSON.parse(process.env.LOAD_RELEASES ?? '[]');
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  process.on('message', async (m: { releases?: unknown[]; report?: boolean; idle?: boolean }) => {
    if (m.releases) {
      releases = m.releases;
      process.send!({ releases: releases.length });
    }
    if (m.idle) {
      // Wait for the queued work to finish, then say what is left recorded.
      const s = cairn.services(env);
      await s.work!.idle();
      const records: Record<string, string | undefined> = {};
      for (const k of workKeys(s)) records[k] = await store.get(workKey(k));
      process.send!({ idle: true, waiting: s.work!.size(), records });
    }
    if (m.report) {
      const cpu = process.cpuUsage(start);
      process.send!({
        cpu,
        peakRss: process.resourceUsage().maxRSS * 1024,
        metrics: cairn.metrics.render(),
        claimed: Object.fromEntries(claimed),
        marked: Object.fromEntries(marked),
        loopDelay: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
      });
    }
  });
  const cairn = createApp({
    store: () => store,
    clock,
    instance: 'load',
    // As `cairn serve` runs it: answered 202, the work queued and coalesced per repository.
    work: 'queue',
    write: () => {},
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    github: { writeSpacing: 'none', retryAfterUnitMs: 1 },
    fetch: async (url) => {
      if (url.startsWith(`${RELEASES_API}/repos/Codertocat/Hello-World/releases`))
        return Response.json(releases);
      throw new TypeError('fetch failed: no network in the load bench');
    },
  });
  const env = {
    GITHUB_WEBHOOK_SECRET: SECRET,
    GITHUB_TOKEN: 'test-token',
    GITHUB_API_URL: process.env.LOAD_GITHUB_URL!,
    CAIRN_REPOSITORIES: 'Codertocat/Hello-World',
    CAIRN_LOG_LEVEL: 'error',
  };
  const start = process.cpuUsage();
  const server = honoServe(
    { fetch: (req) => cairn.app.fetch(req, env), port: 0, hostname: '127.0.0.1' },
    (info) => process.send!({ port: info.port }),
  );
  process.on('disconnect', () => {
    server.close();
    // Let --cpu-prof write its profile: exit normally once the socket is closed.
    setTimeout(() => process.exit(0), 200).unref();
  });
}

// ------------------------------------------------------------------ the driver (parent)

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function fleet() {
  const { startGitHubServer } = await import('../test/support/github-server/index.ts');
  const dir = mkdtempSync(join(tmpdir(), 'cairn-load-'));
  cpSync(join(repoRoot, 'examples/flux-fleet'), dir, { recursive: true });
  const git = (...a: string[]) =>
    execFileSync('git', a, {
      cwd: dir,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'l',
        GIT_AUTHOR_EMAIL: 'l@x',
        GIT_COMMITTER_NAME: 'l',
        GIT_COMMITTER_EMAIL: 'l@x',
      },
    });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
  const server = await startGitHubServer({ seedFrom: dir, owner: 'Codertocat', repo: 'Hello-World' });
  rmSync(dir, { recursive: true, force: true });
  server.commitFiles(
    'main',
    {
      '.cairn/feeds.yaml': operatorFeedPolicy(RELEASES_API),
    },
    'feeds',
  );
  return server;
}

function fixture(name: string, fallback: unknown): string {
  try {
    return readFileSync(
      join(
        repoRoot,
        '..',
        'shared',
        'fixtures',
        'github-webhooks/octokit-webhooks/payload-examples/api.github.com',
        name,
      ),
      'utf8',
    );
  } catch {
    return JSON.stringify(fallback);
  }
}

async function drive(): Promise<void> {
  const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
  const RATE = Number(process.env.LOAD_RATE ?? 500);
  const BURST = Number(process.env.LOAD_PUSH_BURST ?? 200);
  const MAX_IN_FLIGHT = 2000;
  const gh = fork(here, ['--github'], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const askOf =
    (proc: ReturnType<typeof fork>) =>
    <T>(message: object, key: string) =>
      new Promise<T>((resolve) => {
        const on = (m: Record<string, unknown>) => {
          if (!(key in m)) return;
          proc.off('message', on);
          resolve(m as T);
        };
        proc.on('message', on);
        proc.send(message);
      });
  const server = await new Promise<{ url: string; head: string }>((resolve) =>
    gh.once('message', resolve as never),
  );
  const release = (i: number) => ({
    tag_name: `v0.2.${7 + i}`,
    draft: false,
    prerelease: false,
    published_at: new Date(Date.parse('2026-10-01T10:00:00Z') + i * 60_000).toISOString(),
    html_url: `https://github.com/Codertocat/Hello-World/releases/tag/v0.2.${7 + i}`,
    body: 'Fixes.',
  });
  let known = [release(0)];
  const child = fork(here, ['--serve'], {
    env: { ...process.env, LOAD_GITHUB_URL: server.url, LOAD_RELEASES: JSON.stringify(known) },
    // LOAD_CPU_PROF=DIR writes the service's V8 CPU profile there (node --cpu-prof).
    execArgv: [
      ...process.execArgv,
      ...(process.env.LOAD_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.LOAD_CPU_PROF}`] : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) =>
    child.once('message', (m: { port: number }) => resolve(m.port)),
  );
  const url = `http://127.0.0.1:${port}/webhooks/github`;
  const ask = askOf(child);

  const releaseTemplate = JSON.parse(
    fixture('release/published.payload.json', {
      action: 'published',
      release: {},
      repository: { full_name: 'Codertocat/Hello-World' },
    }),
  );
  const releaseBody = (i: number) =>
    JSON.stringify({ ...releaseTemplate, release: { ...releaseTemplate.release, ...release(i) } });
  const irrelevant = fixture('check_run/completed.payload.json', {
    action: 'completed',
    repository: { full_name: 'Codertocat/Hello-World' },
  });
  const pushTemplate = JSON.parse(
    fixture('push/payload.json', { repository: { full_name: 'Codertocat/Hello-World' } }),
  );
  const pushBody = (after: string, fullName = 'Codertocat/Hello-World') =>
    JSON.stringify({
      ...pushTemplate,
      ref: 'refs/heads/main',
      after,
      repository: { ...pushTemplate.repository, full_name: fullName, default_branch: 'main' },
    });
  const sign = (b: string) => `sha256=${createHmac('sha256', SECRET).update(b).digest('hex')}`;
  // Every delivery sent, by id: its event and body (replays send them again).
  const sentAs = new Map<string, { event: string; body: string; signature: string }>();
  const fixed = {
    release0: { event: 'release', body: releaseBody(0) },
    irrelevant: { event: 'check_run', body: irrelevant },
    ping: { event: 'ping', body: '{"zen":"Design for failure."}' },
    otherPush: { event: 'push', body: pushBody('f'.repeat(40), 'someone/else') },
  };
  const signed = Object.fromEntries(
    Object.entries(fixed).map(([k, v]) => [k, { ...v, signature: sign(v.body) }]),
  ) as Record<keyof typeof fixed, { event: string; body: string; signature: string }>;

  const latencies: number[] = [];
  // Every answer per delivery id, originals and replays alike (a replay may overtake its original).
  const answers = new Map<string, string[]>();
  const replayAnswers: string[] = [];
  const errors: string[] = [];
  const sentIds: string[] = [];
  const statuses = new Map<number, number>();
  let inFlight = 0;
  let shed = 0;
  let sent = 0;
  let newReleases = 0;
  let bursts = 0;
  let pushesSent = 0;
  let head = server.head;
  const post = async (
    delivery: string,
    d: { event: string; body: string; signature: string },
    replay: boolean,
  ) => {
    if (inFlight >= MAX_IN_FLIGHT) {
      shed++;
      return;
    }
    if (!replay) {
      sentIds.push(delivery);
      sentAs.set(delivery, d);
    }
    inFlight++;
    sent++;
    const t0 = performance.now();
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': d.event,
          'x-github-delivery': delivery,
          'x-hub-signature-256': d.signature,
        },
        body: d.body,
      });
      const json = (await res.json()) as { outcome?: string; error?: string };
      latencies.push(performance.now() - t0);
      windows[Math.floor((t0 - began) / 10_000)]?.push(performance.now() - t0);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const outcome = res.status === 200 || res.status === 202 ? (json.outcome ?? '?') : `http-${res.status}`;
      if (replay) replayAnswers.push(outcome);
      answers.set(delivery, [...(answers.get(delivery) ?? []), outcome]);
    } catch (e) {
      errors.push(`${delivery}: ${String((e as Error).cause ?? e)}`);
    } finally {
      inFlight--;
    }
  };

  const began = performance.now();
  // Latencies by the 10 s window the request was sent in (a new release lands at each start).
  const windows: number[][] = Array.from({ length: Math.ceil(SECONDS / 10) }, () => []);
  const pending: Promise<void>[] = [];
  let n = 0;
  const TICK_MS = 10;
  const perTick = (RATE * TICK_MS) / 1000;
  let owed = 0;
  let burstLeft = 0;
  for (let tick = 0; tick < (SECONDS * 1000) / TICK_MS; tick++) {
    const due = began + tick * TICK_MS;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (tick > 0 && tick % (10_000 / TICK_MS) === 0) {
      // A real new release: the feed has it, and its delivery arrives.
      newReleases++;
      known = [release(newReleases), ...known];
      // The release exists before its delivery is sent (as on GitHub).
      await ask({ releases: known }, 'releases');
      const b = releaseBody(newReleases);
      pending.push(
        post(`new-release-${newReleases}`, { event: 'release', body: b, signature: sign(b) }, false),
      );
    }
    if (BURST > 0 && tick % (10_000 / TICK_MS) === 5_000 / TICK_MS) {
      // A burst of pushes to the reconciled repository: someone merges a stack of commits
      // (one real commit; each delivery names its own head, as a series of pushes would).
      bursts++;
      head = (await askOf(gh)<{ sha: string }>({ commit: `burst ${bursts}` }, 'sha')).sha;
      burstLeft = BURST;
    }
    owed += perTick;
    while (owed >= 1) {
      owed--;
      const k = n++ % 100;
      if (burstLeft > 0 && k >= 20) {
        // This tick's deliveries are the burst's pushes (the offered rate stays RATE).
        burstLeft--;
        pushesSent++;
        const after = burstLeft === 0 ? head : `${head.slice(0, 32)}${String(burstLeft).padStart(8, '0')}`;
        const b = pushBody(after);
        pending.push(post(`hwpush-${n}`, { event: 'push', body: b, signature: sign(b) }, false));
        continue;
      }
      if (k < 20 && sentIds.length > 10) {
        // A replay of an earlier delivery (GitHub redelivering, or an attacker).
        const id = sentIds[(n * 7919) % sentIds.length]!;
        pending.push(post(id, sentAs.get(id)!, true));
        continue;
      }
      const kind: keyof typeof fixed =
        k < 60 ? 'irrelevant' : k < 75 ? 'otherPush' : k < 85 ? 'ping' : 'release0';
      pending.push(post(`${kind}-${n}`, signed[kind], false));
    }
    if (pending.length > 5000) pending.splice(0, pending.length - 5000);
  }
  const driveSeconds = (performance.now() - began) / 1000;
  await Promise.all(pending);
  while (inFlight > 0) await new Promise((r) => setTimeout(r, 50));
  // Every answer is in; let the queued work finish, then ask the service for its records.
  const drainedFrom = performance.now();
  const idle = await ask<{ waiting: number; records: Record<string, string | undefined> }>(
    { idle: true },
    'idle',
  );
  const drainSeconds = (performance.now() - drainedFrom) / 1000;
  const report = await ask<{
    cpu: NodeJS.CpuUsage;
    peakRss: number;
    metrics: string;
    claimed: Record<string, number>;
    marked: Record<string, number>;
    loopDelay: { p50: number; p99: number; max: number };
  }>({ report: true }, 'cpu');
  child.disconnect();
  await new Promise((resolve) => {
    child.once('exit', resolve);
    setTimeout(() => child.kill(), 10_000).unref();
  });

  const metric = (name: string, labels: string) =>
    Number(report.metrics.match(new RegExp(`^${name}\\{${labels}\\} (\\d+)$`, 'm'))?.[1] ?? 0);
  // Unanswered because the connection failed (GitHub would redeliver); not answered otherwise.
  const failed = new Set(errors.map((e) => e.split(':')[0]!));
  // From the app's records: a unique delivery is lost when it was answered (not refused at
  // the connection) yet never marked handled; processed twice when marked handled twice.
  const lost = sentIds.filter((id) => !report.marked[id] && !failed.has(id));
  const twice = sentIds.filter((id) => (report.marked[id] ?? 0) > 1 || (report.claimed[id] ?? 0) > 1);
  // And from the answers: one non-duplicate answer per id.
  const answeredTwice = sentIds.filter(
    (id) => (answers.get(id) ?? []).filter((o) => o !== 'duplicate').length > 1,
  );
  const unique = sentIds.flatMap((id) => (answers.get(id) ?? []).filter((o) => o !== 'duplicate'));
  const queuedAnswers = unique.filter((o) => o === 'queued').length;
  const { stepFromPullRequestBody } = await import('../lib/render/pull-request.ts');
  const ghReport = await askOf(gh)<{
    pulls: { state: string; body: string }[];
    requests: number;
    writes: number;
    orphans: string[];
  }>({ report: true }, 'pulls');
  const openPulls = ghReport.pulls.filter((p) => p.state === 'open');
  const open = openPulls.map((p) => stepFromPullRequestBody(p.body)?.id);
  const orphans = ghReport.orphans;
  const sorted = [...latencies].sort((a, b) => a - b);
  const requests = latencies.length;
  const cpuMs = (report.cpu.user + report.cpu.system) / 1000;
  const operatorPr = openPulls
    .map((p) => stepFromPullRequestBody(p.body))
    .find((s) => s?.component === 'howl-redis-operator' && s.environment === 'dev');
  const githubRequests = ghReport.requests;
  const leftRecorded = Object.entries(idle.records).filter(([, v]) => v);
  const runs = {
    repositoryDone: metric('cairn_work_runs_total', 'kind="repository",outcome="done"'),
    repositoryFailed: metric('cairn_work_runs_total', 'kind="repository",outcome="failed"'),
    feedsDone: metric('cairn_work_runs_total', 'kind="feeds",outcome="done"'),
    feedsFailed: metric('cairn_work_runs_total', 'kind="feeds",outcome="failed"'),
    pushesQueued:
      metric('cairn_work_queued_total', 'kind="repository",merged="false"') +
      metric('cairn_work_queued_total', 'kind="repository",merged="true"'),
  };

  const line = (k: string, v: string) => console.log(`${k.padEnd(34)} ${v}`);
  console.log(
    `cairn load: ${RATE}/s for ${SECONDS}s over loopback HTTP (@hono/node-server, work queued), the GitHub test server in a third process`,
  );
  line(
    'machine',
    `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average before/after ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}, node ${process.version}`,
  );
  line(
    'requests answered',
    `${requests} (sent ${sent}, shed by the generator ${shed}, driven in ${driveSeconds.toFixed(1)} s); HTTP ${JSON.stringify(Object.fromEntries(statuses))}`,
  );
  line('achieved rate', `${(requests / driveSeconds).toFixed(0)}/s`);
  line(
    'latency p50 / p99 / max',
    `${percentile(sorted, 50).toFixed(2)} / ${percentile(sorted, 99).toFixed(2)} / ${(sorted.at(-1) ?? NaN).toFixed(1)} ms`,
  );
  line(
    'p50 / p99 per 10 s window',
    windows
      .map((w) => {
        const x = [...w].sort((a, b) => a - b);
        return `${percentile(x, 50).toFixed(1)}/${percentile(x, 99).toFixed(0)}`;
      })
      .join('  ') + ' ms',
  );
  line(
    'service event-loop delay',
    `p50 ${report.loopDelay.p50.toFixed(1)} / p99 ${report.loopDelay.p99.toFixed(1)} / max ${report.loopDelay.max.toFixed(0)} ms`,
  );
  line(
    'service CPU per request',
    `${((cpuMs * 1000) / requests).toFixed(0)} µs (${cpuMs.toFixed(0)} ms user+system in total, the queued work included)`,
  );
  line('service peak RSS', `${(report.peakRss / 1024 / 1024).toFixed(0)} MiB`);
  line(
    'unique deliveries',
    `${sentIds.length} sent: ${lost.length} lost, ${twice.length} processed twice (app records), ${answeredTwice.length} answered twice, ${failed.size} refused at the connection; outcomes ${JSON.stringify(count(unique))}`,
  );
  line(
    'replays',
    `${replayAnswers.length}, answered ${JSON.stringify(count(replayAnswers))} (a "queued"/"ignored" replay overtook its original, which then answered "duplicate")`,
  );
  line(
    'queued work',
    `${queuedAnswers} deliveries answered 202: ${runs.feedsDone} feed re-reads, ${runs.repositoryDone} re-plans (${runs.repositoryFailed + runs.feedsFailed} failed runs retried); ${pushesSent} pushes in ${bursts} bursts of ${BURST}; drained ${drainSeconds.toFixed(1)} s after the last answer, ${idle.waiting} waiting, ${leftRecorded.length} records left`,
  );
  line(
    'real new releases',
    `${newReleases}; operator dev PR now at ${operatorPr?.to ?? 'none'} (newest ${release(newReleases).tag_name})`,
  );
  line(
    'GitHub test server',
    `${githubRequests} requests (${ghReport.writes} writes); open step PRs ${open.length}, distinct steps ${new Set(open).size}, orphan branches ${orphans.length}`,
  );
  line(
    'connection errors',
    errors.length
      ? `${errors.length}: ${[...new Set(errors.map((e) => e.slice(e.indexOf(':') + 2)))].slice(0, 3).join('; ')}`
      : 'none',
  );
  const problems = [
    lost.length && `${lost.length} deliveries lost (${lost.slice(0, 3).join(', ')})`,
    twice.length && `${twice.length} deliveries processed twice (${twice.slice(0, 3).join(', ')})`,
    answeredTwice.length && `${answeredTwice.length} deliveries answered twice`,
    errors.length && `${errors.length} connection errors`,
    unique.some((o) => o.startsWith('http-')) && 'an HTTP error answer',
    new Set(open).size !== open.length && 'two open PRs for one step',
    orphans.length && `orphan branches ${orphans.join(', ')}`,
    idle.waiting && `${idle.waiting} jobs still waiting`,
    leftRecorded.length && `work records left: ${leftRecorded.map(([k]) => k).join(', ')}`,
    newReleases > 0 &&
      operatorPr?.to !== release(newReleases).tag_name.slice(1) &&
      'the operator PR is not at the newest release',
  ].filter(Boolean);
  for (const p of problems) console.log(`FAILED: ${p}`);
  if (problems.length) process.exitCode = 1;
}

function count(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}
