// The Node adapter (`cairn serve`): the app on @hono/node-server, the cron function on
// node-cron, the store CAIRN_STORE names (SQLite by default), and, when the process runs
// with Kubernetes credentials (KUBECONFIG, or in a cluster), the gate reads the cluster
// directly instead of waiting for agent snapshots, and sets the approval annotation itself. `close()` is the graceful shutdown:
// stop taking work, let the handler in flight finish, stop cron between repositories
// and release its lock, let the queued job running finish (what waits stays recorded in
// the store and is queued again at the next start), then close the store. Webhooks are
// answered 202 once their work is queued (functions/work.ts).
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { serve, type ServerType } from '@hono/node-server';
import cron from 'node-cron';
import { ensurePrimaryUpdateApproved } from '../lib/cluster/approve.ts';
import { readForStep } from '../lib/cluster/reader.ts';
import { KubeApiError, type KubeTransport } from '../lib/cluster/transport.ts';
import { ValidationError } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import { systemClock } from '../lib/node/clock.ts';
import { openStore } from '../lib/node/store-open.ts';
import { type ClosableStore, memoryStore } from '../lib/store/index.ts';
import { createApp } from './app.ts';
import { type CronResult, runCron } from './cron.ts';
import type { Runtime } from './services.ts';
import { workKeys } from './use-cases.ts';

export interface NodeServerOptions {
  port: number;
  host?: string;
  env: Record<string, string | undefined>;
  cwd: string;
  log: Logger;
  /** Schedule the cron function (default true). */
  cron?: boolean;
}

export interface NodeServer {
  url: string;
  port: number;
  /** Runs the cron function now (as a trigger would). */
  runCron(): Promise<CronResult>;
  close(): Promise<void>;
}

/**
 * The all-in-one deployment's own cluster access: direct reads for the gate, and the
 * approval annotation set once per approval (as the agent does; lib/cluster/approve.ts).
 */
export function directCluster(
  transport: KubeTransport,
  clock = systemClock,
): Required<Pick<Runtime, 'readCluster' | 'approve'>> {
  const used = memoryStore(clock);
  return {
    readCluster: (step) => readForStep(transport, step, () => new Date(clock.now())),
    approve: async (a) => {
      try {
        return { id: a.id, outcome: await ensurePrimaryUpdateApproved(transport, used, a.target, a.id) };
      } catch (e) {
        if (e instanceof KubeApiError && e.kind === 'forbidden')
          return { id: a.id, outcome: 'forbidden', message: e.message };
        throw e;
      }
    },
  };
}

/** Kubernetes credentials when the process has any: the all-in-one deployment reads the cluster itself. */
async function clusterAccess(
  env: Record<string, string | undefined>,
): Promise<ReturnType<typeof directCluster> | undefined> {
  if (!env.KUBECONFIG && !env.KUBERNETES_SERVICE_HOST) return undefined;
  const { kubeTransport, loadKubeConfig } = await import('../lib/node/kube-client.ts');
  return directCluster(kubeTransport(loadKubeConfig({})));
}

export async function startNodeServer(opts: NodeServerOptions): Promise<NodeServer> {
  let store: ClosableStore | undefined;
  const runtime: Runtime = {
    store: (config) => (store ??= openStore(config.CAIRN_STORE, { cwd: opts.cwd })),
    clock: systemClock,
    instance: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    write: (line) => process.stderr.write(`${line}\n`),
    // Webhooks answer 202 at once; their work is queued and coalesced (functions/work.ts).
    work: 'queue',
    // The last scan and plan of the 8 repositories reconciled most recently stay in memory.
    keepPlans: 8,
  };
  const direct = await clusterAccess(opts.env);
  if (direct) Object.assign(runtime, direct);
  const cairn = createApp(runtime);
  // Refuses to start on a bad environment or without a webhook secret.
  const services = cairn.services(opts.env);
  if (opts.cron !== false && !cron.validate(services.config.CAIRN_CRON))
    throw new ValidationError([
      {
        file: 'environment',
        field: 'CAIRN_CRON',
        message: `"${services.config.CAIRN_CRON}" is not a cron expression`,
      },
    ]);

  let stopping = false;
  let running: Promise<CronResult> | undefined;
  const cronNow = (): Promise<CronResult> => {
    if (running) return running;
    const run = runCron(services, randomUUID(), () => stopping).finally(() => {
      running = undefined;
    });
    running = run;
    return run;
  };
  const task =
    opts.cron === false
      ? undefined
      : cron.schedule(services.config.CAIRN_CRON, () => void cronNow().catch(() => undefined), {
          noOverlap: true,
        });

  // Work a previous process recorded and did not finish is queued again.
  await services.work?.recover(workKeys(services));

  const server: ServerType = await new Promise((resolve) => {
    const s = serve(
      { fetch: (req) => cairn.app.fetch(req, opts.env), port: opts.port, hostname: opts.host ?? '0.0.0.0' },
      () => resolve(s),
    );
  });
  const port = (server.address() as AddressInfo).port;
  const shown = opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1';
  return {
    url: `http://${shown}:${port}`,
    port,
    runCron: cronNow,
    async close() {
      stopping = true;
      cairn.drain();
      await task?.stop();
      await running?.catch(() => undefined);
      while (cairn.inFlight() > 0) await new Promise((r) => setTimeout(r, 20));
      // The job running ends; what waits stays recorded for the next start.
      await services.work?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store?.close();
      opts.log.info('serve: stopped');
    },
  };
}
