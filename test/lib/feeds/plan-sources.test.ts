// Which sources are read for which component: the catalog's, what a policy
// adds or replaces, and each one's TTL.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/errors.ts';
import { DEFAULT_TTL_MS, planSources } from '../../../lib/feeds/plan-sources.ts';
import { loadPolicy } from '../../../lib/policy/load.ts';
import { EMPTY_POLICY } from '../../../lib/policy/load.ts';
import { catalog } from './helpers.ts';

const policy = (...texts: string[]) =>
  loadPolicy(
    texts.map((text, i) => ({
      path: `.cairn/p${i}.yaml`,
      text: `apiVersion: cairn.dev/v1alpha1\nkind: Policy\n${text}`,
    })),
  );

describe('planSources', () => {
  it('every shipped source cites its catalog source, with the default TTL', () => {
    const all = planSources(catalog, EMPTY_POLICY);
    expect(all.length).toBe(catalog.feeds.length);
    expect(all.every((s) => s.origin.startsWith('catalog:') && s.ttlMs === DEFAULT_TTL_MS)).toBe(true);
    expect(
      planSources(catalog, EMPTY_POLICY, ['redis'])
        .map((s) => s.spec.type)
        .sort(),
    ).toEqual(['github-releases', 'oci']);
  });

  it('a policy adds a mirror, or with replace: true is the only source of its component; TTLs resolve source, policy, default', () => {
    const p = policy(`feeds:
  ttl: 0s
  sources:
    - { component: redis, type: oci, registry: mirror.corp.test, repository: mirror/redis, ttl: 1h }
    - { component: ot-redis-operator, type: oci, registry: mirror.corp.test, repository: opstree/redis-operator, replace: true }
`);
    const redis = planSources(catalog, p, ['redis']);
    expect(redis.map((s) => s.origin)).toEqual([
      'catalog:redis-official-image',
      'catalog:redis-github-releases',
      'policy:.cairn/p0.yaml',
    ]);
    expect(redis.map((s) => s.ttlMs)).toEqual([0, 0, 3_600_000]);
    const ot = planSources(catalog, p, ['ot-redis-operator']);
    expect(ot).toHaveLength(1);
    expect(ot[0]!.spec).toEqual({
      type: 'oci',
      registry: 'mirror.corp.test',
      repository: 'opstree/redis-operator',
    });
  });

  it('a policy source for an unknown component is an error naming the file, the entry and the allowed ids', () => {
    const p = policy(`feeds:
  sources:
    - { component: redis, type: github-releases, repo: redis/redis }
    - { component: rediss, type: github-releases, repo: redis/redis }
`);
    const err = (() => {
      try {
        planSources(catalog, p);
      } catch (e) {
        return e;
      }
    })() as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.issues[0]).toMatchObject({
      file: '.cairn/p0.yaml',
      field: 'feeds.sources[1].component',
      message: 'unknown component "rediss"',
    });
    expect(err.issues[0]!.allowed).toContain('redis');
  });
});

describe('policy files', () => {
  it('feeds.ttl is set in one file only', () => {
    expect(() => policy('feeds: { ttl: 5m }\n', 'feeds: { ttl: 1h }\n')).toThrow(
      '.cairn/p1.yaml:3:15 feeds.ttl: feeds.ttl is already set in .cairn/p0.yaml; set it in one file only',
    );
  });

  it('a secret must be named, not written: a value with characters no variable name has is refused', () => {
    expect(() =>
      policy(`feeds:
  sources:
    - { component: redis, type: oci, registry: r.test, repository: a/b, credentials: { username: robot, password: "s3cr3t!" } }
`),
    ).toThrow(/credentials\.password.*must be the name of a secret/);
  });
});
