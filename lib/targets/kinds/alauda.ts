// Alauda redis-operator `Redis` (middleware.alauda.io): `spec.version` is a
// Redis major.minor from the CRD enum (5.0 … 7.4); the operator picks the image.
// It is the `alauda-redis` component (the lines Alauda supports), never the
// generic `redis` line: Alauda has no 8.x. The operator's own per-line default
// image map in its values is not an upgrade target (`operatorDefaultImage`).
import { foundAt } from '../found.ts';
import { isMap, type Node } from 'yaml';
import type { Found, KindExample } from '../kind.ts';
import { childIn, stringOf } from '../nodes.ts';
import type { DocView } from '../yaml-file.ts';
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
    expect: [{ field: 'spec.version', current: '6.0', component: 'alauda-redis', role: 'data-plane' }],
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
    f.identity = { component: 'alauda-redis', role: 'data-plane', managedBy: 'alauda-redis-operator' };
    return [f];
  },
  examples,
});

// alauda-redis-operator/values.yaml: `global.images` entries named DEFAULT_REDIS_IMAGE and
// REDIS_VERSION_<line>_IMAGE (the operator's environment variables); its chart's values.yaml:
// `images.defaultRedis`, `images.redis5` … beside `images.redisOperator` (alaudaos/redis-operator).
const LINE_IMAGE_NAME =
  /(?:^|\.)images\[name=(DEFAULT_REDIS_IMAGE|REDIS_VERSION_(\d+)(?:_(\d+))?_IMAGE)\]\.tag$/;
const LINE_IMAGE_KEY = /^(.*?)(?:^|\.)images\.(defaultRedis|redis(\d)(\d?))\.tag$/;

/**
 * When a values tag is one of the Alauda operator's per-line default images
 * (the image it runs for a Redis whose spec.version is that line), why it is
 * not an upgrade target; undefined for any other tag.
 */
export function operatorDefaultImage(view: DocView, field: string): string | undefined {
  const named = LINE_IMAGE_NAME.exec(field);
  const keyed = named ? undefined : LINE_IMAGE_KEY.exec(field);
  if (keyed) {
    const parent = keyed[1] ? keyed[1].split('.') : [];
    const images = childIn(view.doc.contents, [...parent, 'images']) as Node | undefined;
    const operator =
      images && isMap(images) ? stringOf(childIn(images, ['redisOperator', 'repository'])) : undefined;
    if (!operator?.includes('alaudaos/redis-operator')) return undefined;
  }
  if (!named && !keyed) return undefined;
  const line = named
    ? named[2]
      ? `${named[2]}.${named[3] ?? '0'}`
      : undefined
    : keyed![3]
      ? `${keyed![3]}.${keyed![4] || '0'}`
      : undefined;
  const what = line
    ? `Redis ${line} (what it runs for spec.version: "${line}")`
    : 'Redis (for a Redis with no spec.version)';
  return `the Alauda operator's default image for ${what}: its configuration, not an upgrade target; upgrade the operator or a Redis's spec.version instead`;
}
