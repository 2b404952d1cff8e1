// docs/plan-json.md stays checked against docs/plan.schema.json (every field
// of the plan JSON is explained) and its step-id example against stepId().
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Target } from '../../lib/model.ts';
import { stepId } from '../../lib/planner/plan.ts';
import { repoRoot } from '../support/fixtures.ts';

interface JsonSchema {
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
}

const doc = readFileSync(join(repoRoot, 'docs/plan-json.md'), 'utf8');
const schema = JSON.parse(readFileSync(join(repoRoot, 'docs/plan.schema.json'), 'utf8')) as JsonSchema;

/** Every property name, at any depth of objects and arrays. */
function allFields(s: JsonSchema | undefined, out = new Set<string>()): Set<string> {
  if (!s) return out;
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    out.add(k);
    allFields(v, out);
  }
  allFields(s.items, out);
  return out;
}

describe('docs/plan-json.md', () => {
  it('explains every field of docs/plan.schema.json', () => {
    const fields = [...allFields(schema)];
    expect(fields).toContain('schemaVersion');
    expect(fields.filter((f) => !doc.includes(`\`${f}\``))).toEqual([]);
  });

  it('gives a step id example that stepId() produces', () => {
    const m = /target\s+`([^`]+)`\s+moving to `([^`]+)` is step `([^`]+)`/.exec(doc);
    expect(m).not.toBeNull();
    const [, targetId, to, id] = m!;
    const target = { id: targetId!, component: 'redis' } as Target;
    expect(stepId(target, to!)).toBe(id);
  });
});
