// 200 releases in a minute through the whole app: every delivery is handled (none
// dropped), and the content writes reaching GitHub stay within its secondary limit of 80
// a minute, because they queue on one shared pacer (lib/git/pacer.ts). The clock is the
// test's: the pacer's waits advance it at once, so nothing here sleeps and nothing is
// timed, and a write is counted at the virtual time it reached the wire: a pacer that
// granted writes before Octokit's pipeline (where they went out turns later, after the
// clock moved on) fails this (82 in a minute).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { describeWithFixtures, repoRoot } from '../support/fixtures.ts';
import { type GitHubTestServer, startGitHubServer } from '../support/github-server/index.ts';
import { operatorFeedPolicy } from '../support/operator-feed.ts';
import {
  HELLO_RELEASES,
  RELEASES_API,
  outsideWorld,
  payload,
  service,
  githubDelivery,
} from '../functions/helpers.ts';
import { openSteps } from './world.ts';

const servers: GitHubTestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

const example = (path: string) => readFileSync(join(repoRoot, 'examples/flux-fleet', path), 'utf8');

/** The smallest repository with a step: one HelmRelease pin and the feed that moves it. */
async function tinyRepo(): Promise<GitHubTestServer> {
  const server = await startGitHubServer({ owner: 'Codertocat', repo: 'Hello-World' });
  servers.push(server);
  server.commitFiles(
    'main',
    {
      'infrastructure/dev/redis-operator.yaml': example('infrastructure/dev/redis-operator.yaml'),
      'infrastructure/base/sources/howl-cloud.yaml': example('infrastructure/base/sources/howl-cloud.yaml'),
      '.cairn/feeds.yaml': operatorFeedPolicy(RELEASES_API),
    },
    'one operator pin',
  );
  return server;
}

/** The most writes inside any `windowMs` (a sliding window over the write times). */
function busiestWindow(times: number[], windowMs = 60_000): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

describeWithFixtures('200 releases in a minute', () => {
  it('every delivery is handled, none dropped, and writes never exceed 80 in any minute', async () => {
    const server = await tinyRepo();
    const svc = service(server);
    const { clock, runtime } = svc;
    const writes: number[] = [];
    let slept = 0;
    const release = (i: number) => ({
      ...HELLO_RELEASES[0]!,
      tag_name: `v0.2.${7 + i}`,
      published_at: new Date(Date.parse('2026-10-01T08:00:00Z') + i * 1000).toISOString(),
    });
    let known = 0;
    // The pacer's waits move the test's clock at once: no real pause. The pacer sits at the
    // fetch layer (lib/git/github.ts), so a granted write is on the wire before the clock
    // can move on, and the times recorded below are the granted ones.
    runtime.sleep = async (ms) => {
      slept += ms;
      clock.advance(ms);
    };
    runtime.fetch = outsideWorld({
      releases: () => Array.from({ length: known }, (_, i) => release(known - 1 - i)),
    });
    runtime.github = {
      ...runtime.github,
      fetch: async (url, init) => {
        if ((init?.method ?? 'GET').toUpperCase() !== 'GET') writes.push(clock.now());
        return fetch(url, init);
      },
    };
    const template = JSON.parse(payload('release/published.payload.json'));
    const outcomes: string[] = [];
    const start = clock.now();
    // 200 releases, 0.3 s apart, delivered five at a time.
    for (let i = 0; i < 200; i += 5) {
      const batch = [];
      for (let j = i; j < i + 5; j++) {
        known = j + 1;
        const body = JSON.stringify({ ...template, release: { ...template.release, ...release(j) } });
        batch.push(svc.request('/webhooks/github', githubDelivery('release', body)));
      }
      for (const res of await Promise.all(batch))
        outcomes.push(((await res.json()) as { outcome: string }).outcome);
      if (clock.now() < start + (i + 5) * 300) clock.advance(start + (i + 5) * 300 - clock.now());
    }
    expect(outcomes).toHaveLength(200);
    expect(outcomes.filter((o) => o === 'done')).toHaveLength(200);
    // More writes than one minute allows, so the pacer had to hold them: it did, and in order.
    expect(writes.length).toBeGreaterThan(80);
    expect(slept).toBeGreaterThan(0);
    expect(busiestWindow(writes)).toBeLessThanOrEqual(80);
    // Nothing lost: the one open PR is at the last release.
    // One dependency dashboard, however many runs overlapped.
    expect(server.issues.size).toBe(1);
    const open = openSteps(server);
    expect(open).toHaveLength(1);
    expect(open[0]!.step.to).toBe('0.2.206');
  }, 600_000);
});
