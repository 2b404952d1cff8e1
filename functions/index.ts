// The functions: one Hono app (`app.ts`) with the webhook routes (`github.ts`, `hints.ts`),
// the status API and health/metrics, and the cron entry (`cron.ts`), all thin over lib/
// through the use cases in `use-cases.ts`. Runtimes mount it through tiny adapters:
// `worker.ts` (Cloudflare Workers: fetch, scheduled, the Durable Object store) and
// `node.ts` (`cairn serve`: @hono/node-server, node-cron, SQLite by default). Nothing
// here but `node.ts` imports a Node built-in. See docs/functions.md.
export { type CairnApp, createApp } from './app.ts';
export { type CronResult, runCron } from './cron.ts';
export { Metrics } from './metrics.ts';
export { buildServices, type Runtime, type Services } from './services.ts';
