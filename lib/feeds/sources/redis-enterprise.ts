// Redis Enterprise for Kubernetes: each GitHub release of the operator's
// repository is one operator build, and its notes name the Redis Software
// image it ships (`**Redis Enterprise**: \`redislabs/redis:8.2.0-46.13\``,
// `**Operator**: \`redislabs/operator:8.2.0-13\`` in the Downloads section).
// One reader yields either version; both carry the release's publish date.
import type { SpecOf } from '../spec.ts';
import type { RawItem, SourceReader } from '../types.ts';
import { DEFAULT_API, readGithubReleases } from './github.ts';

/** The image tag a Downloads line names for `label`, e.g. `Redis Enterprise` or `Operator`. */
export function downloadTag(notes: string, label: string): string | undefined {
  const re = new RegExp(`\\*\\*${label}\\*\\*:\\s*\`[^\`:\\s]+:([^\`\\s]+)\``);
  return re.exec(notes)?.[1];
}

export const redisEnterprise: SourceReader<'redis-enterprise'> = {
  type: 'redis-enterprise',
  dated: true,
  key: (s) => `redis-enterprise:${new URL(s.baseUrl ?? DEFAULT_API).host}/${s.repo}#${s.yields}`,
  host: (s) => new URL(s.baseUrl ?? DEFAULT_API).host,
  async read(spec: SpecOf<'redis-enterprise'>, ctx) {
    const r = await readGithubReleases(spec, ctx);
    if (!r.changed) return r;
    const items: RawItem[] = [];
    for (const it of r.items) {
      const notes = it.notes ?? '';
      const tag =
        spec.yields === 'operator'
          ? (downloadTag(notes, 'Operator') ?? it.tag.replace(/^v/, ''))
          : downloadTag(notes, 'Redis Enterprise');
      if (!tag) continue;
      const out: RawItem = { ...it, tag };
      items.push(out);
    }
    return { changed: true, items, state: r.state };
  },
};
