// Patches written inside a kustomization.yaml (lib/targets/kinds/kustomize-patches.ts): an
// inline strategic-merge patch (`patches[].patch: |`, `patchesStrategicMerge: [|]`) or JSON6902
// ops (`patches[].patch` with a target, `patchesJson6902[].patch`) that set a Redis version are
// targets, edited at the exact token inside the block scalar, and the base they override is
// reported as overridden (kustomize docs, "patches": inline patch strings and JSON6902 targets).
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../../lib/model.ts';
import { editTarget } from '../../../lib/targets/edit.ts';
import { memoryRepo } from '../../../lib/targets/repo.ts';
import { scanRepository } from '../../../lib/targets/scan.ts';
import { describeWithFixtures, readFixture } from '../../support/fixtures.ts';
import { expectOneTokenEdit } from './helpers.ts';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: redis
spec:
  template:
    spec:
      containers:
        - name: redis
          image: redis:7.2.4
        - name: exporter
          image: oliver006/redis_exporter:v1.62.0
`;

const BASE_KUSTOMIZATION =
  'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - redis.yaml\n';

function overlay(patches: string): string {
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
${patches}`;
}

const redisTargets = (inv: Inventory) =>
  inv.targets
    .filter((t) => t.component === 'redis')
    .map((t) => ({ file: t.file, field: t.field, current: t.current, shadowedBy: t.shadowedBy ?? [] }));

async function scanOverlay(patches: string) {
  const text = overlay(patches);
  const inv = await scanRepository(
    memoryRepo({
      'base/redis.yaml': DEPLOYMENT,
      'base/kustomization.yaml': BASE_KUSTOMIZATION,
      'overlays/prod/kustomization.yaml': text,
    }),
  );
  return { inv, text };
}

function expectOverride(inv: Inventory, text: string, field: string, current: string, next: string) {
  const rows = redisTargets(inv);
  const patch = rows.find((r) => r.file === 'overlays/prod/kustomization.yaml');
  expect(patch).toEqual({ file: 'overlays/prod/kustomization.yaml', field, current, shadowedBy: [] });
  const base = rows.find((r) => r.file === 'base/redis.yaml');
  expect(base?.shadowedBy).toEqual([
    expect.stringContaining(`overlays/prod/kustomization.yaml#Deployment/redis:${field}`),
  ]);
  const t = inv.targets.find(
    (x) => x.file === 'overlays/prod/kustomization.yaml' && x.component === 'redis',
  )!;
  expectOneTokenEdit(text, editTarget(text, t, next, { verify: true }), t, next);
  expectOneTokenEdit(text, editTarget(text, t, next), t, next);
}

describe('Kustomize inline patches', () => {
  it('an inline strategic-merge patch (patches[].patch: |-) overrides the base image, edited inside the block', async () => {
    const { inv, text } = await scanOverlay(`patches:
  - patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: redis
      spec:
        template:
          spec:
            containers:
              - name: redis
                image: redis:7.2.5 # prod runs ahead
`);
    expectOverride(
      inv,
      text,
      'patches[0].patch/spec.template.spec.containers[name=redis].image',
      '7.2.5',
      '7.4.1',
    );
  });

  it('JSON6902 ops in patches[].patch with a target: the op value is the target', async () => {
    const { inv, text } = await scanOverlay(`patches:
  - target:
      kind: Deployment
      name: redis
    patch: |
      - op: replace
        path: /spec/replicas
        value: 3
      - op: replace
        path: /spec/template/spec/containers/0/image
        value: "redis:7.2.5"
`);
    expectOverride(inv, text, 'patches[0].patch/[1].value', '7.2.5', '7.4.1');
  });

  it('patchesJson6902[].patch and an inline patchesStrategicMerge string are read too', async () => {
    const json = await scanOverlay(`patchesJson6902:
  - target:
      group: apps
      version: v1
      kind: Deployment
      name: redis
    patch: |-
      - op: replace
        path: /spec/template/spec/containers/0/image
        value: redis:7.2.5
`);
    expectOverride(json.inv, json.text, 'patchesJson6902[0].patch/[0].value', '7.2.5', '7.4.1');
    const smp = await scanOverlay(`patchesStrategicMerge:
  - |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: redis
    spec:
      template:
        spec:
          containers:
            - name: redis
              image: redis:7.2.5
`);
    expectOverride(
      smp.inv,
      smp.text,
      'patchesStrategicMerge[0]/spec.template.spec.containers[name=redis].image',
      '7.2.5',
      '7.4.1',
    );
  });

  it('a patch of another resource, or a position that holds another image, overrides nothing', async () => {
    const { inv } = await scanOverlay(`patches:
  - target:
      kind: Deployment
      name: other
    patch: |
      - op: replace
        path: /spec/template/spec/containers/0/image
        value: redis:7.2.5
  - target:
      kind: Deployment
      name: redis
    patch: |
      - op: replace
        path: /spec/template/spec/containers/1/image
        value: docker.io/bitnami/redis:7.2.5-debian-12-r0
`);
    expect(redisTargets(inv).find((r) => r.file === 'base/redis.yaml')?.shadowedBy).toEqual([]);
  });

  it('a folded (>) patch holding an image is reported, not edited approximately', async () => {
    const { inv } = await scanOverlay(`patches:
  - target: {kind: Deployment, name: redis}
    patch: >
      [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "redis:7.2.5"}]
`);
    expect(inv.problems).toContainEqual(
      expect.objectContaining({
        file: 'overlays/prod/kustomization.yaml',
        field: 'patches[0].patch',
        reason: expect.stringContaining('not a literal block'),
      }),
    );
  });
});

describe('Kustomize JSON6902 patch files', () => {
  const OPS = `# pin prod ahead of the base
- op: replace
  path: /spec/template/spec/containers/0/image
  value: redis:7.2.5
`;
  it.each([
    [
      'patchesJson6902[].path',
      'patchesJson6902:\n  - target:\n      group: apps\n      version: v1\n      kind: Deployment\n      name: redis\n    path: redis-image.yaml\n',
    ],
    [
      'patches[].path with a target',
      'patches:\n  - path: redis-image.yaml\n    target:\n      kind: Deployment\n      name: redis\n',
    ],
  ])('%s: the op value in the file is the target and the base is overridden', async (_name, patches) => {
    const inv = await scanRepository(
      memoryRepo({
        'base/redis.yaml': DEPLOYMENT,
        'base/kustomization.yaml': BASE_KUSTOMIZATION,
        'overlays/prod/kustomization.yaml': overlay(patches),
        'overlays/prod/redis-image.yaml': OPS,
      }),
    );
    const rows = redisTargets(inv);
    expect(rows.find((r) => r.file === 'overlays/prod/redis-image.yaml')).toEqual({
      file: 'overlays/prod/redis-image.yaml',
      field: '[0].value',
      current: '7.2.5',
      shadowedBy: [],
    });
    expect(rows.find((r) => r.file === 'base/redis.yaml')?.shadowedBy).toEqual([
      'overlays/prod/redis-image.yaml#Deployment/redis:[0].value',
    ]);
    const t = inv.targets.find((x) => x.file === 'overlays/prod/redis-image.yaml')!;
    expectOneTokenEdit(OPS, editTarget(OPS, t, '7.4.1', { verify: true }), t, '7.4.1');
  });
});

describeWithFixtures('Kustomize inline patches over a real HelmRelease base', () => {
  // flux2-kustomize-helm-example: apps/base/podinfo (podinfo's redis at 8.6.2), with the staging
  // overlay's values patch written inline instead of as podinfo-values.yaml.
  const base = 'gitops-layouts/flux2-kustomize-helm-example/apps/base/podinfo/';
  const files = (staging: string) =>
    memoryRepo({
      'apps/base/podinfo/release.yaml': readFixture(`${base}release.yaml`),
      'apps/base/podinfo/kustomization.yaml': readFixture(`${base}kustomization.yaml`),
      'apps/base/podinfo/repository.yaml': readFixture(`${base}repository.yaml`),
      'apps/staging/kustomization.yaml': staging,
    });

  it('a tag-only values patch takes the component of the base it overrides', async () => {
    const staging = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../base/podinfo
patches:
  - target:
      kind: HelmRelease
    patch: |
      apiVersion: helm.toolkit.fluxcd.io/v2
      kind: HelmRelease
      metadata:
        name: podinfo
        namespace: podinfo
      spec:
        values:
          redis:
            tag: 8.6.1
  - target:
      kind: HelmRelease
      name: podinfo
    patch: |
      - op: add
        path: /spec/values/redis/tag
        value: 8.6.0
`;
    const inv = await scanRepository(files(staging));
    const rows = redisTargets(inv);
    expect(rows).toEqual([
      {
        file: 'apps/base/podinfo/release.yaml',
        field: 'spec.values.redis.tag',
        current: '8.6.2',
        shadowedBy: [
          'apps/staging/kustomization.yaml#HelmRelease/podinfo/podinfo:patches[0].patch/spec.values.redis.tag',
          'apps/staging/kustomization.yaml#HelmRelease/podinfo:patches[1].patch/[0].value',
        ],
      },
      {
        file: 'apps/staging/kustomization.yaml',
        field: 'patches[0].patch/spec.values.redis.tag',
        current: '8.6.1',
        // The later patch of the same value wins (kustomize applies patches in order).
        shadowedBy: ['apps/staging/kustomization.yaml#HelmRelease/podinfo:patches[1].patch/[0].value'],
      },
      {
        file: 'apps/staging/kustomization.yaml',
        field: 'patches[1].patch/[0].value',
        current: '8.6.0',
        shadowedBy: [],
      },
    ]);
    const t = inv.targets.find((x) => x.field === 'patches[1].patch/[0].value')!;
    expectOneTokenEdit(staging, editTarget(staging, t, '8.6.3', { verify: true }), t, '8.6.3');
  });
});
