// howl-cloud redis-operator `RedisCluster` (redis.io/v1): `spec.imageName`
// (the Redis image the operator runs; CRD default `redis:7.2`, see
// howl-redis-operator/DERIVED-status-fields.md). The operator itself is a Helm
// release, a Deployment or a Kustomize remote resource (other kinds).
import { foundAt } from '../found.ts';
import { identifyImage } from '../identify.ts';
import type { Found, KindExample } from '../kind.ts';
import { childIn, stringOf } from '../nodes.ts';
import { pickImageTag } from '../tokens.ts';
import { apiGroup } from '../yaml-file.ts';
import { defineKind } from './define.ts';

const examples: KindExample[] = [
  {
    file: 'redis/cache.yaml',
    text: [
      'apiVersion: redis.io/v1',
      'kind: RedisCluster',
      'metadata:',
      '  name: cache',
      '  namespace: apps',
      'spec:',
      '  instances: 3',
      '  imageName: redis:7.2.4 # data plane',
      '',
    ].join('\n'),
    expect: [{ field: 'spec.imageName', current: '7.2.4', component: 'redis', role: 'data-plane' }],
  },
];

export const howlRedisCluster = defineKind({
  id: 'howl-rediscluster',
  summary: 'howl-cloud RedisCluster (redis.io/v1) spec.imageName',
  accepts: (view) => view.kind === 'RedisCluster' && apiGroup(view.apiVersion) === 'redis.io',
  find: (view) => {
    const node = childIn(view.doc.contents, ['spec', 'imageName']);
    if (!node) {
      return [
        {
          field: 'spec.imageName',
          identity: { component: 'redis', role: 'data-plane', managedBy: 'howl-redis-operator' },
          problem:
            'spec.imageName is not set: the operator default (redis:7.2) runs; set spec.imageName to pin a version cairn can upgrade',
          ...(view.doc.contents?.range ? { problemOffset: view.doc.contents.range[0] } : {}),
        },
      ];
    }
    const f: Found = foundAt(view, 'spec.imageName', node, pickImageTag);
    const image = stringOf(node) ?? '';
    const id = identifyImage(image);
    f.image = image.split('@')[0]!.replace(/:[^:/]*$/, '');
    if (id && id.role === 'data-plane') f.identity = { ...id, managedBy: 'howl-redis-operator' };
    else if (!f.problem) {
      f.identity = { component: 'redis', role: 'data-plane', managedBy: 'howl-redis-operator' };
      f.problem = `image ${f.image} is not in the component table: add "# cairn: component=<id>" on this line to name it`;
      f.problemOffset = f.token?.start ?? node.range?.[0] ?? 0;
      delete f.token;
    }
    if (!f.identity)
      f.identity = { component: 'redis', role: 'data-plane', managedBy: 'howl-redis-operator' };
    // Whether the primary switchover waits for an approval (the planner's pre-step); CRD default unsupervised.
    const strategy = stringOf(childIn(view.doc.contents, ['spec', 'primaryUpdateStrategy']));
    if (strategy) f.fields = { 'spec.primaryUpdateStrategy': strategy };
    return [f];
  },
  examples,
});
