// Journey 3 (issue 16): KubeDB on Argo CD, the whole path (journeys/kubedb.ts):
// each hop of the updateConstraints allowlist a RedisOpsRequest in Git, proven
// Successful and Ready, then recorded in Git (spec.version, the request removed)
// in its own PR before the next hop's request opens; dev first, then staging.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { World } from './world.ts';
import { expectSeen, recordFigures, traceEvent } from './journeys/figures.ts';
import { gitState, KUBEDB_ENVS, kubedbGoal, kubedbSeen, kubedbWorld, runKubedb } from './journeys/kubedb.ts';
import { DAY } from './journeys/argocd-fleet.ts';

let world: World;
let started = 0;
beforeAll(async () => {
  started = Date.now();
  world = await kubedbWorld({ onEvent: traceEvent });
}, 60_000);
afterAll(async () => world?.stop());

describe('journey 3: KubeDB on Argo CD', () => {
  it('each allowed hop a RedisOpsRequest, proven Successful and Ready, then recorded in Git; the path completes in dev and staging', async () => {
    await runKubedb(world);
    // Nothing else opens once the path is done (8.2.2 stays out of reach).
    await world.advance(DAY);
    expect(world.openSteps()).toEqual([]);
    for (const env of KUBEDB_ENVS)
      expect(gitState(world, env)).toEqual({ version: kubedbGoal, requests: [] });
    recordFigures('journey 3: KubeDB on Argo CD', Date.now() - started, world.githubRequests);
    expectSeen('journey3', 'kubedb', kubedbSeen(world));
  }, 120_000);
});
