// Polling as a user sees it: what lands in the feed, what each source
// reports, what a second poll costs, and how faults are contained.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pollFeeds } from '../../../lib/feeds/poll.ts';
import { type FeedServer, startFeedServer } from '../../support/feed-server.ts';
import { catalog, env, planned } from './helpers.ts';

let server: FeedServer;

beforeAll(async () => {
  server = await startFeedServer();
});
afterAll(() => server.stop());
afterEach(() => {
  server.faults.clear();
  server.registry.clear();
  server.github.clear();
  server.helm.clear();
  server.log.length = 0;
});

const hub = () => planned('redis', { type: 'oci', registry: server.url, repository: 'library/redis' });
const gh = () =>
  planned('redis', {
    type: 'github-releases',
    repo: 'redis/redis',
    baseUrl: server.url,
    token: 'GITHUB_TOKEN',
  });
const secret = (n: string) => (n === 'GITHUB_TOKEN' ? 'test-token' : undefined);

describe('OCI registry', () => {
  it('answers the token challenge, follows Link pages, and dates tags from the annotation, the config or an index', async () => {
    server.pageSize = 2;
    server.registry.set('library/redis', {
      tags: {
        '7.2.4': { created: '2024-01-09T18:00:00Z' },
        '7.4.1': { created: '2024-10-02T11:00:00Z', configCreated: true },
        '8.0.2': { created: '2025-05-27T09:00:00Z', index: true },
        '8.0.2-alpine': { created: '2025-05-27T09:00:00Z' },
        latest: {},
        '7.4': {},
      },
    });
    const e = env();
    const r = await pollFeeds([hub()], catalog, { ...e });
    server.pageSize = 100;
    expect(r.feed.redis).toEqual([
      { version: '7.2.4', published: '2024-01-09T18:00:00Z' },
      { version: '7.4.1', published: '2024-10-02T11:00:00Z' },
      { version: '8.0.2', published: '2025-05-27T09:00:00Z' },
    ]);
    const pages = server.requests('/v2/library/redis/tags/list').filter((x) => x.status === 200);
    expect(pages.length).toBe(3);
    expect(server.requests('/token').length).toBe(1);
    expect(r.reports[0]).toMatchObject({ status: 'updated', releases: 3, dated: 3, skipped: 3 });
  });

  it('a private registry gets its credentials from the named secrets; wrong ones fail with the reason', async () => {
    server.registry.set('corp/redis', {
      tags: { '7.2.4': { created: '2024-01-09T18:00:00Z' } },
      credentials: { username: 'robot', password: 's3cret' },
    });
    const spec = planned('redis', {
      type: 'oci',
      registry: server.url,
      repository: 'corp/redis',
      credentials: { username: 'REG_USER', password: 'REG_PASS' },
    });
    const good = await pollFeeds([spec], catalog, {
      ...env(),
      secret: (n) => ({ REG_USER: 'robot', REG_PASS: 's3cret' })[n],
    });
    expect(good.feed.redis).toEqual([{ version: '7.2.4', published: '2024-01-09T18:00:00Z' }]);
    const bad = await pollFeeds([spec], catalog, {
      ...env(),
      secret: (n) => ({ REG_USER: 'robot', REG_PASS: 'nope' })[n],
    });
    expect(bad.feed.redis).toBeUndefined();
    expect(bad.reports[0]).toMatchObject({ status: 'failed' });
    expect(bad.reports[0]!.error).toContain('401');
    const unset = await pollFeeds([spec], catalog, { ...env() });
    expect(unset.reports[0]!.error).toContain('secret REG_USER is not set');
  });

  it('warns about a re-pushed tag: same version, new digest', async () => {
    server.registry.set('library/redis', { tags: { '7.2.4': { created: '2024-01-09T18:00:00Z' } } });
    const e = env();
    await pollFeeds([hub()], catalog, e);
    server.registry.get('library/redis')!.tags['7.2.4']!.revision = 2;
    e.clock.t += 3_600_000;
    const r = await pollFeeds([hub()], catalog, e, { force: new Set([`oci:${server.host}/library/redis`]) });
    expect(r.reports[0]!.warnings.join('\n')).toMatch(
      /re-pushed tag: 7\.2\.4 was sha256:\w+, now sha256:\w+/,
    );
  });
});

it('a version a source lists undated keeps the catalog date for it; the source decides which versions exist', async () => {
  // KubeDB RedisVersions carry no dates; the catalog knows none for kubedb-redis either.
  server.githubTags.set('redis/redis', [
    { name: '7.2.4', sha: 'a'.repeat(40) },
    { name: '99.0.0', sha: 'b'.repeat(40) },
  ]);
  const r = await pollFeeds(
    [planned('redis', { type: 'github-tags', repo: 'redis/redis', baseUrl: server.url })],
    catalog,
    env(),
  );
  const catalogDate = catalog.components.get('redis')!.releases.find((x) => x.version === '7.2.4')!.published;
  expect(catalogDate).toBeDefined();
  expect(r.feed.redis).toEqual([{ version: '7.2.4', published: catalogDate }, { version: '99.0.0' }]);
  expect(r.details.redis![0]!.dateFrom).toBe('catalog');
  server.githubTags.clear();
});

describe('conditional requests and TTL', () => {
  it('within the TTL nothing is asked; after it, one conditional request per source, 304, no rate limit spent', async () => {
    server.github.set('redis/redis', [{ tag: '8.2.2', published: '2026-10-03T10:00:00Z' }]);
    server.helm.set('/charts/index.yaml', {
      redis: [{ version: '23.1.1', created: '2026-09-01T00:00:00Z' }],
    });
    const e = env();
    const helmSource = planned('bitnami-redis-chart', {
      type: 'helm',
      url: `${server.url}/charts`,
      chart: 'redis',
    });
    const first = await pollFeeds([gh(), helmSource], catalog, { ...e, secret });
    expect(first.feed['bitnami-redis-chart']).toEqual([
      { version: '23.1.1', published: '2026-09-01T00:00:00Z' },
    ]);
    const remaining = server.rateLimit.remaining;
    server.log.length = 0;

    const fresh = await pollFeeds([gh(), helmSource], catalog, { ...e, secret });
    expect(server.log).toEqual([]);
    expect(fresh.reports.map((r) => r.status)).toEqual(['fresh', 'fresh']);
    expect(fresh.feed).toEqual(first.feed);

    e.clock.t += 11 * 60_000;
    const again = await pollFeeds([gh(), helmSource], catalog, { ...e, secret });
    expect(server.log.map((r) => [r.status, r.headers['if-none-match'] !== undefined])).toEqual([
      [304, true],
      [304, true],
    ]);
    expect(again.reports.map((r) => r.status)).toEqual(['unchanged', 'unchanged']);
    expect(server.rateLimit.remaining).toBe(remaining);
    expect(again.feed).toEqual(first.feed);
  });

  it('GitHub releases: drafts are left out, notes kept, and a pre-release flag on a stable-looking tag is rejected', async () => {
    server.github.set('redis/redis', [
      { tag: '8.4.0', draft: true },
      { tag: '8.2.3', published: '2026-11-01T00:00:00Z', prerelease: true },
      { tag: '8.2.2', published: '2026-10-03T10:00:00Z', body: '## Security\n- CVE-2025-49844' },
      { tag: '8.4-rc1', published: '2026-10-20T00:00:00Z', prerelease: true },
    ]);
    const r = await pollFeeds([gh()], catalog, { ...env(), secret });
    expect(r.feed.redis!.map((x) => x.version)).toEqual(['8.2.2', '8.4-rc1']);
    expect(r.details.redis![0]!.notes).toContain('CVE-2025-49844');
    expect(r.reports[0]!.rejected).toEqual([
      {
        tag: '"8.2.3"',
        reason: 'marked as a pre-release upstream, but its version reads as a stable release',
      },
    ]);
  });
});

describe('bounded and fair', () => {
  it('keeps at most 4 requests in flight per host, however many sources it has there', async () => {
    const sources = Array.from({ length: 12 }, (_, i) => {
      server.helm.set(`/c${i}/index.yaml`, {
        redis: [{ version: '23.1.1', created: '2026-09-01T00:00:00Z' }],
      });
      return planned(`bitnami-redis-chart`, { type: 'helm', url: `${server.url}/c${i}`, chart: 'redis' });
    });
    server.delayMs = 30;
    server.maxInFlight = 0;
    try {
      const r = await pollFeeds(sources, catalog, env());
      expect(r.reports.filter((x) => x.status === 'updated').length).toBe(12);
      expect(server.maxInFlight).toBe(4);
    } finally {
      server.delayMs = 0;
    }
  });

  it('a rate limit exhausted on a success holds the host until the reset the headers name', async () => {
    server.github.set('redis/redis', [{ tag: '8.2.2', published: '2026-10-03T10:00:00Z' }]);
    const e = env();
    const saved = { ...server.rateLimit };
    server.rateLimit.remaining = 1;
    server.rateLimit.reset = Math.floor(e.clock.t / 1000) + 3600;
    try {
      const first = await pollFeeds([gh()], catalog, { ...e, secret });
      expect(first.feed.redis).toEqual([{ version: '8.2.2', published: '2026-10-03T10:00:00Z' }]);
      server.log.length = 0;
      e.clock.t += 11 * 60_000;
      const held = await pollFeeds([gh()], catalog, { ...e, secret });
      expect(server.log).toEqual([]);
      expect(held.reports[0]).toMatchObject({ status: 'failed', stale: true });
      expect(held.reports[0]!.error).toContain('rate limit exhausted');
      expect(held.feed.redis).toEqual(first.feed.redis);
    } finally {
      server.rateLimit = saved;
    }
  });
});

describe('faults are contained and reported', () => {
  const helmSource = () =>
    planned('bitnami-redis-chart', { type: 'helm', url: `${server.url}/charts`, chart: 'redis' });

  it('429 with retry-after: reported, and the host is not asked again before that time', async () => {
    server.github.set('redis/redis', [{ tag: '8.2.2', published: '2026-10-03T10:00:00Z' }]);
    server.faults.set('/repos/', { status: 429, retryAfter: '120' });
    const e = env();
    const r = await pollFeeds([gh()], catalog, { ...e, secret });
    expect(r.reports[0]).toMatchObject({ status: 'failed', retryable: true });
    expect(r.reports[0]!.error).toContain('rate limited (HTTP 429)');
    server.faults.clear();
    server.log.length = 0;
    e.clock.t += 60_000;
    const soon = await pollFeeds([gh()], catalog, { ...e, secret });
    expect(server.log).toEqual([]);
    expect(soon.reports[0]!.error).toContain('not asked again before');
    e.clock.t += 61_000;
    const later = await pollFeeds([gh()], catalog, { ...e, secret });
    expect(later.feed.redis).toEqual([{ version: '8.2.2', published: '2026-10-03T10:00:00Z' }]);
  });

  it('a 500 from one source leaves the others read, and an earlier read of it is used, marked stale', async () => {
    server.github.set('redis/redis', [{ tag: '8.2.2', published: '2026-10-03T10:00:00Z' }]);
    server.helm.set('/charts/index.yaml', {
      redis: [{ version: '23.1.1', created: '2026-09-01T00:00:00Z' }],
    });
    const e = env();
    await pollFeeds([gh()], catalog, { ...e, secret });
    e.clock.t += 11 * 60_000;
    server.faults.set('/repos/', { status: 500 });
    const r = await pollFeeds([gh(), helmSource()], catalog, { ...e, secret });
    const [chart, redis] = r.reports;
    expect(chart).toMatchObject({ status: 'updated', releases: 1 });
    expect(redis).toMatchObject({ status: 'failed', stale: true });
    expect(redis!.error).toContain('500');
    expect(r.feed.redis).toEqual([{ version: '8.2.2', published: '2026-10-03T10:00:00Z' }]);
  });

  it('a corrupt cache entry costs a full read, with a warning, never the poll', async () => {
    server.helm.set('/charts/index.yaml', {
      redis: [{ version: '23.1.1', created: '2026-09-01T00:00:00Z' }],
    });
    const e = env();
    const source = helmSource();
    await e.store.put(`feeds:source:helm:${server.host}/charts/index.yaml#redis`, '{not json');
    const r = await pollFeeds([source], catalog, e);
    expect(r.reports[0]).toMatchObject({ status: 'updated', releases: 1 });
    expect(r.reports[0]!.warnings[0]).toContain('the cached read could not be used');
  });

  it('a truncated body is an error naming it, not a half-read list', async () => {
    server.registry.set('library/redis', { tags: { '7.2.4': {} } });
    server.faults.set('/v2/library/redis/tags', { truncate: true });
    const r = await pollFeeds([hub()], catalog, env());
    expect(r.reports[0]!.status).toBe('failed');
    expect(r.reports[0]!.error).toMatch(/request failed|truncated/);
    expect(r.feed.redis).toBeUndefined();
  });

  it('a body slower than the deadline times out, while a healthy source on another path still answers', async () => {
    server.registry.set('library/redis', { tags: { '7.2.4': {} } });
    server.helm.set('/charts/index.yaml', {
      redis: [{ version: '23.1.1', created: '2026-09-01T00:00:00Z' }],
    });
    server.faults.set('/v2/library/redis/tags', { slowBodyMs: 3000 });
    const r = await pollFeeds([hub(), helmSource()], catalog, env({ timeoutMs: 300 }));
    const byComponent = Object.fromEntries(r.reports.map((x) => [x.component, x]));
    expect(byComponent.redis!.error).toContain('no complete response within 300 ms');
    expect(byComponent['bitnami-redis-chart']!.status).toBe('updated');
  });
});
