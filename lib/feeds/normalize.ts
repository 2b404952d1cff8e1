// Hostile data from a feed is normalised or rejected with a reason, never
// passed on: tags that are not versions, versions with newlines or path
// characters, dates that are not dates (or lie in the future), absurdly long
// lists, and a changed digest for a tag already seen (a re-pushed tag).
import { isCalendarDate } from '../catalog/schema.ts';
import type { VersionScheme } from '../versioning/types.ts';
import type { RawItem } from './types.ts';

/** Longest tag accepted; OCI allows 128. */
export const MAX_TAG_LENGTH = 128;
/** Most entries one source may return; more is truncated with a warning. */
export const MAX_ITEMS = 10_000;
/** Rejections listed per source (the rest are counted). */
export const MAX_LISTED_REJECTIONS = 20;
/** A publish date this far ahead of the clock is a lie, not clock skew. */
const FUTURE_SLACK_MS = 86_400_000;

export interface FeedRelease {
  version: string;
  /** ISO-8601 date-time (UTC) when the source gives a real one; else the catalog's date (maybe `YYYY-MM`). */
  published?: string;
  /** Set when the date is the catalog's, not the source's. */
  dateFrom?: 'catalog';
  digest?: string;
  notes?: string;
  url?: string;
}

export interface Rejection {
  tag: string;
  reason: string;
}

export interface Normalized {
  releases: FeedRelease[];
  rejected: Rejection[];
  rejectedCount: number;
  /** Tags that belong to another component or are not releases (floating `7.2`, `latest`, variants like `-alpine`). */
  skipped: number;
  warnings: string[];
}

/** A tag shown in a message: control characters escaped, length bounded. */
export function showTag(tag: string): string {
  const s = JSON.stringify(tag.length > 60 ? `${tag.slice(0, 60)}…` : tag);
  return s;
}

export type TagVerdict = { version: string } | { skip: string } | { reject: string };

/** What a tag is: a release version, something to skip, or hostile input to reject. */
export function judgeTag(tag: string, scheme: VersionScheme, pattern?: RegExp): TagVerdict {
  if (typeof tag !== 'string' || tag.length === 0) return { reject: 'empty tag' };
  if (tag.length > MAX_TAG_LENGTH) return { reject: `longer than ${MAX_TAG_LENGTH} characters` };
  // eslint-disable-next-line no-control-regex -- control characters are what is being rejected
  if (/[\u0000-\u001f\u007f\u2028\u2029]/.test(tag))
    return { reject: 'contains a newline or control character' };
  if (/[/\\]|\.\./.test(tag)) return { reject: 'contains a path character (/, \\ or ..)' };
  let version = tag;
  if (pattern) {
    const m = pattern.exec(tag);
    if (!m) return { skip: 'does not match the tag pattern' };
    version = m[1] ?? m[0];
  }
  // Helm pushes a chart version's build metadata (`1.2.3+abc`) as the OCI tag `1.2.3_abc` (`+` is not allowed in tags).
  if (scheme.id === 'semver' && /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?_[0-9A-Za-z.-]+$/.test(version))
    version = version.replace('_', '+');
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(version)) return { reject: 'contains characters no version has' };
  const parsed = scheme.parse(version);
  if (!parsed.ok) return { skip: `not a ${scheme.id} version` };
  if (parsed.version.floating) return { skip: 'a floating tag names a line, not a release' };
  // `7.2.4-alpine` repeats the release 7.2.4; a Bitnami `-debian-12-r9` is part of the release itself.
  if (parsed.version.suffix && scheme.id === 'redis-image') return { skip: 'a variant of a release' };
  return { version };
}

/** ISO-8601 UTC without milliseconds, or a reason the text is not a usable date. */
export function judgeDate(text: string, now: number): { date: string } | { problem: string } {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text))
    return { problem: `publish date ${showTag(text)} is not an ISO-8601 date` };
  const t = Date.parse(text.replace(' ', 'T'));
  if (Number.isNaN(t) || !isCalendarDate(text))
    return { problem: `publish date ${showTag(text)} is not a real date` };
  if (t > now + FUTURE_SLACK_MS) return { problem: `publish date ${text} is in the future` };
  if (t < Date.UTC(2000, 0, 1)) return { problem: `publish date ${text} is before 2000 (a zero date)` };
  return { date: new Date(t).toISOString().replace('.000Z', 'Z') };
}

/**
 * Normalises one source's items for one component. `previousDigests` is what the
 * last read saw per version; a different digest now is warned about as a re-push.
 */
export function normalizeItems(
  items: readonly RawItem[],
  opts: {
    scheme: VersionScheme;
    pattern?: RegExp;
    now: number;
    previousDigests?: Record<string, string>;
  },
): Normalized {
  const out: Normalized = { releases: [], rejected: [], rejectedCount: 0, skipped: 0, warnings: [] };
  let list = items;
  if (list.length > MAX_ITEMS) {
    out.warnings.push(`the source listed ${list.length} entries; only the first ${MAX_ITEMS} were read`);
    list = list.slice(0, MAX_ITEMS);
  }
  const reject = (tag: string, reason: string) => {
    out.rejectedCount++;
    if (out.rejected.length < MAX_LISTED_REJECTIONS) out.rejected.push({ tag: showTag(tag), reason });
  };
  const byVersion = new Map<string, FeedRelease>();
  for (const item of list) {
    const v = judgeTag(item.tag, opts.scheme, opts.pattern);
    if ('reject' in v) {
      reject(item.tag, v.reject);
      continue;
    }
    if ('skip' in v) {
      out.skipped++;
      continue;
    }
    if (item.draft) {
      out.skipped++;
      continue;
    }
    if (item.prerelease && opts.scheme.isStable(v.version)) {
      reject(item.tag, 'marked as a pre-release upstream, but its version reads as a stable release');
      continue;
    }
    const r: FeedRelease = { version: v.version };
    if (item.published) {
      const d = judgeDate(item.published, opts.now);
      if ('date' in d) r.published = d.date;
      else out.warnings.push(`${v.version}: ${d.problem}; its age is unknown`);
    }
    if (item.digest) r.digest = item.digest;
    if (item.notes) r.notes = item.notes;
    if (item.url) r.url = item.url;
    const dup = byVersion.get(v.version);
    if (dup) {
      if (dup.digest && r.digest && dup.digest !== r.digest)
        out.warnings.push(`${v.version} is listed twice with different digests; kept the first`);
      continue;
    }
    const before = opts.previousDigests?.[v.version];
    if (before && r.digest && before !== r.digest)
      out.warnings.push(`re-pushed tag: ${v.version} was ${before}, now ${r.digest}`);
    byVersion.set(v.version, r);
  }
  out.releases = [...byVersion.values()].sort((a, b) => opts.scheme.compare(a.version, b.version));
  return out;
}
