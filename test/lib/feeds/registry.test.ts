// The contract every source reader keeps, run over the one table of readers.
// Each row gets a real upstream shape from the local feed server (or, for
// KubeDB, RedisVersion objects from cluster state).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCairnError } from '../../../lib/errors.ts';
import { SOURCE_READERS } from '../../../lib/feeds/registry.ts';
import type { SourceType, SpecOf } from '../../../lib/feeds/spec.ts';
import type { ClusterObjects, ReadContext, SourceReader } from '../../../lib/feeds/types.ts';
import { type FeedServer, startFeedServer } from '../../support/feed-server.ts';
import { env } from './helpers.ts';

let server: FeedServer;

const redisVersions: ClusterObjects = async () => [
  {
    cluster: 'prod',
    objects: [
      {
        apiVersion: 'catalog.kubedb.com/v1alpha1',
        kind: 'RedisVersion',
        metadata: { name: '7.4.6' },
        spec: {
          version: '7.4.6',
          distribution: 'Official',
          db: { image: 'appscode-images/redis:7.4.6-bookworm' },
        },
      },
      {
        apiVersion: 'catalog.kubedb.com/v1alpha1',
        kind: 'RedisVersion',
        metadata: { name: '6.2.5' },
        spec: { version: '6.2.5', distribution: 'Official', deprecated: true },
      },
    ],
  },
];

/** One case per source type: the table's type forces a row for every reader. */
const CASES: { [T in SourceType]: () => SpecOf<T> } = {
  'github-releases': () => ({ type: 'github-releases', repo: 'redis/redis', baseUrl: server.url }),
  'github-tags': () => ({ type: 'github-tags', repo: 'redis/redis', baseUrl: server.url }),
  oci: () => ({ type: 'oci', registry: server.url, repository: 'library/redis' }),
  helm: () => ({ type: 'helm', url: `${server.url}/charts`, chart: 'redis' }),
  'kubedb-catalog': () => ({ type: 'kubedb-catalog' }),
  'redis-enterprise': () => ({
    type: 'redis-enterprise',
    repo: 'RedisLabs/redis-enterprise-k8s-docs',
    yields: 'software',
    baseUrl: server.url,
  }),
};

beforeAll(async () => {
  server = await startFeedServer();
  server.github.set('redis/redis', [
    { tag: '8.2.2', published: '2026-10-03T10:00:00Z', body: '# Redis 8.2.2\nSecurity fixes' },
    { tag: '8.2.1', published: '2026-08-18T09:00:00Z' },
  ]);
  server.githubTags.set('redis/redis', [{ name: '8.2.2', sha: 'a'.repeat(40) }]);
  server.github.set('RedisLabs/redis-enterprise-k8s-docs', [
    {
      tag: 'v8.2.0-13',
      published: '2026-08-20T00:00:00Z',
      body: '## Downloads\n\n- **Redis Enterprise**: `redislabs/redis:8.2.0-46.13` (`redislabs/redis:8.2.0-46.13.minimal` for minimal base image)\n- **Operator**: `redislabs/operator:8.2.0-13`\n',
    },
  ]);
  server.registry.set('library/redis', {
    tags: { '8.2.2': { created: '2026-10-03T12:00:00Z' }, latest: {} },
  });
  server.helm.set('/charts/index.yaml', { redis: [{ version: '23.1.1', created: '2026-09-01T00:00:00Z' }] });
});
afterAll(() => server.stop());

function context(e: ReturnType<typeof env>, previous?: unknown): ReadContext {
  return {
    http: e.http,
    store: e.store,
    clock: e.clock,
    secret: () => undefined,
    cluster: redisVersions,
    ...(previous !== undefined ? { previous } : {}),
    force: false,
    rank: (tags) => tags.filter((t) => /^\d/.test(t)),
    maxLookups: 10,
  };
}

describe.each(Object.keys(CASES) as SourceType[])('source reader %s', (type) => {
  const reader = SOURCE_READERS[type] as SourceReader;
  const spec = () => CASES[type]() as never;

  it('is registered under its own type, with a stable key naming what it reads', () => {
    expect(reader.type).toBe(type);
    expect(reader.key(spec())).toBe(reader.key(spec()));
    expect(reader.key(spec())).toMatch(new RegExp(`^${type}:`));
    expect(reader.host(spec())).not.toBe('');
  });

  it('reads the upstream shape into tagged items, with dates exactly when it says it gives dates', async () => {
    const res = await reader.read(spec(), context(env()));
    expect(res.changed).toBe(true);
    if (!res.changed) return;
    expect(res.items.length).toBeGreaterThan(0);
    expect(res.items.every((i) => typeof i.tag === 'string' && i.tag.length > 0)).toBe(true);
    expect(res.items.some((i) => i.published !== undefined)).toBe(reader.dated);
  });

  it('asks again conditionally, and an unchanged upstream means no new data', async () => {
    const e = env();
    const first = await reader.read(spec(), context(e));
    if (!first.changed) throw new Error('first read must change');
    const before = server.log.length;
    const again = await reader.read(spec(), context(e, first.state));
    const sent = server.log.slice(before);
    if (type === 'kubedb-catalog') {
      // Cluster state is local: no request, and the same items again.
      expect(sent).toEqual([]);
      expect(again.changed && again.items.map((i) => i.tag)).toEqual(first.items.map((i) => i.tag));
      return;
    }
    expect(again.changed).toBe(false);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((r) => r.headers['if-none-match'] !== undefined && r.status === 304)).toBe(true);
  });

  it('a failing upstream is a named, retryable error, never a raw exception', async () => {
    const e = env();
    const ctx = context(e);
    if (type === 'kubedb-catalog') {
      const { cluster: _omit, ...noCluster } = ctx;
      const err = await reader.read(spec(), noCluster).catch((x: unknown) => x);
      expect(isCairnError(err)).toBe(true);
      expect(String((err as Error).message)).toContain('cluster state');
      return;
    }
    server.faults.set('/', { status: 500, times: 1 });
    try {
      const err = await reader.read(spec(), ctx).catch((x: unknown) => x);
      expect(isCairnError(err)).toBe(true);
      expect((err as { retryable: boolean }).retryable).toBe(true);
      expect((err as Error).message).toContain('500');
    } finally {
      server.faults.clear();
    }
  });
});
