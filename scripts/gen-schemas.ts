// Writes the published JSON Schemas from their zod definitions:
//   policies/policy.schema.json  (policy files; editors use it to complete and check)
//   docs/plan.schema.json        (`cairn plan --format json`)
// Run: scripts/with-node.sh node scripts/gen-schemas.ts   (a test fails when they are stale)
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { policyFileSchema } from '../lib/policy/schema.ts';
import { planJsonSchema } from '../lib/render/json.ts';

export function schemaTexts(): Record<string, string> {
  const policy = {
    title: 'cairn policy',
    ...z.toJSONSchema(policyFileSchema, { target: 'draft-2020-12', io: 'input' }),
  };
  const plan = {
    title: 'cairn plan --format json',
    ...z.toJSONSchema(planJsonSchema, { target: 'draft-2020-12' }),
  };
  return {
    'policies/policy.schema.json': `${JSON.stringify(policy, null, 2)}\n`,
    'docs/plan.schema.json': `${JSON.stringify(plan, null, 2)}\n`,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  for (const [path, text] of Object.entries(schemaTexts())) {
    writeFileSync(root + path, text);
    process.stdout.write(`wrote ${path}\n`);
  }
}
