// Flux `valuesFrom` ConfigMaps (lib/targets/kinds/flux-values-configmap.ts): the values a
// HelmRelease merges from a ConfigMap in the repository, in the order and precedence the
// helm-controller documents (gitops-status/flux/helm-controller/docs/spec/v2/helmreleases.md,
// "Values references": later entries overwrite earlier ones, inline values overwrite both).
import { describe, expect, it } from 'vitest';
import { catalogReleases } from '../../../lib/feed.ts';
import { planUpgrade } from '../../../lib/planner/plan.ts';
import { EMPTY_POLICY } from '../../../lib/policy/load.ts';
import { editTarget } from '../../../lib/targets/edit.ts';
import { memoryRepo } from '../../../lib/targets/repo.ts';
import { scanRepository } from '../../../lib/targets/scan.ts';
import { catalog, NOW } from '../planner/helpers.ts';
import { expectOneTokenEdit } from './helpers.ts';

const SOURCE =
  'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: bitnami\n  namespace: flux-system\nspec:\n  type: oci\n  url: oci://registry-1.docker.io/bitnamicharts\n';

function release(valuesFrom: string, values = ''): string {
  return `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: cache
  namespace: cache
spec:
  chart:
    spec:
      chart: redis
      version: "18.16.1"
      sourceRef:
        kind: HelmRepository
        name: bitnami
        namespace: flux-system
  valuesFrom:
${valuesFrom}${values}`;
}

function configMap(name: string, key: string, tag: string, namespace = 'cache'): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${namespace}
data:
  ${key}: |
    architecture: replication
    image:
      tag: ${tag}
`;
}

async function scan(files: Record<string, string>) {
  return scanRepository(memoryRepo({ 'infra/sources/bitnami.yaml': SOURCE, ...files }));
}

const images = (inv: Awaited<ReturnType<typeof scan>>) =>
  inv.targets
    .filter((t) => t.component === 'bitnami-redis')
    .map((t) => ({ file: t.file, field: t.field, current: t.current, shadowedBy: t.shadowedBy }));

describe('Flux valuesFrom ConfigMaps in the repository', () => {
  it('a ConfigMap the HelmRelease names is a target, with the chart of that release, and edits in place', async () => {
    const cm = configMap('cache-values', 'values.yaml', '7.2.4-debian-12-r9');
    const inv = await scan({
      'apps/cache/release.yaml': release('    - kind: ConfigMap\n      name: cache-values\n'),
      'apps/cache/values.yaml': cm,
    });
    expect(images(inv)).toEqual([
      {
        file: 'apps/cache/values.yaml',
        field: 'data.values.yaml/image.tag',
        current: '7.2.4-debian-12-r9',
        shadowedBy: undefined,
      },
    ]);
    const t = inv.targets.find((x) => x.component === 'bitnami-redis')!;
    expect(t.line).toBe(10);
    expectOneTokenEdit(
      cm,
      editTarget(cm, t, '7.2.5-debian-12-r0', { verify: true }),
      t,
      '7.2.5-debian-12-r0',
    );
  });

  it('the valuesKey is honoured, and a ConfigMap no HelmRelease names (or in another namespace) is no target', async () => {
    const inv = await scan({
      'apps/cache/release.yaml': release(
        '    - kind: ConfigMap\n      name: cache-values\n      valuesKey: values-prod.yaml\n',
      ),
      'apps/cache/values.yaml': configMap('cache-values', 'values-prod.yaml', '7.2.4-debian-12-r9'),
      'apps/cache/unused.yaml': configMap('other-values', 'values.yaml', '7.2.4-debian-12-r9'),
      'apps/other/values.yaml': configMap('cache-values', 'values-prod.yaml', '7.2.4-debian-12-r9', 'other'),
    });
    expect(images(inv).map((i) => i.file)).toEqual(['apps/cache/values.yaml']);
  });

  it('inline spec.values win over the ConfigMap, and a later valuesFrom entry over an earlier one', async () => {
    const inv = await scan({
      'apps/cache/release.yaml': release(
        '    - kind: ConfigMap\n      name: base-values\n    - kind: ConfigMap\n      name: prod-values\n',
        '  values:\n    image:\n      tag: 7.2.5-debian-12-r0\n',
      ),
      'apps/cache/base.yaml': configMap('base-values', 'values.yaml', '7.2.3-debian-12-r0'),
      'apps/cache/prod.yaml': configMap('prod-values', 'values.yaml', '7.2.4-debian-12-r9'),
    });
    const byFile = Object.fromEntries(images(inv).map((i) => [i.file, i.shadowedBy ?? []]));
    expect(byFile['apps/cache/release.yaml']).toEqual([]);
    expect(byFile['apps/cache/prod.yaml']).toEqual([expect.stringContaining('apps/cache/release.yaml#')]);
    expect(byFile['apps/cache/base.yaml']).toEqual([
      expect.stringContaining('apps/cache/prod.yaml#'),
      expect.stringContaining('apps/cache/release.yaml#'),
    ]);
  });

  it('a targetPath entry (one value, not a values file) is not read as values', async () => {
    const inv = await scan({
      'apps/cache/release.yaml': release(
        '    - kind: ConfigMap\n      name: cache-values\n      valuesKey: values.yaml\n      targetPath: extra\n',
      ),
      'apps/cache/values.yaml': configMap('cache-values', 'values.yaml', '7.2.4-debian-12-r9'),
    });
    expect(images(inv)).toEqual([]);
  });

  it('a ConfigMap override is linked to its release: the chart hop says the image is pinned there', async () => {
    const inv = await scan({
      'apps/cache/release.yaml': release('    - kind: ConfigMap\n      name: cache-values\n'),
      'apps/cache/values.yaml': configMap('cache-values', 'values.yaml', '7.2.4-debian-12-r9'),
    });
    expect(inv.targets.find((t) => t.component === 'bitnami-redis')!.release).toBe(
      'apps/cache/release.yaml#0',
    );
    const plan = planUpgrade({
      inventory: inv,
      releases: catalogReleases(catalog),
      clusters: {},
      policy: EMPTY_POLICY,
      catalog,
      now: NOW,
    });
    const chartStep = plan.steps.find((s) => s.component === 'bitnami-redis-chart')!;
    expect(chartStep.risks).toContainEqual(
      expect.stringMatching(
        /^data\.values\.yaml\/image\.tag \(apps\/cache\/values\.yaml:10\) pins bitnami-redis/,
      ),
    );
  });

  it('a values file a configMapGenerator turns into the named ConfigMap is the release values, edited in that file', async () => {
    const kustomization = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: cache
resources:
  - release.yaml
configMapGenerator:
  - name: cache-values
    files:
      - values.yaml=values-prod.yaml
generatorOptions:
  disableNameSuffixHash: true
`;
    const values = 'architecture: replication\nimage:\n  tag: 7.2.4-debian-12-r9 # prod\n';
    const inv = await scan({
      'apps/cache/release.yaml': release('    - kind: ConfigMap\n      name: cache-values\n'),
      'apps/cache/kustomization.yaml': kustomization,
      'apps/cache/values-prod.yaml': values,
    });
    expect(images(inv)).toEqual([
      {
        file: 'apps/cache/values-prod.yaml',
        field: 'image.tag',
        current: '7.2.4-debian-12-r9',
        shadowedBy: undefined,
      },
    ]);
    const t = inv.targets.find((x) => x.component === 'bitnami-redis')!;
    expect(t.release).toBe('apps/cache/release.yaml#0');
    expectOneTokenEdit(
      values,
      editTarget(values, t, '7.2.5-debian-12-r0', { verify: true }),
      t,
      '7.2.5-debian-12-r0',
    );
    // The release's own spec.values still win over the generated ConfigMap.
    const over = await scan({
      'apps/cache/release.yaml': release(
        '    - kind: ConfigMap\n      name: cache-values\n',
        '  values:\n    image:\n      tag: 7.2.5-debian-12-r0\n',
      ),
      'apps/cache/kustomization.yaml': kustomization,
      'apps/cache/values-prod.yaml': values,
    });
    expect(images(over).find((i) => i.file === 'apps/cache/values-prod.yaml')!.shadowedBy).toEqual([
      expect.stringContaining('apps/cache/release.yaml#'),
    ]);
  });
});
