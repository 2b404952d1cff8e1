// Which sources to read for which component: the catalog's (each citing why),
// plus what the policy adds (a mirror, a private registry), or only the
// policy's when it says `replace: true`. TTL: the source's own, else the
// policy's `feeds.ttl`, else 10 minutes.
import type { Catalog } from '../catalog/schema.ts';
import { type Issue, ValidationError } from '../errors.ts';
import { parseDuration } from '../policy/duration.ts';
import type { Policy } from '../policy/schema.ts';
import type { SourceSpec } from './spec.ts';
import type { PlannedSource } from './types.ts';

export const DEFAULT_TTL_MS = 10 * 60_000;

function specOf<T extends { component: string }>(entry: T, drop: readonly string[]): SourceSpec {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry)) if (!drop.includes(k)) out[k] = v;
  return out as SourceSpec;
}

/**
 * The sources to poll, for the given components (all with a source when none are given).
 * Unknown components, named by the caller or by a policy source, are errors.
 */
export function planSources(
  catalog: Catalog,
  policy: Policy,
  components: readonly string[] = [],
): PlannedSource[] {
  const issues: Issue[] = [];
  const known = [...catalog.components.keys()].sort();
  for (const c of components)
    if (!catalog.components.has(c))
      issues.push({
        file: 'command line',
        field: '--component',
        message: `unknown component "${c}"`,
        allowed: known,
      });
  const fromPolicy = policy.feeds?.sources ?? [];
  const perFile = new Map<string, number>();
  fromPolicy.forEach((s) => {
    const i = perFile.get(s.file) ?? 0;
    perFile.set(s.file, i + 1);
    if (!catalog.components.has(s.component))
      issues.push({
        file: s.file,
        field: `feeds.sources[${i}].component`,
        message: `unknown component "${s.component}"`,
        allowed: known,
      });
  });
  if (issues.length) throw new ValidationError(issues);

  // `0s` is a real TTL: ask every time (still conditionally).
  const defaultTtl =
    (policy.feeds?.ttl !== undefined ? parseDuration(policy.feeds.ttl) : undefined) ?? DEFAULT_TTL_MS;
  const ttl = (spec: SourceSpec) =>
    (spec.ttl !== undefined ? parseDuration(spec.ttl) : undefined) ?? defaultTtl;
  const replaced = new Set(fromPolicy.filter((s) => s.replace).map((s) => s.component));
  const wanted = (c: string) => !components.length || components.includes(c);
  const out: PlannedSource[] = [];
  for (const f of catalog.feeds) {
    if (!wanted(f.component) || replaced.has(f.component)) continue;
    const spec = specOf(f, ['component', 'source']);
    out.push({ component: f.component, spec, origin: `catalog:${f.source}`, ttlMs: ttl(spec) });
  }
  for (const s of fromPolicy) {
    if (!wanted(s.component)) continue;
    const spec = specOf(s, ['component', 'replace', 'file']);
    out.push({ component: s.component, spec, origin: `policy:${s.file}`, ttlMs: ttl(spec) });
  }
  return out;
}
