// Properties over many generated situations, using the real catalog's release
// lists: every hop is allowed by a cited rule, and no plan ever downgrades.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Release } from '../../../lib/model.ts';
import { getScheme } from '../../../lib/versioning/index.ts';
import type { SchemeId } from '../../../lib/versioning/types.ts';
import { catalog, plan, policy, target } from './helpers.ts';

const COMPONENTS = [
  'redis',
  'valkey',
  'bitnami-redis',
  'howl-redis-operator',
  'kubedb-redis',
  'redis-enterprise-operator',
  'ot-redis-operator',
];
const noAge = policy('defaults:\n  minimumReleaseAge: 0s\n');

function releasesOf(id: string): Release[] {
  return catalog.components
    .get(id)!
    .releases.map((r) => ({ version: r.version, ...(r.published ? { published: r.published } : {}) }));
}

describe('planner properties', () => {
  it('every hop cites a rule with a source, moves strictly forward, and chains from the current version', () => {
    const arb = fc.constantFrom(...COMPONENTS).chain((component) => {
      const all = releasesOf(component);
      return fc.record({
        component: fc.constant(component),
        current: fc.constantFrom(...all.map((r) => r.version)),
        feed: fc.subarray(all, { minLength: 1 }),
        k8s: fc.constantFrom('1.23', '1.27', '1.29', '1.31', '1.34'),
        direct: fc.boolean(),
      });
    });
    fc.assert(
      fc.property(arb, ({ component, current, feed, k8s, direct }) => {
        const scheme = getScheme(catalog.components.get(component)!.scheme as SchemeId);
        const t = target({ id: `f.yaml#values:${component}`, component, current, cluster: 'c1' });
        const pol = direct ? policy('defaults:\n  minimumReleaseAge: 0s\n  majorUpgrade: direct\n') : noAge;
        const p = plan([t], {
          releases: { [component]: feed },
          policy: pol,
          clusters: { c1: { name: 'c1', kubernetesVersion: k8s } },
        });
        let from = current;
        for (const s of p.steps) {
          expect(s.from).toBe(from);
          expect(scheme.compare(s.to, s.from)).toBeGreaterThan(0);
          expect(s.rules.length).toBeGreaterThan(0);
          for (const r of s.rules) expect(r.source.length).toBeGreaterThan(0);
          if (!direct && component !== 'redis-enterprise-operator') {
            expect(scheme.getMajor(s.to) - scheme.getMajor(s.from)).toBeLessThanOrEqual(1);
          }
          from = s.to;
        }
        // Every hop goes to a release the feed offered, written in the current style.
        for (const s of p.steps) {
          expect(feed.some((r) => r.version === s.to || scheme.render(current, r.version) === s.to)).toBe(
            true,
          );
        }
      }),
      { numRuns: 300, seed: 20261121 },
    );
  });
});
