// OT-Container-Kit redis-operator custom resources
// (redis.redis.opstreelabs.in): Redis, RedisReplication, RedisCluster and
// RedisSentinel all run `spec.kubernetesConfig.image` (e.g.
// …/opstree/redis:v7.0.15, see ot-redis-operator/example/v1beta2/).
import { foundAt } from '../found.ts';
import { identifyImage } from '../identify.ts';
import type { Found, KindExample } from '../kind.ts';
import { childIn, stringOf } from '../nodes.ts';
import { pickImageTag } from '../tokens.ts';
import { apiGroup } from '../yaml-file.ts';
import { defineKind } from './define.ts';

const KINDS = new Set(['Redis', 'RedisReplication', 'RedisCluster', 'RedisSentinel']);

const examples: KindExample[] = [
  {
    file: 'redis/replication.yaml',
    text: [
      '---',
      'apiVersion: redis.redis.opstreelabs.in/v1beta2',
      'kind: RedisReplication',
      'metadata:',
      '  name: redis-replication',
      'spec:',
      '  clusterSize: 3',
      '  kubernetesConfig:',
      "    image: 'mirror.example.com/opstree/redis:v7.0.15'",
      '    imagePullPolicy: IfNotPresent',
      '',
    ].join('\n'),
    expect: [
      { field: 'spec.kubernetesConfig.image', current: 'v7.0.15', component: 'redis', role: 'data-plane' },
    ],
  },
];

export const otRedis = defineKind({
  id: 'ot-redis',
  summary:
    'OT-Container-Kit Redis / RedisReplication / RedisCluster / RedisSentinel spec.kubernetesConfig.image',
  accepts: (view) => apiGroup(view.apiVersion) === 'redis.redis.opstreelabs.in' && KINDS.has(view.kind ?? ''),
  find: (view) => {
    const node = childIn(view.doc.contents, ['spec', 'kubernetesConfig', 'image']);
    if (!node) return [];
    const image = stringOf(node) ?? '';
    const id = identifyImage(image);
    if (!id) return [];
    const f: Found = foundAt(view, 'spec.kubernetesConfig.image', node, pickImageTag);
    f.image = image.split('@')[0]!.replace(/:[^:/]*$/, '');
    f.identity = { ...id, managedBy: 'ot-redis-operator' };
    return [f];
  },
  examples,
});
