// deploy/argocd: the Lua health checks run by the real Lua 5.1 (Argo CD's dialect)
// the way Argo CD's own resource_customizations tests run them (health_test.yaml
// beside testdata/), then against the real statuses in ../shared/fixtures and every
// state the CRDs and API references declare, each compared with cairn's own
// evaluator (lib/health/) for the same object; the argocd-cm that ships them, the
// notifications to /webhooks/argocd, and the Application for cairn itself.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { evaluateHealth, type KubeObject } from '../../lib/health/index.ts';
import { describeWithFixtures, haveFixtures, readFixture, repoRoot } from '../support/fixtures.ts';
import { validateManifest, type Manifest } from '../support/k8s-manifests.ts';
import { fixtureObject, markdownObjects, withFields } from '../support/kube-objects.ts';
import { describeWithLua, runHealthScript } from '../support/lua.ts';

const argocd = join(repoRoot, 'deploy/argocd');
const customizations = join(argocd, 'resource_customizations');
const CHECKS = readdirSync(customizations)
  .flatMap((g) => readdirSync(join(customizations, g)).map((k) => ({ group: g, kind: k })))
  .map((c) => ({ ...c, dir: join(customizations, c.group, c.kind) }));

const script = (group: string, kind: string) =>
  readFileSync(join(customizations, group, kind, 'health.lua'), 'utf8');
const yamlFile = (p: string) => parse(readFileSync(p, 'utf8')) as KubeObject;

/** cairn's verdict, as Argo CD would name it. */
function cairnAsArgo(evaluator: string, object: KubeObject): string {
  const r = evaluateHealth(evaluator, {
    object,
    related: [],
    params: {},
    context: { readAt: new Date('2026-12-01T09:00:00Z') },
  });
  if (r.needsApproval) return 'Suspended';
  return { healthy: 'Healthy', progressing: 'Progressing', degraded: 'Degraded', unknown: 'Unknown' }[
    r.status
  ];
}

/** The quoted values of a value table in an API reference (`| "Running" | … |` after a heading). */
function documentedValues(rel: string, heading: string): string[] {
  const text = readFixture(rel);
  const start = text.indexOf(`### ${heading}\n`);
  expect(start, `${rel} documents ${heading}`).toBeGreaterThan(-1);
  const section = text.slice(start + heading.length + 5).split(/\n### /)[0]!;
  return [...section.matchAll(/^\| "([^"]+)" \|/gm)].map((m) => m[1]!);
}

function crdEnum(rel: string, version: string, field: string): string[] {
  const crd = parse(readFixture(rel)) as {
    spec: {
      versions: {
        name: string;
        schema: {
          openAPIV3Schema: { properties: { status: { properties: Record<string, { enum?: string[] }> } } };
        };
      }[];
    };
  };
  const v = crd.spec.versions.find((x) => x.name === version)!;
  return v.schema.openAPIV3Schema.properties.status.properties[field]?.enum ?? [];
}

describeWithLua('Argo CD health checks, run the way Argo CD tests them', () => {
  it('ships a check for each Redis kind cairn reads health from', () => {
    expect(CHECKS.map((c) => `${c.group}/${c.kind}`).sort()).toEqual([
      'app.redislabs.com/RedisEnterpriseCluster',
      'app.redislabs.com/RedisEnterpriseDatabase',
      'kubedb.com/Redis',
      'ops.kubedb.com/RedisOpsRequest',
      'redis.io/RedisCluster',
      'redis.redis.opstreelabs.in/RedisCluster',
      'redis.redis.opstreelabs.in/RedisReplication',
    ]);
  });

  describe.each(CHECKS)('$group/$kind', ({ group, kind, dir }) => {
    const tests = (
      yamlFile(join(dir, 'health_test.yaml')) as unknown as {
        tests: { healthStatus: { status: string; message: string }; inputPath: string }[];
      }
    ).tests;
    it.each(tests.map((t) => [t.inputPath, t] as const))('%s', (_path, t) => {
      const object = yamlFile(join(dir, t.inputPath));
      expect(object.kind).toBe(kind);
      expect(object.apiVersion?.split('/')[0]).toBe(group);
      expect(runHealthScript(script(group, kind), [object])[0]).toEqual(t.healthStatus);
    });
  });

  it('argocd-cm carries each health.lua byte for byte, under resource.customizations.health.<group>_<kind>', async () => {
    const cm = yamlFile(join(argocd, 'argocd-cm.yaml')) as unknown as Manifest & {
      data: Record<string, string>;
    };
    expect(await validateManifest(cm)).toEqual([]);
    const expected = Object.fromEntries(
      CHECKS.map((c) => [`resource.customizations.health.${c.group}_${c.kind}`, script(c.group, c.kind)]),
    );
    expect(cm.data, 'regenerate deploy/argocd/argocd-cm.yaml from the health.lua files').toEqual(expected);
  });

  it('a Lua error is not taken for a verdict (the harness can fail)', () => {
    expect(() => runHealthScript('error("boom")', [{}])).toThrow(/boom/);
  });
});

// The operators' real CRDs are in ../shared/fixtures: without them these are skipped, by name.
describeWithFixtures('Argo CD health-check testdata against the real CRDs', () => {
  it.each(CHECKS)('$group/$kind: every testdata object is valid against the real CRD', async ({ dir }) => {
    for (const t of readdirSync(join(dir, 'testdata'))) {
      const o = yamlFile(join(dir, 'testdata', t)) as unknown as Manifest;
      expect(await validateManifest(o), t).toEqual([]);
    }
  });
});

// Needs Lua and the real statuses in ../shared/fixtures.
(haveFixtures ? describeWithLua : describeWithFixtures)(
  'Argo CD health checks agree with cairn on the real statuses and every declared state',
  () => {
    if (!CHECKS.length) return;
    // Each case: the check, cairn's evaluator for the same kind, and the objects.
    const cases: { check: string; evaluator: string; objects: () => KubeObject[] }[] = [
      {
        check: 'redis.io/RedisCluster',
        evaluator: 'howl-redis-cluster',
        objects: () => {
          const base = yamlFile(join(customizations, 'redis.io/RedisCluster/testdata/healthy.yaml'));
          // The Go constants, listed in the DERIVED note next to the CRD.
          const note = readFixture('howl-redis-operator/DERIVED-status-fields.md');
          const phases = /`status\.phase` values[^:]*:\s*([\s\S]*?)\.\n/
            .exec(note)![1]!
            .split(/,\s*/)
            .map((s) => s.trim());
          expect(phases).toContain('WaitingForUser');
          return [
            ...[...phases, 'SomethingNew'].map((p) => withFields(base, { 'status.phase': p })),
            withFields(base, { 'status.readyInstances': 2 }),
            withFields(base, { 'status.currentPrimary': '' }),
            withFields(base, { 'status.instancesStatus.cache-2.connected': false }),
            withFields(base, { 'status.instancesStatus.cache-1.masterLinkStatus': 'down' }),
            withFields(base, { 'spec.instances': undefined, 'status.instances': undefined }),
            withFields(base, { status: undefined }),
          ];
        },
      },
      {
        check: 'app.redislabs.com/RedisEnterpriseCluster',
        evaluator: 'redis-enterprise-cluster',
        objects: () => {
          const base = yamlFile(
            join(customizations, 'app.redislabs.com/RedisEnterpriseCluster/testdata/healthy.yaml'),
          );
          const states = documentedValues(
            'redis-enterprise-k8s/redis-enterprise-k8s-docs/redis_enterprise_cluster_api.md',
            'ClusterState',
          );
          expect(states).toContain('Running');
          return [
            ...states.map((s) => withFields(base, { 'status.state': s })),
            withFields(base, { 'status.specStatus': 'Invalid' }),
            withFields(base, { status: undefined }),
          ];
        },
      },
      {
        check: 'app.redislabs.com/RedisEnterpriseDatabase',
        evaluator: 'redis-enterprise-database',
        objects: () => {
          const base = yamlFile(
            join(customizations, 'app.redislabs.com/RedisEnterpriseDatabase/testdata/healthy.yaml'),
          );
          const states = documentedValues(
            'redis-enterprise-k8s/redis-enterprise-k8s-docs/redis_enterprise_database_api.md',
            'DatabaseStatus',
          );
          expect(states).toContain('active');
          return [
            ...states.map((s) => withFields(base, { 'status.status': s })),
            withFields(base, { 'status.status': 'pending', 'status.specStatus': 'Invalid' }),
            withFields(base, { 'status.observedGeneration': 1 }),
            withFields(base, { status: undefined }),
          ];
        },
      },
      {
        check: 'kubedb.com/Redis',
        evaluator: 'kubedb-redis',
        objects: () => {
          const real = markdownObjects('kubedb/docs/docs/guides/redis/quickstart/overview/redis.md').filter(
            (o) => o.kind === 'Redis' && o.status,
          );
          expect(real.length).toBeGreaterThan(0);
          const phases = crdEnum(
            'kubedb/installer/charts/kubedb-crds/crds/kubedb.com_redises.yaml',
            'v1',
            'phase',
          );
          expect(phases).toContain('Ready');
          return [
            ...real,
            ...phases.map((p) => withFields(real[0]!, { 'status.phase': p })),
            withFields(real[0]!, { 'metadata.generation': 9, 'status.observedGeneration': 8 }),
            withFields(real[0]!, { status: undefined }),
          ];
        },
      },
      {
        check: 'ops.kubedb.com/RedisOpsRequest',
        evaluator: 'kubedb-ops-request',
        objects: () => {
          const real = [
            ...markdownObjects('kubedb/docs/docs/guides/redis/concepts/redisopsrequest.md'),
            ...markdownObjects('kubedb/docs/docs/guides/redis/restart/restart.md'),
          ].filter((o) => o.kind === 'RedisOpsRequest' && o.status);
          expect(real.length).toBeGreaterThan(1);
          const phases = crdEnum(
            'kubedb/installer/charts/kubedb-crds/crds/ops.kubedb.com_redisopsrequests.yaml',
            'v1alpha1',
            'phase',
          );
          expect(phases).toContain('Successful');
          return [
            ...real,
            ...phases.map((p) => withFields(real[0]!, { 'status.phase': p })),
            withFields(real[0]!, { 'status.phase': 'Failed' }),
            withFields(real[0]!, { status: undefined }),
          ];
        },
      },
      {
        check: 'redis.redis.opstreelabs.in/RedisCluster',
        evaluator: 'ot-redis-cluster',
        objects: () => {
          const ot = fixtureObject('ot-redis-operator/example/v1beta2/redis-cluster.yaml', 'RedisCluster');
          const ready = withFields(ot, {
            'status.state': 'Ready',
            'status.readyLeaderReplicas': 3,
            'status.readyFollowerReplicas': 3,
          });
          return [
            ot,
            ready,
            withFields(ready, { 'status.readyFollowerReplicas': 2 }),
            withFields(ready, { 'status.readyLeaderReplicas': undefined }),
            withFields(ready, { 'spec.redisLeader.replicas': 5 }),
            withFields(ready, { 'spec.clusterSize': undefined }),
            withFields(ready, { 'status.state': 'Failed', 'status.reason': 'leader pods are not ready' }),
            withFields(ready, { 'status.state': 'Initializing' }),
            withFields(ready, {
              'status.state': 'Bootstrap',
              'status.reason': 'RedisCluster is bootstrapping',
            }),
          ];
        },
      },
    ];

    it.each(cases)('$check says what cairn ($evaluator) says', ({ check, evaluator, objects }) => {
      const [group, kind] = [check.slice(0, check.lastIndexOf('/')), check.slice(check.lastIndexOf('/') + 1)];
      const list = objects();
      const lua = runHealthScript(script(group, kind), list).map((h) => h.status);
      const cairn = list.map((o) => cairnAsArgo(evaluator, o));
      const rows = list.map(
        (o, i) =>
          `${JSON.stringify((o as { status?: unknown }).status ?? null).slice(0, 80)} -> lua ${lua[i]}, cairn ${cairn[i]}`,
      );
      expect(lua, rows.join('\n')).toEqual(cairn);
      // every verdict appears at least once among the cases, so the comparison is not one-sided
      expect(new Set(lua).size).toBeGreaterThan(2);
    });
  },
);

describeWithFixtures('Argo CD notifications to cairn', () => {
  const cm = yamlFile(join(argocd, 'argocd-notifications-cm.yaml')) as unknown as Manifest & {
    data: Record<string, string>;
  };

  it('is a valid ConfigMap whose service, template, trigger and subscription refer to one another', async () => {
    expect(await validateManifest(cm)).toEqual([]);
    const service = parse(cm.data['service.webhook.cairn']!) as {
      url: string;
      headers: { name: string; value: string }[];
    };
    expect(service.url).toMatch(/^https:\/\//);
    // the token is read from argocd-notifications-secret, never written here
    expect(service.headers).toContainEqual({ name: 'X-Cairn-Token', value: '$cairn-argocd-token' });
    const template = parse(cm.data['template.cairn-app-status']!) as {
      webhook: Record<string, { method: string; path: string; body: string }>;
    };
    expect(template.webhook.cairn).toMatchObject({ method: 'POST', path: '/webhooks/argocd' });
    const trigger = parse(cm.data['trigger.on-cairn-gate']!) as {
      when: string;
      send: string[];
      oncePer?: string;
    }[];
    for (const t of trigger) expect(t.send).toEqual(['cairn-app-status']);
    expect(parse(cm.data.subscriptions!)).toEqual([{ recipients: ['cairn'], triggers: ['on-cairn-gate'] }]);
  });

  it('its conditions use only the Application fields the catalog triggers use, and the same oncePer', () => {
    const trigger = parse(cm.data['trigger.on-cairn-gate']!) as { when: string; oncePer?: string }[];
    const catalog = ['on-deployed', 'on-health-degraded', 'on-sync-failed'].flatMap(
      (n) =>
        parse(readFixture(`gitops-status/argo-cd/notifications_catalog/triggers/${n}.yaml`)) as {
          when: string;
          oncePer?: string;
        }[],
    );
    const fields = (s: string) =>
      new Set([...s.matchAll(/app(?:\.\w+|\?\.\w+)+/g)].map((m) => m[0].replace(/\?/g, '')));
    const known = new Set(catalog.flatMap((c) => [...fields(c.when), ...fields(c.oncePer ?? '')]));
    for (const t of trigger) {
      for (const f of fields(t.when)) expect(known, f).toContain(f);
      expect(t.oncePer).toBe(catalog[0]!.oncePer);
    }
  });

  it('the template body is small JSON once Argo CD fills it in, for an Application with and without an operation', () => {
    const template = parse(cm.data['template.cairn-app-status']!) as { webhook: { cairn: { body: string } } };
    const body = template.webhook.cairn.body;
    const app = fixtureObject('gitops-status/argo-cd/controller/testdata/diff-cache.yaml', 'Application');
    const at = (o: unknown, path: string) =>
      path
        .split('.')
        .reduce<unknown>(
          (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
          o,
        );
    // The two template forms it uses: sprig's toJson of a path, and with/else around one.
    const render = (data: unknown) =>
      body
        .replace(
          /\{\{with \.(\S+)\}\}\{\{toJson \.(\w+)\}\}\{\{else\}\}null\{\{end\}\}/g,
          (_m, scope: string, field: string) => {
            const s = at(data, scope);
            return s ? JSON.stringify(at(s, field) ?? null) : 'null';
          },
        )
        .replace(/\{\{toJson \.(\S+)\}\}/g, (_m, path: string) => JSON.stringify(at(data, path) ?? null));
    for (const a of [app, withFields(app, { 'status.operationState': undefined })]) {
      const text = render({ app: a });
      expect(text).not.toContain('{{');
      const parsed = JSON.parse(text) as { trigger: string; application: Record<string, unknown> };
      expect(parsed.trigger).toBe('on-cairn-gate');
      expect(parsed.application).toMatchObject({ name: a.metadata?.name, health: 'Healthy' });
      expect(text.length).toBeLessThan(1024);
    }
    expect(JSON.parse(render({ app })).application.operation).toBe('Succeeded');
  });

  it('the Application that runs cairn is valid against the real Application CRD', async () => {
    const docs = parseAllDocuments(readFileSync(join(argocd, 'application.yaml'), 'utf8')).map(
      (d) => d.toJS() as Manifest,
    );
    for (const d of docs) expect(await validateManifest(d)).toEqual([]);
    expect((docs[0] as unknown as { spec: { source: { path: string } } }).spec.source.path).toBe(
      'deploy/kubernetes/all-in-one',
    );
    // and the CRD validation does catch a wrong field
    const wrong = { ...docs[0]!, spec: { ...(docs[0]!.spec as object), destinaton: {} } };
    expect((await validateManifest(wrong as Manifest)).join('\n')).toMatch(/destinaton|additional/);
  });
});
