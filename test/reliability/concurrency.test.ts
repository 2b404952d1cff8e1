// Concurrency and crashes through the whole app: duplicate and overlapping work never
// doubles a branch, a PR, a commit or a Slack message; a process that dies right after
// any GitHub write, restarted with the same store or an empty one, converges to one PR
// per step and leaves no orphan branch.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createApp } from '../../functions/app.ts';
import { runCron } from '../../functions/cron.ts';
import { GATE_CONTEXT } from '../../lib/engine/index.ts';
import { redisStore } from '../../lib/node/store-redis.ts';
import { sqliteStore } from '../../lib/node/store-sqlite.ts';
import { findRedisServer, REDIS_MISSING, startRedisServer } from '../support/redis-server.ts';
import type { ClosableStore } from '../../lib/store/index.ts';
import { describeWithFixtures } from '../support/fixtures.ts';
import type { Fault, GitHubTestServer } from '../support/github-server/index.ts';
import { HELLO_RELEASES, outsideWorld, SLACK_URL } from '../functions/helpers.ts';
import {
  cairnBranches,
  fleet,
  githubDelivery,
  mergedPayload,
  openSteps,
  orphanBranches,
  pushToMain,
  releasePublished,
  service,
} from './world.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** One PR per step, each on its own branch that is one commit over the base, and no other cairn branch. */
function assertConverged(server: GitHubTestServer) {
  const steps = openSteps(server);
  expect(steps.length).toBeGreaterThan(0);
  const ids = steps.map((s) => s.step.id);
  expect(new Set(ids).size).toBe(ids.length);
  const heads = steps.map((s) => s.pr.head);
  expect(new Set(heads).size).toBe(heads.length);
  expect(orphanBranches(server)).toEqual([]);
  for (const h of heads) expect(server.git(['rev-list', '--count', `main..${h}`]).trim(), h).toBe('1');
  expect(server.git(['fsck', '--strict', '--no-dangling']).trim()).toBe('');
  return steps;
}

const slackOpened = (slack: { text?: string }[]) =>
  slack.map((m) => m.text ?? '').filter((t) => t.startsWith('Step opened:'));

function sqlite(): { path: string; open: (clock: Parameters<typeof sqliteStore>[1]) => ClosableStore } {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-rel-sqlite-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'cairn.db');
  return {
    path,
    open: (opts) => {
      const s = sqliteStore(path, opts);
      cleanup.push(() => s.close());
      return s;
    },
  };
}

describeWithFixtures('concurrency', () => {
  it('the same release delivered 3× at once, with a push and a cron run overlapping it: one branch, one PR, one Slack message per step', async () => {
    const server = await fleet();
    const { request, cairn, env, slack } = service(server, { SLACK_WEBHOOK_URL: SLACK_URL });
    const body = releasePublished();
    const answers = await Promise.all([
      request('/webhooks/github', githubDelivery('release', body)),
      request('/webhooks/github', githubDelivery('release', body)),
      request('/webhooks/github', githubDelivery('release', body)),
      request('/webhooks/github', githubDelivery('push', pushToMain())),
      runCron(cairn.services(env), 'overlap'),
    ]);
    for (const a of answers.slice(0, 4)) expect((a as Response).status).toBe(200);
    const steps = assertConverged(server);
    expect(cairnBranches(server)).toHaveLength(steps.length);
    expect(slackOpened(slack)).toHaveLength(steps.length);
    expect(new Set(slackOpened(slack)).size).toBe(steps.length);
  });

  it('two replicas on one SQLite file: overlapping cron runs, one acts; both reconciling at once, one commit per branch', async () => {
    const server = await fleet();
    const db = sqlite();
    const a = service(server);
    const storeA = db.open({ clock: a.clock });
    const storeB = db.open({ clock: a.clock });
    const replicaA = createApp({ ...a.runtime, store: () => storeA, instance: 'replica-a' });
    const replicaB = createApp({ ...a.runtime, store: () => storeB, instance: 'replica-b' });
    const [ra, rb] = await Promise.all([
      runCron(replicaA.services(a.env), 'tick'),
      runCron(replicaB.services(a.env), 'tick'),
    ]);
    expect([ra.outcome, rb.outcome].sort()).toEqual(['done', 'skipped']);
    const first = assertConverged(server);
    // Both now believe they should act (two webhooks, one per replica, at the same moment).
    const commitsBefore = server.log.filter((r) => r.method === 'POST' && r.path.endsWith('/git/commits'));
    const answers = await Promise.all([
      replicaA.app.request('/webhooks/github', githubDelivery('push', pushToMain('1'.repeat(40))), a.env),
      replicaB.app.request('/webhooks/github', githubDelivery('push', pushToMain('2'.repeat(40))), a.env),
    ]);
    for (const x of answers) expect(x.status).toBe(200);
    expect(assertConverged(server).map((s) => s.pr.number)).toEqual(first.map((s) => s.pr.number));
    // Nothing had changed: neither replica made a commit.
    expect(server.log.filter((r) => r.method === 'POST' && r.path.endsWith('/git/commits'))).toHaveLength(
      commitsBefore.length,
    );
  });

  const redisBin = findRedisServer();
  it.skipIf(!redisBin)(
    `two replicas on one Redis: overlapping cron runs, one acts, one commit per branch${redisBin ? '' : ` (skipped: ${REDIS_MISSING})`}`,
    async () => {
      const redis = await startRedisServer(redisBin!);
      cleanup.push(() => redis.stop());
      const server = await fleet();
      const a = service(server);
      const stores = [redisStore(redis.url, { clock: a.clock }), redisStore(redis.url, { clock: a.clock })];
      for (const st of stores) cleanup.push(() => st.close());
      const apps = stores.map((st, i) =>
        createApp({ ...a.runtime, store: () => st, instance: `redis-${i}` }),
      );
      const results = await Promise.all(apps.map((app) => runCron(app.services(a.env), 'tick')));
      expect(results.map((r) => r.outcome).sort()).toEqual(['done', 'skipped']);
      assertConverged(server);
      await Promise.all(
        apps.map((app, i) =>
          app.app.request(
            '/webhooks/github',
            githubDelivery('push', pushToMain(String(i + 5).repeat(40))),
            a.env,
          ),
        ),
      );
      assertConverged(server);
    },
  );

  it('two replicas racing to open the same steps from scratch: at most one commit lands per branch', async () => {
    const server = await fleet();
    const db = sqlite();
    const a = service(server);
    const stores = [db.open({ clock: a.clock }), db.open({ clock: a.clock })];
    const apps = stores.map((st, i) => createApp({ ...a.runtime, store: () => st, instance: `r${i}` }));
    await Promise.all(
      apps.map((app, i) =>
        app.app.request(
          '/webhooks/github',
          githubDelivery('push', pushToMain(String(i + 3).repeat(40))),
          a.env,
        ),
      ),
    );
    assertConverged(server);
  });
});

/** A write that happened, then the process died: the call's answer never arrived (400: no retry). */
const killedAfter = (method: string, path: RegExp): Fault => ({ method, path, kind: 'after', status: 400 });

// File contents go inline in POST /git/trees (no separate blob call), so the tree write is the blob write.
const CALLS: [string, Fault][] = [
  ['tree', killedAfter('POST', /\/git\/trees$/)],
  ['commit', killedAfter('POST', /\/git\/commits$/)],
  ['ref', killedAfter('POST', /\/git\/refs$/)],
  ['PR', killedAfter('POST', /\/pulls$/)],
  ['label', killedAfter('PATCH', /\/issues\/\d+$/)],
  ['auto-merge', killedAfter('POST', /^\/graphql$/)],
];

describeWithFixtures('killed after each external call', () => {
  it.each(
    CALLS.flatMap(([name, f]) => [
      [name, 'the same store', f] as const,
      [name, 'an empty store', f] as const,
    ]),
  )(
    'after the %s write, restarted with %s: one PR per step, no orphan branch',
    async (_name, restart, fault) => {
      const server = await fleet();
      const env = { SLACK_WEBHOOK_URL: SLACK_URL, CAIRN_AUTO_MERGE: 'true' };
      const first = service(server, env);
      server.inject(fault);
      await first.request('/webhooks/github', githubDelivery('push', pushToMain('a'.repeat(40))));
      // The write happened and its answer was lost.
      expect(
        server.log.some((r) => r.method === fault.method && fault.path.test(r.path) && r.status === 400),
      ).toBe(true);
      // The restart: a new process, with the store it had or none at all.
      const second = service(server, env);
      const app =
        restart === 'the same store'
          ? createApp({ ...second.runtime, store: () => first.store })
          : second.cairn;
      const res = await app.app.request(
        '/webhooks/github',
        githubDelivery('push', pushToMain('b'.repeat(40))),
        second.env,
      );
      expect(res.status).toBe(200);
      const steps = assertConverged(server);
      // The dev steps auto-merge: enabled once, on the PR that exists.
      for (const s of steps.filter((x) => x.step.environment === 'dev'))
        expect(s.pr.auto_merge).not.toBeNull();
      const slack = restart === 'the same store' ? [...first.slack, ...second.slack] : second.slack;
      for (const s of steps)
        expect(
          slack.filter((m) => (m.text ?? '').includes(`/pull/${s.pr.number}`)).length,
        ).toBeLessThanOrEqual(restart === 'the same store' ? 1 : 2);
    },
  );

  it('after the status write on a merge commit, a restart publishes nothing twice', async () => {
    const server = await fleet();
    const first = service(server);
    await first.request('/webhooks/github', githubDelivery('push', pushToMain()));
    const { pr } = openSteps(server).find((s) => s.step.environment === 'dev')!;
    const merge = server.merge(pr.number);
    server.inject(killedAfter('POST', /\/statuses\/[0-9a-f]{40}$/));
    const died = await first.request(
      '/webhooks/github',
      githubDelivery('pull_request', mergedPayload(pr.number, merge)),
    );
    expect(died.status).toBe(500);
    const second = service(server);
    await second.request('/webhooks/github', githubDelivery('pull_request', mergedPayload(pr.number, merge)));
    await runCron(second.cairn.services(second.env), 'after-restart');
    const gate = (server.statuses.get(merge) ?? []).filter((s) => s.context === GATE_CONTEXT);
    expect(gate).toHaveLength(1);
    expect(gate[0]!.state).toBe('pending');
  });

  it('Slack took each message but every answer was lost: a restart re-sends from the outbox a bounded number of times, and the PRs are unaffected', async () => {
    const server = await fleet();
    const first = service(server, { SLACK_WEBHOOK_URL: SLACK_URL });
    const sent: string[] = [];
    first.runtime.fetch = outsideWorld({
      slack: (init) => {
        sent.push(JSON.parse(String(init?.body)).text);
        throw new TypeError('fetch failed: socket hang up');
      },
    });
    const res = await first.request('/webhooks/github', githubDelivery('release', releasePublished()));
    expect(res.status).toBe(200);
    const steps = assertConverged(server);
    const again = createApp({ ...first.runtime, instance: 'restarted' });
    await again.app.request(
      '/webhooks/github',
      githubDelivery('push', pushToMain('c'.repeat(40))),
      first.env,
    );
    for (let run = 0; run < 3 * steps.length + 2; run++)
      await runCron(again.services(first.env), `after-${run}`);
    const settled = sent.length;
    await runCron(again.services(first.env), 'settled');
    // Bounded: the outbox gave each message up after its tries (at least once, never forever).
    expect(sent.length).toBe(settled);
    const per = new Map<string, number>();
    for (const t of sent) per.set(t, (per.get(t) ?? 0) + 1);
    expect(per.size).toBe(steps.length);
    assertConverged(server);
  });
});

describeWithFixtures('others writing while cairn writes', () => {
  it('the base branch moves while cairn builds its commits: every branch is rebuilt on the new head', async () => {
    const server = await fleet();
    const { request } = service(server);
    let moved = '';
    server.inject({
      method: 'POST',
      path: /\/git\/commits$/,
      kind: 'before',
      run: (s) => {
        moved = s.commitFiles('main', { 'docs/unrelated.md': 'someone else\n' }, 'docs: unrelated change');
      },
    });
    await request('/webhooks/github', githubDelivery('push', pushToMain()));
    expect(moved).not.toBe('');
    const steps = assertConverged(server);
    for (const s of steps) {
      server.git(['merge-base', '--is-ancestor', moved, s.pr.head]);
      expect(server.git(['diff', '--name-only', `main...${s.pr.head}`]).trim()).not.toContain(
        'docs/unrelated.md',
      );
    }
  });

  it('a human pushes to cairn’s branch, then a newer release arrives: the human commit is kept, cairn says so once', async () => {
    const server = await fleet();
    const svc = service(server);
    let releases = HELLO_RELEASES;
    svc.runtime.fetch = outsideWorld({ releases: () => releases });
    await svc.request('/webhooks/github', githubDelivery('push', pushToMain()));
    const op = openSteps(server).find((s) => s.step.component === 'howl-redis-operator')!;
    const human = server.commitFiles(op.pr.head, { 'NOTES.md': 'a human was here\n' }, 'human: notes');
    releases = [{ ...HELLO_RELEASES[0]!, tag_name: 'v0.2.8', published_at: '2026-11-20T10:00:00Z' }];
    for (const after of ['d', 'e'])
      await svc.request('/webhooks/github', githubDelivery('push', pushToMain(after.repeat(40))));
    // Never force-updated over the human's commit.
    server.git(['merge-base', '--is-ancestor', human, op.pr.head]);
    const notes = server.comments.filter((c) => c.issue === op.pr.number);
    expect(notes).toHaveLength(1);
    expect(
      openSteps(server).filter(
        (s) => s.step.component === 'howl-redis-operator' && s.step.environment === op.step.environment,
      ),
    ).toHaveLength(1);
  });
});
