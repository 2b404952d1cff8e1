// Journey 6 (issue 16): failure (journeys/redis-enterprise.ts). Redis Enterprise
// on Argo CD, the operator degrading mid-rollout, twice:
// - a REC build catch-up (7.4.6-77 -> 7.4.6-102, the RDB format unchanged):
//   the gate fails, the path stops, Slack shows the evidence, and cairn opens
//   a revert PR;
// - a REDB 6.2 -> 7.2 (the RDB format raised): the gate fails the same way,
//   and cairn opens no revert but advises restoring the backup.
import { afterAll, describe, it } from 'vitest';
import type { World } from './world.ts';
import { journey6RestoreWorld, journey6RevertWorld, runUntilFailure } from './journeys/redis-enterprise.ts';
import {
  commentBodies,
  expectSeen,
  journeyLines,
  recordFigures,
  slackTexts,
  traceEvent,
} from './journeys/figures.ts';

describe('journey 6: failure', () => {
  let world: World | undefined;
  afterAll(async () => world?.stop());

  it('the RDB format did not change: the gate fails with the evidence and a revert PR opens', async () => {
    const t0 = Date.now();
    world = await journey6RevertWorld({ onEvent: traceEvent });
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
    expectSeen('journey6', 'revert', seen);
  }, 60_000);

  it('the RDB format did change: the gate fails the same way, no revert, restore-from-backup advice instead', async () => {
    await world?.stop();
    const t0 = Date.now();
    world = await journey6RestoreWorld({ onEvent: traceEvent });
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
    expectSeen('journey6', 'restore', seen);
  }, 60_000);
});
