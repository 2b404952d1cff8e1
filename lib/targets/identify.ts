// The one table that maps image repositories, Helm charts and OLM packages to
// catalog component ids. Every entry cites the fixture file (under
// ../shared/fixtures) that shows the name. Anything not in the table is
// ignored: cairn never guesses that an unknown image is Redis.
import type { ComponentId, ComponentRole } from '../model.ts';
import { imageRepository } from './tokens.ts';

export interface Identity {
  component: ComponentId;
  role: ComponentRole;
  managedBy?: ComponentId;
}

interface ImageRule extends Identity {
  /** Repository paths without registry host, lower case. */
  repositories: readonly string[];
}

const IMAGES: readonly ImageRule[] = [
  // howl-redis-operator/DERIVED-status-fields.md (`spec.imageName` default `redis:7.2`);
  // alauda-redis-operator/charts/redis-operator/values.yaml (`repository: redis`);
  // gitops-layouts/flux2-kustomize-helm-example/apps/base/podinfo/release.yaml (`…/docker/library/redis`).
  {
    repositories: ['redis', 'library/redis', 'docker/library/redis'],
    component: 'redis',
    role: 'data-plane',
  },
  // redis-versions/valkey_tags.csv lists valkey-io/valkey tags, published as the `valkey/valkey` image
  // (the image name itself appears in no fixture file).
  { repositories: ['valkey/valkey'], component: 'valkey', role: 'data-plane' },
  // bitnami-redis/bitnami/redis/values.yaml (`repository: bitnami/redis`, `tag: 8.2.1-debian-12-r0`);
  // bitnami-redis/chart-18.16.1/bitnami/redis/values.yaml (`tag: 7.2.4-debian-12-r9`).
  { repositories: ['bitnami/redis'], component: 'bitnami-redis', role: 'data-plane' },
  // howl-redis-operator/charts/redis-operator/values.yaml (`repository: …/howl-cloud/redis-operator`).
  { repositories: ['howl-cloud/redis-operator'], component: 'howl-redis-operator', role: 'operator' },
  // redis-enterprise-k8s/redis-enterprise-k8s-docs/operator.yaml (`image: redislabs/operator:8.0.20-23`);
  // redis-enterprise-k8s/redis-enterprise-k8s-docs/openshift/operator_rhel.yaml (`…/redislabs/redis-enterprise-operator:8.0.20-23`).
  {
    repositories: ['redislabs/operator', 'redislabs/redis-enterprise-operator'],
    component: 'redis-enterprise-operator',
    role: 'operator',
  },
  // redis-enterprise-k8s/redis-docs/content/operate/kubernetes/upgrade/upgrade-redis-cluster.md (`repository: redislabs/redis`);
  // redis-enterprise-k8s/redis-enterprise-k8s-docs/openshift/rec_rhel.yaml (`…/redislabs/redis-enterprise`).
  {
    repositories: ['redislabs/redis', 'redislabs/redis-enterprise'],
    component: 'redis-enterprise',
    role: 'data-plane',
    managedBy: 'redis-enterprise-operator',
  },
  // ot-redis-operator/charts/redis-operator/values.yaml (`imageName: …/opstree/redis-operator`).
  { repositories: ['opstree/redis-operator'], component: 'ot-redis-operator', role: 'operator' },
  // ot-redis-operator/charts/redis-cluster/values.yaml (`image: …/opstree/redis`, `tag: v7.0.15`) and
  // ot-redis-operator/charts/redis-sentinel/values.yaml (`…/opstree/redis-sentinel`, same tags):
  // OT's own builds of Redis and Sentinel, tagged `v<redis version>` (CHANGELOG v0.18.1: "Upgrade
  // redis/sentinel image to 7.0.15"). Their own components: only tags OT publishes are planned.
  {
    repositories: ['opstree/redis'],
    component: 'ot-redis',
    role: 'data-plane',
    managedBy: 'ot-redis-operator',
  },
  {
    repositories: ['opstree/redis-sentinel'],
    component: 'ot-redis-sentinel',
    role: 'data-plane',
    managedBy: 'ot-redis-operator',
  },
  // alauda-redis-operator/charts/redis-operator/values.yaml (`repository: alaudaos/redis-operator`).
  { repositories: ['alaudaos/redis-operator'], component: 'alauda-redis-operator', role: 'operator' },
];

const imageIndex = new Map<string, Identity>();
for (const rule of IMAGES) {
  const { repositories, ...identity } = rule;
  for (const r of repositories) imageIndex.set(r, identity);
}

/** Component of an image reference or repository (registry host and tag ignored), or undefined. */
export function identifyImage(refOrRepository: string): Identity | undefined {
  const repo = imageRepository(refOrRepository.trim());
  return repo ? imageIndex.get(repo) : undefined;
}

interface ChartRule extends Identity {
  chart: string;
  /** Substrings of the chart repository URL that confirm the publisher; empty when the name is unique. */
  repoHints: readonly string[];
  /** Values paths of the chart's own images (for `image.tag` with no repository, or sub-chart values). */
  images: Readonly<Record<string, Identity>>;
}

const CHARTS: readonly ChartRule[] = [
  // bitnami-redis/bitnami/redis/Chart.yaml (`name: redis`, home bitnami.com, dependency repo `…/bitnamicharts`);
  // its values.yaml sets `image.repository: bitnami/redis`.
  {
    chart: 'redis',
    repoHints: ['bitnami'],
    component: 'bitnami-redis-chart',
    role: 'data-plane',
    images: { image: { component: 'bitnami-redis', role: 'data-plane' } },
  },
  // howl-redis-operator/charts/redis-operator/Chart.yaml (`name: redis-operator`, home github.com/howl-cloud);
  // README.md installs it from `oci://…/howl-cloud/charts/redis-operator`.
  {
    chart: 'redis-operator',
    repoHints: ['howl-cloud'],
    component: 'howl-redis-operator',
    role: 'operator',
    images: { image: { component: 'howl-redis-operator', role: 'operator' } },
  },
  // ot-redis-operator/charts/redis-operator/Chart.yaml (`name: redis-operator`, sources OT-CONTAINER-KIT/redis-operator).
  {
    chart: 'redis-operator',
    repoHints: ['ot-container-kit', 'opstree'],
    component: 'ot-redis-operator',
    role: 'operator',
    images: { redisOperator: { component: 'ot-redis-operator', role: 'operator' } },
  },
  // alauda-redis-operator/charts/redis-operator/Chart.yaml (`name: redis-operator`, alauda/redis-operator).
  {
    chart: 'redis-operator',
    repoHints: ['alauda'],
    component: 'alauda-redis-operator',
    role: 'operator',
    images: { 'images.redisOperator': { component: 'alauda-redis-operator', role: 'operator' } },
  },
  // redis-enterprise-k8s/redis-enterprise-k8s-docs/branch-7.8.6-6/helm/redis-enterprise-operator/Chart.yaml and
  // values.yaml (`operator.image.repository: ""` defaults to redislabs/operator); deployment/helm.md installs
  // `redis/redis-enterprise-operator --version <chart-version>`.
  {
    chart: 'redis-enterprise-operator',
    repoHints: [],
    component: 'redis-enterprise-operator',
    role: 'operator',
    images: { 'operator.image': { component: 'redis-enterprise-operator', role: 'operator' } },
  },
];

/**
 * Component of a Helm chart by name and (when known) repository URL or Chart.yaml
 * home/sources. A name shared by several publishers needs a repository hint.
 */
export function identifyChart(chart: string, where?: string): (Identity & { chart: string }) | undefined {
  const name = chart.trim().split('/').pop()?.toLowerCase() ?? '';
  const hay = (where ?? '').toLowerCase();
  const candidates = CHARTS.filter((c) => c.chart === name);
  for (const c of candidates) {
    if (c.repoHints.length === 0 || c.repoHints.some((h) => hay.includes(h))) {
      const { component, role, managedBy } = c;
      return { chart: c.chart, component, role, ...(managedBy ? { managedBy } : {}) };
    }
  }
  return undefined;
}

/** Identity of a chart's own image at a values path (`image`, `operator.image`), when the chart is known. */
export function chartImage(chartComponent: string, valuesPath: string): Identity | undefined {
  for (const c of CHARTS)
    if (c.component === chartComponent && c.images[valuesPath]) return c.images[valuesPath];
  return undefined;
}

interface PackageRule extends Identity {
  pkg: string;
}

// OLM packages (Subscription `spec.name`).
const PACKAGES: readonly PackageRule[] = [
  // alauda-redis-operator/config/manifests/bases/redis-operator.clusterserviceversion.yaml
  // (CSV `redis-operator.vX.Y.Z`, label `name.operator: redis-operator`). The package name is generic, so a
  // Subscription is attributed to Alauda only when its catalog source names alauda; otherwise the
  // subscription kind reports it as ambiguous (a `# cairn: component=…` marker settles it).
  { pkg: 'redis-operator', component: 'alauda-redis-operator', role: 'operator' },
];

/** Component of an OLM package. `source` is the Subscription's catalog source name. */
export function identifyPackage(pkg: string, source?: string): Identity | undefined {
  const rule = PACKAGES.find((p) => p.pkg === pkg);
  if (!rule) return undefined;
  if (rule.component === 'alauda-redis-operator' && !/alauda/i.test(source ?? '')) return undefined;
  const { component, role } = rule;
  return { component, role };
}

/** Git repositories whose tags are operator (or CRD) versions. */
export function identifyGitRepository(url: string, path?: string): Identity | undefined {
  const u = url.toLowerCase();
  // howl-redis-operator/README.md: `kubectl apply -k "github.com/howl-cloud/redis-operator/config/default?ref=${VERSION}"`
  // and CRDs from `…/howl-cloud/redis-operator/${VERSION}/config/crd/bases/…`.
  if (u.includes('howl-cloud/redis-operator')) {
    const crds = /config\/crd/.test(`${u}/${path ?? ''}`);
    return { component: 'howl-redis-operator', role: crds ? 'crds' : 'operator' };
  }
  return undefined;
}
