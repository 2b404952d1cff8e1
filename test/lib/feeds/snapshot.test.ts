// A live poll written as a snapshot reads back through `plan --feed`'s parser unchanged.
import { expect, it } from 'vitest';
import { parseFeed } from '../../../lib/feed.ts';
import type { PollResult } from '../../../lib/feeds/poll.ts';
import { renderSnapshot } from '../../../lib/feeds/snapshot.ts';
import { catalog } from './helpers.ts';

const result: PollResult = {
  feed: {
    redis: [{ version: '7.10.0', published: '2026-10-03T10:00:00Z' }, { version: '8.10' }],
    'howl-redis-operator': [{ version: 'v0.2.6', published: '2026-08-07T00:00:00Z' }],
  },
  details: {},
  reports: [
    {
      key: 'oci:registry.test/library/redis',
      component: 'redis',
      type: 'oci',
      origin: 'test',
      status: 'updated',
      releases: 2,
      dated: 1,
      rejected: [{ tag: '"x\\ny"', reason: 'contains a newline or control character' }],
      rejectedCount: 1,
      skipped: 0,
      warnings: ['re-pushed tag: 7.10.0 was sha256:a, now sha256:b'],
    },
    {
      key: 'github-releases:api.test/a/b',
      component: 'valkey',
      type: 'github-releases',
      origin: 'test',
      status: 'failed',
      error: 'github: HTTP 500: boom\nsecond line',
      releases: 0,
      dated: 0,
      rejected: [],
      rejectedCount: 0,
      skipped: 0,
      warnings: [],
    },
  ],
};

it('round-trips through parseFeed, versions kept as strings (7.10 is not 7.1)', () => {
  const text = renderSnapshot(result, new Date('2026-11-30T12:00:00Z'));
  expect(parseFeed(text, 'feed.yaml', catalog)).toEqual(result.feed);
});

it('says in comments what failed, what warned and what was rejected; a failure never becomes data', () => {
  const text = renderSnapshot(result, new Date('2026-11-30T12:00:00Z'));
  const comments = text.split('\n').filter((l) => l.startsWith('#'));
  expect(comments).toContain('#   warning: re-pushed tag: 7.10.0 was sha256:a, now sha256:b');
  expect(comments).toContain("# valkey: no source could be read; the catalog's list applies");
  expect(comments).toContain(
    '# valkey <- github-releases:api.test/a/b: failed: github: HTTP 500: boom second line; 0 releases, 0 dated',
  );
  expect(text).not.toMatch(/^valkey:/m);
});
