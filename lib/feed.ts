// Offline feed snapshots (`cairn plan --feed FILE`): a YAML map from catalog
// component id to the versions released, with their publish dates.
import { z } from 'zod';
import { type Catalog, isCalendarDate } from './catalog/schema.ts';
import { type Issue, ValidationError } from './errors.ts';
import { parseYamlLocated } from './input.ts';
import type { Release } from './model.ts';

const date = z
  .string()
  .regex(/^\d{4}-\d{2}(-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?)?$/, 'must be an ISO-8601 date, e.g. 2026-05-01')
  .refine(
    (s) => isCalendarDate(s) && !Number.isNaN(Date.parse(s.length === 7 ? `${s}-01` : s)),
    'is not a real date',
  );

export const feedSchema = z.record(
  z.string(),
  z.array(
    z.strictObject({
      version: z
        .string({ error: 'must be a quoted string (7.10 unquoted is read as the number 7.1)' })
        .min(1),
      published: date.optional(),
    }),
  ),
);

export type Feed = Record<string, Release[]>;

/** Parses a feed snapshot; unknown component ids are errors naming the allowed ids. */
export function parseFeed(text: string, file: string, catalog: Catalog): Feed {
  const { data, locate } = parseYamlLocated(text, file, feedSchema);
  const known = [...catalog.components.keys()].sort();
  const issues: Issue[] = [];
  for (const [component, releases] of Object.entries(data)) {
    const pos = locate([component], { key: true });
    if (!catalog.components.has(component)) {
      issues.push({
        file,
        ...(pos ? { line: pos.line } : {}),
        field: component,
        message: `unknown component "${component}"`,
        allowed: known,
      });
    }
    const seen = new Set<string>();
    releases.forEach((r, i) => {
      if (seen.has(r.version)) {
        const p = locate([component, i, 'version']);
        issues.push({
          file,
          ...(p ? { line: p.line } : {}),
          field: `${component}[${i}].version`,
          message: `version ${r.version} is listed twice`,
        });
      }
      seen.add(r.version);
    });
  }
  if (issues.length) throw new ValidationError(issues);
  const out: Feed = {};
  for (const [component, releases] of Object.entries(data)) {
    out[component] = releases.map((r) => ({
      version: r.version,
      ...(r.published ? { published: r.published } : {}),
    }));
  }
  return out;
}

/** Release lists from the catalog, for planning without a feed snapshot. */
export function catalogReleases(catalog: Catalog): Feed {
  const out: Feed = {};
  for (const [id, c] of catalog.components) {
    out[id] = c.releases.map((r) => ({
      version: r.version,
      ...(r.published ? { published: r.published } : {}),
    }));
  }
  return out;
}
