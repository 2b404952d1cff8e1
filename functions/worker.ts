// The Cloudflare Workers adapter: `export default { fetch, scheduled }` over the one app,
// and the Durable Object class that is the store (wrangler.toml binds it as CAIRN_STORE_DO).
// Cluster facts come from the agent's signed pushes (POST /webhooks/agent).
import {
  CairnStoreObject,
  type DurableObjectStubLike,
  durableObjectStore,
} from '../lib/store/durable-object.ts';
import type { Store } from '../lib/store/index.ts';
import { createApp } from './app.ts';
import { runCron } from './cron.ts';

export { CairnStoreObject };

interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: unknown): DurableObjectStubLike;
}

interface ExecutionContextLike {
  waitUntil(p: Promise<unknown>): void;
}

const clock = { now: () => Date.now() };
const stores = new WeakMap<object, Store>();

const cairn = createApp({
  clock,
  // Unique enough: every cron run adds its own random id to the lock holder (no random values at global scope on Workers).
  instance: 'worker',
  // Webhook work is done before the answer here (`work` unset: inline). Queued work run in
  // ctx.waitUntil (functions/work.ts) was tried: in the workerd e2e journey the agent's
  // pushes then failed with "the Worker's code had hung" while a queued job ran. workerd
  // cancels a request that waits on a promise only another request's I/O can settle, and
  // the isolate's GitHub client (its write spacing, the pacer) is shared by all requests.
  // On Workers the queue belongs in a Durable Object that owns the work; not done.
  store: (_config, raw) => {
    const ns = raw.CAIRN_STORE_DO as DurableObjectNamespaceLike | undefined;
    if (!ns) throw new Error('the Durable Object binding CAIRN_STORE_DO is missing (see wrangler.toml)');
    let s = stores.get(ns);
    if (!s) {
      // One object (by name) holds the whole installation's entries: one strongly consistent
      // writer. A stub is I/O of the request that made it, so each call gets a fresh one.
      const id = ns.idFromName('cairn');
      s = durableObjectStore({ fetch: (input, init) => ns.get(id).fetch(input, init) }, clock);
      stores.set(ns, s);
    }
    return s;
  },
});

export default {
  fetch: (request: Request, env: Record<string, unknown>, ctx: ExecutionContextLike) =>
    cairn.app.fetch(request, env, ctx as never),
  scheduled(_controller: unknown, env: Record<string, unknown>, ctx: ExecutionContextLike): void {
    ctx.waitUntil(runCron(cairn.services(env), crypto.randomUUID()));
  },
};
