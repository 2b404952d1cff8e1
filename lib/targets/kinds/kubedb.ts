// KubeDB `Redis` and `RedisSentinel` (kubedb.com): `spec.version` names a
// RedisVersion. KubeDB changes versions through an ops request, never by
// editing spec.version in place: this kind's targets have
// `change: 'ops-request'` and ../ops-request.ts writes the request file.
import { PreconditionError } from '../../errors.ts';
import { foundAt } from '../found.ts';
import type { Found, KindExample } from '../kind.ts';
import { childIn } from '../nodes.ts';
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

export const kubedb = defineKind({
  id: 'kubedb',
  summary: 'KubeDB Redis / RedisSentinel spec.version (changed by a generated RedisOpsRequest)',
  accepts: (view) =>
    apiGroup(view.apiVersion) === 'kubedb.com' && (view.kind === 'Redis' || view.kind === 'RedisSentinel'),
  find: (view) => {
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
