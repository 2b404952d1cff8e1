// Webhooks only say which source to re-read; the payload's claims are never releases.
import { expect, it } from 'vitest';
import {
  hintFromDockerHub,
  hintFromGithubRelease,
  hintFromHarbor,
  hintFromQuay,
} from '../../../lib/feeds/hints.ts';
import { pollFeeds } from '../../../lib/feeds/poll.ts';
import { describeWithFixtures, readFixture } from '../../support/fixtures.ts';
import { startFeedServer } from '../../support/feed-server.ts';
import { catalog, env, planned } from './helpers.ts';

const sources = [
  planned('redis', { type: 'github-releases', repo: 'Codertocat/Hello-World' }),
  planned('redis', { type: 'oci', registry: 'registry.corp.test', repository: 'library/redis' }),
  planned('redis', { type: 'oci', registry: 'https://mirror.corp.test:5000', repository: 'harbor/redis' }),
  planned('ot-redis-operator', {
    type: 'oci',
    registry: 'quay.corp.test',
    repository: 'opstree/redis-operator',
  }),
];

describeWithFixtures('GitHub release event (the recorded release.published payload)', () => {
  const payload = () =>
    JSON.parse(
      readFixture(
        'github-webhooks/octokit-webhooks/payload-examples/api.github.com/release/published.payload.json',
      ),
    );

  it('names the releases source of that repository, and nothing else', () => {
    expect(hintFromGithubRelease(payload(), sources)).toEqual({
      hint: {
        reason: 'github release published: Codertocat/Hello-World 0.0.1',
        keys: ['github-releases:api.github.com/Codertocat/Hello-World'],
        tags: ['0.0.1'],
      },
    });
  });

  it('a hint makes the source be read again at once; what is planned comes from that read, not from the payload', async () => {
    const server = await startFeedServer();
    try {
      // The payload claims 0.0.1; the source itself lists 8.2.2 only.
      server.github.set('Codertocat/Hello-World', [{ tag: '8.2.2', published: '2026-10-03T10:00:00Z' }]);
      const live = [
        planned('redis', { type: 'github-releases', repo: 'Codertocat/Hello-World', baseUrl: server.url }),
      ];
      const e = env();
      await pollFeeds(live, catalog, e);
      const h = hintFromGithubRelease(payload(), live);
      if (!('hint' in h)) throw new Error('expected a hint');
      const before = server.log.length;
      const r = await pollFeeds(live, catalog, e, { force: new Set(h.hint.keys) });
      expect(server.log.length).toBe(before + 1);
      expect(r.feed.redis).toEqual([{ version: '8.2.2', published: '2026-10-03T10:00:00Z' }]);
    } finally {
      await server.stop();
    }
  });

  it('an action that changes no release list, or a payload of another shape, is ignored with the reason', () => {
    expect(hintFromGithubRelease({ ...payload(), action: 'created_comment' }, sources)).toEqual({
      ignored: 'release action "created_comment" changes no release list',
    });
    expect(hintFromGithubRelease({ zen: 'Keep it logically awesome.' }, sources)).toEqual({
      ignored: 'not a GitHub release event payload',
    });
  });
});

it('Docker Hub push: every OCI source of the repository (Docker Hub names no host); an official image is library/NAME', () => {
  const payload = {
    push_data: { pushed_at: 1417566161, pusher: 'trustedbuilder', tag: '8.2.2' },
    repository: {
      name: 'redis',
      namespace: 'library',
      repo_name: 'redis',
      is_official: true,
      status: 'Active',
    },
  };
  expect(hintFromDockerHub(payload, sources)).toEqual({
    hint: {
      reason: 'docker hub push: library/redis:8.2.2',
      keys: ['oci:registry.corp.test/library/redis'],
      tags: ['8.2.2'],
    },
  });
});

it('Harbor PUSH_ARTIFACT: the resource URL picks the registry', () => {
  const payload = {
    type: 'PUSH_ARTIFACT',
    occur_at: 1680501893,
    operator: 'robot',
    event_data: {
      resources: [
        { digest: 'sha256:954b', tag: '8.2.2', resource_url: 'mirror.corp.test:5000/harbor/redis:8.2.2' },
      ],
      repository: {
        name: 'redis',
        namespace: 'harbor',
        repo_full_name: 'harbor/redis',
        repo_type: 'private',
      },
    },
  };
  expect(hintFromHarbor(payload, sources)).toEqual({
    hint: {
      reason: 'harbor push: harbor/redis',
      keys: ['oci:mirror.corp.test:5000/harbor/redis'],
      tags: ['8.2.2'],
    },
  });
  expect(hintFromHarbor({ ...payload, type: 'DELETE_ARTIFACT' }, sources)).toEqual({
    ignored: 'Harbor event DELETE_ARTIFACT is not a push',
  });
});

it('Quay repository push: host and repository from docker_url', () => {
  const payload = {
    name: 'redis-operator',
    repository: 'opstree/redis-operator',
    namespace: 'opstree',
    docker_url: 'quay.corp.test/opstree/redis-operator',
    updated_tags: ['v0.18.0'],
  };
  expect(hintFromQuay(payload, sources)).toEqual({
    hint: {
      reason: 'quay push: quay.corp.test/opstree/redis-operator',
      keys: ['oci:quay.corp.test/opstree/redis-operator'],
      tags: ['v0.18.0'],
    },
  });
  expect(
    hintFromQuay({ ...payload, docker_url: 'elsewhere.test/opstree/redis-operator' }, sources),
  ).toMatchObject({
    hint: { keys: [] },
  });
});
