// test/e2e: end-to-end journeys (issue 16). The real cairn service runs against simulated
// surroundings on one virtual clock, and a journey asserts the exact sequence of what a
// platform team would see: PRs opened and merged, `cairn/gate` statuses, Slack messages,
// cluster changes. docs/e2e.md is the guide; this header is the API.
//
// A world (world.ts, `startWorld(options)`):
//   example        a folder of examples/ copied into a real git repository (GitHub test
//                  server, `fleet/gitops`), with `files` edits (path → text, null deletes)
//   clusters       one Kubernetes test server per cluster, each watched by the real
//                  `ClusterAgent` loop (lib/node/agent.ts) over @kubernetes/client-node,
//                  pushing signed snapshots and heartbeats to the service over HTTP
//   applier        a `GitOpsApplier` (sims/types.ts): sims/flux.ts is Flux; an Argo CD one
//                  implements the same four methods (seed, render, onRevision)
//   operators      `OperatorSim`s, one per product (sims/howl.ts is howl-cloud): seed the
//                  live objects, react to `applied` specs with the product's phases, `tick`
//                  after every event (to see an annotation or a backup), say `ready`
//   resources      what the agents watch (fewer is faster)
//   start          the virtual start; cronEveryMs the cron trigger's period
//   remote         run the service elsewhere (the Worker in workerd: worker.ts)
// The service is the Hono app of functions/ (createApp) served by @hono/node-server, with
// a memory store on the virtual clock; Slack is a captured incoming webhook (world.slack).
//
// Driving it: `world.advance(ms)`, `world.step(limit)`, `world.until(what, done, maxMs)`
// run simulator events, agent timers and cron runs in virtual-time order, and after each
// one `settle()` waits until every agent has pushed what its cluster holds, so runs are
// deterministic. People: `merge(pr)` (the merge on GitHub, then signed pull_request.closed
// and push webhooks, then every cluster's applier sees the commit), `comment(pr, body)`
// (a signed issue_comment from a writer), `kubectlApply(cluster, object)`, `crash()`
// (the service process and its store are dropped; a new one starts empty).
// Observing: `world.timeline` (TimelineEvent: at, kind, text), `world.github` (pulls,
// statuses, comments, log: every request cairn made), `world.clusters.get(name).kube`.
// journeys/reviewer.ts is a reviewer who merges ready steps, takes a backup before a
// major and answers "needs approval" with `/cairn approve`.
import { journey5World } from './journeys/alauda.ts';
import { journey4World, runJourney4 } from './journeys/bitnami-ot.ts';
import { crashPoints, devWorld, runWithCrashes } from './journeys/crash.ts';
import { journey1World, releaseAppears, runJourney1 } from './journeys/journey1.ts';
import { kubedbWorld, runKubedb } from './journeys/kubedb.ts';
import {
  journey2World,
  journey6RestoreWorld,
  journey6RevertWorld,
  runJourney2,
  runUntilFailure,
} from './journeys/redis-enterprise.ts';
import { runWindows, windowsWorld } from './journeys/windows.ts';
import type { World } from './world.ts';
import type { TimelineEvent } from './world.ts';

export interface JourneyRun {
  ok: boolean;
  error?: string;
  githubRequests: number;
}

export interface Journey {
  title: string;
  run(o: { onEvent: (e: TimelineEvent) => void }): Promise<JourneyRun>;
}

async function runIn(world: World, drive: (w: World) => Promise<unknown>): Promise<JourneyRun> {
  try {
    await drive(world);
    return { ok: true, githubRequests: world.githubRequests };
  } catch (e) {
    return { ok: false, error: (e as Error).message, githubRequests: world.githubRequests };
  } finally {
    await world.stop();
  }
}

export const journeys: Record<string, Journey> = {
  journey1: {
    title: 'journey 1: howl-cloud on Flux, dev → staging → production (from the releases appearing)',
    run: async ({ onEvent }) => {
      const { world, feed } = await journey1World({ onEvent });
      return runIn(world, async (w) => {
        await releaseAppears(w, feed);
        await runJourney1(w);
      });
    },
  },
  journey2: {
    title: 'journey 2: Redis Enterprise on Argo CD, a goal blocked on Kubernetes until it is upgraded',
    run: async ({ onEvent }) => runIn(await journey2World({ onEvent }), runJourney2),
  },
  journey3: {
    title: 'journey 3: KubeDB on Argo CD, ops requests on the updateConstraints path, each recorded in Git',
    run: async ({ onEvent }) => runIn(await kubedbWorld({ onEvent }), (w) => runKubedb(w)),
  },
  journey4: {
    title: 'journey 4: the Bitnami chart and OT-Container-Kit on Argo CD',
    run: async ({ onEvent }) => runIn(await journey4World({ onEvent }), runJourney4),
  },
  journey5: {
    title: 'journey 5: Alauda through an OLM Subscription with manual approval',
    run: async ({ onEvent }) => {
      const j = await journey5World({ onEvent });
      return runIn(j.world, () => j.run());
    },
  },
  journey6: {
    title: 'journey 6: failure, the RDB format kept: the gate fails and a revert PR opens',
    run: async ({ onEvent }) =>
      runIn(await journey6RevertWorld({ onEvent }), (w) => runUntilFailure(w, 'journey 6 (revert)')),
  },
  journey6b: {
    title: 'journey 6b: failure, the RDB format raised: no revert, restore-from-backup advice',
    run: async ({ onEvent }) =>
      runIn(await journey6RestoreWorld({ onEvent }), (w) => runUntilFailure(w, 'journey 6 (restore)')),
  },
  journey7: {
    title: 'journey 7: a maintenance window across the end of summer time',
    run: async ({ onEvent }) => runIn(await windowsWorld({ onEvent }), (w) => runWindows(w)),
  },
  journey8: {
    title: 'journey 8: dev, the service killed at four seeded points (seed 1)',
    run: async ({ onEvent }) =>
      runIn(await devWorld({ onEvent }), (w) => runWithCrashes(w, crashPoints(1, 4, 60))),
  },
};

export { startWorld, World, type TimelineEvent, type WorldOptions } from './world.ts';
export type { GitOpsApplier, OperatorSim, RevisionFiles, SimContext } from './sims/types.ts';
