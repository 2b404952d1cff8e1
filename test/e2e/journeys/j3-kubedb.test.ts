// Journey 3 (issue 16): KubeDB on Argo CD. cairn generates a RedisOpsRequest
// in Git for each hop; the path follows the RedisVersions' updateConstraints
// allowlists; a step is done when the ops request is Successful and the
// Redis Ready on the new version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubedbOperator } from '../sim/operators/kubedb.ts';
import { groupOf } from '../sim/rollout.ts';
import { startWorld, type World } from '../world.ts';
import { argoFleet, clustersPolicy, DAY, HOUR, productOperator } from './argocd-fleet.ts';
import { argoReviewer, liveGuarded } from './argo-reviewer.ts';
import { gateOn, stepPulls } from './reviewer.ts';

const ENVS = ['dev', 'staging'] as const;

function kubedbWorld() {
  const kubedb = productOperator('kubedb', () => kubedbOperator(), (o) => ['kubedb.com', 'ops.kubedb.com'].includes(groupOf(o)));
  return argoFleet({
    keep: ['kubedb'],
    envs: ENVS,
    policy: [
      ...clustersPolicy(ENVS),
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
      'catalog.kubedb.com/RedisVersion',
      'core.kubestash.com/BackupSession',
      'argoproj.io/Application',
    ],
    start: '2026-11-23T08:00:00Z',
  });
}

describe('journey 3: KubeDB on Argo CD', () => {
  let world: World;
  let wall = 0;
  beforeAll(async () => {
    const t0 = Date.now();
    world = await startWorld({
      ...kubedbWorld(),
      cronEveryMs: HOUR,
      onEvent: (e) => process.env.E2E_TRACE && process.stderr.write(`${e.at} ${e.kind} ${e.text}\n`),
    });
    const done = () => {
      const s = stepPulls(world);
      return s.length >= 4 && s.every((p) => p.state === 'merged' && gateOn(world, p.mergeCommit)?.state === 'success');
    };
    try {
      const r = argoReviewer(world, {
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
          w.clusters.get(pr.step.cluster ?? '')!.kube.get('core.kubestash.com', 'BackupSession', 'sessions', `sessions-before-${pr.step.to}`)
            ?.status?.phase === 'Succeeded',
      });
      await liveGuarded(world, r, 'journey 3', done, 20 * DAY);
    } finally {
      wall = Date.now() - t0;
      process.stderr.write(world.timeline.map((e) => `${e.at} ${e.kind} ${e.text}`).join('\n') + '\n');
      process.stderr.write(`wall ${wall} ms, github requests ${world.githubRequests}\n`);
    }
  }, 120_000);
  afterAll(async () => world?.stop());

  it('runs', () => {
    expect(stepPulls(world).length).toBeGreaterThan(0);
  });
});
