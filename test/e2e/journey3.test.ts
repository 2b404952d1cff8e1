// Journey 3 (issue 16): KubeDB on Argo CD (examples/argocd-fleet reduced to
// its KubeDB database, dev → staging). cairn writes a RedisOpsRequest into
// Git for the first hop the RedisVersion updateConstraints allow (6.2.14's
// allowlist is ">= 6.2.14, < 7.0.15": 7.0.14, not 7.4.1), adds it to the
// directory's kustomization.yaml, takes the KubeStash backup the major asks
// for, and the gate passes only when the request is Successful and the Redis
// Ready on the new version.
//
// The path then stops: the next hop needs "step 2" (spec.version recorded in
// Git and the finished request removed), which the PR engine does not write
// yet (docs/kubedb-ops-requests.md). The dashboard says so, and this journey
// asserts that, as it is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubedbOperator } from './sim/operators/kubedb.ts';
import { groupOf } from './sim/rollout.ts';
import { startWorld, type World } from './world.ts';
import { argoFleet, clustersPolicy, DAY, HOUR, productOperator } from './journeys/argocd-fleet.ts';
import { argoReviewer, liveGuarded } from './journeys/argo-reviewer.ts';
import { dashboardBlocked, expectSeen, journeyLines, recordFigures } from './journeys/figures.ts';
import { gateOn, stepPulls } from './journeys/reviewer.ts';

const ENVS = ['dev', 'staging'] as const;
const trace = (e: { at: string; kind: string; text: string }) =>
  process.env.E2E_TRACE && process.stderr.write(`${e.at} ${e.kind} ${e.text}\n`);

function kubedbWorld() {
  const kubedb = productOperator(
    'kubedb',
    () => kubedbOperator(),
    (o) => ['kubedb.com', 'ops.kubedb.com'].includes(groupOf(o)),
  );
  return argoFleet({
    keep: ['kubedb'],
    envs: ENVS,
    policy: [
      ...clustersPolicy(ENVS, {}, '12h'),
      'rules:',
      '  - description: KubeDB RedisVersions carry no release dates; the catalog is the gate.',
      '    match: { components: [kubedb-redis] }',
      '    minimumReleaseAge: 0s',
    ],
    operators: [kubedb],
    resources: [
      '/Pod',
      '/Node',
      'apps/Deployment',
      'apps/StatefulSet',
      'kubedb.com/Redis',
      'ops.kubedb.com/RedisOpsRequest',
      'core.kubestash.com/BackupSession',
      'argoproj.io/Application',
    ],
    start: '2026-11-23T08:00:00Z',
  });
}

let world: World;
let started = 0;
beforeAll(async () => {
  started = Date.now();
  world = await startWorld({ ...kubedbWorld(), cronEveryMs: HOUR, onEvent: trace });
}, 60_000);
afterAll(async () => world?.stop());

describe('journey 3: KubeDB on Argo CD', () => {
  it('a RedisOpsRequest in Git for the first allowed hop; done is Successful and Ready; then the path waits for step 2', async () => {
    const reviewer = argoReviewer(world, {
      backup: (pr) => ({
        apiVersion: 'core.kubestash.com/v1alpha1',
        kind: 'BackupSession',
        metadata: { name: `sessions-before-${pr.step.to}`, namespace: 'sessions' },
        spec: {
          invoker: { apiGroup: 'core.kubestash.com', kind: 'BackupConfiguration', name: 'sessions-backup' },
          session: 'full-backup',
        },
      }),
      backedUp: (w, pr) =>
        w.clusters
          .get(pr.step.cluster ?? '')!
          .kube.get('core.kubestash.com', 'BackupSession', 'sessions', `sessions-before-${pr.step.to}`)
          ?.status?.phase === 'Succeeded',
    });
    const done = () => {
      const s = stepPulls(world);
      return (
        s.length === 1 &&
        s.every((p) => p.state === 'merged' && gateOn(world, p.mergeCommit)?.state === 'success')
      );
    };
    await liveGuarded(world, reviewer, 'journey 3', done, 4 * DAY);
    // The path stops there (step 2 is not built), in dev and in staging: a day later nothing opened.
    await world.advance(DAY);
    expect(world.openSteps()).toEqual([]);
    recordFigures('journey 3: KubeDB on Argo CD', Date.now() - started, world.githubRequests);
    const first = stepPulls(world)[0]!;
    const seen = {
      steps: stepPulls(world).map(
        (p) => `#${p.number} ${p.step.cluster} ${p.step.component} ${p.step.from} -> ${p.step.to}`,
      ),
      // What the first PR writes: the request, and the kustomization.yaml that lists it.
      files: world.github
        .git(['diff', '--name-status', `${first.mergeCommit}^1`, first.mergeCommit!])
        .trim()
        .split('\n'),
      request: world.github.git([
        'show',
        `${first.mergeCommit}:clusters/dev/kubedb/sessions-update-7-0-14.yaml`,
      ]),
      blocked: dashboardBlocked(world),
      ...journeyLines(world),
    };
    expectSeen('journey3', 'kubedb', seen);
  }, 60_000);
});
