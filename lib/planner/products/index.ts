// Product rules: each product's planning rules (paths, couplings, pre-steps,
// ordering, gate conditions) in its own module behind the ProductRules
// interface (./types.ts), registered in the one table below. A new product is
// one module, one line here, its catalog file and its tests; the contract test
// (test/lib/planner/products.test.ts) runs every module's examples.
import type { Target } from '../../model.ts';
import { alauda } from './alauda.ts';
import { bitnami } from './bitnami.ts';
import { howl } from './howl.ts';
import { kubedb } from './kubedb.ts';
import { otContainerKit } from './ot-container-kit.ts';
import { redisEnterprise } from './redis-enterprise.ts';
import type { ProductRules } from './types.ts';

export type { ProductRules } from './types.ts';

export const PRODUCTS: readonly ProductRules[] = [
  redisEnterprise,
  howl,
  kubedb,
  alauda,
  otContainerKit,
  bitnami,
];

/** Whether a product's rules apply to a target: it owns the component, or the operator that manages it. */
export function owns(p: ProductRules, t: Target): boolean {
  return (
    p.components.includes(t.component) || (t.managedBy !== undefined && p.operators.includes(t.managedBy))
  );
}

/** The product whose rules apply to a target (its component's owner first); undefined for plain Redis and Valkey. */
export function productFor(t: Target): ProductRules | undefined {
  return (
    PRODUCTS.find((p) => p.components.includes(t.component)) ??
    (t.managedBy ? PRODUCTS.find((p) => p.operators.includes(t.managedBy!)) : undefined)
  );
}
