// The service as the Worker build in real workerd (`wrangler dev`, local mode, the
// repository's wrangler.toml and its Durable Object store), for `WorldOptions.remote`.
// workerd keeps its own (real) clock, so a world on it starts at the real time and only
// short journeys fit: the agents' signatures allow 5 minutes of skew.
import { startWranglerDev, type WranglerDev } from '../support/wrangler.ts';
import type { RemoteService } from './world.ts';

export { canRunWorkerd } from '../support/wrangler.ts';

export function workerd(): RemoteService & { output(): string } {
  let dev: WranglerDev | undefined;
  return {
    output: () => dev?.output() ?? '',
    async start(vars) {
      dev = await startWranglerDev(vars, { testScheduled: true });
      return { url: dev.url };
    },
    async cron(url) {
      const res = await fetch(`${url}/__scheduled?cron=${encodeURIComponent('*/5 * * * *')}`);
      if (!res.ok) throw new Error(`__scheduled: ${res.status}`);
    },
    async stop() {
      await dev?.stop();
    },
  };
}
