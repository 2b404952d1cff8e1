// KubeDB `Redis` and `RedisSentinel` (kubedb.com): `spec.version` names a
// RedisVersion. KubeDB changes versions through an ops request, never by
// editing spec.version in place: this kind's targets have
// `change: 'ops-request'` and ../ops-request.ts writes the request file.
// Ops requests already in the repository (`RedisOpsRequest`,
// `RedisSentinelOpsRequest`, type UpdateVersion, kubedb/docs
// examples/redis/update-version/) are read too: `linkOpsRequests` attaches
// each to the database it names, so the planner sees a pending change
// instead of generating a second one.
import { PreconditionError } from '../../errors.ts';
import { foundAt } from '../found.ts';
import type { PendingRequest, Target } from '../../model.ts';
import type { Found, KindExample } from '../kind.ts';
import { childIn, stringOf } from '../nodes.ts';
import { apiGroup } from '../yaml-file.ts';
import { defineKind } from './define.ts';

const examples: KindExample[] = [
  {
    file: 'databases/cache.yaml',
    text: [
      'apiVersion: kubedb.com/v1',
      'kind: Redis',
      'metadata:',
      '  name: cache',
      '  namespace: demo',
      'spec:',
      '  version: 7.4.6',
      '  storageType: Durable',
      '',
    ].join('\n'),
    expect: [{ field: 'spec.version', current: '7.4.6', component: 'kubedb-redis', role: 'data-plane' }],
  },
];

/** Ops request kind -> the database kind it changes. */
const REQUESTS: Record<string, string> = {
  RedisOpsRequest: 'Redis',
  RedisSentinelOpsRequest: 'RedisSentinel',
};

export const kubedb = defineKind({
  id: 'kubedb',
  summary:
    'KubeDB Redis / RedisSentinel spec.version (changed by a generated RedisOpsRequest), and the UpdateVersion ops requests already in the repository',
  accepts: (view) =>
    (apiGroup(view.apiVersion) === 'kubedb.com' &&
      (view.kind === 'Redis' || view.kind === 'RedisSentinel')) ||
    (apiGroup(view.apiVersion) === 'ops.kubedb.com' && REQUESTS[view.kind ?? ''] !== undefined),
  find: (view) => {
    const database = REQUESTS[view.kind ?? ''];
    if (database) {
      const spec = view.doc.contents;
      if (stringOf(childIn(spec, ['spec', 'type'])) !== 'UpdateVersion') return [];
      const ref = stringOf(childIn(spec, ['spec', 'databaseRef', 'name']));
      const node = childIn(spec, ['spec', 'updateVersion', 'targetVersion']);
      if (!ref || !node) return [];
      const f: Found = foundAt(view, 'spec.updateVersion.targetVersion', node);
      f.identity = { component: 'kubedb-redis', role: 'data-plane', managedBy: 'kubedb-operator' };
      f.change = 'ops-request';
      const namespace = stringOf(childIn(spec, ['metadata', 'namespace']));
      f.requestFor = { kind: database, name: ref, ...(namespace ? { namespace } : {}) };
      return [f];
    }
    const node = childIn(view.doc.contents, ['spec', 'version']);
    if (!node) return [];
    const f: Found = foundAt(view, 'spec.version', node);
    f.identity = { component: 'kubedb-redis', role: 'data-plane', managedBy: 'kubedb-operator' };
    f.change = 'ops-request';
    return [f];
  },
  edit: (_text, found) => {
    throw new PreconditionError(
      `${found.field}: KubeDB versions change through a RedisOpsRequest, not by editing spec.version; use createOpsRequestFiles()`,
    );
  },
  examples,
});

/**
 * Moves every ops-request target onto the database it changes (same kind,
 * namespace and name, and the same cluster when both are placed): the
 * database's `pendingRequests`. Returns the targets without the requests, and
 * the requests whose database is not in the repository (reported, not planned).
 */
export function linkOpsRequests(
  targets: readonly (Target & { requestFor?: { kind: string; namespace?: string; name: string } })[],
): { targets: Target[]; orphans: Target[] } {
  const requests = targets.filter((t) => t.requestFor);
  if (!requests.length) return { targets: [...targets], orphans: [] };
  const orphans: Target[] = [];
  const kept = targets.filter((t) => !t.requestFor);
  for (const r of requests) {
    const ref = r.requestFor!;
    const db = kept.find(
      (t) =>
        t.kind === 'kubedb' &&
        t.resource?.kind === ref.kind &&
        t.resource.name === ref.name &&
        (t.resource.namespace ?? '') === (ref.namespace ?? '') &&
        (!t.cluster || !r.cluster || t.cluster === r.cluster),
    );
    if (!db) {
      orphans.push(r);
      continue;
    }
    const pending: PendingRequest = {
      file: r.file,
      line: r.line,
      kind: r.resource?.kind ?? '',
      name: r.resource?.name ?? '',
      targetVersion: r.current,
    };
    db.pendingRequests = [...(db.pendingRequests ?? []), pending];
  }
  return { targets: kept, orphans };
}
