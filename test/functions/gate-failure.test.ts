// A merged step whose cluster degrades, end to end through the service: the agent's
// signed snapshot fails the gate, the merge commit gets the failure status, the path is
// stopped, the evidence is kept for /status, and (the step raised the RDB format) the PR
// says rollback means restoring the backup, with no revert PR.
import { afterEach, expect, it } from 'vitest';
import { ROLLBACK_LABEL } from '../../lib/engine/index.ts';
import { describeWithFixtures } from '../support/fixtures.ts';
import { world } from './cluster-world.ts';
import { STATUS_TOKEN } from './helpers.ts';

const servers: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

describeWithFixtures('a failed gate through the service', () => {
  it('Degraded: failure status, evidence in /status, the restore-backup advice on the PR, no revert', async () => {
    const w = await world(servers, 'Degraded');
    expect(w.step.oneWay).toBe(true);
    const agent = w.agent();
    await agent.pushSnapshot();
    expect(w.gate()).toMatchObject({ state: 'failure' });
    expect(w.gate()?.description).toContain('Degraded');
    const advice = w.github.comments.filter(
      (c) => c.issue === w.pr.number && c.body.includes('cairn:rollback'),
    );
    expect(advice).toHaveLength(1);
    expect(advice[0]!.body).toContain('**Do not revert this pull request.**');
    expect(advice[0]!.body).toContain(`the backup pre-step of #${w.pr.number}`);
    expect([...w.github.pulls.values()].filter((p) => p.labels.includes(ROLLBACK_LABEL))).toEqual([]);
    const status = await w.svc.request(`/status/dev/${encodeURIComponent(w.step.id)}`, {
      headers: { authorization: `Bearer ${STATUS_TOKEN}` },
    });
    expect(await status.json()).toMatchObject({
      verdict: 'fail',
      rollback: { kind: 'restore-backup', backup: { kind: 'backup' } },
      evidence: expect.arrayContaining([
        expect.objectContaining({ objects: ['RedisCluster sessions/sessions'] }),
      ]),
    });
    // Seen again (a retry re-reads failed gates): still one comment.
    await w.svc.request('/webhooks/github', w.retry());
    expect(
      w.github.comments.filter((c) => c.issue === w.pr.number && c.body.includes('cairn:rollback')),
    ).toHaveLength(1);
  });
});
