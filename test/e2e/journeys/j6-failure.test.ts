// Journey 6 (issue 16): failure. Redis Enterprise on Argo CD, the operator
// degrading mid-rollout, twice:
// - a REC build catch-up (7.4.6-77 -> 7.4.6-102, the RDB format unchanged):
//   the gate fails, the path stops, Slack shows the evidence, and cairn opens
//   a revert PR;
// - a REDB 6.2 -> 7.2 (the RDB format raised): the gate fails the same way,
//   and cairn opens no revert but advises restoring the backup.
import { afterAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../world.ts';
import { DAY, HOUR } from './argocd-fleet.ts';
import { argoReviewer, liveGuarded } from './argo-reviewer.ts';
import { reWorld } from './re-fleet.ts';
import { gateOn, stepPulls } from './reviewer.ts';
import { commentBodies, journeyLines, printSeen, recordFigures, slackTexts } from './figures.ts';

const trace = (e: { at: string; kind: string; text: string }) =>
  process.env.E2E_TRACE && process.stderr.write(`${e.at} ${e.kind} ${e.text}\n`);

async function runUntilFailure(world: World, what: string): Promise<void> {
  const failed = () =>
    stepPulls(world).some((p) => p.state === 'merged' && gateOn(world, p.mergeCommit)?.state === 'failure');
  await liveGuarded(world, argoReviewer(world, { hold: () => false }), what, failed, 3 * DAY);
  // The path stays stopped: a day later nothing new has opened.
  await world.advance(DAY);
}

describe('journey 6: failure', () => {
  let world: World | undefined;
  afterAll(async () => world?.stop());

  it('the RDB format did not change: the gate fails with the evidence and a revert PR opens', async () => {
    const t0 = Date.now();
    world = await startWorld({
      ...reWorld({ recTag: '7.4.6-77', sim: { failRecAfterPods: 1 } }),
      cronEveryMs: HOUR,
      onEvent: trace,
    });
    const w = world;
    await runUntilFailure(w, 'journey 6 (revert)');
    recordFigures('journey 6a: failure, RDB format kept (revert PR)', Date.now() - t0, w.githubRequests);
    const revert = w.github.pulls.get(3);
    const seen = {
      ...journeyLines(w),
      slackFailure: slackTexts(w.slack.find((m) => m.text?.startsWith('Gate failed')) ?? {}),
      revert: revert && {
        labels: revert.labels,
        // The revert puts the REC back on the build it ran.
        rec: w.github
          .git(['show', `${revert.head}:clusters/dev/redis-enterprise/rec.yaml`])
          .match(/versionTag: \S+/)?.[0],
      },
    };
    printSeen('6a', seen);
    expect(seen).toEqual(EXPECTED['6a']);
  }, 60_000);

  it('the RDB format did change: the gate fails the same way, no revert, restore-from-backup advice instead', async () => {
    await world?.stop();
    const t0 = Date.now();
    world = await startWorld({
      ...reWorld({
        recTag: '7.4.6-102',
        redbVersion: '6.2',
        // What REC 7.4.6-102 reports in status.bundledDatabaseVersions (examples/argocd-fleet/README.md).
        bundled: ['6.2', '7.2'],
        sim: { failRedbUpgrade: true },
        rules: [
          '  - description: >-',
          '      The REDB is backed up by Redis Enterprise itself (spec.backup), which the gate cannot',
          '      read yet; the team checks it before merging a major.',
          '    match: { components: [redis-enterprise-database] }',
          '    backupBeforeMajor: false',
        ],
      }),
      cronEveryMs: HOUR,
      onEvent: trace,
    });
    const w = world;
    await runUntilFailure(w, 'journey 6 (restore)');
    recordFigures(
      'journey 6b: failure, RDB format raised (restore advice)',
      Date.now() - t0,
      w.githubRequests,
    );
    const seen = {
      ...journeyLines(w),
      slackFailure: slackTexts(w.slack.find((m) => m.text?.startsWith('Gate failed')) ?? {}),
      reverts: [...w.github.pulls.values()].filter((p) => p.labels.includes('cairn-rollback')).length,
      advice: commentBodies(w, 2),
    };
    printSeen('6b', seen);
    expect(seen).toEqual(EXPECTED['6b']);
  }, 60_000);
});

const EXPECTED: Record<string, unknown> = {};
EXPECTED['6a'] = {
  pulls: [
    '11-23T08:00:00 pr-opened #1 chore(deps): upgrade redis-enterprise 7.4.6-77 -> 7.4.6-102 on dev',
    '11-23T09:00:00 human alice merges #1',
    '11-23T09:00:00 pr-merged #1 merged',
    '11-23T09:04:29 pr-opened #3 revert: redis-enterprise 7.4.6-102 -> 7.4.6-77 on dev (the gate failed on #1)',
  ],
  gates: [
    '11-23T08:00:00 gate #1 head: success: ready: every step this one waits for is proven',
    '11-23T09:00:00 gate #1 merge: pending: Application argocd/redis-enterprise-dev has applied <sha>, which does not contain merge commit <sha>…',
    '11-23T09:00:25 gate #1 merge: pending: Application argocd/redis-enterprise-dev health is Progressing',
    '11-23T09:04:29 gate #1 merge: failure: Application argocd/redis-enterprise-dev health is Degraded: RedisEnterpriseCluster redis-enterprise/rec status.state is Error; RedisEnterpr…',
  ],
  slack: [
    '11-23T08:00:00 slack Step opened: redis-enterprise 7.4.6-77 -> 7.4.6-102 on dev (dev)',
    '11-23T09:00:00 slack Merged: redis-enterprise 7.4.6-77 -> 7.4.6-102 on dev (dev)',
    '11-23T09:04:29 slack Gate failed: redis-enterprise 7.4.6-77 -> 7.4.6-102 on dev (dev)',
  ],
  comments: [
    '11-23T09:04:29 comment #1 cairn-bot: The gate failed on `<sha>`: Application argocd/redis-enterprise-dev health is Degraded: RedisEnterpriseCluster redis-enterprise/rec status.state is Error; RedisEnterpriseCluster redis-enterprise/rec status.state is Error. The path is stopped, and cairn opened #3 to revert this step (it did not raise the RDB format, so a revert is safe).',
  ],
  cluster: [
    '11-23T09:00:05 dev: argocd: Application argocd/redis-enterprise-dev status.sync OutOfSync at <sha>; operationState.phase Running',
    '11-23T09:00:08 dev: argocd: Application argocd/redis-enterprise-dev applied RedisEnterpriseCluster redis-enterprise/rec',
    '11-23T09:00:09 dev: redis-enterprise: RedisEnterpriseCluster redis-enterprise/rec status.state Upgrade',
    '11-23T09:00:12 dev: argocd: Application argocd/redis-enterprise-dev operationState.phase Succeeded; status.sync Synced at <sha>',
    '11-23T09:00:12 dev: argocd: Application argocd/redis-enterprise-dev status.health Progressing (RedisEnterpriseCluster redis-enterprise/rec status.state is Upgrade)',
    '11-23T09:02:09 dev: redis-enterprise: RedisEnterpriseCluster redis-enterprise/rec pod rec-2 runs redislabs/redis:7.4.6-102',
    '11-23T09:04:09 dev: redis-enterprise: RedisEnterpriseCluster redis-enterprise/rec status.state Error (pod rec-1 did not rejoin the cluster)',
    '11-23T09:04:09 dev: argocd: Application argocd/redis-enterprise-dev status.health Degraded (RedisEnterpriseCluster redis-enterprise/rec status.state is Error)',
  ],
  slackFailure: [
    'Gate failed: redis-enterprise 7.4.6-77 -> 7.4.6-102 on dev (dev)',
    '*redis-enterprise 7.4.6-77 -&gt; 7.4.6-102 on dev (dev)*\nFile: `clusters/dev/redis-enterprise/rec.yaml`\nPull request: <<github>/fleet/gitops/pull/1|#1>\nStep: `redis-enterprise-7.4.6-102-<sha>`\n*Why:* Application argocd/redis-enterprise-dev health is Degraded: RedisEnterpriseCluster redis-enterprise/rec status.state is Error; RedisEnterpriseCluster redis-enterprise/rec status.state is Error',
    '❌ *Argo CD / Flux reports a revision that contains the merge commit*: Application argocd/redis-enterprise-dev health is Degraded: RedisEnterpriseCluster redis-enterprise/rec status.state is Error\n❌ *RedisEnterpriseCluster status.state is Running (not Upgrade or InvalidUpgrade) on 7.4.6-102*: RedisEnterpriseCluster redis-enterprise/rec status.state is Error',
    'The next step stays gated until this one is healthy.',
  ],
  revert: {
    labels: ['cairn-rollback'],
    rec: 'versionTag: 7.4.6-77',
  },
};
EXPECTED['6b'] = {
  pulls: [
    '11-23T09:00:00 pr-opened #2 chore(deps): upgrade redis-enterprise-database 6.2 -> 7.2 on dev',
    '11-23T10:00:00 human alice merges #2',
    '11-23T10:00:00 pr-merged #2 merged',
  ],
  gates: [
    '11-23T09:00:00 gate #2 head: success: ready: every step this one waits for is proven',
    '11-23T10:00:00 gate #2 merge: pending: Application argocd/redis-enterprise-dev has applied <sha>, which does not contain merge commit <sha>…',
    '11-23T10:00:25 gate #2 merge: pending: Application argocd/redis-enterprise-dev health is Progressing',
    '11-23T10:00:51 gate #2 merge: failure: Application argocd/redis-enterprise-dev health is Degraded: RedisEnterpriseCluster redis-enterprise/rec status.state is Error',
  ],
  slack: [
    '11-23T09:00:00 slack Step opened: redis-enterprise-database 6.2 -> 7.2 on dev (dev)',
    '11-23T10:00:00 slack Merged: redis-enterprise-database 6.2 -> 7.2 on dev (dev)',
    '11-23T10:00:51 slack Gate failed: redis-enterprise-database 6.2 -> 7.2 on dev (dev)',
  ],
  comments: [
    '11-23T10:00:51 comment #2 cairn-bot: The gate failed on `<sha>`: Application argocd/redis-enterprise-dev health is Degraded: RedisEnterpriseCluster redis-enterprise/rec status.state is Error. The path is stopped.',
  ],
  cluster: [
    '11-23T10:00:05 dev: argocd: Application argocd/redis-enterprise-dev status.sync OutOfSync at <sha>; operationState.phase Running',
    '11-23T10:00:08 dev: argocd: Application argocd/redis-enterprise-dev applied RedisEnterpriseDatabase redis-enterprise/orders',
    '11-23T10:00:09 dev: redis-enterprise: RedisEnterpriseDatabase redis-enterprise/orders status.status active-change-pending',
    '11-23T10:00:12 dev: argocd: Application argocd/redis-enterprise-dev operationState.phase Succeeded; status.sync Synced at <sha>',
    '11-23T10:00:12 dev: argocd: Application argocd/redis-enterprise-dev status.health Progressing (RedisEnterpriseDatabase redis-enterprise/orders: status.observedGeneration 1 is behind metadata.generation 2)',
    '11-23T10:00:31 dev: redis-enterprise: RedisEnterpriseDatabase redis-enterprise/orders REC rec status.state Error (shard upgrade to 7.2 failed)',
    '11-23T10:00:31 dev: argocd: Application argocd/redis-enterprise-dev status.health Degraded (RedisEnterpriseCluster redis-enterprise/rec status.state is Error)',
  ],
  slackFailure: [
    'Gate failed: redis-enterprise-database 6.2 -> 7.2 on dev (dev)',
    '*redis-enterprise-database 6.2 -&gt; 7.2 on dev (dev)*\nFile: `clusters/dev/redis-enterprise/redb.yaml`\nPull request: <<github>/fleet/gitops/pull/2|#2>\nStep: `redis-enterprise-database-7.2-<sha>`\n*Why:* Application argocd/redis-enterprise-dev health is Degraded: RedisEnterpriseCluster redis-enterprise/rec status.state is Error',
    '❌ *Argo CD / Flux reports a revision that contains the merge commit*: Application argocd/redis-enterprise-dev health is Degraded: RedisEnterpriseCluster redis-enterprise/rec status.state is Error\n❔ *RedisEnterpriseDatabase status.status is active and the spec is fully acted upon (redisVersion 7.2)*: RedisEnterpriseDatabase redis-enterprise/orders: status.observedGeneration 1 is behind metadata.generation 2',
    'The next step stays gated until this one is healthy.',
  ],
  reverts: 0,
  advice: [
    'The gate failed on `<sha>`: Application argocd/redis-enterprise-dev health is Degraded: RedisEnterpriseCluster redis-enterprise/rec status.state is Error. The path is stopped.\n\n**Do not revert this pull request.** 7.2 may have written data that 6.2 cannot load (the RDB format was raised), so rolling back means restoring the backup taken before #2 (this step records no backup pre-step: find it by hand), then setting the version back by hand. cairn opens no revert for it.',
  ],
};
