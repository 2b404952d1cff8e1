// The one interface every product's planning rules implement. The generic
// passes of the planner call these hooks; a product leaves out what it does
// not need. Registered in the one table in ./index.ts.
import type { Catalog } from '../../catalog/schema.ts';
import type { ClusterFacts, ComponentId, Target } from '../../model.ts';
import type { ResolvedSettings, UpdateType } from '../../policy/schema.ts';
import type { Verdict } from '../candidates.ts';
import type { Hop, PathContext, PathResult } from '../paths.ts';
import type { PreStep, RuleRef, Step } from '../types.ts';
import type { Work } from '../work.ts';

/** One product's targets on one cluster, with what the cluster reports. */
export interface ClusterContext {
  catalog: Catalog;
  facts: ClusterFacts | undefined;
  /** This product's works on the cluster, in target-id order. */
  works: Work[];
}

/** The same, once steps exist: a product adds its own `after` edges and rules. */
export interface OrderContext extends ClusterContext {
  stepsOf: ReadonlyMap<Work, Step[]>;
}

/** One hop of one target, while its step is built. */
export interface HopContext {
  catalog: Catalog;
  /** What the target's cluster reports, when known. */
  facts: ClusterFacts | undefined;
  target: Target;
  settings: ResolvedSettings;
  hop: Hop;
  from: string;
  type: UpdateType;
  oneWay: boolean;
}

/** What a product adds to a step: pre-steps and the rules that demand them. */
export interface StepAdditions {
  preSteps: PreStep[];
  rules: RuleRef[];
}

/** A target as the scanner would report it; the contract test fills in the rest. */
export type ExampleTarget = Partial<Target> & Pick<Target, 'id' | 'component' | 'current'>;

/** A small scenario the contract test plans with the shipped catalog and checks. */
export interface ProductExample {
  summary: string;
  targets: ExampleTarget[];
  /** Released versions per component (each published long before the plan); the catalog's for the rest. */
  releases?: Record<ComponentId, string[]>;
  clusters?: Record<string, ClusterFacts>;
  /** Policy body (YAML after `kind: Policy`), when the scenario needs one. */
  policy?: string;
  /** Expected path (current, then each hop's version) per target id. */
  paths: Record<string, string[]>;
  /** Expected pre-step kinds over all steps of a target, per target id (none when left out). */
  preSteps?: Record<string, PreStep['kind'][]>;
}

export interface ProductRules {
  /** Short stable id, e.g. `redis-enterprise`. */
  id: string;
  /** One line: whose rules these are and where they come from. */
  summary: string;
  /** Catalog components this product owns outright (operator, CRDs, data planes). */
  components: readonly ComponentId[];
  /** Operators whose managed data planes (`managedBy`) follow these rules too. */
  operators: readonly ComponentId[];
  /** Catalog rule ids the module cites; the contract test checks each one exists. */
  rules: readonly string[];
  /** The path strategy, when it is not the generic semantic-version one. */
  path?(ctx: PathContext, usable: Verdict[]): PathResult;
  /** Couples or constrains hops of its targets on one cluster (a cluster after its operator, a requirement the policy sets). */
  couple?(ctx: ClusterContext): void;
  /**
   * The data plane a release of this target deploys, when the catalog knows it (a chart
   * version's image tag): a hop that changes it carries that data plane's RDB and major rules.
   */
  ships?(
    catalog: Catalog,
    t: Target,
    version: string,
  ): { component: ComponentId; version: string } | undefined;
  /**
   * The catalog rule saying this target's field takes only a minor line by contract (not an
   * image tag), when it does: cited on each hop instead of the floating-tag risk.
   */
  minorOnly?(t: Target): string | undefined;
  /** How to back up before a one-way or major hop, when the product has its own way. */
  backup?(t: Target): string | undefined;
  /** Pre-steps and rules a hop of one of this product's targets needs. */
  preSteps?(ctx: HopContext): StepAdditions;
  /** Whether a data plane is ordered by `order` instead of the generic operator-before-data-plane rule. */
  ordersItself?(t: Target): boolean;
  /** Adds `after` edges between this product's steps on one cluster. */
  order?(ctx: OrderContext): void;
  /** What the gate must observe before a step of this target counts as done. */
  health(t: Target): string[];
  examples: readonly ProductExample[];
}
