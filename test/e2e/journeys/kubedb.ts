// Journey 3 (issue 16): KubeDB on Argo CD (examples/argocd-fleet reduced to its
// KubeDB database, dev → staging), the whole path. For each hop the
// RedisVersion updateConstraints allow, cairn writes a RedisOpsRequest into Git
// (listed in the directory's kustomization.yaml); the reviewer takes the
// KubeStash backup a major asks for; the gate passes only when the request is
// Successful and the Redis Ready on the new version. Then cairn records the
// result (step 2, its own PR): spec.version set to the version reached, the
// finished request deleted and unlisted, so Argo CD does not write the old
// version back; and only then the next hop's request. 8.2.2 stays blocked:
// no chain of allowlists reaches it.
import { kubedbOperator } from '../sim/operators/kubedb.ts';
import { groupOf } from '../sim/rollout.ts';
import { startWorld, type World, type WorldOptions } from '../world.ts';
import { argoFleet, clustersPolicy, DAY, HOUR, productOperator } from './argocd-fleet.ts';
import { argoReviewer, liveGuarded } from './argo-reviewer.ts';
import { dashboardBlocked, journeyLines } from './figures.ts';
import { gateOn, stepPulls } from './reviewer.ts';

export const KUBEDB_ENVS = ['dev', 'staging'] as const;

export function kubedbFleet() {
  const kubedb = productOperator(
    'kubedb',
    () => kubedbOperator(),
    (o) => ['kubedb.com', 'ops.kubedb.com'].includes(groupOf(o)),
  );
  return argoFleet({
    keep: ['kubedb'],
    envs: KUBEDB_ENVS,
    policy: [
      ...clustersPolicy(KUBEDB_ENVS, {}, '12h'),
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

export async function kubedbWorld(extra: Partial<WorldOptions> = {}): Promise<World> {
  return startWorld({ ...kubedbFleet(), cronEveryMs: HOUR, ...extra });
}

const dbFile = (env: string) => `clusters/${env}/kubedb/redis.yaml`;

/** What Git's base branch says for the database of `env`: its spec.version and the request files beside it. */
export function gitState(w: World, env: string): { version: string | undefined; requests: string[] } {
  const text = w.github.git(['show', `main:${dbFile(env)}`]);
  const version = /^\s*version:\s*['"]?([^'"\s]+)/m.exec(text)?.[1];
  const requests = w.github
    .git(['ls-tree', '--name-only', `main:clusters/${env}/kubedb`])
    .trim()
    .split('\n')
    .filter((f) => /-update-/.test(f));
  return { version, requests };
}

/** The whole path, in every environment: each hop requested, proven and recorded in Git. */
export const kubedbGoal = '7.4.1';

export async function runKubedb(w: World, maxMs = 8 * DAY): Promise<void> {
  const reviewer = argoReviewer(w, {
    backup: (pr) => ({
      apiVersion: 'core.kubestash.com/v1alpha1',
      kind: 'BackupSession',
      metadata: { name: `sessions-before-${pr.step.to}`, namespace: 'sessions' },
      spec: {
        invoker: { apiGroup: 'core.kubestash.com', kind: 'BackupConfiguration', name: 'sessions-backup' },
        session: 'full-backup',
      },
    }),
    backedUp: (x, pr) =>
      x.clusters
        .get(pr.step.cluster ?? '')!
        .kube.get('core.kubestash.com', 'BackupSession', 'sessions', `sessions-before-${pr.step.to}`)?.status
        ?.phase === 'Succeeded',
  });
  const done = () =>
    KUBEDB_ENVS.every((env) => {
      const g = gitState(w, env);
      return g.version === kubedbGoal && g.requests.length === 0;
    }) && stepPulls(w).every((p) => p.state === 'merged' && gateOn(w, p.mergeCommit)?.state === 'success');
  await liveGuarded(w, reviewer, 'journey 3', done, maxMs);
}

/** What journey 3 asserts: the steps, each PR's files, the requests and records it wrote, the blocked goal, the timeline. */
export function kubedbSeen(w: World) {
  const pulls = stepPulls(w);
  return {
    steps: pulls.map(
      (p) =>
        `#${p.number} ${p.step.cluster} ${p.step.component} ${p.step.change === 'record' ? `record ${p.step.to}` : `${p.step.from} -> ${p.step.to}`}`,
    ),
    files: Object.fromEntries(
      pulls.map((p) => [
        `#${p.number}`,
        w.github
          .git(['diff', '--name-status', `${p.mergeCommit}^1`, p.mergeCommit!])
          .trim()
          .split('\n'),
      ]),
    ),
    // The first request, and what the first record did to the manifest and the kustomization.
    request: w.github.git([
      'show',
      `${pulls[0]!.mergeCommit}:clusters/dev/kubedb/sessions-update-7-0-14.yaml`,
    ]),
    record: w.github
      .git([
        'diff',
        `${pulls[1]!.mergeCommit}^1`,
        pulls[1]!.mergeCommit!,
        '--',
        'clusters/dev/kubedb/redis.yaml',
        'clusters/dev/kubedb/kustomization.yaml',
      ])
      .replace(/^index .*$/gm, 'index <sha>'),
    end: Object.fromEntries(
      KUBEDB_ENVS.map((env) => {
        const live = w.clusters.get(env)!.kube.get('kubedb.com', 'Redis', 'sessions', 'sessions');
        return [
          env,
          {
            git: gitState(w, env),
            live: { version: live?.spec?.version, phase: live?.status?.phase },
            requests: w.clusters
              .get(env)!
              .kube.list('ops.kubedb.com', 'RedisOpsRequest')
              .map((o) => o.metadata?.name),
          },
        ];
      }),
    ),
    blocked: dashboardBlocked(w),
    ...journeyLines(w),
  };
}
