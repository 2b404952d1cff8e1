// Journey 2 (issue 16): Redis Enterprise on Argo CD, in the documented order
// operator → REC versionTag → REDB redisVersion (seed 000). The cluster runs
// Kubernetes 1.28: the newest 7.x operator needs 1.30, so cairn takes the
// operator to the newest one that still supports 1.28 (an intermediate
// stop), the REC to what that operator ships, the database to the Redis 7.4
// the new REC bundles, and reports the goal blocked on the Kubernetes
// version. The platform team upgrades Kubernetes (the Node's kubelet, which
// the agent reports); the path then resumes by itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../lib/cluster-state.ts';
import { startWorld, type World } from './world.ts';
import { DAY, HOUR } from './journeys/argocd-fleet.ts';
import { argoReviewer, liveGuarded } from './journeys/argo-reviewer.ts';
import { dashboardBlocked, expectSeen, journeyLines, recordFigures } from './journeys/figures.ts';
import { reWorld } from './journeys/re-fleet.ts';
import { gateOn, stepPulls } from './journeys/reviewer.ts';

const trace = (e: { at: string; kind: string; text: string }) =>
  process.env.E2E_TRACE && process.stderr.write(`${e.at} ${e.kind} ${e.text}\n`);

/** Redis Software 7.4 bundles Redis 6.2 and 7.2; 7.8 and 7.22 add 7.4 (their release notes). */
const bundles = (tag: string) => (tag.startsWith('7.4.') ? ['6.2', '7.2'] : ['6.2', '7.2', '7.4']);

let world: World;
let started = 0;
let mark = 0;

const proven = (component: string) =>
  stepPulls(world).some(
    (p) =>
      p.step.component === component &&
      p.state === 'merged' &&
      gateOn(world, p.mergeCommit)?.state === 'success',
  );
const allProven = () => {
  const s = stepPulls(world);
  return (
    s.length > 0 && s.every((p) => p.state === 'merged' && gateOn(world, p.mergeCommit)?.state === 'success')
  );
};

beforeAll(async () => {
  started = Date.now();
  world = await startWorld({
    ...reWorld({
      recTag: '7.4.6-77',
      operatorMoves: true,
      kubelet: 'v1.28.15',
      bundled: bundles('7.4.6-77'),
      sim: { bundles, recPodMs: 90_000 },
      rules: [
        '  - description: Redis Software 8 is not approved yet; stay on 7.x.',
        '    match: { components: [redis-enterprise-operator, redis-enterprise] }',
        '    allowedVersions: "<8"',
        '  - description: Redis 8 databases need the application teams sign-off; minors only.',
        '    match: { components: [redis-enterprise-database] }',
        '    updateTypes: [patch, minor]',
        '  - description: >-',
        '      The REDB is backed up by Redis Enterprise itself (spec.backup), which the gate cannot',
        '      read yet; the team checks it before merging.',
        '    match: { components: [redis-enterprise-database] }',
        '    backupBeforeMajor: false',
      ],
    }),
    cronEveryMs: HOUR,
    onEvent: trace,
  });
}, 60_000);
afterAll(async () => world?.stop());

describe('journey 2: Redis Enterprise on Argo CD', () => {
  it('on Kubernetes 1.28: operator to an intermediate 7.8, REC to what it ships, REDB to 7.4; the 7.22 goal waits for Kubernetes', async () => {
    await liveGuarded(
      world,
      argoReviewer(world),
      'journey 2 (before the Kubernetes upgrade)',
      () => proven('redis-enterprise-database') && allProven(),
      5 * DAY,
    );
    // Nothing else opens while Kubernetes is on 1.28.
    await world.advance(2 * DAY);
    expect(world.openSteps()).toEqual([]);
    const seen = {
      steps: stepPulls(world).map((p) => `#${p.number} ${p.step.component} ${p.step.from} -> ${p.step.to}`),
      // The goal waits for Kubernetes, and says so.
      blocked: dashboardBlocked(world),
      ...journeyLines(world),
    };
    mark = world.timeline.length;
    expectSeen('journey2', 'before-kubernetes-upgrade', seen);
  }, 60_000);

  it('after the Kubernetes upgrade the goal resumes by itself: operator 7.22, then the REC', async () => {
    const kube = world.clusters.get('dev')!.kube;
    const node = kube.list('', 'Node')[0]!;
    const upgraded = structuredClone(node) as KubeObject & { status: { nodeInfo: Record<string, string> } };
    upgraded.status.nodeInfo = {
      ...upgraded.status.nodeInfo,
      kubeletVersion: 'v1.30.10',
      kubeProxyVersion: 'v1.30.10',
    };
    await world.kubectlApply('dev', upgraded, 'platform-team');
    const before = stepPulls(world).length;
    const recs = () => stepPulls(world).filter((p) => p.step.component === 'redis-enterprise').length;
    const recsBefore = recs();
    await liveGuarded(
      world,
      argoReviewer(world),
      'journey 2 (after)',
      () => recs() > recsBefore && allProven(),
      5 * DAY,
    );
    await world.advance(DAY);
    expect(world.openSteps()).toEqual([]);
    const seen = {
      steps: stepPulls(world)
        .slice(before)
        .map((p) => `#${p.number} ${p.step.component} ${p.step.from} -> ${p.step.to}`),
      blocked: dashboardBlocked(world),
      ...journeyLines(world, mark),
    };
    recordFigures('journey 2: Redis Enterprise on Argo CD', Date.now() - started, world.githubRequests);
    expectSeen('journey2', 'after-kubernetes-upgrade', seen);
  }, 60_000);
});
