// Journey 1: howl-cloud on Flux, dev → staging → production (issue 16). It starts with
// nothing to upgrade to: the release feeds (release-feed.ts) list the operator up to
// v0.2.3 and Redis up to 6.2.14, what the fleet runs. Then the releases appear upstream,
// the next cron run reads them, and the first step PR opens. The reviewer merges each
// step once its gate on the head says ready, takes a RedisBackup before the major, and
// approves production's supervised primary update with /cairn approve.
import { live, reviewer, stepPulls, gateOn } from './reviewer.ts';
import { howlFleet } from './howl-fleet.ts';
import { type ReleaseFeed, releaseFeed } from './release-feed.ts';
import { startWorld, type World, type WorldOptions } from '../world.ts';

export const HOUR = 3_600_000;

/** The feeds journey 1 reads: the howl-cloud operator (and its CRDs) and Redis, as the fleet runs them. */
export const journey1Feeds = () =>
  releaseFeed([
    { component: 'howl-redis-operator', repo: 'howl-cloud/redis-operator', current: 'v0.2.3' },
    { component: 'howl-redis-operator-crds', repo: 'howl-cloud/redis-operator', current: 'v0.2.3' },
    { component: 'redis', repo: 'redis/redis', current: '6.2.14' },
  ]);

export async function journey1World(extra: Partial<WorldOptions> = {}) {
  const feed = await journey1Feeds();
  const fleet = howlFleet({ policy: feed.policy });
  const world = await startWorld({ ...fleet, cronEveryMs: 6 * HOUR, ...extra }).catch(async (e: unknown) => {
    await feed.server.stop();
    throw e;
  });
  world.onStop(() => feed.server.stop());
  return { world, howl: fleet.howl, feed };
}

/**
 * Before the release: `quietMs` of cron runs that read the feeds and open nothing. Then
 * the releases are published; the next cron run reads them. Throws when a PR opened early.
 */
export async function releaseAppears(w: World, feed: ReleaseFeed, quietMs = 12 * HOUR): Promise<void> {
  await w.advance(quietMs);
  if (w.github.pulls.size) throw new Error('journey 1: a pull request opened before any release appeared');
  feed.publish(w);
}

/** Whether step `id` (a prefix of the step id) is merged and proven. */
export const proven = (w: World, id: string) =>
  stepPulls(w).some(
    (p) => p.step.id.startsWith(id) && p.state === 'merged' && gateOn(w, p.mergeCommit)?.state === 'success',
  );

/** Runs the journey until `done` (default: every step of the fleet merged and proven). */
export async function runJourney1(
  w: World,
  done: () => boolean = () => {
    const s = stepPulls(w);
    return (
      s.length === 9 && s.every((p) => p.state === 'merged' && gateOn(w, p.mergeCommit)?.state === 'success')
    );
  },
  maxMs = 400 * HOUR,
): Promise<void> {
  await live(w, reviewer(w), 'journey 1', done, maxMs);
}
