// The cron function over the test server: it reconciles every configured repository,
// overlapping runs never act twice, a run holding a stale fencing token never acts, and
// auto-merge follows the fleet policy's windows (on inside, off once a freeze starts).
import { afterEach, expect, it } from 'vitest';
import { runCron } from '../../functions/cron.ts';
import { stepFromPullRequestBody } from '../../lib/render/pull-request.ts';
import { describeWithFixtures } from '../support/fixtures.ts';
import type { GitHubTestServer } from '../support/github-server/index.ts';
import { fleetServer, openPulls, service, writes } from './helpers.ts';

const servers: GitHubTestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});
async function fleet() {
  const s = await fleetServer();
  servers.push(s);
  return s;
}

describeWithFixtures('the cron function', () => {
  it('polls the feeds and opens the step PRs; a second run opens nothing more', async () => {
    const server = await fleet();
    const { cairn, env, fetched } = service(server);
    const s = cairn.services(env);
    const first = await runCron(s, 'run-1');
    expect(first).toMatchObject({ outcome: 'done', autoMergeOff: 0 });
    expect(fetched.some((u) => u.includes('/repos/Codertocat/Hello-World/releases'))).toBe(true);
    const opened = openPulls(server).length;
    expect(opened).toBeGreaterThan(0);
    const second = await runCron(s, 'run-2');
    expect(second.outcome).toBe('done');
    expect(openPulls(server)).toHaveLength(opened);
    expect(cairn.metrics.get('cairn_cron_runs_total', { outcome: 'done' })).toBe(2);
  });

  it('two overlapping runs: one acts, the other is skipped, and the PRs are the same as one run makes', async () => {
    const server = await fleet();
    const { cairn, env } = service(server);
    const s = cairn.services(env);
    const results = await Promise.all([runCron(s, 'a'), runCron(s, 'b')]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['done', 'skipped']);
    const branches = openPulls(server).map((p) => p.head);
    expect(new Set(branches).size).toBe(branches.length);
  });

  it('a run whose fencing token is older than one that already acted does nothing', async () => {
    const server = await fleet();
    const { cairn, env, store } = service(server);
    const s = cairn.services(env);
    await store.put('functions:cron:fence', '1000000');
    const result = await runCron(s, 'stale');
    expect(result.outcome).toBe('stopped');
    expect(writes(server)).toHaveLength(0);
  });

  it('enables auto-merge only where a window is open, and turns it off when the year-end freeze starts', async () => {
    const server = await fleet();
    const { cairn, env, clock } = service(server, { CAIRN_AUTO_MERGE: 'true' });
    const s = cairn.services(env);
    await runCron(s, 'saturday');
    const pulls = openPulls(server).map((p) => ({ p, step: stepFromPullRequestBody(p.body)! }));
    // Saturday 10:00 in Berlin: production's weeknight window is closed, dev is unrestricted.
    const dev = pulls.filter((x) => x.step.environment === 'dev');
    expect(dev.length).toBeGreaterThan(0);
    for (const x of dev) expect(x.p.auto_merge).not.toBeNull();
    for (const x of pulls.filter((y) => y.step.environment === 'production'))
      expect(x.p.auto_merge).toBeNull();
    clock.advance(29 * 86_400_000); // 2026-12-20: inside year-end-freeze
    const frozen = await runCron(s, 'freeze');
    expect(frozen).toMatchObject({ outcome: 'done', autoMergeOff: dev.length });
    for (const x of openPulls(server)) expect(x.auto_merge).toBeNull();
  });
});
