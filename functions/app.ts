// The one Hono app: every runtime mounts its `fetch` (functions/worker.ts on Workers,
// functions/node.ts under `cairn serve`, `app.request(path, init, env)` in tests). The
// third argument is the environment: a Worker's `env`, or `process.env` on Node. The
// services are built from it once (and again only for a different env object).
import { Hono } from 'hono';
import type { Context } from 'hono';
import { handleDashboard } from './dashboard/index.ts';
import { handleGithubWebhook, type WebhookAnswer } from './github.ts';
import { handleAgent, handleArgocd, handleFlux, handleRegistry } from './hints.ts';
import { Metrics } from './metrics.ts';
import { buildServices, type Runtime, type Services } from './services.ts';
import { handleSlack } from './slack.ts';
import { readStatus, runJob } from './use-cases.ts';
import { tokenMatches } from './verify.ts';
import { workQueue } from './work.ts';

type Env = { Bindings: Record<string, unknown> };

export interface CairnApp {
  app: Hono<Env>;
  metrics: Metrics;
  /** The services for an environment; throws the configuration error when it is unusable. */
  services(env: Record<string, unknown>): Services;
  /** Requests being handled now (graceful shutdown waits for 0). */
  inFlight(): number;
  /** Stop taking work: new requests get 503 (health checks still answer). */
  drain(): void;
}

export function createApp(runtime: Runtime): CairnApp {
  const metrics = new Metrics();
  const built = new WeakMap<object, Services | Error>();
  let inFlight = 0;
  let draining = false;
  const services = (env: Record<string, unknown>): Services => {
    let s = built.get(env);
    if (!s) {
      try {
        s = buildServices(env, runtime, metrics);
        if (runtime.work === 'queue') {
          const built = s;
          built.work = workQueue({
            run: (job) => runJob(built, job),
            store: built.store,
            sleep: runtime.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
            log: built.log,
            metrics,
            instance: runtime.instance,
          });
        }
      } catch (e) {
        s = e as Error;
      }
      built.set(env, s);
    }
    if (s instanceof Error) throw s;
    return s;
  };
  const app = new Hono<Env>();
  const envOf = (c: Context<Env>) => (c.env && typeof c.env === 'object' ? c.env : {});

  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', async (c) => {
    if (draining) return c.json({ ready: false, reason: 'shutting down' }, 503);
    try {
      const s = services(envOf(c));
      await s.store.get('functions:readyz');
      return c.json({ ready: true, repositories: s.repositories.length });
    } catch (e) {
      return c.json({ ready: false, reason: (e as Error).message }, 503);
    }
  });
  app.get('/metrics', (c) =>
    c.text(metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
  );

  // Everything else needs usable services, and is refused while draining.
  app.use('*', async (c, next) => {
    if (draining) return c.json({ error: 'shutting down' }, 503);
    try {
      services(envOf(c));
    } catch (e) {
      return c.json({ error: `cairn is not configured: ${(e as Error).message}` }, 503);
    }
    inFlight++;
    try {
      await next();
    } finally {
      inFlight--;
    }
  });

  const answer = (c: Context<Env>, a: WebhookAnswer) => {
    // Queued work runs after the answer; where the runtime has an execution context (a
    // Worker), it is told to wait for it. On Node the process does; nothing to tell.
    if (a.after) {
      let ctx: { waitUntil(p: Promise<unknown>): void } | undefined;
      try {
        ctx = c.executionCtx;
      } catch {
        ctx = undefined; // no execution context: Node, or app.request in a test
      }
      ctx?.waitUntil(a.after);
    }
    return c.json(a.body, a.status as 200);
  };
  const webhook =
    (handler: (s: Services, req: Request) => Promise<WebhookAnswer>) => async (c: Context<Env>) => {
      const s = services(envOf(c));
      try {
        return answer(c, await handler(s, c.req.raw));
      } catch (e) {
        s.log.error('webhook failed', { path: c.req.path, error: e });
        return c.json({ error: 'handling failed' }, 500);
      }
    };
  app.post('/webhooks/github', webhook(handleGithubWebhook));
  app.post('/webhooks/flux', webhook(handleFlux));
  app.post('/webhooks/argocd', webhook(handleArgocd));
  app.post('/webhooks/agent', webhook(handleAgent));
  app.post('/webhooks/registry', webhook(handleRegistry));
  app.post('/webhooks/slack', webhook(handleSlack));

  // Read-only verdicts, for a bearer of CAIRN_STATUS_TOKEN (no token set: nobody).
  const authorised = async (c: Context<Env>) => {
    const token = services(envOf(c)).config.CAIRN_STATUS_TOKEN;
    const header = c.req.header('authorization') ?? '';
    return !!token && header.startsWith('Bearer ') && (await tokenMatches(header.slice(7), token));
  };
  const CLUSTER = /^[A-Za-z0-9._-]{1,128}$/;
  app.get('/status/:cluster', async (c) => {
    if (!(await authorised(c))) return c.json({ error: 'unauthenticated' }, 401);
    const cluster = c.req.param('cluster');
    if (!CLUSTER.test(cluster)) return c.json({ error: 'bad cluster name' }, 400);
    const steps = await readStatus(services(envOf(c)), cluster);
    return c.json({ cluster, steps: Object.values(steps) });
  });
  app.get('/status/:cluster/:step', async (c) => {
    if (!(await authorised(c))) return c.json({ error: 'unauthenticated' }, 401);
    const cluster = c.req.param('cluster');
    if (!CLUSTER.test(cluster)) return c.json({ error: 'bad cluster name' }, 400);
    const rec = (await readStatus(services(envOf(c)), cluster))[c.req.param('step')];
    return rec ? c.json(rec) : c.json({ error: 'no verdict for that step' }, 404);
  });

  // The fleet dashboard, for a holder of CAIRN_DASHBOARD_TOKEN (no token set: nobody).
  app.get('/', (c) => handleDashboard(services(envOf(c)), c.req.raw));
  app.post('/', (c) => handleDashboard(services(envOf(c)), c.req.raw));

  app.notFound((c) => c.json({ error: 'not found' }, 404));
  return {
    app,
    metrics,
    services,
    inFlight: () => inFlight,
    drain: () => {
      draining = true;
    },
  };
}
