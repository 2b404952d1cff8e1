// Journey 8 (issue 16): the service process is killed at seeded random points of journey 1
// and a new one starts with an EMPTY store (no delivery ids, merge times, soak timers,
// snapshots, approvals or notification keys). It must rebuild from GitHub and the cluster
// and end where the uninterrupted journey ends, with no duplicate PR.
import { afterEach, describe, expect, it } from 'vitest';
import { crashPoints, devDone, devWorld, HOUR, runWithCrashes } from './journeys/crash.ts';
import { howlFleet } from './journeys/howl-fleet.ts';
import { stepPulls } from './journeys/reviewer.ts';
import { startWorld, type World } from './world.ts';

const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.stop();
});

/** What a run ends with: each step PR (in order), its state and gate, the issues, the live Redis. */
function outcome(w: World) {
  const rc = w.clusters
    .get([...w.clusters.keys()][0]!)!
    .kube.get('redis.io', 'RedisCluster', 'sessions', 'sessions')!;
  return {
    pulls: stepPulls(w).map(
      (p) =>
        `${w.github.pulls.get(p.number)!.title} ${p.state} ${w.github.statuses.get(p.mergeCommit ?? '')?.[0]?.state}`,
    ),
    issues: [...w.github.issues.values()].map((i) => i.title),
    redis: `${String(rc.spec?.imageName)} ${String(rc.status?.phase)}`,
  };
}

describe('journey 8: the service killed at random points, restarted with an empty store', () => {
  it('dev (three steps), two seeds of four kills each: the same PRs, all proven, one dashboard issue', async () => {
    const calm = await devWorld();
    worlds.push(calm);
    await runWithCrashes(calm, new Set());
    const expected = outcome(calm);
    expect(expected.pulls).toEqual([
      'chore(deps): upgrade howl-redis-operator 0.2.3 -> 0.2.6 on dev merged success',
      'chore(deps): upgrade redis 6.2.14 -> 7.0.15 on dev merged success',
      'chore(deps): upgrade redis 7.0.15 -> 7.4.11 on dev merged success',
    ]);
    for (const seed of [1, 2]) {
      const w = await devWorld();
      worlds.push(w);
      const kills = await runWithCrashes(w, crashPoints(seed, 4, 60));
      expect(kills).toHaveLength(4);
      expect(w.generation).toBe(5);
      expect(devDone(w)).toBe(true);
      expect(outcome(w)).toEqual(expected);
      // Every PR cairn ever opened is one of the three: none was opened twice.
      expect(w.github.pulls.size).toBe(3);
      process.stdout.write(
        `journey 8 dev, seed ${seed}: ${w.githubRequests} GitHub requests (${calm.githubRequests} without kills)\n`,
      );
    }
  }, 120_000);

  it('production (supervised, 72 h soaks), four kills: converges, each supervised update patched once', async () => {
    const w = await startWorld({ ...howlFleet({ environments: ['production'] }), cronEveryMs: 6 * HOUR });
    worlds.push(w);
    const kills = await runWithCrashes(w, crashPoints(7, 4, 100), 400 * HOUR);
    expect(kills).toEqual([2, 7, 70, 98]);
    expect(outcome(w)).toEqual({
      pulls: [
        'chore(deps): upgrade howl-redis-operator 0.2.3 -> 0.2.6 on production merged success',
        'chore(deps): upgrade redis 6.2.14 -> 7.0.15 on production merged success',
        'chore(deps): upgrade redis 7.0.15 -> 7.4.11 on production merged success',
      ],
      issues: [expect.any(String)],
      redis: 'redis:7.4.11 Healthy',
    });
    expect(w.github.pulls.size).toBe(3);
    const patches = w.clusters
      .get('production')!
      .kube.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/redisclusters/'));
    expect(patches).toHaveLength(2);
    process.stdout.write(`journey 8 production: ${w.githubRequests} GitHub requests\n`);
  }, 120_000);
});
