// OT-Container-Kit redis-operator custom resources
// (redis.redis.opstreelabs.in): Redis, RedisReplication, RedisCluster and
// RedisSentinel all run `spec.kubernetesConfig.image` (e.g.
// …/opstree/redis:v7.0.15, see ot-redis-operator/example/v1beta2/), and a
// RedisReplication's sentinel sidecar runs `spec.sentinel.image`
// (config/crd/bases/redis.redis.opstreelabs.in_redisreplications.yaml).
// Exporter and init-container images are not Redis and are left alone.
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
      '  sentinel:',
      '    image: quay.io/opstree/redis-sentinel:v7.0.15',
      '',
    ].join('\n'),
    expect: [
      { field: 'spec.kubernetesConfig.image', current: 'v7.0.15', component: 'ot-redis', role: 'data-plane' },
      {
        field: 'spec.sentinel.image',
        current: 'v7.0.15',
        component: 'ot-redis-sentinel',
        role: 'data-plane',
      },
    ],
  },
];

const IMAGE_FIELDS = [
  ['spec', 'kubernetesConfig', 'image'],
  ['spec', 'sentinel', 'image'],
] as const;

export const otRedis = defineKind({
  id: 'ot-redis',
  summary:
    'OT-Container-Kit Redis / RedisReplication / RedisCluster / RedisSentinel spec.kubernetesConfig.image, RedisReplication spec.sentinel.image',
  accepts: (view) => apiGroup(view.apiVersion) === 'redis.redis.opstreelabs.in' && KINDS.has(view.kind ?? ''),
  find: (view) => {
    const out: Found[] = [];
    for (const path of IMAGE_FIELDS) {
      const node = childIn(view.doc.contents, [...path]);
      if (!node) continue;
      const image = stringOf(node) ?? '';
      const id = identifyImage(image);
      if (!id) continue;
      const f: Found = foundAt(view, path.join('.'), node, pickImageTag);
      f.image = image.split('@')[0]!.replace(/:[^:/]*$/, '');
      f.identity = { ...id, managedBy: 'ot-redis-operator' };
      out.push(f);
    }
    return out;
  },
  examples,
});
