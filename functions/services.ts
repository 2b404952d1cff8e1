// What a handler needs, built once per environment from its variables (lib/config.ts)
// and the runtime's adapters: the store, the clock, the GitHub provider per repository,
// the catalog, the logger, the metrics. A runtime (Worker, Node, a test) passes a
// `Runtime`; nothing here reads the process, the disk or the clock itself.
import type { ApprovalAck, DeliveredApproval } from '../lib/agent/index.ts';
import type { Catalog } from '../lib/catalog/schema.ts';
import { type Env, loadConfig, secretValues } from '../lib/config.ts';
import { PreconditionError } from '../lib/errors.ts';
import type { FetchFn } from '../lib/feeds/http.ts';
import type { ClusterReading } from '../lib/gate/types.ts';
import {
  type GitHubAuth,
  type GitHubOptions,
  type GitHubProvider,
  githubProvider,
} from '../lib/git/github.ts';
import { writePacer } from '../lib/git/pacer.ts';
import { createLogger, type Logger } from '../lib/log.ts';
import type { Step } from '../lib/planner/types.ts';
import type { Clock, Store } from '../lib/store/index.ts';
import { shippedCatalog } from './catalog.ts';
import type { Metrics } from './metrics.ts';
import type { WorkQueue } from './work.ts';

export interface Repository {
  owner: string;
  repo: string;
  /** `owner/repo`, lower case, for matching webhook payloads. */
  slug: string;
}

export interface Runtime {
  /** The store for these variables (Node: CAIRN_STORE; Workers: the Durable Object binding). */
  store(env: Env, raw: Record<string, unknown>): Store;
  clock: Clock;
  /** `fetch` for feed sources (default: the global one). */
  fetch?: FetchFn;
  /** Waits (Slack's pacing); default setTimeout. Tests pass one that does not wait. */
  sleep?: (ms: number) => Promise<void>;
  /** Where log lines go (default: console.log). */
  write?: (line: string) => void;
  catalog?: () => Catalog;
  /** The all-in-one Node deployment reads the cluster directly; otherwise the agent's snapshots count. */
  readCluster?: (step: Step) => Promise<ClusterReading | undefined>;
  /**
   * The all-in-one deployment sets the approval annotation itself (no agent to deliver it
   * to): what it did, or a throw when the cluster could not be reached (retried next run).
   */
  approve?: (approval: DeliveredApproval) => Promise<ApprovalAck>;
  /** Extra GitHub provider options (tests: no write spacing). */
  github?: Partial<Pick<GitHubOptions, 'writeSpacing' | 'retryAfterUnitMs' | 'fetch'>>;
  /** Unique per process or isolate: lock holder ids are built from it. */
  instance: string;
  /**
   * Where a webhook's work runs. `queue` (what `cairn serve` uses; the Worker does not yet, see functions/worker.ts): the
   * delivery is answered 202 once its work is recorded, and the work runs after the answer,
   * coalesced per repository (./work.ts). `inline` (the default): the answer waits for the
   * work and reports it (tests that assert what one delivery did).
   */
  work?: 'inline' | 'queue';
  /**
   * How many repositories keep their last scan and plan in memory between reconciles, so
   * a push that pins nothing new re-plans in milliseconds (lib/targets/scan-memo.ts,
   * lib/planner/memo.ts). `cairn serve`: 8. Default 0: each reconcile plans from the
   * store's scan cache (a Worker isolate has 128 MB).
   */
  keepPlans?: number;
}

export interface Services {
  config: Env;
  /** Every webhook secret accepted now (the current one first). */
  webhookSecrets: string[];
  store: Store;
  clock: Clock;
  now: () => Date;
  catalog: Catalog;
  log: Logger;
  metrics: Metrics;
  repositories: Repository[];
  host(repo: Repository): GitHubProvider;
  runtime: Runtime;
  /** The work queue, when the runtime queues webhook work (`Runtime.work`). */
  work?: WorkQueue;
}

export function parseRepositories(text: string | undefined): Repository[] {
  if (!text) return [];
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [owner, repo] = s.split('/') as [string, string];
      return { owner, repo, slug: `${owner}/${repo}`.toLowerCase() };
    });
}

function githubAuth(env: Env): GitHubAuth | undefined {
  if (env.GITHUB_TOKEN) return { token: env.GITHUB_TOKEN };
  if (env.CAIRN_GITHUB_APP_ID && env.CAIRN_GITHUB_APP_PRIVATE_KEY && env.CAIRN_GITHUB_APP_INSTALLATION_ID)
    return {
      appId: env.CAIRN_GITHUB_APP_ID,
      privateKey: env.CAIRN_GITHUB_APP_PRIVATE_KEY.replace(/\\n/g, '\n'),
      installationId: env.CAIRN_GITHUB_APP_INSTALLATION_ID,
    };
  return undefined;
}

/** Only the string variables: a Worker's env also holds bindings. */
export function stringVariables(raw: Record<string, unknown>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * Validates the variables and builds the services. Throws (a named error, naming the
 * variable) when they are bad or when no webhook secret is set: cairn refuses to start
 * rather than accept unsigned deliveries.
 */
export function buildServices(raw: Record<string, unknown>, runtime: Runtime, metrics: Metrics): Services {
  const config = loadConfig(stringVariables(raw));
  if (!config.GITHUB_WEBHOOK_SECRET)
    throw new PreconditionError(
      'GITHUB_WEBHOOK_SECRET is not set: cairn does not start without a webhook secret',
    );
  const auth = githubAuth(config);
  const log = createLogger(
    {
      level: config.CAIRN_LOG_LEVEL,
      format: config.CAIRN_LOG_FORMAT ?? 'json',
      write: runtime.write ?? ((line) => console.log(line)),
      secrets: secretValues(config),
      now: () => new Date(runtime.clock.now()),
    },
    { service: 'cairn' },
  );
  const store = runtime.store(config, raw);
  const hosts = new Map<string, GitHubProvider>();
  // One pacer for every repository: GitHub counts content writes per installation.
  const pacer = writePacer({
    now: () => runtime.clock.now(),
    sleep: runtime.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
  });
  return {
    config,
    webhookSecrets: [config.GITHUB_WEBHOOK_SECRET, config.CAIRN_GITHUB_WEBHOOK_SECRET_PREVIOUS].filter(
      (s): s is string => !!s,
    ),
    store,
    clock: runtime.clock,
    now: () => new Date(runtime.clock.now()),
    catalog: (runtime.catalog ?? shippedCatalog)(),
    log,
    metrics,
    repositories: parseRepositories(config.CAIRN_REPOSITORIES),
    runtime,
    host(r) {
      let h = hosts.get(r.slug);
      if (h) return h;
      if (!auth)
        throw new PreconditionError(
          'no GitHub credentials: set GITHUB_TOKEN, or CAIRN_GITHUB_APP_ID, CAIRN_GITHUB_APP_PRIVATE_KEY and CAIRN_GITHUB_APP_INSTALLATION_ID',
        );
      h = githubProvider({
        owner: r.owner,
        repo: r.repo,
        auth,
        ...(config.GITHUB_API_URL ? { baseUrl: config.GITHUB_API_URL } : {}),
        clock: runtime.clock,
        cache: store,
        log,
        pacer,
        ...runtime.github,
      });
      // The rate limit left, as GitHub reports it on every answer.
      h.octokit.hook.after('request', (res) => {
        const remaining = res.headers['x-ratelimit-remaining'];
        if (remaining !== undefined)
          metrics.set(
            'cairn_github_rate_limit_remaining',
            { resource: String(res.headers['x-ratelimit-resource'] ?? 'core') },
            Number(remaining),
          );
      });
      hosts.set(r.slug, h);
      return h;
    },
  };
}
