import { describe, expect, it } from 'vitest';
import { planUpgrade } from '../../../lib/planner/plan.ts';
import { EMPTY_POLICY } from '../../../lib/policy/load.ts';
import { catalog, NOW, path, plan, policy, rel, target } from './helpers.ts';

const howlOperator = target({
  id: 'infra/howl.yaml#HelmRelease/redis-system/redis-operator:spec.chart.spec.version',
  component: 'howl-redis-operator',
  current: 'v0.1.3',
  cluster: 'prod',
});
const redisCluster = target({
  id: 'apps/cache.yaml#RedisCluster/cache/sessions:spec.imageName',
  component: 'redis',
  current: '7.2.4',
  cluster: 'prod',
  managedBy: 'howl-redis-operator',
  resource: { kind: 'RedisCluster', namespace: 'cache', name: 'sessions' },
});

describe('semantic-version paths (Alauda seed, default rule)', () => {
  it('crosses a major through the earliest minor of each major on the way', () => {
    const t = target({ id: 'v.yaml#values:image.tag', component: 'redis', current: '6.2.14' });
    const releases = { redis: rel('6.2.16', '7.0.11', '7.0.15', '7.2.4', '7.4.2', '8.0.2', '8.2.1') };
    const p = plan([t], { releases });
    expect(path(p, t.id)).toEqual(['6.2.14', '7.0.15', '8.0.2', '8.2.1']);
    expect(p.steps.map((s) => s.rules[0]!.id)).toEqual([
      'major-via-earliest-minor',
      'major-via-earliest-minor',
      'patch-minor-direct',
    ]);
    // every hop waits for the one before it
    expect(p.steps[1]!.after).toEqual([p.steps[0]!.id]);
    expect(p.steps[2]!.after).toEqual([p.steps[1]!.id]);
  });

  it('goes direct within a major, keeping the image variant suffix', () => {
    const t = target({ id: 'v.yaml#values:image.tag', component: 'redis', current: '7.2.4-alpine' });
    const p = plan([t], { releases: { redis: rel('7.2.5', '7.4.1') } });
    expect(path(p, t.id)).toEqual(['7.2.4-alpine', '7.4.1-alpine']);
  });

  it('marks a hop that raises the RDB format as one-way with a backup first', () => {
    const t = target({ id: 'v.yaml#values:image.tag', component: 'redis', current: '7.2.4' });
    const [step] = plan([t], { releases: { redis: rel('7.4.1') } }).steps;
    expect(step!.oneWay).toBe(true);
    expect(step!.risks).toContain(
      'raises the RDB format from 11 to 12: an older server cannot load it, so rollback means restore from backup',
    );
    expect(step!.preSteps.map((s) => s.kind)).toEqual(['backup']);
    expect(step!.rules.map((r) => r.id)).toContain('rdb-one-way');
  });

  it('a patch within a line keeps the RDB format and needs no backup', () => {
    const t = target({ id: 'v.yaml#values:image.tag', component: 'redis', current: '7.2.4' });
    const [step] = plan([t], { releases: { redis: rel('7.2.5') } }).steps;
    expect(step).toMatchObject({ from: '7.2.4', to: '7.2.5', oneWay: false, preSteps: [], risks: [] });
  });

  it('reports `latest` as unplannable with the reason', () => {
    const t = target({ id: 'v.yaml#values:image.tag', component: 'redis', current: 'latest' });
    const p = plan([t]);
    expect(p.targets[0]!.status).toBe('unplannable');
    expect(p.blocked[0]!.reason).toMatch(/latest/);
    expect(p.steps).toEqual([]);
  });

  it('an empty feed gives a blocked entry, not a silent no-op', () => {
    const t = target({ id: 'v.yaml#values:image.tag', component: 'valkey', current: '7.2.5' });
    const p = plan([t], { releases: { valkey: [] } });
    expect(p.blocked[0]).toMatchObject({
      component: 'valkey',
      reason: 'no releases of valkey are known: the feed is empty',
    });
  });
});

describe('policy rules', () => {
  const t = target({ id: 'v.yaml#values:image.tag', component: 'redis', current: '7.2.4', cluster: 'prod' });
  const releases = {
    redis: [
      { version: '7.2.5', published: '2025-01-01' },
      { version: '7.4.1', published: '2025-06-01' },
      { version: '7.4.2', published: '2026-11-20' },
    ],
  };

  it('minimum release age holds back a fresh release', () => {
    const p = plan([t], { releases, policy: policy('defaults:\n  minimumReleaseAge: 7d\n') });
    expect(path(p, t.id)).toEqual(['7.2.4', '7.4.1']);
  });

  it('a pin keeps the target in range and a deny entry is never chosen', () => {
    expect(path(plan([t], { releases, policy: policy('defaults:\n  pin: "7.2.x"\n') }), t.id)).toEqual([
      '7.2.4',
      '7.2.5',
    ]);
    expect(
      path(
        plan([t], { releases, policy: policy('defaults:\n  minimumReleaseAge: 0s\n  deny: ["7.4.2"]\n') }),
        t.id,
      ),
    ).toEqual(['7.2.4', '7.4.1']);
  });

  it('update types limit what is proposed, per component', () => {
    const pol = policy('rules:\n  - match: { components: [redis] }\n    updateTypes: [patch]\n');
    expect(path(plan([t], { releases, policy: pol }), t.id)).toEqual(['7.2.4', '7.2.5']);
  });

  it('a requirement the plan cannot meet is blocked with its reason', () => {
    const pol = policy('defaults:\n  minimumVersion: "7.4.2"\n  minimumReleaseAge: 7d\n');
    const p = plan([t], { releases, policy: pol });
    expect(p.blocked).toHaveLength(1);
    expect(p.blocked[0]!.reason).toBe('the policy requires at least 7.4.2, but the plan only reaches 7.4.1');
  });

  it('never downgrades, even when the feed only has older versions', () => {
    const p = plan([t], { releases: { redis: rel('6.2.16', '7.0.15') } });
    expect(p.steps).toEqual([]);
    expect(p.targets[0]!.status).toBe('up-to-date');
  });
});

describe('operator before data plane (howl-cloud seed)', () => {
  const releases = {
    'howl-redis-operator': rel('v0.1.3', 'v0.2.6'),
    redis: rel('7.2.4', '7.2.7'),
  };

  it('orders the data-plane step after the operator step and never puts both in one step', () => {
    const p = plan([redisCluster, howlOperator], { releases });
    const op = p.steps.find((s) => s.component === 'howl-redis-operator')!;
    const data = p.steps.find((s) => s.component === 'redis')!;
    expect(data.after).toContain(op.id);
    expect(p.steps.indexOf(op)).toBeLessThan(p.steps.indexOf(data));
    expect(data.rules.map((r) => r.id)).toContain('operator-before-data-plane');
    expect(op.preSteps.map((s) => s.kind)).toEqual(['crds']);
    expect(new Set(p.steps.map((s) => s.target.id)).size).toBe(2);
  });

  it('a supervised RedisCluster says how to approve the primary switchover, outside Git', () => {
    const supervised = { ...redisCluster, fields: { 'spec.primaryUpdateStrategy': 'supervised' } };
    const p = plan([supervised, howlOperator], { releases });
    const data = p.steps.find((s) => s.component === 'redis')!;
    const approve = data.preSteps.find((s) => s.kind === 'approve-primary')!;
    expect(approve.description).toContain('redis.io/approve-primary-update=true');
    expect(approve.description).toContain('never put it in Git');
    expect(data.gate.health).toEqual([
      'RedisCluster status.phase is Healthy',
      'status.readyInstances equals spec.instances',
      'status.currentPrimary is set and runs the new image',
    ]);
  });
});

describe('KubeDB update constraints', () => {
  const noAge = policy('defaults:\n  minimumReleaseAge: 0s\n');

  it('takes several hops, each admitted by the allowlist of the version before it', () => {
    const t = target({
      id: 'db.yaml#Redis/demo/rd:spec.version',
      component: 'kubedb-redis',
      current: '4.0.11',
      change: 'ops-request',
    });
    const p = plan([t], { policy: noAge });
    expect(path(p, t.id)).toEqual(['4.0.11', '5.0.14', '6.0.20', '6.2.14', '7.0.14', '7.4.1']);
    expect(p.steps.every((s) => s.rules[0]!.id === 'kubedb-update-constraints')).toBe(true);
    expect(p.steps.every((s) => s.change === 'ops-request')).toBe(true);
    // 7.4.1 only admits itself, so 8.2.2 cannot be reached from anywhere on this path.
    expect(p.blocked[0]).toMatchObject({ wanted: '8.2.2' });
    expect(p.blocked[0]!.reason).toContain('no chain of allowed updates reaches 8.2.2');
  });

  it('stops at the newest version the allowlist admits', () => {
    const t = target({
      id: 'db.yaml#Redis/demo/rd:spec.version',
      component: 'kubedb-redis',
      current: '7.2.4',
    });
    const p = plan([t], { policy: noAge });
    expect(path(p, t.id)).toEqual(['7.2.4', '7.4.1']);
    expect(p.steps[0]!.rules[0]!.text).toContain(`7.2.4's allowlist ">= 7.2.4, < 7.4.2" admits 7.4.1`);
  });

  it('blocks a target its allowlist excludes, and plans the reachable one', () => {
    const t = target({
      id: 'db.yaml#Redis/demo/rd:spec.version',
      component: 'kubedb-redis',
      current: '7.4.6',
      change: 'ops-request',
    });
    const p = plan([t], { policy: noAge });
    expect(path(p, t.id)).toEqual(['7.4.6', '8.0.4']);
    expect(p.blocked[0]).toMatchObject({ wanted: '8.2.2' });
    // The path's dead end is 8.0.4, whose own allowlist stops short of 8.2.2.
    expect(p.blocked[0]!.reason).toContain('8.0.4\'s allowlist ">= 8.0.4, < 8.2.2" does not admit 8.2.2');
  });

  it('plans on the default release age: the shipped RedisVersions are dated by the installer release that shipped them', () => {
    const t = target({
      id: 'db.yaml#Redis/demo/rd:spec.version',
      component: 'kubedb-redis',
      current: '7.4.6',
    });
    const p = plan([t]);
    // 7.4.6's allowlist ">= 7.4.6, < 8.2.2" admits 8.0.4, not 8.2.2.
    expect(p.steps.map((s) => s.to)).toEqual(['8.0.4']);
  });
});

describe('Redis Enterprise: Kubernetes support and operator → cluster order', () => {
  const op = target({
    id: 're/operator.yaml#Deployment/re/redis-enterprise-operator:image',
    component: 'redis-enterprise-operator',
    current: '7.4.6-2',
    cluster: 'prod',
  });
  const rec = target({
    id: 're/rec.yaml#RedisEnterpriseCluster/re/rec:spec.redisEnterpriseImageSpec.versionTag',
    component: 'redis-enterprise',
    current: '7.4.6-22',
    cluster: 'prod',
    managedBy: 'redis-enterprise-operator',
    resource: { kind: 'RedisEnterpriseCluster', namespace: 're', name: 'rec' },
  });

  it("blocks when no newer operator supports the cluster's Kubernetes, naming the Kubernetes step", () => {
    const p = plan([op, rec], { clusters: { prod: { name: 'prod', kubernetesVersion: '1.23' } } });
    expect(p.steps.filter((s) => s.component === 'redis-enterprise-operator')).toEqual([]);
    const b = p.blocked.find((x) => x.component === 'redis-enterprise-operator')!;
    expect(b.reason).toMatch(/^Kubernetes 1\.23 is not supported by redis-enterprise-operator /);
    expect(b.unblock).toMatch(/^upgrade Kubernetes on prod to 1\.\d+ first/);
    expect(b.rule?.id).toBe('kubernetes-supported-throughout');
  });

  it("fails closed when the cluster's Kubernetes version is unknown", () => {
    const p = plan([op]);
    expect(p.steps).toEqual([]);
    expect(p.blocked[0]!.reason).toContain('Kubernetes version of cluster prod is unknown');
  });

  it('upgrades the REC only after the operator that ships its version, over supported direct paths', () => {
    const p = plan([op, rec], { clusters: { prod: { name: 'prod', kubernetesVersion: '1.29' } } });
    const ops = p.steps.filter((s) => s.component === 'redis-enterprise-operator');
    const recs = p.steps.filter((s) => s.component === 'redis-enterprise');
    expect(ops.length).toBeGreaterThan(0);
    for (const r of recs.filter((x) => x.after.some((a) => ops.some((o) => o.id === a)))) {
      expect(r.rules.map((x) => x.id)).toEqual(
        expect.arrayContaining(['re-operator-cluster-database-order', 're-direct-upgrade-paths']),
      );
    }
    // The last REC step waits for the last operator step.
    expect(recs.at(-1)!.after).toContain(ops.at(-1)!.id);
    for (const s of ops) expect(s.rules.map((r) => r.id)).toContain('kubernetes-supported-throughout');
  });
});

describe('environment promotion (lower environment first)', () => {
  const pol = policy(`
clusters:
  - { name: dev-1, environment: dev, paths: ["clusters/dev/**"] }
  - { name: prod-1, environment: prod, paths: ["clusters/prod/**"] }
environments:
  - name: dev
  - name: prod
    after: [dev]
    soak: 48h
`);
  const dev = target({
    id: 'clusters/dev/v.yaml#values:image.tag',
    component: 'redis',
    current: '7.2.4',
    cluster: 'dev-1',
    environment: 'dev',
  });
  const prod = target({
    id: 'clusters/prod/v.yaml#values:image.tag',
    component: 'redis',
    current: '7.2.4',
    cluster: 'prod-1',
    environment: 'prod',
  });

  it('prod waits for the same hop in dev and soaks it', () => {
    const p = plan([dev, prod], { policy: pol, releases: { redis: rel('7.2.5') } });
    const d = p.steps.find((s) => s.environment === 'dev')!;
    const q = p.steps.find((s) => s.environment === 'prod')!;
    expect(q.after).toContain(d.id);
    expect(q.gate.soak).toBe('48h');
    expect(q.rules.map((r) => r.id)).toContain('lower-environment-first');
  });

  it('a version dev will not run is blocked for prod', () => {
    const pinnedDev = policy(`
clusters:
  - { name: dev-1, environment: dev, paths: ["clusters/dev/**"] }
  - { name: prod-1, environment: prod, paths: ["clusters/prod/**"] }
environments:
  - name: dev
  - name: prod
    after: [dev]
rules:
  - match: { environments: [dev] }
    pin: "7.2.x"
`);
    const p = plan([dev, prod], { policy: pinnedDev, releases: { redis: rel('7.2.5', '7.4.1') } });
    expect(path(p, prod.id)).toEqual([]);
    expect(p.blocked.find((b) => b.environment === 'prod')!.reason).toBe(
      '7.4.1 has not run in dev yet (there: 7.2.4 -> 7.2.5)',
    );
  });
});

describe('environment promotion across Argo CD Applications named per environment', () => {
  // One Argo CD instance holds every environment's Applications in one namespace,
  // so the same workload is `cache-dev` in dev and `cache-prod` in prod.
  const pol = policy(`
clusters:
  - { name: dev, environment: dev, paths: ["clusters/dev/**"] }
  - { name: prod, environment: prod, paths: ["clusters/prod/**"] }
environments:
  - name: dev
  - name: prod
    after: [dev]
`);
  const app = (env: string, name: string) =>
    target({
      id: `clusters/${env}/apps/cache.yaml#Application/argocd/${name}:spec.source.helm.valuesObject.image.tag`,
      component: 'redis',
      current: '7.2.4',
      cluster: env,
      environment: env,
      field: 'spec.source.helm.valuesObject.image.tag',
      resource: { kind: 'Application', namespace: 'argocd', name },
    });

  it('prod waits for dev although the Application names carry the environment', () => {
    const p = plan([app('dev', 'cache-dev'), app('prod', 'cache-prod')], {
      policy: pol,
      releases: { redis: rel('7.2.5') },
    });
    const d = p.steps.find((s) => s.environment === 'dev')!;
    const q = p.steps.find((s) => s.environment === 'prod')!;
    expect(q.after).toEqual([d.id]);
    expect(q.rules.map((r) => r.id)).toContain('lower-environment-first');
  });

  it('a prefix works too, and different workloads stay apart', () => {
    const p = plan([app('dev', 'dev-cache'), app('prod', 'prod-cache'), app('prod', 'prod-sessions')], {
      policy: pol,
      releases: { redis: rel('7.2.5') },
    });
    const d = p.steps.find((s) => s.environment === 'dev')!;
    expect(p.steps.find((s) => s.target.name.endsWith('prod-cache'))!.after).toEqual([d.id]);
    expect(p.steps.find((s) => s.target.name.endsWith('prod-sessions'))!.after).toEqual([]);
  });
});

describe('determinism', () => {
  it('the same input gives the same plan, and step ids do not depend on inventory order', () => {
    const targets = [howlOperator, redisCluster];
    const input = { releases: { 'howl-redis-operator': rel('v0.2.6'), redis: rel('7.2.7', '7.4.1') } };
    const a = plan(targets, input);
    const b = plan([...targets].reverse(), input);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(a.steps.map((s) => s.id)).toEqual([
      expect.stringMatching(/^howl-redis-operator-v0\.2\.6-[0-9a-f]{8}$/),
      expect.stringMatching(/^redis-7\.4\.1-[0-9a-f]{8}$/),
    ]);
  });

  it('step ids change when the hop changes', () => {
    const t = target({ id: 'v.yaml#values:image.tag', component: 'redis', current: '7.2.4' });
    const a = planUpgrade({
      inventory: { targets: [t], problems: [] },
      releases: { redis: rel('7.2.5') },
      clusters: {},
      policy: EMPTY_POLICY,
      catalog,
      now: NOW,
    });
    const b = planUpgrade({
      inventory: { targets: [t], problems: [] },
      releases: { redis: rel('7.2.6') },
      clusters: {},
      policy: EMPTY_POLICY,
      catalog,
      now: NOW,
    });
    expect(a.steps[0]!.id).not.toBe(b.steps[0]!.id);
  });
});

describe('backup before a major, and before a one-way hop (howl-cloud seed)', () => {
  it('a one-way hop within a major cites the one-way backup rule, not backup-before-major', () => {
    // The guide's example: a RedisCluster from redis:7.2 to redis:7.4 (RDB 11 -> 12), backup first.
    const [step] = plan([redisCluster], { releases: { redis: rel('7.4.2') } }).steps;
    expect(step).toMatchObject({ from: '7.2.4', to: '7.4.2', oneWay: true });
    const ids = step!.rules.map((r) => r.id);
    expect(ids).toContain('backup-before-one-way');
    expect(ids).not.toContain('backup-before-major');
    expect(step!.preSteps.find((s) => s.kind === 'backup')).toMatchObject({
      rule: 'backup-before-one-way',
      description: 'create a RedisBackup of sessions and wait for it to complete',
    });
  });

  it('a hop that crosses a major cites backup-before-major', () => {
    const [step] = plan([redisCluster], { releases: { redis: rel('8.0.2') } }).steps;
    expect(step).toMatchObject({ from: '7.2.4', to: '8.0.2' });
    const ids = step!.rules.map((r) => r.id);
    expect(ids).toContain('backup-before-major');
    expect(ids).not.toContain('backup-before-one-way');
    expect(step!.preSteps.find((s) => s.kind === 'backup')!.rule).toBe('backup-before-major');
  });
});
