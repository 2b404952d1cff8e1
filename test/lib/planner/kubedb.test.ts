// KubeDB planning rules (lib/planner/products/kubedb.ts): updateConstraints of
// the shipped RedisVersion catalog (generated from kubedb/installer
// catalog/kubedb/raw/redis), as `explain` reports them.
import { describe, expect, it } from 'vitest';
import { explain } from '../../../lib/planner/explain.ts';
import { EMPTY_POLICY } from '../../../lib/policy/load.ts';
import { catalog, NOW, plan, rel, target } from './helpers.ts';

const db = target({
  id: 'kubedb/redis.yaml#Redis/sessions/sessions:spec.version',
  component: 'kubedb-redis',
  current: '6.2.14',
  managedBy: 'kubedb-operator',
  change: 'ops-request',
  resource: { kind: 'Redis', namespace: 'sessions', name: 'sessions' },
});

describe('KubeDB: explain says why the direct ops request was refused', () => {
  it("quotes the current RedisVersion's constraint that does not admit the goal", () => {
    const e = explain(
      {
        inventory: { targets: [db], problems: [] },
        releases: { 'kubedb-redis': rel('6.2.14', '6.2.16', '7.0.15') },
        clusters: {},
        policy: EMPTY_POLICY,
        catalog,
        now: NOW,
      },
      db.id,
      '7.0.15',
    );
    expect(e.path.map((s) => s.to)).toEqual(['6.2.16', '7.0.15']);
    expect(e.direct).toMatch(
      /^6\.2\.14's allowlist .* does not admit 7\.0\.15 \[kubedb-update-constraints\]$/,
    );
  });
});

describe('KubeDB: a finished ops request is recorded in Git before the next one', () => {
  const pending = {
    ...db,
    cluster: 'dev',
    pendingRequests: [
      {
        file: 'kubedb/sessions-update-6-2-16.yaml',
        line: 11,
        kind: 'RedisOpsRequest',
        name: 'sessions-update-6-2-16',
        targetVersion: '6.2.16',
      },
    ],
  };
  const facts = (request: string, version: string, phase = 'Ready') => ({
    dev: {
      name: 'dev',
      resources: {
        'Redis/sessions/sessions': { 'spec.version': version, 'status.phase': phase },
        'RedisOpsRequest/sessions/sessions-update-6-2-16': {
          'spec.type': 'UpdateVersion',
          'status.phase': request,
        },
      },
    },
  });
  const planned = (clusters: ReturnType<typeof facts> | Record<string, never>) =>
    plan([pending], { releases: { 'kubedb-redis': rel('6.2.14', '6.2.16', '7.0.15') }, clusters });

  it('while the request runs, the path waits for it', () => {
    const p = planned(facts('Progressing', '6.2.16', 'NotReady'));
    expect(p.steps).toEqual([]);
    expect(p.blocked.map((b) => b.reason)).toContainEqual(
      expect.stringMatching(/already moves Redis sessions/),
    );
  });

  it('once it is Successful and the Redis Ready on its version: a record step, then the next hop from there', () => {
    const p = planned(facts('Successful', '6.2.16'));
    expect(p.steps.map((s) => [s.change, s.from, s.to])).toEqual([
      ['record', '6.2.14', '6.2.16'],
      ['ops-request', '6.2.16', '7.0.15'],
    ]);
    const [record, next] = p.steps;
    expect(next!.after).toEqual([record!.id]);
    // It changes nothing in the cluster: no backup, no soak, and its gate does not look for the request.
    expect(record!.preSteps).toEqual([]);
    expect(record!.gate.conditions!.map((c) => c.evaluator)).toEqual(['kubedb-redis']);
    expect(record!.gate.soak).toBeUndefined();
  });
});
