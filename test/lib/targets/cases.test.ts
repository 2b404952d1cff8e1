// Hand-written cases (test/lib/targets/cases/) for what the real fixtures do
// not show: anchors, quoting and flow styles, multi-document files, CRLF, a
// missing final newline, Argo CD helm.values strings, Kustomize and Argo CD
// layering, comment markers, KubeDB ops requests.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { UnsafeFileError, ValidationError } from '../../../lib/errors.ts';
import type { Inventory, Target } from '../../../lib/model.ts';
import { editTarget } from '../../../lib/targets/edit.ts';
import { createOpsRequestFiles, recordOpsRequestResult } from '../../../lib/targets/ops-request.ts';
import { memoryRepo } from '../../../lib/targets/repo.ts';
import { scanRepository } from '../../../lib/targets/scan.ts';
import { bump, changedLines, expectOneTokenEdit } from './helpers.ts';

const casesDir = fileURLToPath(new URL('./cases/', import.meta.url));

function readCases(dir = casesDir): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const abs = join(dir, name);
    if (statSync(abs).isDirectory()) Object.assign(out, readCases(abs));
    else out[relative(casesDir, abs).split(sep).join('/')] = readFileSync(abs, 'utf8');
  }
  return out;
}

const files = readCases();
let inv: Inventory;

beforeAll(async () => {
  inv = await scanRepository(memoryRepo(files), {
    locate: (f) =>
      f.includes('/prod/') || f.includes('production')
        ? { cluster: 'prod-eu', environment: 'production' }
        : {},
  });
});

function target(id: string): Target {
  const t = inv.targets.find((x) => x.id === id);
  if (!t) throw new Error(`missing ${id}; have:\n${inv.targets.map((x) => x.id).join('\n')}`);
  return t;
}

function edit(t: Target, next = bump(t.current), text = files[t.file]!): string {
  const out = editTarget(text, t, next);
  expectOneTokenEdit(text, out, t, next);
  expect(editTarget(text, t, next, { verify: true })).toBe(out);
  return out;
}

describe('anchors and aliases', () => {
  it('edits the anchor definition and reports the aliases that share it', () => {
    const t = target('values-anchors.yaml#values:image.tag');
    expect(t).toMatchObject({ line: 2, current: '7.2.4', component: 'redis', sharedWith: ['image.tag'] });
    const out = edit(t, '7.2.5');
    expect(out.split('\n')[1]).toBe('redisTag: &redisTag "7.2.5"');
    expect(out.split('\n')[5]).toBe('  tag: *redisTag');
  });

  it('reports a value inside an anchored map as shared with its alias', () => {
    const t = target('values-anchors.yaml#values:sentinel.image.tag');
    expect(t.sharedWith).toEqual(['sentinel.copy']);
    expect(edit(t, '7.2.5').split('\n')[9]).toBe('    tag: 7.2.5 # sentinel follows redis');
  });
});

describe('quoting and flow styles', () => {
  it.each([
    ['single.image.tag', "single: {image: {repository: redis, tag: '7.4.1'}}"],
    ['double.image.tag', '  image: {repository: "redis", tag: "7.4.1"}'],
    ['plain.image.tag', '    tag: 7.4.1   # plain, keep the spaces before this comment'],
  ])('keeps the quotes of %s', (field, line) => {
    const t = target(`values-styles.yaml#values:${field}`);
    const out = edit(t, '7.4.1');
    expect(out.split('\n')[t.line - 1]).toBe(line);
  });

  it('refuses a version that an unquoted value would read as a number', () => {
    const t = target('values-styles.yaml#values:plain.image.tag');
    expect(() => editTarget(files[t.file]!, t, '8')).toThrow(ValidationError);
    expect(() => editTarget(files[t.file]!, t, '8')).toThrow(/read as a number/);
    // A value that already is a number may stay one.
    edit(target('values-styles.yaml#values:numeric.image.tag'), '7.4');
  });

  it('refuses versions that are not plain tokens', () => {
    const t = target('values-styles.yaml#values:plain.image.tag');
    // a variable, on purpose
    for (const bad of ['7.4.1 # x', "7.4'1", '${TAG}', 'a:b', '']) {
      expect(() => editTarget(files[t.file]!, t, bad)).toThrow(ValidationError);
    }
  });

  it('reports a tag pinned by digest and a templated tag as unreadable, with their lines', () => {
    const p = inv.problems.filter((x) => x.file === 'values-styles.yaml');
    expect(p).toEqual([
      expect.objectContaining({
        line: 15,
        field: 'pinned.imageName',
        reason: expect.stringMatching(/digest pins the old image/),
      }),
      expect.objectContaining({
        line: 19,
        field: 'templated.image.tag',
        reason: expect.stringMatching(/template or variable/),
      }),
    ]);
  });
});

describe('multi-document files, CRLF and a missing final newline', () => {
  it('finds targets in each document with its index', () => {
    expect(
      target(
        'multi-doc.yaml#Deployment/redis-system/redis-operator:spec.template.spec.containers[name=manager].image',
      ),
    ).toMatchObject({
      document: 0,
      line: 13,
      current: 'v0.2.5',
      component: 'howl-redis-operator',
      role: 'operator',
    });
    expect(target('multi-doc.yaml#RedisCluster/apps/cache:spec.imageName')).toMatchObject({
      document: 1,
      line: 24,
      component: 'redis',
      managedBy: 'howl-redis-operator',
    });
    expect(inv.problems).toContainEqual(
      expect.objectContaining({
        file: 'multi-doc.yaml',
        line: 27,
        reason: expect.stringMatching(/imageName is not set/),
      }),
    );
  });

  it.each([
    ['CRLF', (s: string) => s.replace(/\n/g, '\r\n')],
    ['no final newline', (s: string) => s.replace(/\n$/, '')],
    ['CRLF without final newline', (s: string) => s.replace(/\n/g, '\r\n').replace(/\r\n$/, '')],
  ])('edits every target with %s byte for byte', async (_name, transform) => {
    const text = transform(files['multi-doc.yaml']!);
    const scanned = await scanRepository(memoryRepo({ 'multi-doc.yaml': text }));
    expect(scanned.targets).toHaveLength(2);
    for (const t of scanned.targets) {
      const out = editTarget(text, t, bump(t.current));
      expect(out).toBe(
        text.slice(0, t.span!.offset) + bump(t.current) + text.slice(t.span!.offset + t.current.length),
      );
      expect(changedLines(text, out)).toEqual([t.line]);
      expect(out.endsWith('\n')).toBe(text.endsWith('\n'));
      expect(out.split('\r\n').length).toBe(text.split('\r\n').length);
      expect(editTarget(text, t, bump(t.current), { verify: true })).toBe(out);
    }
  });
});

describe('Argo CD Application and ApplicationSet', () => {
  it('finds the chart version, the helm.values string, valuesObject and parameters', () => {
    const base = 'argo-app.yaml#Application/argocd/cache:spec.sources[0]';
    expect(target(`${base}.targetRevision`)).toMatchObject({
      component: 'bitnami-redis-chart',
      current: '18.16.1',
    });
    expect(target(`${base}.helm.values/image.tag`)).toMatchObject({
      component: 'bitnami-redis',
      line: 20,
      current: '7.2.4-debian-12-r9',
      image: 'mirror.example.com/bitnami/redis',
    });
    expect(target(`${base}.helm.valuesObject.sentinel.image.tag`)).toMatchObject({
      component: 'redis',
      line: 23,
    });
    // image.tag given as a parameter: the chart's own image.
    const param = target(`${base}.helm.parameters[name=image.tag].value`);
    expect(param).toMatchObject({ component: 'bitnami-redis', current: '7.2.4-debian-12-r10' });
    // Parameters win over the values string for the same value.
    expect(param.shadows).toEqual([`${base}.helm.values/image.tag`]);
  });

  it('edits the token inside the helm.values string at its exact offset', () => {
    const out = edit(
      target('argo-app.yaml#Application/argocd/cache:spec.sources[0].helm.values/image.tag'),
      '7.2.5-debian-12-r0',
    );
    expect(out.split('\n')[19]).toBe('            tag: "7.2.5-debian-12-r0"');
  });

  it('reads a templated ApplicationSet targetRevision at the generator element that sets it, on its cluster', () => {
    const t = target(
      'argo-app.yaml#ApplicationSet/argocd/operators:spec.generators[0].list.elements[0].version',
    );
    expect([t.component, t.current, t.line, t.cluster]).toEqual(['howl-redis-operator', '0.2.6', 40, 'prod']);
    expect(inv.problems.filter((p) => p.file === 'argo-app.yaml')).toEqual([]);
  });
});

describe('Kustomize overlays', () => {
  it('lets the overlay patch win over the base for its cluster and reports the base as shadowed', () => {
    const base = target('kustomize/base/redis.yaml#RedisCluster/cache:spec.imageName');
    const prod = target('kustomize/overlays/prod/redis-patch.yaml#RedisCluster/cache:spec.imageName');
    expect(prod).toMatchObject({
      current: '7.2.6',
      cluster: 'prod-eu',
      environment: 'production',
      shadows: [base.id],
    });
    expect(base.shadowedBy).toEqual([prod.id]);
    edit(prod);
  });

  it('identifies an overlay that overrides only the tag through the base it patches', () => {
    const base = target(
      'kustomize/base/redis.yaml#HelmRelease/redis-system/redis-operator:spec.values.image.tag',
    );
    const prod = target(
      'kustomize/overlays/prod/redis-patch.yaml#HelmRelease/redis-system/redis-operator:spec.values.image.tag',
    );
    expect(prod).toMatchObject({
      component: 'howl-redis-operator',
      role: 'operator',
      current: '0.2.6',
      shadows: [base.id],
    });
    expect(
      target('kustomize/base/redis.yaml#HelmRelease/redis-system/redis-operator:spec.chart.spec.version'),
    ).toMatchObject({
      component: 'howl-redis-operator',
      current: '0.2.5',
    });
  });

  it('finds images[].newTag', () => {
    edit(target('kustomize/overlays/prod/kustomization.yaml#Kustomization:images[name=redis].newTag'));
  });
});

describe('Argo CD value files', () => {
  it('lets values-production.yaml win over the chart values.yaml for the Application, through the sub-chart', () => {
    const base = target('argo-layers/charts/cache/values.yaml#values:redis.image.tag');
    const prod = target('argo-layers/charts/cache/values-production.yaml#values:redis.image.tag');
    expect(base).toMatchObject({ component: 'bitnami-redis', shadowedBy: [prod.id] });
    expect(prod).toMatchObject({ component: 'bitnami-redis', shadows: [base.id], environment: 'production' });
    edit(prod);
  });
});

describe('comment markers', () => {
  it('reads Flux image-policy setters and cairn markers, and ignores :name setters', () => {
    expect(target('markers.yaml#ConfigMap/cache-settings:data.engine')).toMatchObject({
      component: 'redis',
      current: '7.2.4',
    });
    expect(
      inv.targets.find((t) => t.id === 'markers.yaml#ConfigMap/cache-settings:data.tag'),
    ).toBeUndefined();
    expect(target('markers.yaml#ConfigMap/cache-settings:data.enterprise')).toMatchObject({
      component: 'redis-enterprise',
      managedBy: 'redis-enterprise-operator',
      line: 9,
    });
    expect(inv.targets.filter((t) => t.file === 'markers.yaml')).toHaveLength(2);
    edit(target('markers.yaml#ConfigMap/cache-settings:data.engine'));
  });
});

describe('KubeDB ops requests', () => {
  it('adds a RedisOpsRequest in the style of the file, and lists it in the kustomization', () => {
    const t = target('kubedb/redis.yaml#Redis/demo/cache:spec.version');
    expect(t.change).toBe('ops-request');
    expect(() => editTarget(files[t.file]!, t, '8.2.2')).toThrow(/ops request/);
    const added = createOpsRequestFiles(files[t.file]!, t, '8.2.2', {
      kustomization: { path: 'kubedb/kustomization.yaml', text: files['kubedb/kustomization.yaml']! },
    });
    expect(added).toEqual([
      {
        path: 'kubedb/cache-update-8-2-2.yaml',
        text: [
          '---',
          'apiVersion: ops.kubedb.com/v1alpha1',
          'kind: RedisOpsRequest',
          'metadata:',
          '    name: cache-update-8-2-2',
          '    namespace: demo',
          'spec:',
          '    type: UpdateVersion',
          '    databaseRef:',
          '        name: cache',
          '    updateVersion:',
          "        targetVersion: '8.2.2'",
          '',
        ].join('\n'),
      },
      {
        path: 'kubedb/kustomization.yaml',
        text: "resources:\n  - 'redis.yaml'\n  - 'cache-update-8-2-2.yaml'\n",
      },
    ]);
    expect(parse(added[0]!.text).spec.updateVersion.targetVersion).toBe('8.2.2');
  });

  it('writes the reached version into spec.version once the request succeeded', () => {
    const t = target('kubedb/redis.yaml#Redis/demo/cache:spec.version');
    const out = recordOpsRequestResult(files[t.file]!, t, '8.2.2');
    expectOneTokenEdit(files[t.file]!, out, t, '8.2.2');
  });

  it('refuses to write an ops request from a file that changed since the scan', () => {
    const t = target('kubedb/redis.yaml#Redis/demo/cache:spec.version');
    expect(() => createOpsRequestFiles(files[t.file]!.replace("'7.4.6'", "'7.4.7'"), t, '8.2.2')).toThrow(
      /now "7.4.7"/,
    );
    expect(() => createOpsRequestFiles(`${files[t.file]!}\0`, t, '8.2.2')).toThrow(UnsafeFileError);
  });
});
