// Journey 1 (issue 16): howl-cloud on Flux, dev → staging → production, against the real
// service, the real agent loop and the test GitHub and Kubernetes servers, on a virtual
// clock. One world walks the whole path; each test is one environment's part of it and
// asserts the exact sequence of what happened there, as recorded in
// expected/journey1.json (CAIRN_UPDATE_GOLDEN=1 rewrites it from a run: review the diff).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR, journey1World, proven, releaseAppears, runJourney1 } from './journeys/journey1.ts';
import { stepPulls } from './journeys/reviewer.ts';
import type { Browser } from 'playwright-core';
import { haveChromium, launchChromium, openDashboard, screenshot } from '../support/browser.ts';
import { DASHBOARD_TOKEN, type World } from './world.ts';

const GOLDEN = join(import.meta.dirname, 'expected/journey1.json');
const update = !!process.env.CAIRN_UPDATE_GOLDEN;
const expected: Record<string, string[]> = update ? {} : JSON.parse(readFileSync(GOLDEN, 'utf8'));
/** The exact sequence `key` of the recorded journey. */
function same(actual: string[], key: string): void {
  if (update) expected[key] = actual;
  else expect(actual).toEqual(expected[key]);
}

let world: World;
let howl: Awaited<ReturnType<typeof journey1World>>['howl'];
let feed: Awaited<ReturnType<typeof journey1World>>['feed'];
let started = 0;

/** Timeline lines of `kinds` from event `from` (those `match` keeps), as `MM-DDTHH:MM:SS kind text`. */
function lines(kinds: string[], from = 0, match?: (text: string) => boolean): string[] {
  const out = world.timeline
    .slice(from)
    .filter((e) => kinds.includes(e.kind) && (!match || match(e.text)))
    .map((e) => `${e.at.slice(5, 19)} ${e.kind === 'cluster' ? '' : `${e.kind} `}${e.text}`)
    // Commit ids carry the test server's wall-clock commit dates: not part of the sequence.
    .map((l) => l.replace(/\b[0-9a-f]{7,40}\b/g, '<sha>'));
  return out;
}
const notFlux = (t: string) => !t.includes(': flux: ');

/**
 * What the fleet dashboard says, read in chromium as a person would: the position of each
 * cluster's Redis path (its `aria-label` names it), the blocked goals as listed, and a
 * screenshot in test-results/dashboard/.
 */
let browser: Browser | undefined;
async function readDashboard(shot: string): Promise<{ at: Record<string, string>; blocked: string[] }> {
  browser ??= await launchChromium();
  const { context, page } = await openDashboard(browser, world.serviceUrl, DASHBOARD_TOKEN);
  try {
    const labels = await page
      .locator('ol[aria-label^="Path of redis in "]')
      .evaluateAll((ols) => ols.map((ol) => ol.getAttribute('aria-label') ?? ''));
    const blocked = await page
      .getByRole('heading', { name: 'Blocked goals' })
      .locator('xpath=following-sibling::ul[1]/li')
      .evaluateAll((lis) => lis.map((li) => (li.textContent ?? '').replace(/\s+/g, ' ').trim()));
    await screenshot(page, shot);
    const at = Object.fromEntries(
      labels.flatMap((l) => {
        const m = /^Path of redis in (\S+): at (\S+)$/.exec(l);
        return m ? [[m[1]!, m[2]!]] : [];
      }),
    );
    return { at, blocked };
  } finally {
    await context.close();
  }
}
const dashboardPositions = async (shot: string) => (await readDashboard(shot)).at;
if (!haveChromium)
  process.stderr.write('SKIP "journey 1 on the fleet dashboard": /usr/bin/chromium not found\n');

beforeAll(async () => {
  ({ world, howl, feed } = await journey1World());
  started = Date.now();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await world?.stop();
  if (update) writeFileSync(GOLDEN, `${JSON.stringify(expected, null, 2)}\n`);
});

const steps = (cluster: string) =>
  stepPulls(world)
    .filter((p) => p.step.cluster === cluster)
    .map((p) => `#${p.number} ${p.step.component} ${p.step.from} -> ${p.step.to} ${p.state}`);
const inEnv = (env: string) => (t: string) => t.startsWith(`${env}: `) && notFlux(t);
const prsOf = (cluster: string) =>
  new Set(
    stepPulls(world)
      .filter((p) => p.step.cluster === cluster)
      .map((p) => p.number),
  );
const gatesOf = (cluster: string) => (t: string) => {
  const m = /^#(\d+) merge/.exec(t);
  return !!m && prsOf(cluster).has(Number(m[1]));
};
const allMerged = (cluster: string) =>
  stepPulls(world).filter((p) => p.step.cluster === cluster).length === 3 &&
  stepPulls(world).every(
    (p) => p.step.cluster !== cluster || (p.state === 'merged' && proven(world, p.step.id)),
  );
/** Where each part of the timeline starts. */
const marks: Record<string, number> = {};
const report = (part: string, wall: number, requests: number) =>
  process.stdout.write(
    `journey 1 ${part}: wall ${(wall / 1000).toFixed(1)} s, ${requests} GitHub requests\n`,
  );

describe('journey 1: howl-cloud on Flux, dev → staging → production', () => {
  it('nothing opens while the feeds list only what the fleet runs; the first PR opens at the cron run after the releases appear', async () => {
    const polls = () => feed.server.requests('/repos/').length;
    await releaseAppears(world, feed);
    // Twelve hours of cron runs read the feeds (each asks GitHub's releases API) and open nothing.
    expect(world.github.pulls.size).toBe(0);
    expect(polls()).toBeGreaterThan(0);
    const published = world.clock.now();
    const before = polls();
    await runJourney1(world, () => world.timeline.some((e) => e.kind === 'pr-opened'), 12 * HOUR);
    const first = world.timeline.find((e) => e.kind === 'pr-opened')!;
    expect(Date.parse(first.at)).toBeGreaterThan(published);
    expect(polls()).toBeGreaterThan(before);
    same(lines(['release', 'pr-opened']), 'release');
  }, 90_000);

  it.skipIf(!haveChromium)(
    'the fleet dashboard (chromium): every cluster starts at Redis 6.2.14',
    async () => {
      await runJourney1(world, () => world.timeline.some((e) => e.kind === 'pr-opened'), 12 * HOUR);
      // `(unassigned)` is the shared base every cluster overrides: listed, never edited.
      expect(await dashboardPositions('journey1-0-start')).toEqual({
        '(unassigned)': '6.2.14',
        dev: '6.2.14',
        staging: '6.2.14',
        production: '6.2.14',
      });
    },
    90_000,
  );

  it('dev: the operator chart and its CRDs first with no Redis pod restarted, then 6.2.14 → 7.0.15 (the earliest 7.x minor) after a RedisBackup, then 7.4.11', async () => {
    const t0 = Date.now();
    await runJourney1(world, () => allMerged('dev'), 60 * HOUR);
    expect(steps('dev')).toEqual([
      '#2 howl-redis-operator 0.2.3 -> 0.2.6 merged',
      '#4 redis 6.2.14 -> 7.0.15 merged',
      '#5 redis 7.0.15 -> 7.4.11 merged',
    ]);
    same(lines(['pr-opened', 'pr-merged', 'human', 'comment']), 'devPulls');
    same(lines(['slack']), 'devSlack');
    same(lines(['cluster'], 0, inEnv('dev')), 'devCluster');
    // The operator step: CRDs replaced and the operator rolled, no Redis pod recreated.
    const devChanges = lines(['cluster'], 0, inEnv('dev'));
    const operatorPart = devChanges.slice(
      0,
      devChanges.findIndex((l) => l.includes('RedisBackup')),
    );
    expect(operatorPart.filter((l) => l.includes('CRDs') || l.includes('rolled out'))).toHaveLength(2);
    expect(operatorPart.filter((l) => l.includes(' pod '))).toEqual([]);
    // The major waits for a completed backup: the RedisBackup completes before #4 is merged.
    const order = lines(
      ['cluster', 'pr-merged'],
      0,
      (t) => t === '#4 merged' || t.startsWith('dev: RedisBackup sessions/sessions-before-7.0.15 Completed'),
    );
    expect(order.map((l) => l.slice(15))).toEqual([
      'dev: RedisBackup sessions/sessions-before-7.0.15 Completed',
      'pr-merged #4 merged',
    ]);
    same(lines(['gate'], 0, gatesOf('dev')), 'devGates');
    marks.staging = world.timeline.length;
    report('dev', Date.now() - t0, world.githubRequests);
  }, 90_000);

  it.skipIf(!haveChromium)(
    'the fleet dashboard (chromium): dev has moved to 7.4.11, the others not yet; the blocked Redis 8 goal shows its reason',
    async () => {
      const { at, blocked } = await readDashboard('journey1-1-dev-done');
      expect(at.dev).toBe('7.4.11');
      expect(at.production).toBe('6.2.14');
      // Redis 8 is a blocked goal (the fleet's policy allows < 7.5): shown with its reason and unblock.
      expect(blocked.find((b) => b.startsWith('dev: redis 7.4.11 → 8.'))).toMatch(
        /Blocked: 8\.\S+ is newer but not eligible: .*outside allowed versions "<7\.5"\. Unblock: widen allowedVersions/,
      );
    },
    60_000,
  );

  it('staging: each step after its dev counterpart is proven, and soaks 24 h', async () => {
    const t0 = Date.now();
    const r0 = world.githubRequests;
    await runJourney1(world, () => allMerged('staging'), 200 * HOUR);
    same(steps('staging'), 'stagingSteps');
    same(lines(['pr-opened', 'pr-merged', 'human', 'comment'], marks.staging), 'stagingPulls');
    same(lines(['cluster'], 0, inEnv('staging')), 'stagingCluster');
    same(lines(['gate'], 0, gatesOf('staging')), 'stagingGates');
    marks.production = world.timeline.length;
    report('staging', Date.now() - t0, world.githubRequests - r0);
  }, 90_000);

  it('production: supervised, each primary update approved by /cairn approve and the annotation patched once on the live CR; 72 h soak', async () => {
    const t0 = Date.now();
    const r0 = world.githubRequests;
    await runJourney1(world, () => allMerged('production'), 400 * HOUR);
    same(steps('production'), 'productionSteps');
    same(lines(['pr-opened', 'pr-merged', 'human', 'comment'], marks.production), 'productionPulls');
    same(lines(['cluster'], 0, inEnv('production')), 'productionCluster');
    same(lines(['gate'], 0, gatesOf('production')), 'productionGates');
    same(lines(['slack'], marks.production), 'productionSlack');
    // The approval annotation: one merge patch per supervised update, only in production,
    // consumed by the operator each time, and never in Git.
    const patches = (c: string) =>
      world.clusters
        .get(c)!
        .kube.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/redisclusters/'));
    expect(patches('dev')).toEqual([]);
    expect(patches('staging')).toEqual([]);
    expect(
      patches('production').map(
        (r) =>
          (r.body as { metadata: { annotations: Record<string, string> } }).metadata.annotations[
            'redis.io/approve-primary-update'
          ],
      ),
    ).toEqual(['true', 'true']);
    expect(howl.consumed.map((c) => `${c.cluster} ${c.object}`)).toEqual([
      'production sessions/sessions',
      'production sessions/sessions',
    ]);
    const inGit = world.github
      .git(['ls-tree', '-r', '--name-only', 'main'])
      .split('\n')
      .filter((f) => f && world.github.git(['show', `main:${f}`]).includes('approve-primary-update'));
    expect(inGit).toEqual([]);
    // Where the fleet ends: every cluster on redis 7.4.11 and operator v0.2.6, healthy; one PR per step.
    for (const c of ['dev', 'staging', 'production']) {
      const kube = world.clusters.get(c)!.kube;
      const rc = kube.get('redis.io', 'RedisCluster', 'sessions', 'sessions')!;
      expect([
        rc.spec?.imageName,
        rc.status?.phase,
        rc.metadata?.annotations?.['redis.io/approve-primary-update'],
      ]).toEqual(['redis:7.4.11', 'Healthy', undefined]);
      const d = kube.get('apps', 'Deployment', 'redis-system', 'redis-operator')!;
      expect(
        (d.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!
          .image,
      ).toBe('ghcr.io/howl-cloud/redis-operator:v0.2.6');
    }
    const ids = stepPulls(world).map((p) => p.step.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(9);
    report('production', Date.now() - t0, world.githubRequests - r0);
    report('total', Date.now() - started, world.githubRequests);
  }, 90_000);

  it.skipIf(!haveChromium)(
    'the fleet dashboard (chromium): every cluster is at 7.4.11',
    async () => {
      expect(await dashboardPositions('journey1-2-done')).toEqual({
        '(unassigned)': '6.2.14',
        dev: '7.4.11',
        staging: '7.4.11',
        production: '7.4.11',
      });
    },
    60_000,
  );
});
