// What the status function must observe before a step counts as done: the
// health conditions of its gate. A product's module names its own (the
// signals each operator documents); plain Redis and Valkey use these.
import type { ComponentId, Target } from '../model.ts';
import type { ProductRules } from './products/types.ts';

/** Pods of a plain workload (Deployment, StatefulSet, chart) after an image change. */
export const PODS_READY = ['every pod runs the new image and is Ready'];

/** Any component nobody has described yet: fail closed on every workload being Ready. */
export const WORKLOADS_READY = ['every workload of the component reports Ready'];

const GENERIC: Record<ComponentId, string[]> = {
  redis: PODS_READY,
  valkey: PODS_READY,
};

/** Health conditions of a component no product claims, or that its product leaves generic. */
export function genericHealth(component: ComponentId): string[] {
  return GENERIC[component] ?? WORKLOADS_READY;
}

/** Health conditions for a step of a target: its product's, or the generic ones. */
export function healthFor(t: Target, product: ProductRules | undefined): string[] {
  return [...(product ? product.health(t) : genericHealth(t.component))];
}
