import { describe, expect, it } from 'vitest';
import {
  ancestryFromCompare,
  checkPreSteps,
  type CompareStatus,
  comparisonsNeeded,
  DEFAULT_GATE_POLICY,
  evaluateGate,
  rollbackAdvice,
} from '../../../lib/gate/index.ts';
import type { ClusterReading, GateInput } from '../../../lib/gate/index.ts';
import { describeWithFixtures } from '../../support/fixtures.ts';
import {
  argoApp,
  howlStep,
  MERGE,
  MERGED_AT,
  PRE_MERGE,
  pods,
  redisBackup,
  redisCluster,
} from '../../support/gate-world.ts';
import { fixtureObject, withFields } from '../../support/kube-objects.ts';

const at = (min: number) => new Date(MERGED_AT.getTime() + min * 60_000);
const iso = (min: number) => at(min).toISOString();

describeWithFixtures('the gate', () => {
  const step = howlStep();
  const policy = { ...DEFAULT_GATE_POLICY, soakMs: 30 * 60_000 };

  function reading(objects: ClusterReading['objects'], readMin = 10): ClusterReading {
    return { readAt: at(readMin), objects, problems: [] };
  }
  function gate(r: ClusterReading | undefined, more: Partial<GateInput> = {}) {
    return evaluateGate({
      step,
      mergeCommit: MERGE,
      mergedAt: MERGED_AT,
      reading: r,
      policy,
      now: at(10),
      ...more,
    });
  }
  const healthyWorld = () => [argoApp(MERGE, iso(5)), redisCluster('Healthy'), ...pods('redis:7.4.1')];

  it('the planned step records a machine-checkable condition on the RedisCluster', () => {
    expect(step.gate.conditions?.map((c) => c.evaluator)).toEqual(['howl-redis-cluster']);
  });

  it('healthy everywhere starts the soak, then passes once it has held', () => {
    const first = gate(reading(healthyWorld()));
    expect(first).toMatchObject({ verdict: 'wait', healthySince: at(10) });
    expect(first.verdict === 'wait' && first.reason).toContain('soaking for 30m more');
    const later = gate(reading(healthyWorld(), 45), { now: at(45), healthySince: first.healthySince! });
    expect(later.verdict).toBe('pass');
  });

  it('Argo CD Healthy on the pre-merge SHA keeps the gate closed', () => {
    const r = gate(reading([argoApp(PRE_MERGE, iso(5)), redisCluster('Healthy'), ...pods('redis:7.4.1')]), {
      isAncestor: () => false,
    });
    expect(r.verdict).toBe('wait');
    expect(r.verdict === 'wait' && r.reason).toContain('does not contain merge commit');
    expect(r.healthySince).toBeUndefined();
  });

  it('a later revision containing the merge commit counts as applied', () => {
    const r = gate(reading([argoApp(PRE_MERGE, iso(5)), redisCluster('Healthy'), ...pods('redis:7.4.1')]), {
      isAncestor: (a, d) => a === MERGE && d === PRE_MERGE,
    });
    expect(r.verdict).toBe('wait');
    expect(r.healthySince).toEqual(at(10));
  });

  it('no reading, a stale reading, or an unreadable resource: closed, with the reason', () => {
    expect(gate(undefined)).toMatchObject({
      verdict: 'wait',
      reason: expect.stringContaining('no cluster reading'),
    });
    expect(gate(reading(healthyWorld(), 0), { now: at(10) })).toMatchObject({
      verdict: 'wait',
      reason: expect.stringContaining('10m old'),
    });
    const forbidden: ClusterReading = {
      ...reading(healthyWorld()),
      problems: [
        {
          resource: 'redis.io/RedisCluster in redis',
          kind: 'forbidden',
          message: 'rediscluster is forbidden',
        },
      ],
    };
    expect(gate(forbidden)).toMatchObject({
      verdict: 'wait',
      reason: 'the cluster could not be read: redis.io/RedisCluster in redis: forbidden',
    });
  });

  it('an Application that applies some other folder does not prove this step', () => {
    const other = withFields(argoApp(MERGE, iso(5)), { 'spec.source.path': 'clusters/staging' });
    const r = gate(reading([other, redisCluster('Healthy'), ...pods('redis:7.4.1')]));
    expect(r.verdict === 'wait' && r.reason).toContain(
      'no Argo CD Application or Flux Kustomization applies',
    );
  });

  it('a step block without conditions (older cairn) stays closed', () => {
    const old = { ...step, gate: { ...step.gate, conditions: undefined } };
    expect(gate(reading(healthyWorld()), { step: old }).verdict).toBe('wait');
  });

  it('WaitingForUser needs approval and names the annotation to set; once approved it waits for the operator', () => {
    const world = [argoApp(MERGE, iso(5)), redisCluster('WaitingForUser'), ...pods('redis:7.4.1')];
    const r = gate(reading(world));
    expect(r).toMatchObject({
      verdict: 'needs-approval',
      approve: {
        kind: 'RedisCluster',
        namespace: 'redis',
        name: 'cache',
        annotation: 'redis.io/approve-primary-update',
        value: 'true',
      },
    });
    expect(gate(reading(world), { approved: true })).toMatchObject({
      verdict: 'wait',
      reason: 'approved; waiting for the operator to update the primary',
    });
  });

  it('Degraded after the soak began fails, with a restore from backup for a one-way step', () => {
    expect(step.oneWay).toBe(true);
    const r = gate(reading([argoApp(MERGE, iso(5)), redisCluster('Degraded'), ...pods('redis:7.4.1')], 20), {
      now: at(20),
      healthySince: at(10),
    });
    expect(r.verdict).toBe('fail');
    if (r.verdict !== 'fail') return;
    expect(r.reasons[0]).toBe(
      `RedisCluster redis/cache status.phase is Degraded after the soak began at ${iso(10)}`,
    );
    expect(r.rollback.kind).toBe('restore-backup');
    expect(r.rollback.text).toContain('do not revert');
  });

  it('a step that did not raise the RDB format is rolled back by reverting its PR', () => {
    expect(rollbackAdvice({ ...step, oneWay: false })).toMatchObject({ kind: 'revert' });
  });

  it('not proven within the timeout fails', () => {
    const r = gate(reading([argoApp(PRE_MERGE, iso(5)), redisCluster('Healthy')], 400), {
      now: at(400),
      isAncestor: () => false,
    });
    expect(r.verdict).toBe('fail');
    expect(r.verdict === 'fail' && r.reasons[0]).toContain('not proven within 6h of the merge');
  });

  it('a step healthy once is past its timeout: a later wait (Flux applying another commit) restarts the soak, never fails it', () => {
    const progressing = [
      argoApp(MERGE, iso(5), 'Progressing'),
      redisCluster('Healthy'),
      ...pods('redis:7.4.1'),
    ];
    const r = gate(reading(progressing, 400), { now: at(400), wasHealthy: true });
    expect(r.verdict).toBe('wait');
    expect(r.healthySince).toBeUndefined();
    expect(gate(reading(progressing, 400), { now: at(400) }).verdict).toBe('fail');
  });

  it('a Flux Kustomization without wait is reported as a configuration problem, and the operator still decides', () => {
    const ks = withFields(
      fixtureObject('gitops-status/flux/flux2/cmd/flux/testdata/trace/helmrelease.yaml', 'Kustomization'),
      {
        'metadata.generation': 1,
        'status.observedGeneration': 1,
        'spec.path': './clusters/prod',
        'status.lastAppliedRevision': `main@sha1:${MERGE}`,
      },
    );
    const r = gate(reading([ks, redisCluster('Updating'), ...pods('redis:7.4.1')]));
    expect(r.verdict).toBe('wait');
    expect(r.configProblems[0]).toContain('configuration problem');
    expect(r.verdict === 'wait' && r.reason).toContain('Updating');
  });

  describe('the backup before a major', () => {
    const major = {
      ...step,
      preSteps: [{ kind: 'backup' as const, description: 'take a backup', rule: 'backup-before-major' }],
    };
    it('is proven by a recent Completed RedisBackup of the same cluster', () => {
      expect(
        checkPreSteps(major, reading([redisBackup('Completed', iso(-60))]), policy, at(10)),
      ).toMatchObject({
        verdict: 'pass',
        backup: 'RedisBackup redis/cache-pre-upgrade',
      });
    });
    it.each([
      [
        'a Running backup',
        [redisBackup('Running', iso(-5))],
        'RedisBackup redis/cache-pre-upgrade is Running',
      ],
      ['an old backup', [redisBackup('Completed', iso(-3000))], 'too old'],
      ['no backup', [], 'no backup of RedisCluster/redis/cache was found'],
    ])('%s is not', (_n, objects, text) => {
      const r = checkPreSteps(major, reading(objects), policy, at(10));
      expect(r.verdict).toBe('wait');
      expect(r.verdict === 'wait' && r.reason).toContain(text);
    });
  });
});

describeWithFixtures('ancestry from the Git provider', () => {
  const step = howlStep();
  it('lists the applied revisions to compare, then answers from the compare status', () => {
    const objects = [argoApp(PRE_MERGE, iso(5)), redisCluster('Healthy'), ...pods('redis:7.4.1')];
    expect(comparisonsNeeded(step.target.file, MERGE, objects)).toEqual([{ base: MERGE, head: PRE_MERGE }]);
    const statuses: Record<string, CompareStatus> = { [`${MERGE}...${PRE_MERGE}`]: 'behind' };
    const isAncestor = ancestryFromCompare((b, h) => statuses[`${b}...${h}`]);
    const r = evaluateGate({
      step,
      mergeCommit: MERGE,
      mergedAt: MERGED_AT,
      reading: { readAt: at(10), objects, problems: [] },
      policy: DEFAULT_GATE_POLICY,
      now: at(10),
      isAncestor,
    });
    expect(r.verdict === 'wait' && r.reason).toContain('does not contain merge commit');
    statuses[`${MERGE}...${PRE_MERGE}`] = 'ahead';
    expect(isAncestor(MERGE, PRE_MERGE)).toBe(true);
    expect(isAncestor(MERGE, 'f'.repeat(40))).toBeUndefined();
  });
});
