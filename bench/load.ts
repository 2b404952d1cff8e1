// Load: `cairn`'s app on Node over real HTTP (loopback), driven open-loop at RATE webhook
// deliveries a second for SECONDS, against the GitHub-compatible test server holding the
// Flux example fleet. The mix: events cairn does not act on, signed pings, pushes of other
// repositories, replays of earlier delivery ids (duplicates), the same release again and
// again, and every 10 s a real new release (a new feed version: a re-plan and PR update).
// The service runs in a child process, so its CPU and memory are its own. Reported: p50 /
// p99 / max latency, CPU per request, peak RSS, and the delivery accounting (every unique
// delivery answered once and not as a duplicate, every replay answered as a duplicate, one
// open PR per step at the end). Bounded: at most MAX_IN_FLIGHT requests at once (more is
// counted as shed by the generator, never silently dropped).
// Run: scripts/with-node.sh npm run bench:load   (LOAD_SECONDS=10 LOAD_RATE=200 to shorten)
import { execFileSync, fork } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SECRET = 'load-webhook-secret-000001';
const RELEASES_API = 'http://releases.load.test';
const here = fileURLToPath(import.meta.url);
const repoRoot = join(here, '..', '..');

if (process.argv[2] === '--serve') await serve();
else await drive();

// ------------------------------------------------------------------ the service (child)

async function serve(): Promise<void> {
  const { serve: honoServe } = await import('@hono/node-server');
  const { createApp } = await import('../functions/app.ts');
  const { memoryStore } = await import('../lib/store/index.ts');
  const clock = { now: () => Date.now() };
  const store = memoryStore(clock);
  let releases: unknown[] = JSON.parse(process.env.LOAD_RELEASES ?? '[]');
  process.on('message', (m: { releases?: unknown[]; report?: boolean }) => {
    if (m.releases) releases = m.releases;
    if (m.report) {
      const cpu = process.cpuUsage(start);
      process.send!({ cpu, peakRss: peak, metrics: cairn.metrics.render() });
    }
  });
  const cairn = createApp({
    store: () => store,
    clock,
    instance: 'load',
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
  let peak = 0;
  setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50).unref();
  const start = process.cpuUsage();
  const server = honoServe(
    { fetch: (req) => cairn.app.fetch(req, env), port: 0, hostname: '127.0.0.1' },
    (info) => process.send!({ port: info.port }),
  );
  process.on('disconnect', () => server.close());
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
      '.cairn/feeds.yaml': [
        'apiVersion: cairn.dev/v1alpha1',
        'kind: Policy',
        'feeds:',
        '  sources:',
        '    - component: howl-redis-operator',
        '      type: github-releases',
        '      repo: Codertocat/Hello-World',
        `      baseUrl: ${RELEASES_API}`,
        '',
      ].join('\n'),
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
  const MAX_IN_FLIGHT = 2000;
  const server = await fleet();
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
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) =>
    child.once('message', (m: { port: number }) => resolve(m.port)),
  );
  const url = `http://127.0.0.1:${port}/webhooks/github`;

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
  const otherPush = JSON.stringify({
    ref: 'refs/heads/main',
    after: 'f'.repeat(40),
    repository: { full_name: 'someone/else', default_branch: 'main' },
  });
  const sign = (b: string) => `sha256=${createHmac('sha256', SECRET).update(b).digest('hex')}`;
  const bodies = {
    release0: releaseBody(0),
    irrelevant,
    ping: '{"zen":"Design for failure."}',
    otherPush,
  };
  const signatures = Object.fromEntries(Object.entries(bodies).map(([k, v]) => [k, sign(v)]));

  const latencies: number[] = [];
  // Every answer per delivery id, originals and replays alike (a replay may overtake its original).
  const answers = new Map<string, string[]>();
  const replayAnswers: string[] = [];
  const errors: string[] = [];
  const sentIds: string[] = [];
  let inFlight = 0;
  let shed = 0;
  let sent = 0;
  let newReleases = 0;
  const post = async (event: string, body: string, signature: string, delivery: string, replay: boolean) => {
    if (inFlight >= MAX_IN_FLIGHT) {
      shed++;
      return;
    }
    if (!replay) sentIds.push(delivery);
    inFlight++;
    sent++;
    const t0 = performance.now();
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': event,
          'x-github-delivery': delivery,
          'x-hub-signature-256': signature,
        },
        body,
      });
      const json = (await res.json()) as { outcome?: string; error?: string };
      latencies.push(performance.now() - t0);
      const outcome = res.status === 200 ? (json.outcome ?? '?') : `http-${res.status}`;
      if (replay) replayAnswers.push(outcome);
      answers.set(delivery, [...(answers.get(delivery) ?? []), outcome]);
    } catch (e) {
      errors.push(`${delivery}: ${String((e as Error).cause ?? e)}`);
    } finally {
      inFlight--;
    }
  };

  const began = performance.now();
  const pending: Promise<void>[] = [];
  let n = 0;
  const TICK_MS = 10;
  const perTick = (RATE * TICK_MS) / 1000;
  let owed = 0;
  for (let tick = 0; tick < (SECONDS * 1000) / TICK_MS; tick++) {
    const due = began + tick * TICK_MS;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (tick > 0 && tick % (10_000 / TICK_MS) === 0) {
      // A real new release: the feed has it, and its delivery arrives.
      newReleases++;
      known = [release(newReleases), ...known];
      child.send({ releases: known });
      const id = `new-release-${newReleases}`;
      const b = releaseBody(newReleases);
      pending.push(post('release', b, sign(b), id, false));
    }
    owed += perTick;
    while (owed >= 1) {
      owed--;
      const k = n++ % 100;
      if (k < 20 && sentIds.length > 10) {
        // A replay of an earlier delivery (GitHub redelivering, or an attacker).
        const id = sentIds[(n * 7919) % sentIds.length]!;
        const kind = id.split('-')[0] as keyof typeof bodies;
        if (kind in bodies)
          pending.push(
            post(
              kind === 'release0'
                ? 'release'
                : kind === 'otherPush'
                  ? 'push'
                  : kind === 'ping'
                    ? 'ping'
                    : 'check_run',
              bodies[kind],
              signatures[kind]!,
              id,
              true,
            ),
          );
        continue;
      }
      const kind: keyof typeof bodies =
        k < 60 ? 'irrelevant' : k < 75 ? 'otherPush' : k < 85 ? 'ping' : 'release0';
      const id = `${kind}-${n}`;
      const event =
        kind === 'release0'
          ? 'release'
          : kind === 'otherPush'
            ? 'push'
            : kind === 'ping'
              ? 'ping'
              : 'check_run';
      pending.push(post(event, bodies[kind], signatures[kind]!, id, false));
    }
    if (pending.length > 5000) pending.splice(0, pending.length - 5000);
  }
  const driveSeconds = (performance.now() - began) / 1000;
  await Promise.all(pending);
  // Let the last release's work finish, then ask the service for its figures.
  while (inFlight > 0) await new Promise((r) => setTimeout(r, 50));
  const report = await new Promise<{ cpu: NodeJS.CpuUsage; peakRss: number; metrics: string }>((resolve) => {
    child.once('message', resolve as never);
    child.send({ report: true });
  });
  child.disconnect();
  child.kill();

  // Processed once: exactly one answer per delivery id that is not "duplicate".
  const processed = sentIds.map((id) => (answers.get(id) ?? []).filter((o) => o !== 'duplicate'));
  // Unanswered because the connection failed (GitHub would redeliver); not answered otherwise.
  const failed = new Set(errors.map((e) => e.split(':')[0]!));
  const lost = sentIds.filter((id, i) => processed[i]!.length === 0 && !failed.has(id)).length;
  const twice = processed.filter((x) => x.length > 1).length;
  const unique = processed.flat();
  const { stepFromPullRequestBody } = await import('../lib/render/pull-request.ts');
  const open = [...server.pulls.values()]
    .filter((p) => p.state === 'open')
    .map((p) => stepFromPullRequestBody(p.body)?.id);
  const sorted = [...latencies].sort((a, b) => a - b);
  const requests = latencies.length;
  const cpuMs = (report.cpu.user + report.cpu.system) / 1000;
  const operatorPr = [...server.pulls.values()]
    .filter((p) => p.state === 'open')
    .map((p) => stepFromPullRequestBody(p.body))
    .find((s) => s?.component === 'howl-redis-operator' && s.environment === 'dev');
  await server.stop();

  const line = (k: string, v: string) => console.log(`${k.padEnd(34)} ${v}`);
  console.log(
    `cairn load: ${RATE}/s for ${SECONDS}s over loopback HTTP (@hono/node-server), GitHub test server in the driver process`,
  );
  line(
    'machine',
    `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average before/after ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}, node ${process.version}`,
  );
  line(
    'requests answered',
    `${requests} (sent ${sent}, shed by the generator ${shed}, driven in ${driveSeconds.toFixed(1)} s)`,
  );
  line('achieved rate', `${(requests / driveSeconds).toFixed(0)}/s`);
  line(
    'latency p50 / p99 / max',
    `${percentile(sorted, 50).toFixed(2)} / ${percentile(sorted, 99).toFixed(2)} / ${(sorted.at(-1) ?? NaN).toFixed(1)} ms`,
  );
  line(
    'service CPU per request',
    `${((cpuMs * 1000) / requests).toFixed(0)} µs (${cpuMs.toFixed(0)} ms user+system in total)`,
  );
  line('service peak RSS', `${(report.peakRss / 1024 / 1024).toFixed(0)} MiB`);
  line(
    'unique deliveries',
    `${sentIds.length} sent: ${lost} lost, ${twice} processed twice, ${failed.size} refused at the connection; outcomes ${JSON.stringify(count(unique))}`,
  );
  line(
    'replays',
    `${replayAnswers.length}, answered ${JSON.stringify(count(replayAnswers))} (a "done" replay overtook its original, which then answered "duplicate")`,
  );
  line(
    'real new releases',
    `${newReleases}; operator dev PR now at ${operatorPr?.to ?? 'none'} (newest ${release(newReleases).tag_name})`,
  );
  line('open step PRs', `${open.length}, distinct steps ${new Set(open).size}`);
  line(
    'connection errors',
    errors.length
      ? `${errors.length}: ${[...new Set(errors.map((e) => e.slice(e.indexOf(':') + 2)))].slice(0, 3).join('; ')}`
      : 'none',
  );
  if (
    lost ||
    twice ||
    errors.length ||
    unique.some((o) => o.startsWith('http-')) ||
    new Set(open).size !== open.length
  )
    process.exitCode = 1;
}

function count(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}
