// Redis Enterprise custom resources (app.redislabs.com): the cluster's
// `redisEnterpriseImageSpec.versionTag` (Redis Enterprise itself), the
// Services Rigger and Bootstrapper image specs (versioned with the operator),
// and a database's `redisVersion`. A `digestHash` beside a versionTag pins the
// old image: refused (redis-docs upgrade/upgrade-redis-cluster.md).
import { foundAt } from '../found.ts';
import type { Identity } from '../identify.ts';
import type { Found, KindExample } from '../kind.ts';
import { child, childIn, stringOf } from '../nodes.ts';
import { apiGroup } from '../yaml-file.ts';
import { defineKind } from './define.ts';

const RE_OPERATOR = 'redis-enterprise-operator';

const examples: KindExample[] = [
  {
    file: 'redis-enterprise/rec.yaml',
    text: [
      'apiVersion: app.redislabs.com/v1',
      'kind: RedisEnterpriseCluster',
      'metadata:',
      '  name: rec',
      'spec:',
      '  nodes: 3',
      '  redisEnterpriseImageSpec:',
      '    repository: redislabs/redis',
      '    versionTag: 7.4.6-102',
      '  bootstrapperImageSpec:',
      '    repository: redislabs/operator',
      "    versionTag: '7.4.6-2'",
      '---',
      'apiVersion: app.redislabs.com/v1alpha1',
      'kind: RedisEnterpriseDatabase',
      'metadata:',
      '  name: redb',
      'spec:',
      '  redisVersion: "7.2"',
      '',
    ].join('\n'),
    expect: [
      {
        field: 'spec.redisEnterpriseImageSpec.versionTag',
        current: '7.4.6-102',
        component: 'redis-enterprise',
      },
      { field: 'spec.bootstrapperImageSpec.versionTag', current: '7.4.6-2', component: RE_OPERATOR },
      { field: 'spec.redisVersion', current: '7.2', component: 'redis-enterprise-database' },
    ],
  },
];

const IMAGE_SPECS: readonly [string, Identity][] = [
  ['redisEnterpriseImageSpec', { component: 'redis-enterprise', role: 'data-plane', managedBy: RE_OPERATOR }],
  ['redisEnterpriseServicesRiggerImageSpec', { component: RE_OPERATOR, role: 'operator' }],
  ['bootstrapperImageSpec', { component: RE_OPERATOR, role: 'operator' }],
];

export const redisEnterprise = defineKind({
  id: 'redis-enterprise',
  summary: 'RedisEnterpriseCluster image spec versionTags, RedisEnterpriseDatabase redisVersion',
  accepts: (view) =>
    apiGroup(view.apiVersion) === 'app.redislabs.com' &&
    (view.kind === 'RedisEnterpriseCluster' || view.kind === 'RedisEnterpriseDatabase'),
  find: (view) => {
    const spec = child(view.doc.contents, 'spec');
    const out: Found[] = [];
    if (view.kind === 'RedisEnterpriseDatabase') {
      const node = child(spec, 'redisVersion');
      if (node) {
        const f = foundAt(view, 'spec.redisVersion', node);
        f.identity = { component: 'redis-enterprise-database', role: 'data-plane', managedBy: RE_OPERATOR };
        out.push(f);
      }
      return out;
    }
    for (const [key, identity] of IMAGE_SPECS) {
      const node = childIn(spec, [key, 'versionTag']);
      if (!node) continue;
      const f = foundAt(view, `spec.${key}.versionTag`, node);
      f.identity = identity;
      const repo = stringOf(childIn(spec, [key, 'repository']));
      if (repo) f.image = repo;
      const digest = stringOf(childIn(spec, [key, 'digestHash']));
      if (digest && f.token) {
        f.problem = `${key} also sets digestHash: the digest pins the old image, so changing versionTag alone changes nothing; update the digest with it or remove it`;
        f.problemOffset = f.token.start;
        delete f.token;
      }
      out.push(f);
    }
    return out;
  },
  examples,
});
