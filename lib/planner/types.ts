// What the planner takes and gives. The plan is plain data: the CLI renders
// it, the PR engine records a step of it in each PR body, the gate checks it.
// The plan's shape is defined once, as a schema: the types derive from it and
// the published JSON Schema of `cairn plan --format json` is generated from it.

import { z } from 'zod';
import type { Catalog } from '../catalog/schema.ts';
import type { ClusterFacts, ComponentId, Inventory, Release } from '../model.ts';
import type { Policy } from '../policy/schema.ts';

export interface PlanInput {
  inventory: Inventory;
  /** Released versions per component (a feed snapshot, or the catalog's release lists). */
  releases: Record<ComponentId, Release[]>;
  /** What each cluster reports (Kubernetes version, running operators), by cluster name. */
  clusters: Record<string, ClusterFacts>;
  policy: Policy;
  catalog: Catalog;
  now: Date;
}

/** A rule that allowed (or blocked) something, with the citation a reviewer can check. */
export const ruleRefSchema = z.strictObject({
  id: z.string(),
  text: z.string(),
  source: z.string().describe('Upstream repository:path@commit, seed document, or policy file'),
});

export const stepTargetSchema = z.strictObject({
  id: z.string().describe('Stable target id: file#Kind/namespace/name:field'),
  file: z.string(),
  line: z.number().int().positive(),
  kind: z.string().describe('Target kind that found it, e.g. helm-values'),
  name: z.string().describe('Kind/namespace/name of the manifest, or the file name for plain values files'),
  field: z.string(),
  also: z
    .array(z.strictObject({ field: z.string(), line: z.number().int().positive() }))
    .optional()
    .describe(
      'Other tokens of the same target group (same manifest, image and tag), changed in the same commit',
    ),
});

export const preStepSchema = z.strictObject({
  kind: z.enum(['backup', 'crds', 'approve-primary']),
  description: z.string(),
  rule: z.string(),
});

/** The Kubernetes object(s) a gate condition reads. */
export const gateObjectSchema = z.strictObject({
  group: z.string().describe('API group, e.g. redis.io; empty for the core group'),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string().optional().describe('Absent: every object of the kind (in the namespace, when given)'),
});

/** One health condition as data: which evaluator (lib/health) checks which object, with what parameters. */
export const gateConditionSchema = z.strictObject({
  evaluator: z.string().describe('Health evaluator id, e.g. howl-redis-cluster (docs/gate.md lists them)'),
  object: gateObjectSchema,
  params: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .describe('Evaluator parameters, e.g. the target image or version'),
  text: z.string().describe('The condition in a sentence, for people'),
  anyOf: z
    .string()
    .optional()
    .describe(
      'Conditions sharing this name check whichever of their kinds the cluster runs: one that finds no object is skipped when another finds some, and all finding none is unknown health',
    ),
});

/** What the status function must observe before the step counts as done. */
export const gateSpecSchema = z.strictObject({
  applied: z.literal(true).describe('The GitOps tool reports a revision that contains the merge commit'),
  health: z.array(z.string()),
  conditions: z
    .array(gateConditionSchema)
    .optional()
    .describe(
      'The health conditions as data the gate checks; absent in step blocks written before they existed',
    ),
  version: z.string(),
  soak: z.string().optional(),
});

const where = {
  cluster: z.string().optional(),
  environment: z.string().optional(),
};

const shared = {
  clusters: z
    .array(z.string())
    .optional()
    .describe(
      'Every cluster the change reaches, when its file is shared by several (a base no overlay patches)',
    ),
};

export const stepSchema = z.strictObject({
  id: z.string().describe('Stable across runs for the same target and hop; the PR engine finds a PR by it'),
  target: stepTargetSchema,
  component: z.string(),
  role: z.enum(['operator', 'data-plane', 'crds']),
  ...where,
  ...shared,
  from: z.string(),
  to: z.string(),
  after: z.array(z.string()).describe('Ids of steps that must be proven first'),
  rules: z.array(ruleRefSchema).min(1),
  risks: z.array(z.string()),
  preSteps: z.array(preStepSchema),
  oneWay: z.boolean().describe('Rolling back needs a restore from backup'),
  change: z
    .enum(['in-place', 'ops-request', 'record'])
    .describe(
      "'record': a KubeDB ops request reached `to`; the step writes `to` into spec.version and removes the finished request",
    ),
  gate: gateSpecSchema,
});

export const blockedSchema = z.strictObject({
  target: stepTargetSchema,
  component: z.string(),
  ...where,
  ...shared,
  current: z.string(),
  wanted: z.string(),
  reason: z.string(),
  unblock: z.string(),
  rule: ruleRefSchema.optional(),
});

export const targetStatusSchema = z.enum([
  'up-to-date',
  'planned',
  'blocked',
  'unplannable',
  'unknown-component',
  'shadowed',
]);

export const targetSummarySchema = z.strictObject({
  target: stepTargetSchema,
  component: z.string(),
  ...where,
  current: z.string(),
  next: z.string().optional().describe("First hop's version, when a step is planned"),
  goal: z.string().optional().describe('Last version of the planned path'),
  latest: z.string().optional().describe('Newest stable release known, eligible or not'),
  status: targetStatusSchema,
  stale: z.strictObject({ minorsBehind: z.number().int(), allowed: z.number().int() }).optional(),
  note: z.string().optional(),
});

export const planSchema = z.strictObject({
  at: z.string().describe('The instant the plan was computed for'),
  targets: z.array(targetSummarySchema),
  steps: z.array(stepSchema).describe('In dependency order'),
  blocked: z.array(blockedSchema),
});

export type RuleRef = z.infer<typeof ruleRefSchema>;
export type StepTarget = z.infer<typeof stepTargetSchema>;
export type PreStep = z.infer<typeof preStepSchema>;
export type GateSpec = z.infer<typeof gateSpecSchema>;
export type GateCondition = z.infer<typeof gateConditionSchema>;
export type GateObject = z.infer<typeof gateObjectSchema>;
export type Step = z.infer<typeof stepSchema>;
export type Blocked = z.infer<typeof blockedSchema>;
export type TargetStatus = z.infer<typeof targetStatusSchema>;
export type TargetSummary = z.infer<typeof targetSummarySchema>;
export type Plan = z.infer<typeof planSchema>;
