// The Kubernetes resources cairn reads, by API group, version and plural (the
// plurals and scopes are the CRDs' in ../shared/fixtures). One table: the readers
// and the test Kubernetes API server both use it.
export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

export const RESOURCES: readonly ResourceType[] = [
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false },
  { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true },
  { group: 'apps', version: 'v1', plural: 'statefulsets', kind: 'StatefulSet', namespaced: true },
  { group: 'redis.io', version: 'v1', plural: 'redisclusters', kind: 'RedisCluster', namespaced: true },
  { group: 'redis.io', version: 'v1', plural: 'redisbackups', kind: 'RedisBackup', namespaced: true },
  {
    group: 'app.redislabs.com',
    version: 'v1',
    plural: 'redisenterpriseclusters',
    kind: 'RedisEnterpriseCluster',
    namespaced: true,
  },
  {
    group: 'app.redislabs.com',
    version: 'v1alpha1',
    plural: 'redisenterprisedatabases',
    kind: 'RedisEnterpriseDatabase',
    namespaced: true,
  },
  { group: 'kubedb.com', version: 'v1', plural: 'redises', kind: 'Redis', namespaced: true },
  {
    group: 'ops.kubedb.com',
    version: 'v1alpha1',
    plural: 'redisopsrequests',
    kind: 'RedisOpsRequest',
    namespaced: true,
  },
  {
    group: 'catalog.kubedb.com',
    version: 'v1alpha1',
    plural: 'redisversions',
    kind: 'RedisVersion',
    namespaced: false,
  },
  {
    group: 'core.kubestash.com',
    version: 'v1alpha1',
    plural: 'backupsessions',
    kind: 'BackupSession',
    namespaced: true,
  },
  {
    group: 'redis.redis.opstreelabs.in',
    version: 'v1beta2',
    plural: 'redisclusters',
    kind: 'RedisCluster',
    namespaced: true,
  },
  {
    group: 'redis.redis.opstreelabs.in',
    version: 'v1beta2',
    plural: 'redis',
    kind: 'Redis',
    namespaced: true,
  },
  {
    group: 'redis.redis.opstreelabs.in',
    version: 'v1beta2',
    plural: 'redisreplications',
    kind: 'RedisReplication',
    namespaced: true,
  },
  { group: 'middleware.alauda.io', version: 'v1', plural: 'redis', kind: 'Redis', namespaced: true },
  {
    group: 'argoproj.io',
    version: 'v1alpha1',
    plural: 'applications',
    kind: 'Application',
    namespaced: true,
  },
  {
    group: 'kustomize.toolkit.fluxcd.io',
    version: 'v1',
    plural: 'kustomizations',
    kind: 'Kustomization',
    namespaced: true,
  },
  {
    group: 'helm.toolkit.fluxcd.io',
    version: 'v2',
    plural: 'helmreleases',
    kind: 'HelmRelease',
    namespaced: true,
  },
  {
    group: 'source.toolkit.fluxcd.io',
    version: 'v1',
    plural: 'gitrepositories',
    kind: 'GitRepository',
    namespaced: true,
  },
];

export function apiVersionOf(r: ResourceType): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** The URL path of a collection or an object, as the Kubernetes API serves it. */
export function resourcePath(r: ResourceType, namespace?: string, name?: string): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const ns = r.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${r.plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
}

export function findResource(group: string, kind: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.group === group && r.kind === kind);
}
