// Version schemes: how cairn reads, orders and rewrites the version tokens it
// finds (image tags, chart versions, catalog names). Every scheme sits behind
// the VersionScheme interface in ./types.ts and is registered in the one table
// below; callers pick a scheme by id and never parse versions themselves.
// Only the scheme modules in this folder may import `semver`.
import { InternalError } from '../errors.ts';
import { bitnamiImage } from './bitnami-image.ts';
import { kubedb } from './kubedb.ts';
import { kubernetes } from './kubernetes.ts';
import { otImage } from './ot-image.ts';
import { redisEnterprise } from './redis-enterprise.ts';
import { redisImage } from './redis-image.ts';
import { semverScheme } from './semver.ts';
import type { SchemeId, VersionScheme } from './types.ts';

export type { Parsed, ParsedVersion, SchemeId, VersionScheme } from './types.ts';
export { isKnownVariant, MAX_TAG_LENGTH } from './variants.ts';

export const schemes: ReadonlyMap<SchemeId, VersionScheme> = new Map<SchemeId, VersionScheme>([
  ['redis-image', redisImage],
  ['bitnami-image', bitnamiImage],
  ['redis-enterprise', redisEnterprise],
  ['semver', semverScheme],
  ['kubedb', kubedb],
  ['kubernetes', kubernetes],
  ['ot-image', otImage],
]);

/** The scheme registered for an id. Throws only for an id outside SchemeId (a bug). */
export function getScheme(id: SchemeId): VersionScheme {
  const scheme = schemes.get(id);
  if (!scheme) throw new InternalError(`no version scheme registered for \`${id}\``);
  return scheme;
}
