// A release appears: the upstream release feeds of a journey, served by the
// feed test server (test/support/feed-server.ts: GitHub releases in the real
// response shapes) and read by the service's real feed path (the cron run's
// `readFeeds`: lib/feeds poll, conditional requests, the catalog's dates for
// undated releases). The journey's policy names these sources with
// `replace: true`, so what the feed lists is all the service knows of those
// components. At the start each lists only the releases up to what the
// repository runs (nothing to upgrade to); `publish()` adds the rest, as the
// upstream projects releasing them would, and the next cron run plans them.
import { loadShippedCatalog } from '../../../lib/node/files.ts';
import type { SchemeId } from '../../../lib/versioning/types.ts';
import { getScheme } from '../../../lib/versioning/index.ts';
import { type FeedServer, type GithubRelease, startFeedServer } from '../../support/feed-server.ts';
import type { World } from '../world.ts';

export interface FeedComponent {
  component: string;
  /** The GitHub repository whose releases list it. */
  repo: string;
  /** What the repository runs at the start: releases after it are withheld until `publish()`. */
  current: string;
}

/** GitHub lists releases newest first, 100 a page; the feed reads one page. */
const PAGE = 100;

export interface ReleaseFeed {
  server: FeedServer;
  /** Policy lines (a top-level `feeds:` key) that make the service read only these sources. */
  policy: string[];
  /** Whether the withheld releases are out. */
  published: boolean;
  /** The withheld releases appear upstream (noted on the world's timeline). */
  publish(w: World): void;
}

export async function releaseFeed(components: readonly FeedComponent[]): Promise<ReleaseFeed> {
  const catalog = loadShippedCatalog();
  const server = await startFeedServer();
  const byRepo = new Map<string, { all: GithubRelease[]; early: GithubRelease[]; late: string[] }>();
  for (const c of components) {
    const comp = catalog.components.get(c.component);
    if (!comp) throw new Error(`release feed: no component ${c.component} in the catalog`);
    const scheme = getScheme(comp.scheme as SchemeId);
    const entry = byRepo.get(c.repo) ?? { all: [], early: [], late: [] };
    const sorted = [...comp.releases].sort((a, b) => scheme.compare(b.version, a.version)).slice(0, PAGE);
    for (const r of sorted) {
      if (entry.all.some((x) => x.tag === r.version)) continue;
      const release: GithubRelease = {
        tag: r.version,
        ...(r.published ? { published: `${r.published}T12:00:00Z` } : {}),
      };
      entry.all.push(release);
      if (scheme.compare(r.version, c.current) <= 0) entry.early.push(release);
      else entry.late.push(r.version);
    }
    byRepo.set(c.repo, entry);
  }
  for (const [repo, e] of byRepo) server.github.set(repo, e.early);
  const feed: ReleaseFeed = {
    server,
    published: false,
    policy: [
      'feeds:',
      '  sources:',
      ...components.map(
        (c) =>
          `    - { component: ${c.component}, type: github-releases, repo: ${c.repo}, baseUrl: "${server.url}", replace: true }`,
      ),
    ],
    publish(w) {
      for (const [repo, e] of byRepo) {
        server.github.set(repo, e.all);
        const late = [...new Set(e.late)];
        if (late.length)
          w.note(
            'release',
            `${repo} publishes ${late.length > 3 ? `${late.at(-1)} … ${late[0]} (${late.length} releases)` : late.reverse().join(', ')}`,
          );
      }
      feed.published = true;
    },
  };
  return feed;
}
