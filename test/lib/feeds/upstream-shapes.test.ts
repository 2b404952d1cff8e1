// Readers against upstream files as they really are: KubeDB's RedisVersion
// catalog objects, and the Redis Enterprise for Kubernetes release notes'
// Downloads section.
import { readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { pollFeeds } from '../../../lib/feeds/poll.ts';
import { downloadTag } from '../../../lib/feeds/sources/redis-enterprise.ts';
import { describeWithFixtures, fixture, readFixture } from '../../support/fixtures.ts';
import { catalog, env, planned } from './helpers.ts';

describeWithFixtures('KubeDB RedisVersion objects (kubedb/installer catalog)', () => {
  const dir = 'kubedb/installer/catalog/kubedb/raw/redis';
  const objects = () =>
    readdirSync(fixture(dir))
      .filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => parseAllDocuments(readFixture(`${dir}/${f}`)).map((d) => d.toJS() as { kind?: string }))
      .filter((o) => o.kind === 'RedisVersion');
  const cluster = async () => [{ cluster: 'prod', objects: objects() }];

  it('offers exactly the non-deprecated versions the installation ships, undated', async () => {
    const r = await pollFeeds(
      [planned('kubedb-redis', { type: 'kubedb-catalog', distribution: 'Official' })],
      catalog,
      {
        ...env(),
        cluster,
      },
    );
    const versions = r.feed['kubedb-redis']!.map((x) => x.version);
    expect(versions).toContain('7.4.6');
    expect(versions).toContain('8.2.2');
    expect(versions).not.toContain('7.0.4'); // deprecated-redis-7.0.4-official.yaml
    expect(versions).not.toContain('8.0.3'); // a Valkey distribution
    expect(r.reports[0]).toMatchObject({ status: 'updated', dated: 0 });
  });
});

describeWithFixtures('Redis Enterprise for Kubernetes release notes', () => {
  it('the Downloads section names the operator and the Redis Software image it ships', () => {
    const notes = readFixture(
      'redis-enterprise-k8s/redis-docs/content/operate/kubernetes/release-notes/8-2-0-releases/8-2-0-13-august2026.md',
    );
    expect(downloadTag(notes, 'Operator')).toBe('8.2.0-13');
    expect(downloadTag(notes, 'Redis Enterprise')).toBe('8.2.0-46.13');
  });
});

it('notes without a Downloads section yield no Redis Software version', () => {
  expect(downloadTag('## Highlights\nNothing to download.', 'Redis Enterprise')).toBeUndefined();
});
