// KubeDB: the versions a cluster can move to are exactly the `RedisVersion`
// objects its KubeDB installation ships (`catalog.kubedb.com/v1alpha1`), read
// from cluster state. The object name is what a RedisOpsRequest targets.
// RedisVersion objects carry no publish date: release age stays unknown.
import { RemoteError } from '../../errors.ts';
import type { SpecOf } from '../spec.ts';
import type { RawItem, SourceReader } from '../types.ts';

interface RedisVersionObject {
  metadata?: { name?: unknown; resourceVersion?: unknown };
  spec?: { version?: unknown; distribution?: unknown; deprecated?: unknown; db?: { image?: unknown } };
}

export const kubedb: SourceReader<'kubedb-catalog'> = {
  type: 'kubedb-catalog',
  dated: false,
  key: (s) => `kubedb-catalog:${s.cluster ?? '*'}${s.distribution ? `#${s.distribution}` : ''}`,
  host: (s) => `cluster:${s.cluster ?? '*'}`,
  async read(spec: SpecOf<'kubedb-catalog'>, ctx) {
    if (!ctx.cluster)
      throw new RemoteError(
        'kubedb',
        'no cluster state to read RedisVersion objects from (pass --cluster-state)',
        { retryable: false },
      );
    const lists = await ctx.cluster(spec.cluster, 'catalog.kubedb.com/v1alpha1', 'RedisVersion');
    if (!lists.length)
      throw new RemoteError(
        'kubedb',
        `no cluster state${spec.cluster ? ` for cluster ${spec.cluster}` : ''}`,
        { retryable: false },
      );
    const items: RawItem[] = [];
    const warnings: string[] = [];
    const seen = new Set<string>();
    for (const { objects } of lists) {
      for (const o of objects as RedisVersionObject[]) {
        const name = o.metadata?.name;
        if (typeof name !== 'string') continue;
        if (spec.distribution && o.spec?.distribution !== spec.distribution) continue;
        if (o.spec?.deprecated === true) continue; // KubeDB refuses new databases and updates onto a deprecated version
        if (seen.has(name)) continue;
        seen.add(name);
        const item: RawItem = { tag: name };
        if (typeof o.spec?.db?.image === 'string') item.digest = o.spec.db.image;
        items.push(item);
      }
    }
    return { changed: true, items, state: null, warnings };
  },
};
