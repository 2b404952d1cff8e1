// Overrides in a separate values file tied to their chart (lib/targets/kinds/helm-values.ts,
// tieArgoValueFiles): an Argo CD multi-source Application whose chart comes from a chart
// repository and whose `helm.valueFiles` name `$values/<path>` in this repository. The layout is
// a reduction of vuchuc789/cmp9785-cloud-development (infra/kustomize/apps/redis.yaml: Bitnami
// redis 20.12.2 from registry-1.docker.io/bitnamicharts, `$values/infra/helm/values/redis.yaml`,
// `ref: values`), with an image.tag override added to the values file.
import { describe, expect, it } from 'vitest';
import { catalogReleases } from '../../../lib/feed.ts';
import { planRepository } from '../../../lib/plan-repository.ts';
import { EMPTY_POLICY } from '../../../lib/policy/load.ts';
import { editTarget } from '../../../lib/targets/edit.ts';
import { memoryRepo } from '../../../lib/targets/repo.ts';
import { scanRepository } from '../../../lib/targets/scan.ts';
import { catalog, NOW } from '../planner/helpers.ts';
import { expectOneTokenEdit } from './helpers.ts';

const app = (name: string, valuesFile: string, extra = '') => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
spec:
  project: cmp9785
  sources:
    - repoURL: registry-1.docker.io/bitnamicharts
      chart: redis
      targetRevision: 20.12.2
      helm:
        valueFiles:
          - $values/${valuesFile}
        ignoreMissingValueFiles: true
${extra}    - repoURL: https://github.com/example/fleet
      targetRevision: main
      ref: values
  destination:
    server: https://kubernetes.default.svc
    namespace: redis
`;

const VALUES = `architecture: standalone
auth:
  enabled: false
image:
  tag: 7.4.2-debian-12-r6 # held back until the app is tested on 8
master:
  kind: Deployment
`;

const files = (extra = '') => ({
  'infra/kustomize/apps/redis.yaml': app('redis', 'infra/helm/values/redis.yaml', extra),
  'infra/helm/values/redis.yaml': VALUES,
});

describe('Argo CD $values files tied to the chart of their Application', () => {
  it('a tag-only override in a file whose name does not say "values" is the chart image, edited in that file', async () => {
    const inv = await scanRepository(memoryRepo(files()));
    expect(inv.targets.map((t) => [t.file, t.field, t.component, t.current, t.release])).toEqual([
      [
        'infra/helm/values/redis.yaml',
        'image.tag',
        'bitnami-redis',
        '7.4.2-debian-12-r6',
        'infra/kustomize/apps/redis.yaml#0',
      ],
      [
        'infra/kustomize/apps/redis.yaml',
        'spec.sources[0].targetRevision',
        'bitnami-redis-chart',
        '20.12.2',
        undefined,
      ],
    ]);
    const t = inv.targets[0]!;
    expectOneTokenEdit(
      VALUES,
      editTarget(VALUES, t, '7.4.3-debian-12-r0', { verify: true }),
      t,
      '7.4.3-debian-12-r0',
    );
  });

  it('the override pins Redis for that chart instance: chart hops say so and claim no Redis change', async () => {
    const { plan } = await planRepository(memoryRepo(files()), {
      policy: EMPTY_POLICY,
      catalog,
      releases: catalogReleases(catalog),
      clusters: {},
      now: NOW,
    });
    const chart = plan.steps.filter((s) => s.component === 'bitnami-redis-chart');
    expect(chart.length).toBeGreaterThan(0);
    for (const s of chart) {
      expect(s.risks).toContainEqual(
        expect.stringMatching(
          /^image\.tag \(infra\/helm\/values\/redis\.yaml:5\) pins bitnami-redis \(7\.4\.2-debian-12-r6 today\) independently of the chart/,
        ),
      );
      expect(s.risks.join('\n')).not.toMatch(/moves bitnami-redis across a major/);
    }
    const image = plan.targets.find((t) => t.target.file === 'infra/helm/values/redis.yaml')!;
    expect(image.note).toMatch(
      /pins bitnami-redis independently of the chart \(spec\.sources\[0\]\.targetRevision 20\.12\.2\)/,
    );
  });

  it("the Application's own helm.valuesObject wins over the values file", async () => {
    const inv = await scanRepository(
      memoryRepo(files('        valuesObject:\n          image:\n            tag: 7.4.3-debian-12-r0\n')),
    );
    const inFile = inv.targets.find((t) => t.file === 'infra/helm/values/redis.yaml')!;
    expect(inFile.shadowedBy).toEqual([
      'infra/kustomize/apps/redis.yaml#Application/argocd/redis:spec.sources[0].helm.valuesObject.image.tag',
    ]);
  });

  it('a values file named by Applications of two clusters is shared by both', async () => {
    const inv = await scanRepository(
      memoryRepo({
        'clusters/dev/redis.yaml': app('redis-dev', 'shared/redis-values.yaml'),
        'clusters/prod/redis.yaml': app('redis-prod', 'shared/redis-values.yaml'),
        'shared/redis-values.yaml': VALUES,
      }),
      {
        locate: (file) =>
          file.startsWith('clusters/')
            ? { cluster: file.split('/')[1]!, environment: file.split('/')[1]! }
            : {},
      },
    );
    const t = inv.targets.find((x) => x.file === 'shared/redis-values.yaml')!;
    expect(t.component).toBe('bitnami-redis');
    expect(t.sharedBy).toEqual([
      { cluster: 'dev', environment: 'dev' },
      { cluster: 'prod', environment: 'prod' },
    ]);
  });
});

describe('values files beside an umbrella chart', () => {
  it('values-prod.yaml pins the Bitnami dependency image for that chart: the dependency hop says so', async () => {
    const { plan, inventory } = await planRepository(
      memoryRepo({
        'charts/cache/Chart.yaml':
          'apiVersion: v2\nname: cache\nversion: 1.0.0\ndependencies:\n  - name: redis\n    version: 20.12.2\n    repository: oci://registry-1.docker.io/bitnamicharts\n',
        'charts/cache/values-prod.yaml':
          'redis:\n  architecture: standalone\n  image:\n    tag: 7.4.2-debian-12-r6\n',
      }),
      { policy: EMPTY_POLICY, catalog, releases: catalogReleases(catalog), clusters: {}, now: NOW },
    );
    const image = inventory.targets.find((t) => t.file === 'charts/cache/values-prod.yaml')!;
    expect([image.component, image.release]).toEqual(['bitnami-redis', 'charts/cache/Chart.yaml#0']);
    const dep = plan.steps.find((s) => s.component === 'bitnami-redis-chart')!;
    expect(dep.risks).toContainEqual(
      expect.stringMatching(/^redis\.image\.tag \(charts\/cache\/values-prod\.yaml:4\) pins bitnami-redis/),
    );
  });
});
