// KubeDB planning rules (lib/planner/products/kubedb.ts): updateConstraints of
// the shipped RedisVersion catalog (generated from kubedb/installer
// catalog/kubedb/raw/redis), as `explain` reports them.
import { describe, expect, it } from 'vitest';
import { explain } from '../../../lib/planner/explain.ts';
import { EMPTY_POLICY } from '../../../lib/policy/load.ts';
import { catalog, NOW, rel, target } from './helpers.ts';

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
