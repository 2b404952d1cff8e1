// Journey 7 (issue 16): a merge outside the maintenance window un-gates nothing until the
// window opens, across the end of summer time in Europe/Berlin (journeys/windows.ts).
import { afterAll, expect, it } from 'vitest';
import { runWindows, windowsWorld } from './journeys/windows.ts';
import type { World } from './world.ts';

let world: World | undefined;
afterAll(async () => {
  await world?.stop();
});

const lines = (w: World, kinds: string[]) =>
  w.timeline
    .filter((e) => kinds.includes(e.kind))
    .map((e) => `${e.at.slice(0, 19)}Z ${e.kind} ${e.text.replace(/\b[0-9a-f]{7,40}\b/g, '<sha>')}`);

it('merged on Saturday, healthy at once, un-gated only when the window opens on Monday 22:00 CET = 21:00 UTC', async () => {
  const t0 = Date.now();
  world = await windowsWorld();
  await runWindows(world);
  process.stdout.write(
    `journey 7: wall ${((Date.now() - t0) / 1000).toFixed(1)} s, ${world.githubRequests} GitHub requests\n`,
  );
  // Healthy since Saturday 07:01; the hourly cron re-read it every hour, and at 20:00 UTC
  // on Monday (22:00 in summer time, which ended on Sunday) the window was still closed.
  expect(lines(world, ['gate']).filter((l) => l.includes('#1 merge'))).toEqual([
    '2026-10-24T07:00:00Z gate #1 merge: pending: Kustomization flux-system/infrastructure has applied main@sha1:<sha>, which does not contain merge commi…',
    '2026-10-24T07:00:50Z gate #1 merge: pending: Deployment redis-system/redis-operator: 0/2 replicas updated',
    '2026-10-24T07:01:20Z gate #1 merge: pending: waiting for window (opens Mon 22:00 Europe/Berlin)',
    '2026-10-26T21:00:00Z gate #1 merge: success: applied, healthy and soaked',
  ]);
  expect(lines(world, ['pr-opened', 'pr-merged', 'human'])).toEqual([
    '2026-10-24T06:00:00Z pr-opened #1 chore(deps): upgrade howl-redis-operator 0.2.3 -> 0.2.6 on production',
    '2026-10-24T07:00:00Z human alice merges #1',
    '2026-10-24T07:00:00Z pr-merged #1 merged',
    '2026-10-26T21:00:00Z pr-opened #3 chore(deps): upgrade redis 6.2.14 -> 7.0.15 on production',
  ]);
  expect(lines(world, ['slack'])).toEqual([
    '2026-10-24T06:00:00Z slack Step opened: howl-redis-operator 0.2.3 -> 0.2.6 on production (production)',
    '2026-10-24T07:00:00Z slack Merged: howl-redis-operator 0.2.3 -> 0.2.6 on production (production)',
    '2026-10-26T21:00:00Z slack Gate passed: howl-redis-operator 0.2.3 -> 0.2.6 on production (production)',
    '2026-10-26T21:00:00Z slack Step opened: redis 6.2.14 -> 7.0.15 on production (production)',
  ]);
  // The cluster had the change on Saturday: the window holds back the gate, not the apply.
  expect(
    lines(world, ['cluster'])
      .filter((l) => l.includes('rolled out') || l.includes('CRDs'))
      .map((l) => l.slice(0, 20)),
  ).toEqual(['2026-10-24T07:00:45Z', '2026-10-24T07:01:15Z']);
}, 90_000);
