// docs/policy.md stays checked against the published policy JSON Schema:
// every field a user can write must be named there as `field`, and the
// YAML examples must be valid policies.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadPolicy } from '../../lib/policy/load.ts';
import { policyFileSchema } from '../../lib/policy/schema.ts';
import { repoRoot } from '../support/fixtures.ts';

interface JsonSchema {
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
}

const doc = readFileSync(join(repoRoot, 'docs/policy.md'), 'utf8');
const schema = JSON.parse(readFileSync(join(repoRoot, 'policies/policy.schema.json'), 'utf8')) as JsonSchema;

/** Property names of an object schema, of an array's items, or of every `anyOf` branch. */
function fieldsOf(s: JsonSchema | undefined): string[] {
  if (!s) return [];
  if (s.items) return fieldsOf(s.items);
  if (s.anyOf) return [...new Set(s.anyOf.flatMap(fieldsOf))];
  return Object.keys(s.properties ?? {});
}

const top = schema.properties ?? {};
const sections: [string, string[]][] = [
  ['top-level', fieldsOf(schema)],
  ['defaults', fieldsOf(top.defaults)],
  ['clusters[]', fieldsOf(top.clusters)],
  ['environments[]', fieldsOf(top.environments)],
  ['windows[]', fieldsOf(top.windows)],
  ['rules[]', fieldsOf(top.rules)],
  ['rules[].match', fieldsOf(top.rules?.items?.properties?.match)],
];

const yamlBlocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe('docs/policy.md', () => {
  it.each(sections)('names every %s field of policies/policy.schema.json', (_name, fields) => {
    expect(fields.length).toBeGreaterThan(0);
    const missing = fields.filter((f) => !doc.includes(`\`${f}\``));
    expect(missing).toEqual([]);
  });

  it('has a complete example that loads as a policy', () => {
    const full = yamlBlocks.filter((b) => b.includes('apiVersion: cairn.dev/v1alpha1'));
    expect(full.length).toBeGreaterThan(0);
    for (const text of full) expect(() => loadPolicy([{ path: 'docs/policy.md', text }])).not.toThrow();
  });

  it('has YAML fragments that match the policy schema', () => {
    expect(yamlBlocks.length).toBeGreaterThan(1);
    for (const text of yamlBlocks) {
      const data = { apiVersion: 'cairn.dev/v1alpha1', kind: 'Policy', ...(parse(text) as object) };
      const r = policyFileSchema.safeParse(data);
      expect(r.success ? [] : r.error.issues, text).toEqual([]);
    }
  });
});
