// Webhooks as hints. A GitHub `release` event or a registry push (Docker Hub,
// Harbor, Quay) says "this source may have changed": it becomes the keys of
// the sources to re-read now, ignoring their TTL. Nothing in a payload is
// ever taken as a release: the source itself is read again, conditionally,
// so a forged payload can at worst cause one extra (cheap) read.
import { z } from 'zod';
import { sourceKey } from './poll.ts';
import type { PlannedSource } from './types.ts';

export interface FeedHint {
  /** Which publisher sent it, e.g. `github release published`. */
  reason: string;
  /** Keys of the planned sources to re-read (empty: nothing cairn reads is concerned). */
  keys: string[];
  /** Tags the payload names, so the reader re-checks their digests. Informational only. */
  tags: string[];
}

export type HintResult = { hint: FeedHint } | { ignored: string };

const githubRelease = z.object({
  action: z.string(),
  release: z.object({ tag_name: z.string().max(256) }),
  repository: z.object({ full_name: z.string().regex(/^[\w.-]+\/[\w.-]+$/) }),
});

const dockerHubPush = z.object({
  push_data: z.object({ tag: z.string().max(256).optional() }),
  repository: z.object({ repo_name: z.string().min(1).max(256) }),
});

const harborPush = z.object({
  type: z.string(),
  event_data: z.object({
    resources: z
      .array(z.object({ tag: z.string().max(256).optional(), resource_url: z.string().max(1024).optional() }))
      .max(1000),
    repository: z.object({ repo_full_name: z.string().min(1).max(256) }),
  }),
});

const quayPush = z.object({
  repository: z.string().min(1).max(256),
  docker_url: z.string().min(1).max(512),
  updated_tags: z.array(z.string().max(256)).max(1000).optional(),
});

/** Release actions that change what the releases list says. */
const RELEASE_ACTIONS = new Set(['published', 'released', 'prereleased', 'edited', 'deleted', 'unpublished']);

function keysWhere(sources: readonly PlannedSource[], match: (s: PlannedSource) => boolean): string[] {
  return [...new Set(sources.filter(match).map((s) => sourceKey(s.spec)))].sort();
}

function registryHost(registry: string): string {
  return registry.replace(/^https?:\/\//, '').toLowerCase();
}

/** A GitHub `release` event (header `X-GitHub-Event: release`), already verified by its signature. */
export function hintFromGithubRelease(payload: unknown, sources: readonly PlannedSource[]): HintResult {
  const p = githubRelease.safeParse(payload);
  if (!p.success) return { ignored: 'not a GitHub release event payload' };
  const { action, release, repository } = p.data;
  if (!RELEASE_ACTIONS.has(action)) return { ignored: `release action "${action}" changes no release list` };
  const repo = repository.full_name.toLowerCase();
  const keys = keysWhere(
    sources,
    (s) =>
      (s.spec.type === 'github-releases' ||
        s.spec.type === 'github-tags' ||
        s.spec.type === 'redis-enterprise') &&
      s.spec.repo.toLowerCase() === repo,
  );
  return {
    hint: {
      reason: `github release ${action}: ${repository.full_name} ${release.tag_name}`,
      keys,
      tags: [release.tag_name],
    },
  };
}

/**
 * A Docker Hub repository webhook. Docker Hub names no registry host, so every OCI
 * source of that repository is re-read (a mirror too: a re-read is cheap and harmless).
 */
export function hintFromDockerHub(payload: unknown, sources: readonly PlannedSource[]): HintResult {
  const p = dockerHubPush.safeParse(payload);
  if (!p.success) return { ignored: 'not a Docker Hub push payload' };
  const name = p.data.repository.repo_name.toLowerCase();
  const repository = name.includes('/') ? name : `library/${name}`;
  const keys = keysWhere(sources, (s) => s.spec.type === 'oci' && s.spec.repository === repository);
  const tags = p.data.push_data.tag ? [p.data.push_data.tag] : [];
  return {
    hint: { reason: `docker hub push: ${repository}${tags.length ? `:${tags[0]}` : ''}`, keys, tags },
  };
}

/** A Harbor `PUSH_ARTIFACT` event; the resource URL names the registry host. */
export function hintFromHarbor(payload: unknown, sources: readonly PlannedSource[]): HintResult {
  const p = harborPush.safeParse(payload);
  if (!p.success) return { ignored: 'not a Harbor event payload' };
  if (p.data.type !== 'PUSH_ARTIFACT') return { ignored: `Harbor event ${p.data.type} is not a push` };
  const repository = p.data.event_data.repository.repo_full_name.toLowerCase();
  const hosts = new Set(
    p.data.event_data.resources.flatMap((r) =>
      r.resource_url ? [r.resource_url.split('/')[0]!.toLowerCase()] : [],
    ),
  );
  const keys = keysWhere(
    sources,
    (s) =>
      s.spec.type === 'oci' &&
      s.spec.repository === repository &&
      (!hosts.size || hosts.has(registryHost(s.spec.registry))),
  );
  const tags = p.data.event_data.resources.flatMap((r) => (r.tag ? [r.tag] : []));
  return { hint: { reason: `harbor push: ${repository}`, keys, tags } };
}

/** A Quay repository push notification. */
export function hintFromQuay(payload: unknown, sources: readonly PlannedSource[]): HintResult {
  const p = quayPush.safeParse(payload);
  if (!p.success) return { ignored: 'not a Quay push payload' };
  const host = p.data.docker_url.split('/')[0]!.toLowerCase();
  const repository = p.data.repository.toLowerCase();
  const keys = keysWhere(
    sources,
    (s) =>
      s.spec.type === 'oci' && s.spec.repository === repository && registryHost(s.spec.registry) === host,
  );
  return { hint: { reason: `quay push: ${host}/${repository}`, keys, tags: p.data.updated_tags ?? [] } };
}
