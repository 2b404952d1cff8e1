// Journeys 2 and 6 (issue 16): Redis Enterprise on Argo CD (re-fleet.ts), the
// definitions both their tests and `npm run e2e` use.
//
// Journey 2, in the documented order operator → REC versionTag → REDB
// redisVersion (seed 000): the cluster runs Kubernetes 1.28 and the newest 7.x
// operator needs 1.30, so cairn takes the operator to the newest one that
// still supports 1.28 (an intermediate stop), the REC to what that operator
// ships, the database to the Redis 7.4 the new REC bundles, and reports the
// goal blocked on the Kubernetes version. The platform team upgrades
// Kubernetes (the Node's kubelet, which the agent reports); the path then
// resumes by itself.
//
// Journey 6, failure, the operator degrading mid-rollout, twice: a REC build
// catch-up (7.4.6-77 -> 7.4.6-102, the RDB format unchanged): the gate fails,
// the path stops, Slack shows the evidence, and cairn opens a revert PR; a
// REDB 6.2 -> 7.2 (the RDB format raised): the gate fails the same way, and
// cairn opens no revert but advises restoring the backup.
import type { KubeObject } from '../../../lib/cluster-state.ts';
import { startWorld, type World, type WorldOptions } from '../world.ts';
import { DAY, HOUR } from './argocd-fleet.ts';
import { argoReviewer, liveGuarded } from './argo-reviewer.ts';
import { reWorld } from './re-fleet.ts';
import { gateOn, stepPulls } from './reviewer.ts';

/** Redis Software 7.4 bundles Redis 6.2 and 7.2; 7.8 and 7.22 add 7.4 (their release notes). */
const bundles = (tag: string) => (tag.startsWith('7.4.') ? ['6.2', '7.2'] : ['6.2', '7.2', '7.4']);

const redbBackupByHand = (when: string) => [
  '  - description: >-',
  '      The REDB is backed up by Redis Enterprise itself (spec.backup), which the gate cannot',
  `      read yet; the team checks it before merging${when}.`,
  '    match: { components: [redis-enterprise-database] }',
  '    backupBeforeMajor: false',
];

export function journey2World(extra: Partial<WorldOptions> = {}): Promise<World> {
  return startWorld({
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
        ...redbBackupByHand(''),
      ],
    }),
    cronEveryMs: HOUR,
    ...extra,
  });
}

const provenComponent = (w: World, component: string) =>
  stepPulls(w).some(
    (p) =>
      p.step.component === component && p.state === 'merged' && gateOn(w, p.mergeCommit)?.state === 'success',
  );
export const allProven = (w: World) => {
  const s = stepPulls(w);
  return (
    s.length > 0 && s.every((p) => p.state === 'merged' && gateOn(w, p.mergeCommit)?.state === 'success')
  );
};

/** Journey 2 up to the goal blocked on Kubernetes 1.28: every step proven, then two quiet days. */
export async function runJourney2BeforeUpgrade(w: World): Promise<void> {
  await liveGuarded(
    w,
    argoReviewer(w),
    'journey 2 (before the Kubernetes upgrade)',
    () => provenComponent(w, 'redis-enterprise-database') && allProven(w),
    5 * DAY,
  );
  await w.advance(2 * DAY);
}

/** The platform team upgrades the Node to Kubernetes 1.30.10 (what the agent reports). */
export async function upgradeKubernetes(w: World): Promise<void> {
  const kube = w.clusters.get('dev')!.kube;
  const node = kube.list('', 'Node')[0]!;
  const upgraded = structuredClone(node) as KubeObject & { status: { nodeInfo: Record<string, string> } };
  upgraded.status.nodeInfo = {
    ...upgraded.status.nodeInfo,
    kubeletVersion: 'v1.30.10',
    kubeProxyVersion: 'v1.30.10',
  };
  await w.kubectlApply('dev', upgraded, 'platform-team');
}

/** After the upgrade: the path resumes by itself until a new REC step is proven, then a quiet day. */
export async function runJourney2AfterUpgrade(w: World): Promise<void> {
  const recs = () => stepPulls(w).filter((p) => p.step.component === 'redis-enterprise').length;
  const recsBefore = recs();
  await liveGuarded(
    w,
    argoReviewer(w),
    'journey 2 (after)',
    () => recs() > recsBefore && allProven(w),
    5 * DAY,
  );
  await w.advance(DAY);
}

/** The whole of journey 2. */
export async function runJourney2(w: World): Promise<void> {
  await runJourney2BeforeUpgrade(w);
  await upgradeKubernetes(w);
  await runJourney2AfterUpgrade(w);
}

/** Journey 6a: the REC 7.4.6-77 -> 7.4.6-102 fails after its first pod (RDB format kept: a revert). */
export function journey6RevertWorld(extra: Partial<WorldOptions> = {}): Promise<World> {
  return startWorld({
    ...reWorld({ recTag: '7.4.6-77', sim: { failRecAfterPods: 1 } }),
    cronEveryMs: HOUR,
    ...extra,
  });
}

/** Journey 6b: a REDB 6.2 -> 7.2 fails (RDB format raised: restore advice, no revert). */
export function journey6RestoreWorld(extra: Partial<WorldOptions> = {}): Promise<World> {
  return startWorld({
    ...reWorld({
      recTag: '7.4.6-102',
      redbVersion: '6.2',
      // What REC 7.4.6-102 reports in status.bundledDatabaseVersions (examples/argocd-fleet/README.md).
      bundled: ['6.2', '7.2'],
      sim: { failRedbUpgrade: true },
      rules: redbBackupByHand(' a major'),
    }),
    cronEveryMs: HOUR,
    ...extra,
  });
}

/** Until a merged step's gate fails; then a day in which the path stays stopped. */
export async function runUntilFailure(w: World, what: string): Promise<void> {
  const failed = () =>
    stepPulls(w).some((p) => p.state === 'merged' && gateOn(w, p.mergeCommit)?.state === 'failure');
  await liveGuarded(w, argoReviewer(w, { hold: () => false }), what, failed, 3 * DAY);
  await w.advance(DAY);
}
