// A world: the real cairn service (the Hono app of functions/, served over HTTP on
// Node, or the Worker build in workerd) with everything around it simulated: the
// GitHub-compatible test server holding a real git repository made from an example,
// one Kubernetes-compatible test server per cluster with the real `cairn agent` loop
// watching it, a GitOps applier, an operator simulator per product, a captured Slack
// endpoint, and one virtual clock for all of it. See index.ts for the API.
import { createHmac } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../../functions/app.ts';
import { runCron } from '../../functions/cron.ts';
import type { Runtime } from '../../functions/services.ts';
import type { KubeObject } from '../../lib/cluster-state.ts';
import type { ClusterWatcher } from '../../lib/cluster/reader.ts';
import type { ResourceType } from '../../lib/cluster/resources.ts';
import { stepFromPullRequestBody } from '../../lib/render/pull-request.ts';
import { ClusterAgent, httpPush } from '../../lib/node/agent.ts';
import { kubeTransport, loadKubeConfig } from '../../lib/node/kube-client.ts';
import { memoryStore, type Store } from '../../lib/store/index.ts';
import { repoRoot } from '../support/fixtures.ts';
import { type GitHubTestServer, startGitHubServer } from '../support/github-server/index.ts';
import { startKubeServer, type KubeTestServer } from '../support/kube-server/index.ts';
import { VirtualClock } from './clock.ts';
import { applyObjects } from './sims/flux.ts';
import type { GitOpsApplier, OperatorSim, RevisionFiles, SimContext } from './sims/types.ts';

export const WEBHOOK_SECRET = 'e2e-webhook-secret-000001';
export const AGENT_SECRET = 'e2e-agent-secret-0000001';
export const STATUS_TOKEN = 'e2e-status-token-000001';
export const DASHBOARD_TOKEN = 'e2e-dashboard-token-000001';
/** The agents' debounce: changes within 20 s of virtual time go out as one snapshot. */
const DEBOUNCE_MS = 20_000;
/** The agents' own heartbeat timer never fires: the world sends each heartbeat before a cron run. */
const HEARTBEAT_NEVER = 10 * 365 * 86_400_000;
const HEARTBEATS = 'agents: heartbeat';

export type EventKind =
  | 'human'
  | 'pr-opened'
  | 'pr-updated'
  | 'pr-merged'
  | 'pr-closed'
  | 'gate'
  | 'slack'
  | 'comment'
  | 'cluster'
  | 'service'
  | 'cron'
  /** A release published upstream (a feed the service reads now lists it). */
  | 'release';

export interface TimelineEvent {
  /** Virtual time, ISO. */
  at: string;
  kind: EventKind;
  text: string;
  /** The PR concerned, when there is one. */
  pr?: number;
}

export interface ClusterSpec {
  /** The cluster's name in the policy. */
  name: string;
  /** Kubelet version of its one Node. */
  kubelet?: string;
}

export interface WorldOptions {
  /** A folder of examples/ (relative to the repository root) the repository starts from. */
  example: string;
  /** Edits to that copy before its first commit: path → new text, or null to delete the file. */
  files?: Record<string, string | null>;
  clusters: ClusterSpec[];
  applier: GitOpsApplier;
  operators: OperatorSim[];
  /** Virtual start time (ISO or epoch ms). */
  start: string | number;
  /** The cron trigger's period in virtual time (default 30 minutes). */
  cronEveryMs?: number;
  /** The agents' debounce in virtual time (default 20 s). */
  debounceMs?: number;
  /**
   * Virtual time never runs ahead of the real clock (the world waits for it): for a
   * service that reads the real clock itself (workerd). Use short simulator delays.
   */
  realTime?: boolean;
  /** What the agents watch and read (default: every resource cairn reads); fewer is faster. */
  resources?: readonly ResourceType[];
  /** Logins with write permission on the repository (default `alice`). */
  writers?: string[];
  /** Extra service variables. */
  env?: Record<string, string>;
  /** Called with each timeline event as it happens (the `npm run e2e` printer). */
  onEvent?: (e: TimelineEvent) => void;
  /**
   * Where cairn runs: in this process (default), or a service started elsewhere (the Worker
   * in workerd) reached at `url`; `cron()` then asks it to run its scheduled handler.
   */
  remote?: RemoteService;
}

export interface RemoteService {
  start(vars: Record<string, string>): Promise<{ url: string }>;
  cron(url: string): Promise<void>;
  stop(): Promise<void>;
}

interface ClusterHandle {
  spec: ClusterSpec;
  kube: KubeTestServer;
  agent: ClusterAgent;
  ctx: SimContext;
}

interface Scheduled {
  at: number;
  seq: number;
  what: string;
  fn: () => void;
}

interface LocalService {
  store: Store;
  cron(): Promise<unknown>;
  fetch(req: Request): Response | Promise<Response>;
  logs: string[];
}

/** The files of a commit in the test server's bare repository. */
function revision(github: GitHubTestServer, commit: string): RevisionFiles {
  const all = github.git(['ls-tree', '-r', '--name-only', commit]).split('\n').filter(Boolean).sort();
  const cache = new Map<string, string | undefined>();
  return {
    commit,
    list: (dir) => all.filter((p) => p.startsWith(`${dir.replace(/\/$/, '')}/`)),
    read(path) {
      if (!cache.has(path))
        cache.set(path, all.includes(path) ? github.git(['show', `${commit}:${path}`]) : undefined);
      return cache.get(path);
    },
  };
}

const sign = (body: string, secret: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function objectSig(o: KubeObject): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}@${o.metadata?.resourceVersion ?? ''}`;
}

export class World {
  readonly clock: VirtualClock;
  readonly timeline: TimelineEvent[] = [];
  readonly clusters = new Map<string, ClusterHandle>();
  github!: GitHubTestServer;
  /** Slack messages as posted (the captured incoming webhook). */
  readonly slack: { text?: string; blocks?: unknown[] }[] = [];
  /** How many service processes have run (a crash starts the next one). */
  generation = 0;
  private readonly opts: WorldOptions;
  private queue: Scheduled[] = [];
  private seq = 0;
  private nextCron: number;
  private slackServer?: Server;
  private front?: ServerType;
  private url = '';
  private service?: LocalService;
  private env: Record<string, string> = {};
  private seenPulls = new Map<number, string>();
  private seenStatuses = new Map<string, number>();
  private seenComments = 0;
  private seenSlack = 0;
  private comments = 0;
  private deliveries = 0;
  private readonly tmp: string[] = [];
  private readonly stoppers: (() => Promise<void>)[] = [];
  /** Real milliseconds spent inside cairn's cron function. */
  cronWallMs = 0;
  pushWallMs = 0;
  pushes = 0;

  constructor(opts: WorldOptions) {
    this.opts = opts;
    const start = typeof opts.start === 'number' ? opts.start : Date.parse(opts.start);
    this.clock = new VirtualClock(start);
    this.nextCron = start;
  }

  get debounceMs(): number {
    return this.opts.debounceMs ?? DEBOUNCE_MS;
  }

  /** With `realTime`, waits (really) until the real clock reaches virtual instant `t`. */
  private async pace(t: number): Promise<void> {
    if (this.opts.realTime && t > Date.now()) await new Promise((r) => setTimeout(r, t - Date.now()));
  }

  get cronEveryMs(): number {
    return this.opts.cronEveryMs ?? 30 * 60_000;
  }

  /** Where the service answers (its fleet dashboard is `GET /`, with DASHBOARD_TOKEN). */
  get serviceUrl(): string {
    return this.url;
  }

  /** The GitHub API requests cairn made so far. */
  get githubRequests(): number {
    return this.github.log.length;
  }

  /** Builds everything and starts cairn, the agents and the simulators at the example's first commit. */
  async start(): Promise<this> {
    this.github = await this.repository();
    for (const w of this.opts.writers ?? ['alice']) this.github.permissions.set(w, 'write');
    await this.startSlack();
    this.env = {
      GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
      GITHUB_TOKEN: 'test-token',
      GITHUB_API_URL: this.github.url,
      CAIRN_REPOSITORIES: `${this.github.owner}/${this.github.repo}`,
      CAIRN_STATUS_TOKEN: STATUS_TOKEN,
      CAIRN_DASHBOARD_TOKEN: DASHBOARD_TOKEN,
      CAIRN_AGENT_SECRET: AGENT_SECRET,
      CAIRN_LOG_LEVEL: 'warn',
      SLACK_WEBHOOK_URL: `${this.slackUrl}/services/T0000/B0000/e2e`,
      ...this.opts.env,
    };
    if (this.opts.remote) this.url = (await this.opts.remote.start(this.env)).url;
    else {
      this.service = this.localService();
      this.front = await new Promise<ServerType>((resolve) => {
        const s = serve({ fetch: (req) => this.service!.fetch(req), port: 0, hostname: '127.0.0.1' }, () =>
          resolve(s),
        );
      });
      this.url = `http://127.0.0.1:${(this.front.address() as AddressInfo).port}`;
    }
    const head = this.github.branchSha(this.github.defaultBranch)!;
    const files = revision(this.github, head);
    for (const spec of this.opts.clusters) await this.startCluster(spec, files);
    await this.settle();
    this.observe();
    return this;
  }

  private async repository(): Promise<GitHubTestServer> {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-e2e-repo-'));
    try {
      cpSync(join(repoRoot, this.opts.example), dir, { recursive: true });
      for (const [path, text] of Object.entries(this.opts.files ?? {})) {
        const full = join(dir, path);
        if (text === null) rmSync(full, { force: true, recursive: true });
        else {
          mkdirSync(dirname(full), { recursive: true });
          writeFileSync(full, text);
        }
      }
      const env = {
        ...process.env,
        GIT_AUTHOR_NAME: 'Fleet',
        GIT_AUTHOR_EMAIL: 'fleet@example.com',
        GIT_COMMITTER_NAME: 'Fleet',
        GIT_COMMITTER_EMAIL: 'fleet@example.com',
        GIT_AUTHOR_DATE: '2026-10-01T00:00:00Z',
        GIT_COMMITTER_DATE: '2026-10-01T00:00:00Z',
      };
      const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env, stdio: 'pipe' });
      git('init', '-q', '-b', 'main');
      git('add', '-A');
      git('commit', '-q', '-m', `fleet: ${this.opts.example}`);
      return await startGitHubServer({ seedFrom: dir, owner: 'fleet', repo: 'gitops' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private slackUrl = '';
  private async startSlack(): Promise<void> {
    this.slackServer = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        try {
          this.slack.push(JSON.parse(body) as { text?: string });
        } catch {
          this.slack.push({ text: body });
        }
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((r) => this.slackServer!.listen(0, '127.0.0.1', r));
    this.slackUrl = `http://127.0.0.1:${(this.slackServer.address() as AddressInfo).port}`;
  }

  /** One cairn process: the app with a fresh, empty memory store on the virtual clock. */
  private localService(): LocalService {
    this.generation++;
    const store = memoryStore(this.clock);
    const logs: string[] = [];
    const runtime: Runtime = {
      store: () => store,
      clock: this.clock,
      instance: `e2e-${this.generation}`,
      write: (line) => logs.push(line),
      github: { writeSpacing: 'none', retryAfterUnitMs: 1 },
      sleep: async () => {},
      // Only the world's servers answer; a release feed elsewhere is unreachable (the catalog's releases count).
      fetch: async (url, init) => {
        if (url.startsWith('http://127.0.0.1:')) return fetch(url, init);
        throw new TypeError('fetch failed: no network in the simulation');
      },
    };
    const cairn = createApp(runtime);
    let runs = 0;
    return {
      store,
      logs,
      fetch: (req) => cairn.app.fetch(req, this.env),
      cron: () => runCron(cairn.services(this.env), `cron-${this.generation}-${++runs}`),
    };
  }

  private async startCluster(spec: ClusterSpec, files: RevisionFiles): Promise<void> {
    const kube = await startKubeServer([
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: `${spec.name}-node-a` },
        status: { nodeInfo: { kubeletVersion: spec.kubelet ?? 'v1.30.6' } },
      },
    ]);
    const ctx: SimContext = {
      cluster: spec.name,
      kube,
      after: (delayMs, what, fn) => this.after(delayMs, what, fn),
      record: (text) => this.record('cluster', text),
      now: () => this.clock.date(),
    };
    for (const o of this.opts.applier.seed(ctx, files)) kube.apply(o);
    const rendered = this.opts.applier.render(ctx, files);
    applyObjects(ctx, rendered);
    for (const op of this.opts.operators) for (const o of op.seed(ctx, rendered)) kube.apply(o);
    const owner = `agent:${spec.name}`;
    const agent = new ClusterAgent({
      transport: kubeTransport(loadKubeConfig({ kubeconfigText: kube.kubeconfig() })),
      cluster: spec.name,
      agentId: `agent-${spec.name}`,
      secret: AGENT_SECRET,
      push: async (m) => {
        const t0 = Date.now();
        try {
          return await httpPush(`${this.url}/webhooks/agent`)(m);
        } finally {
          this.pushWallMs += Date.now() - t0;
          this.pushes++;
        }
      },
      clock: () => this.clock.date(),
      sleep: (ms) => this.clock.sleep(ms, owner),
      heartbeatMs: HEARTBEAT_NEVER,
      debounceMs: this.debounceMs,
      ...(this.opts.resources ? { resources: this.opts.resources } : {}),
    });
    this.clusters.set(spec.name, { spec, kube, agent, ctx });
    agent.start();
  }

  // ------------------------------------------------------------------ time

  /** Runs `fn` after `delayMs` of virtual time (simulators use it through their context). */
  after(delayMs: number, what: string, fn: () => void): void {
    this.queue.push({ at: this.clock.now() + delayMs, seq: this.seq++, what, fn });
  }

  /**
   * Lets virtual time pass: every simulator event and cron run due by `now + ms`, in
   * order (events before a cron run at the same instant), each followed by the agents
   * pushing what changed.
   */
  async advance(ms: number): Promise<void> {
    await this.runUntil(this.clock.now() + ms);
  }

  async runUntil(t: number): Promise<void> {
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.queue[0];
      const wake = this.clock.nextDue();
      // Agents' timers (their debounce) first, then simulator events, then the cron trigger.
      if (wake <= t && wake <= (next?.at ?? Infinity) && wake <= this.nextCron) {
        await this.pace(wake);
        this.clock.wakeFirst();
        await this.afterChange();
        continue;
      }
      if (next && next.at <= t && next.at <= this.nextCron) {
        this.queue.shift();
        await this.pace(next.at);
        this.clock.advanceTo(next.at);
        if (next.what === HEARTBEATS) await this.heartbeats();
        else next.fn();
        await this.afterChange();
        continue;
      }
      if (this.nextCron <= t) {
        await this.pace(this.nextCron);
        this.clock.advanceTo(this.nextCron);
        this.nextCron += this.cronEveryMs;
        await this.cron();
        continue;
      }
      this.clock.advanceTo(t);
      return;
    }
  }

  /** Runs the next agent timer, simulator event or cron run (whichever is first), if it is due by `limit`. */
  async step(limit: number): Promise<void> {
    this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
    await this.runUntil(Math.min(this.queue[0]?.at ?? Infinity, this.clock.nextDue(), this.nextCron, limit));
  }

  /** Advances until `done()` holds (checked after each event and cron run), at most `maxMs`. */
  async until(what: string, done: () => boolean, maxMs: number): Promise<void> {
    const end = this.clock.now() + maxMs;
    while (!done()) {
      if (this.clock.now() >= end)
        throw new Error(`${what}: not reached within ${maxMs / 3_600_000}h of virtual time`);
      this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
      await this.step(end);
    }
  }

  /** Every agent's heartbeat, one at a time. */
  private async heartbeats(): Promise<void> {
    for (const c of this.clusters.values()) {
      // A snapshot is on its way (debouncing): it, not a heartbeat, goes out next.
      if (c.agent.pending) continue;
      await c.agent.pushHeartbeat();
      await this.settle();
    }
  }

  /**
   * The agents' heartbeat timer: the world sends a round of heartbeats before each cron
   * run and 30 s after each thing a person does (an approval reaches the agent in the
   * answer to its next message), not every 30 s for days of virtual time.
   */
  private heartbeatSoon(): void {
    if (!this.queue.some((e) => e.what === HEARTBEATS)) this.after(30_000, HEARTBEATS, () => {});
  }

  /** The cron trigger: each agent's heartbeat (so the reading is fresh), then the scheduled function. */
  async cron(): Promise<void> {
    await this.heartbeats();
    const t0 = Date.now();
    if (this.service) await this.service.cron();
    else {
      // The scheduled handler runs after its answer (waitUntil): wait until cairn is quiet on GitHub.
      await this.opts.remote!.cron(this.url);
      await this.githubQuiet();
    }
    this.cronWallMs += Date.now() - t0;
    await this.afterChange();
  }

  /** Until cairn made no GitHub request for a second (real time). */
  private async githubQuiet(): Promise<void> {
    let seen = -1;
    let since = Date.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      if (this.github.log.length !== seen) {
        seen = this.github.log.length;
        since = Date.now();
      } else if (Date.now() - since >= 1_000) return;
    }
  }

  private async afterChange(): Promise<void> {
    for (const c of this.clusters.values()) for (const op of this.opts.operators) op.tick?.(c.ctx);
    await this.settle();
    this.observe();
  }

  /**
   * Waits (in real time) until every agent's watch caches hold what its API server holds
   * and it has pushed a snapshot of it (firing its debounce), so cairn has seen every
   * change before the world moves on. That is what makes a run deterministic.
   */
  settleWallMs = 0;
  settles = 0;
  async settle(): Promise<void> {
    const t0 = Date.now();
    try {
      await this.settleOnce();
    } finally {
      this.settleWallMs += Date.now() - t0;
      this.settles++;
    }
  }

  private async settleOnce(): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (const [name, c] of this.clusters) {
      for (let i = 0; ; i++) {
        await new Promise((r) => setTimeout(r, i < 3 ? 0 : 1));
        if (this.quiet(name, c)) break;
        if (Date.now() > deadline) throw new Error(`the agent of ${name} did not settle`);
      }
    }
    // An approval patched in a reply changes the cluster again: settle until quiet.
    for (const [name, c] of this.clusters) if (!this.quiet(name, c)) return this.settleOnce();
  }

  /** Caught up with its API server, and either idle or waiting out its debounce on the virtual clock. */
  private quiet(name: string, c: ClusterHandle): boolean {
    if (!this.caughtUp(c)) return false;
    const pushing = (c.agent as unknown as { pushing: boolean }).pushing;
    return !c.agent.pending || (!pushing && this.clock.sleeping(`agent:${name}`, this.debounceMs) > 0);
  }

  private caughtUp(c: ClusterHandle): boolean {
    const watcher = (c.agent as unknown as { watcher: ClusterWatcher }).watcher;
    for (const r of watcher.reflectors) {
      if (r.state !== 'synced') return false;
      const mine = r.objects().map(objectSig).sort().join(' ');
      const theirs = c.kube.list(r.resource.group, r.resource.kind).map(objectSig).sort().join(' ');
      if (mine !== theirs) return false;
    }
    return true;
  }

  // ------------------------------------------------------------------ people and GitHub

  /** Something outside GitHub and the clusters happened (a release published): on the timeline. */
  note(kind: 'release', text: string): void {
    this.record(kind, text);
  }

  /** Also stopped by `stop()` (a feed server the journey started). */
  onStop(fn: () => Promise<void>): void {
    this.stoppers.push(fn);
  }

  private record(kind: EventKind, text: string, pr?: number): void {
    const e: TimelineEvent = { at: this.clock.date().toISOString(), kind, text, ...(pr ? { pr } : {}) };
    this.timeline.push(e);
    this.opts.onEvent?.(e);
  }

  private async deliver(event: string, payload: unknown): Promise<Response> {
    const body = JSON.stringify(payload);
    this.github.clockOffset = this.clock.now() - Date.now();
    return fetch(`${this.url}/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': `e2e-${String(++this.deliveries).padStart(8, '0')}`,
        'x-hub-signature-256': sign(body, WEBHOOK_SECRET),
      },
      body,
    });
  }

  private get repository_(): { full_name: string; default_branch: string } {
    return {
      full_name: `${this.github.owner}/${this.github.repo}`,
      default_branch: this.github.defaultBranch,
    };
  }

  /** A reviewer merges PR `number` on GitHub; GitHub sends pull_request.closed and push; every cluster's GitOps tool sees the commit. */
  async merge(number: number, by = 'alice'): Promise<string> {
    const pr = this.github.pulls.get(number);
    if (!pr || pr.state !== 'open') throw new Error(`#${number} is not open`);
    const before = this.github.branchSha(this.github.defaultBranch)!;
    this.record('human', `${by} merges #${number}`, number);
    const sha = this.github.merge(number);
    this.observe();
    const closed = await this.deliver('pull_request', {
      action: 'closed',
      number,
      pull_request: {
        number,
        merged: true,
        merge_commit_sha: sha,
        merged_at: this.clock.date().toISOString(),
        labels: pr.labels.map((name) => ({ name })),
      },
      repository: this.repository_,
      sender: { login: by, type: 'User' },
    });
    if (!closed.ok) throw new Error(`pull_request webhook: ${closed.status} ${await closed.text()}`);
    const push = await this.deliver('push', {
      ref: `refs/heads/${this.github.defaultBranch}`,
      before,
      after: sha,
      repository: this.repository_,
      sender: { login: by, type: 'User' },
    });
    if (!push.ok) throw new Error(`push webhook: ${push.status} ${await push.text()}`);
    const files = revision(this.github, sha);
    for (const c of this.clusters.values()) this.opts.applier.onRevision(c.ctx, files, this.opts.operators);
    this.heartbeatSoon();
    await this.afterChange();
    return sha;
  }

  /** `login` comments `body` on PR `number`; GitHub sends the signed issue_comment.created. */
  async comment(number: number, body: string, login = 'alice'): Promise<unknown> {
    this.record('human', `${login} comments on #${number}: ${body}`, number);
    const id = 9_000_000 + ++this.comments;
    this.github.comments.push({
      id,
      issue: number,
      body,
      user: login,
      created_at: this.clock.date().toISOString(),
    });
    this.seenComments = this.github.comments.length;
    const res = await this.deliver('issue_comment', {
      action: 'created',
      issue: {
        number,
        pull_request: { url: `${this.github.url}/repos/${this.repository_.full_name}/pulls/${number}` },
      },
      comment: { id, body, user: { login, type: 'User' } },
      repository: this.repository_,
      sender: { login, type: 'User' },
    });
    if (!res.ok) throw new Error(`issue_comment webhook: ${res.status} ${await res.text()}`);
    const answer = await res.json();
    this.heartbeatSoon();
    await this.afterChange();
    return answer;
  }

  /** Someone applies `o` to cluster `cluster` by hand (kubectl apply), e.g. a RedisBackup. */
  async kubectlApply(cluster: string, o: KubeObject, by = 'alice'): Promise<void> {
    this.record(
      'human',
      `${by}: kubectl apply ${o.kind} ${o.metadata?.namespace}/${o.metadata?.name} on ${cluster}`,
    );
    this.clusters.get(cluster)!.kube.apply(o);
    this.heartbeatSoon();
    await this.afterChange();
  }

  /** Drops the cairn process and its whole store; a new process with an empty store takes over. */
  async crash(): Promise<void> {
    if (!this.service) throw new Error('only a service in this process can be crashed');
    this.service = this.localService();
    this.record('service', `cairn process killed; process ${this.generation} starts with an empty store`);
  }

  /** The service's log lines (this process only). */
  get logs(): string[] {
    return this.service?.logs ?? [];
  }

  /** Open PRs as (number, step) pairs. */
  openSteps(): {
    number: number;
    step: ReturnType<typeof stepFromPullRequestBody> & object;
    title: string;
  }[] {
    return [...this.github.pulls.values()]
      .filter((p) => p.state === 'open' && stepFromPullRequestBody(p.body))
      .map((p) => ({ number: p.number, step: stepFromPullRequestBody(p.body)!, title: p.title }));
  }

  /** Records what changed on GitHub and in Slack since the last look. */
  observe(): void {
    for (const p of [...this.github.pulls.values()].sort((a, b) => a.number - b.number)) {
      const state = p.merged ? 'merged' : p.state;
      const seen = this.seenPulls.get(p.number);
      const key = `${state} ${p.title}`;
      if (seen === key) continue;
      this.seenPulls.set(p.number, key);
      if (!seen) this.record('pr-opened', `#${p.number} ${p.title}`, p.number);
      if (seen && seen.slice(seen.indexOf(' ') + 1) !== p.title)
        this.record('pr-updated', `#${p.number} ${p.title}`, p.number);
      if (state === 'merged') this.record('pr-merged', `#${p.number} merged`, p.number);
      else if (state === 'closed') this.record('pr-closed', `#${p.number} closed`, p.number);
    }
    const where = (sha: string): string => {
      for (const p of this.github.pulls.values()) {
        if (p.merge_commit_sha === sha) return `#${p.number} merge`;
        if (this.github.branchSha(p.head) === sha) return `#${p.number} head`;
      }
      return sha.slice(0, 7);
    };
    for (const [sha, list] of this.github.statuses) {
      const seen = this.seenStatuses.get(sha) ?? 0;
      // Newest first: the ones not seen are at the front.
      const fresh = list.slice(0, list.length - seen).reverse();
      this.seenStatuses.set(sha, list.length);
      for (const s of fresh)
        if (s.context === 'cairn/gate')
          this.record('gate', `${where(sha)}: ${s.state}: ${s.description ?? ''}`);
    }
    for (const c of this.github.comments.slice(this.seenComments))
      this.record(
        'comment',
        `#${c.issue} ${c.user}: ${c.body.replace(/<!--.*?-->\s*/g, '').split('\n')[0]}`,
        c.issue,
      );
    this.seenComments = this.github.comments.length;
    for (const m of this.slack.slice(this.seenSlack)) this.record('slack', m.text ?? '(blocks only)');
    this.seenSlack = this.slack.length;
  }

  async stop(): Promise<void> {
    for (const c of this.clusters.values()) {
      c.agent.stop();
      await c.kube.stop();
    }
    if (this.front) await new Promise<void>((r) => this.front!.close(() => r()));
    await this.opts.remote?.stop();
    if (this.slackServer) await new Promise<void>((r) => this.slackServer!.close(() => r()));
    await this.github?.stop();
    for (const fn of this.stoppers.splice(0)) await fn();
    for (const d of this.tmp) rmSync(d, { recursive: true, force: true });
  }
}

export async function startWorld(opts: WorldOptions): Promise<World> {
  const w = new World(opts);
  try {
    return await w.start();
  } catch (e) {
    await w.stop().catch(() => undefined);
    throw e;
  }
}
