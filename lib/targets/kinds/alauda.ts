// Alauda redis-operator `Redis` (middleware.alauda.io): `spec.version` is a
// Redis major.minor from the CRD enum (5.0 … 7.4); the operator picks the image.
import { foundAt } from '../found.ts';
import type { Found, KindExample } from '../kind.ts';
import { childIn } from '../nodes.ts';
import { apiGroup } from '../yaml-file.ts';
import { defineKind } from './define.ts';

const examples: KindExample[] = [
  {
    file: 'redis/standalone.yaml',
    text: [
      'apiVersion: middleware.alauda.io/v1',
      'kind: Redis',
      'metadata:',
      '  name: redis-standalone',
      'spec:',
      '  arch: standalone',
      '  version: "6.0"',
      '',
    ].join('\n'),
    expect: [{ field: 'spec.version', current: '6.0', component: 'redis', role: 'data-plane' }],
  },
];

export const alaudaRedis = defineKind({
  id: 'alauda-redis',
  summary: 'Alauda Redis (middleware.alauda.io) spec.version',
  accepts: (view) => view.kind === 'Redis' && apiGroup(view.apiVersion) === 'middleware.alauda.io',
  find: (view) => {
    const node = childIn(view.doc.contents, ['spec', 'version']);
    if (!node) return [];
    const f: Found = foundAt(view, 'spec.version', node);
    f.identity = { component: 'redis', role: 'data-plane', managedBy: 'alauda-redis-operator' };
    return [f];
  },
  examples,
});
