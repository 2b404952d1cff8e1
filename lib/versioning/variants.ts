// Which variant suffixes are known to exist for every release of a scheme's
// images, and how long a tag may be. A tag carrying any other suffix
// (`8.0.6-definitely-not-a-real-variant`) cannot be assumed to exist on a
// newer release: the planner then moves it only to tags a feed lists.
import type { SchemeId } from './types.ts';

/** Longest tag a registry accepts (distribution spec: `[\w][\w.-]{0,127}`). */
export const MAX_TAG_LENGTH = 128;

/**
 * Variants published for every release, by scheme: the Docker Official Images
 * of Redis and Valkey (`-alpine`, `-alpine3.21`, `-bookworm`, `-bullseye`,
 * `-trixie`), Bitnami's OS lines (`-debian-12`, `-photon-5`), KubeDB's Valkey
 * distribution. Schemes without variants have no entry.
 */
const KNOWN_VARIANTS: Partial<Record<SchemeId, RegExp>> = {
  'redis-image': /^(alpine(\d+(\.\d+)*)?|bookworm|bullseye|buster|trixie)$/,
  'bitnami-image': /^(debian|photon)-\d+$/,
  kubedb: /^valkey$/,
};

/** True when every release of this scheme's images is published with `suffix`. */
export function isKnownVariant(scheme: SchemeId, suffix: string): boolean {
  return KNOWN_VARIANTS[scheme]?.test(suffix) ?? false;
}
