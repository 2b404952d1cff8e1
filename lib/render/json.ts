// `cairn plan --format json`: the plan plus what the scan saw. Stable: keys are
// always in schema order and the same input gives byte-identical output. The
// JSON Schema in docs/plan.schema.json is generated from `planJsonSchema`.
import { z } from 'zod';
import type { Plan } from '../planner/types.ts';
import { blockedSchema, planSchema, stepSchema, targetSummarySchema } from '../planner/types.ts';
import { jsonChunks, MappedArray } from './json-stream.ts';
import type { RenderContext } from './text.ts';

export const PLAN_JSON_VERSION = 1;

export const planJsonSchema = planSchema.extend({
  schemaVersion: z.literal(PLAN_JSON_VERSION),
  repo: z.string(),
  conventions: z.array(z.string()).describe('Conventions cairn applied where the policy is silent'),
  problems: z
    .array(
      z.strictObject({
        file: z.string(),
        line: z.number().int().optional(),
        field: z.string().optional(),
        reason: z.string(),
      }),
    )
    .describe('Files or fields that could not be read safely'),
});

export type PlanJson = z.infer<typeof planJsonSchema>;

export function toPlanJson(plan: Plan, ctx: RenderContext): PlanJson {
  // Parsing through the schema fixes key order and proves the output matches the published schema.
  return planJsonSchema.parse({
    schemaVersion: PLAN_JSON_VERSION,
    repo: ctx.repo,
    conventions: ctx.conventions,
    problems: ctx.problems,
    ...plan,
  });
}

/**
 * The text of `JSON.stringify(toPlanJson(plan, ctx), null, 2)` in pieces, without
 * a checked copy of the whole plan: the top level is checked with empty lists,
 * then each target, step and blocked entry is checked (and put in schema order)
 * as it is written. A fleet's plan holds tens of thousands of steps.
 */
export function planJsonChunks(plan: Plan, ctx: RenderContext): Generator<string> {
  const head = toPlanJson({ ...plan, targets: [], steps: [], blocked: [] }, ctx);
  return jsonChunks({
    ...head,
    targets: new MappedArray(plan.targets, (t) => targetSummarySchema.parse(t)),
    steps: new MappedArray(plan.steps, (s) => stepSchema.parse(s)),
    blocked: new MappedArray(plan.blocked, (b) => blockedSchema.parse(b)),
  });
}
