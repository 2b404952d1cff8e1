// One gate decision from a merged PR's body, end to end: the step block, the
// readers on the real client-node against the test API server, the compare
// answers, and the soak timer kept in the store.
import { systemClock } from '../../../lib/node/clock.ts';
import { afterEach, expect, it } from 'vitest';
import { readForStep } from '../../../lib/cluster/reader.ts';
import { DEFAULT_GATE_POLICY, decideStep, type DecideDeps, soakTimerKey } from '../../../lib/gate/index.ts';
import { kubeTransport, loadKubeConfig } from '../../../lib/node/kube-client.ts';
import { pullRequestBody } from '../../../lib/render/pull-request.ts';
import { memoryStore } from '../../../lib/store/index.ts';
import { describeWithFixtures } from '../../support/fixtures.ts';
import { argoApp, howlPlan, MERGE, MERGED_AT, pods, redisCluster } from '../../support/gate-world.ts';
import { startKubeServer, type KubeTestServer } from '../../support/kube-server/index.ts';

const LATER = 'f00d000000000000000000000000000000000002';
const at = (min: number) => new Date(MERGED_AT.getTime() + min * 60_000);
let server: KubeTestServer | undefined;
afterEach(async () => server?.stop());

describeWithFixtures('decideStep', () => {
  it('a later applied commit the compare API puts after the merge, healthy, soaked: pass; the timer lives in the store', async () => {
    server = await startKubeServer([
      argoApp(LATER, at(5).toISOString()),
      redisCluster('Healthy'),
      ...pods('redis:7.4.1'),
    ]);
    const kube = kubeTransport(loadKubeConfig({ kubeconfigText: server.kubeconfig() }));
    const { plan, step } = howlPlan();
    const store = memoryStore(systemClock);
    let clock = at(10);
    const compared: string[] = [];
    const deps: DecideDeps = {
      read: (s) => readForStep(kube, s, () => clock),
      compare: async (base, head) => {
        compared.push(`${base}...${head}`);
        return 'ahead';
      },
      store,
      now: () => clock,
    };
    const input = {
      pullRequestBody: pullRequestBody(step, plan),
      mergeCommit: MERGE,
      mergedAt: MERGED_AT,
      policy: { ...DEFAULT_GATE_POLICY, soakMs: 30 * 60_000 },
    };
    const first = await decideStep(deps, input);
    expect(first.step?.id).toBe(step.id);
    expect(first.step && first.result.verdict).toBe('wait');
    expect(compared).toEqual([`${MERGE}...${LATER}`]);
    expect(await store.get(soakTimerKey(step.id, MERGE))).toBe(at(10).toISOString());

    clock = at(45);
    const second = await decideStep(deps, input);
    expect(second.step && second.result.verdict).toBe('pass');

    server.update('redis.io', 'RedisCluster', 'redis', 'cache', (o) => {
      o.status!.phase = 'Degraded';
    });
    clock = at(50);
    const third = await decideStep(deps, input);
    expect(third.step && third.result.verdict).toBe('fail');
    expect(await store.get(soakTimerKey(step.id, MERGE))).toBeUndefined();
  });

  it('an unanswerable compare keeps the gate closed; a body without a step block is refused', async () => {
    server = await startKubeServer([
      argoApp(LATER, at(5).toISOString()),
      redisCluster('Healthy'),
      ...pods('redis:7.4.1'),
    ]);
    const kube = kubeTransport(loadKubeConfig({ kubeconfigText: server.kubeconfig() }));
    const { plan, step } = howlPlan();
    const deps: DecideDeps = {
      read: (s) => readForStep(kube, s, () => at(10)),
      compare: () => Promise.reject(new Error('rate limited')),
      store: memoryStore(systemClock),
      now: () => at(10),
    };
    const input = { mergeCommit: MERGE, mergedAt: MERGED_AT, policy: DEFAULT_GATE_POLICY };
    const r = await decideStep(deps, { ...input, pullRequestBody: pullRequestBody(step, plan) });
    expect(r.step && r.result).toMatchObject({
      verdict: 'wait',
      reason: expect.stringContaining('cannot tell whether'),
    });
    expect(await decideStep(deps, { ...input, pullRequestBody: 'hand-written PR' })).toEqual({
      step: undefined,
      reason: 'the pull request has no valid cairn step block',
    });
  });
});
