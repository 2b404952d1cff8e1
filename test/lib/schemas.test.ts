import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaTexts } from '../../scripts/gen-schemas.ts';
import { repoRoot } from '../support/fixtures.ts';

describe('published JSON Schemas', () => {
  it.each(Object.entries(schemaTexts()))(
    '%s is up to date with its zod schema (run scripts/gen-schemas.ts)',
    (path, text) => {
      expect(readFileSync(join(repoRoot, path), 'utf8')).toBe(text);
    },
  );

  it('the policy schema offers the allowed values editors complete from', () => {
    const schema = JSON.parse(schemaTexts()['policies/policy.schema.json']!);
    expect(schema.properties.defaults.properties.majorUpgrade.enum).toEqual(['via-earliest-minor', 'direct']);
    expect(schema.required).toEqual(['apiVersion', 'kind']);
  });
});
