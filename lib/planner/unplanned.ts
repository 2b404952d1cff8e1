// Nothing newer is ever "up-to-date": when a newer release is known but the
// plan does not reach it and no other pass said why, this pass says why (the
// checks it failed) and what would unblock it.
import type { Catalog } from '../catalog/schema.ts';
import { type Check, publishedAt, updateType, type Verdict } from './candidates.ts';
import { catalogRule } from './rules.ts';
import type { Work } from './work.ts';

/** What a user can change so that a release passes a failed check. */
function unblockFor(w: Work, v: Verdict, c: Check, now: Date): string {
  const component = w.target.component;
  const s = w.settings;
  switch (c.rule) {
    case 'release-age': {
      const date = w.published.get(v.version);
      if (!date)
        return `add the release date of ${v.version} to the feed snapshot (or the catalog), or set minimumReleaseAge: 0s for ${component} in the policy`;
      const ready = new Date(publishedAt(date).getTime() + s.minimumReleaseAgeMs);
      return ready > now
        ? `wait until ${ready.toISOString().slice(0, 10)}, when ${v.version} is old enough, or lower minimumReleaseAge for ${component}`
        : `lower minimumReleaseAge for ${component}`;
    }
    case 'pin':
      return `widen or remove the pin "${s.pin}" for ${component} in the policy`;
    case 'allowed-range':
      return `widen allowedVersions "${s.allowedVersions}" for ${component} in the policy`;
    case 'deny':
      return `remove the deny entry that matches ${v.version} from the policy, if it no longer applies`;
    case 'update-type':
      return `add ${updateType(w.current, v.parsed)} to updateTypes for ${component} in the policy`;
    case 'prerelease':
      return `set allowPrerelease: true for ${component}, or wait for a stable release`;
    default:
      return `check the release ${v.version} of ${component}: ${c.detail}`;
  }
}

/**
 * For each work that reaches short of its newest known newer release with no
 * block saying why, a block naming the failed checks and the unblock. Runs
 * after every pass that may cut a path, before the summaries.
 */
export function reportUnplanned(catalog: Catalog, works: readonly Work[], now: Date): void {
  for (const w of works) {
    if (w.blocks.length) continue;
    const reach = w.hops.at(-1)?.release ?? w.current.raw;
    const newer = w.verdicts.at(-1);
    if (newer && w.scheme.compare(newer.version, reach) > 0) {
      if (newer.eligible) continue; // reachable in principle; a later pass would have said why not
      const first = newer.failed[0]!;
      w.blocks.push({
        wanted: newer.token,
        reason: `${newer.token} is newer but not eligible: ${newer.failed.map((f) => f.detail).join('; ')}`,
        unblock: unblockFor(w, newer, first, now),
        ...(catalog.rules.has(first.rule) ? { rule: catalogRule(catalog, first.rule) } : {}),
      });
      continue;
    }
    // A newer stable release that cannot be written in the style of the current tag (its variant,
    // e.g. an older OS line that can go no further).
    if (w.latest && w.scheme.compare(w.latest, reach) > 0) {
      const token = w.scheme.render(w.current.raw, w.latest);
      if (token !== undefined && w.scheme.isCompatible(w.current.raw, token)) continue;
      const end = w.hops.length ? `; the plan stops at ${w.hops.at(-1)!.to}, the newest in this variant` : '';
      w.blocks.push({
        wanted: w.latest,
        reason: `${w.latest} is newer, but no release of it is known in the variant of ${w.current.raw} (${w.current.suffix ?? 'no suffix'})${end}`,
        unblock: `change the tag to a variant ${w.latest} is published in (its feed lists them), then cairn plans it`,
      });
    }
  }
}
