// Environments from cluster names: `dev-1`, `staging-2`, `prod-eu` belong to
// dev, staging and prod by convention (lib/policy/environments.ts), and with
// no environments in the policy, promotion orders them dev -> staging -> prod.
import { describe, expect, it } from 'vitest';
import { conventionalMapping, placeByMapping } from '../../../lib/policy/conventions.ts';
import type { Target } from '../../../lib/model.ts';
import { environmentFromName } from '../../../lib/policy/environments.ts';
import { placeFile } from '../../../lib/policy/resolve.ts';
import { plan, policy, rel, target } from './helpers.ts';

describe('environment from a cluster name', () => {
  it('takes the conventional word of the name, and nothing from other names', () => {
    expect(environmentFromName('dev-1')).toBe('dev');
    expect(environmentFromName('prod-eu')).toBe('prod');
    expect(environmentFromName('staging-2')).toBe('staging');
    expect(environmentFromName('eu-west-production')).toBe('production');
    expect(environmentFromName('qa2')).toBe('qa');
    expect(environmentFromName('eu-west-1')).toBeUndefined();
    expect(environmentFromName('devops')).toBeUndefined();
  });

  it('a Flux layout clusters/dev-1/ is cluster dev-1 in environment dev', () => {
    const files = ['clusters/dev-1/apps.yaml', 'clusters/prod-eu/apps.yaml'];
    const m = conventionalMapping({ files, fluxKustomizations: [] }, []);
    expect(placeByMapping(m, 'clusters/dev-1/apps.yaml')).toEqual({ cluster: 'dev-1', environment: 'dev' });
    expect(placeByMapping(m, 'clusters/prod-eu/apps.yaml')).toEqual({
      cluster: 'prod-eu',
      environment: 'prod',
    });
  });

  it("a policy cluster's own environment wins over its name", () => {
    const p = policy(
      'clusters:\n  - name: prod-eu\n    paths: ["eu/**"]\n  - name: dev-1\n    environment: sandbox\n    paths: ["sb/**"]\n',
    );
    expect(placeFile(p, 'eu/a.yaml')).toEqual({ cluster: 'prod-eu', environment: 'prod' });
    expect(placeFile(p, 'sb/a.yaml')).toEqual({ cluster: 'dev-1', environment: 'sandbox' });
  });
});

describe('promotion between environments named by convention', () => {
  const on = (cluster: string): Target => {
    const environment = environmentFromName(cluster)!;
    return target({
      id: `clusters/${cluster}/cache.yaml#RedisCluster/cache/cache:spec.imageName`,
      component: 'redis',
      current: '7.2.4',
      cluster,
      environment,
      resource: { kind: 'RedisCluster', namespace: 'cache', name: 'cache' },
    });
  };

  it('with no environments in the policy, prod-eu waits for staging-2, which waits for dev-1', () => {
    const p = plan([on('prod-eu'), on('dev-1'), on('staging-2')], { releases: { redis: rel('7.2.5') } });
    const step = (c: string) => p.steps.find((s) => s.cluster === c)!;
    expect(step('dev-1').after).toEqual([]);
    expect(step('staging-2').after).toEqual([step('dev-1').id]);
    expect(step('prod-eu').after).toEqual([step('staging-2').id]);
    expect(step('prod-eu').rules.map((r) => r.id)).toContain('lower-environment-first');
    expect(p.steps.map((s) => s.cluster)).toEqual(['dev-1', 'staging-2', 'prod-eu']);
  });

  it('a lower environment already past an intermediate stop does not block it: staging still crosses the major through 7.0', () => {
    const at = (cluster: string, current: string): Target => ({ ...on(cluster), current });
    const p = plan([at('dev-1', '7.4.1'), at('staging-2', '6.2.14')], {
      releases: { redis: rel('6.2.14', '7.0.15', '7.4.1') },
    });
    const staging = p.steps.filter((s) => s.cluster === 'staging-2').map((s) => `${s.from} -> ${s.to}`);
    expect(staging).toEqual(['6.2.14 -> 7.0.15', '7.0.15 -> 7.4.1']);
    expect(p.blocked.filter((b) => b.cluster === 'staging-2')).toEqual([]);
  });
});
