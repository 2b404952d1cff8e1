// The interface every target kind implements (find / read / edit), and what a
// kind reports for one version token. Kinds are registered in ./registry.ts.
import type { ComponentId, ComponentRole, ResourceRef } from '../model.ts';
import type { Identity } from './identify.ts';
import type { Token } from './tokens.ts';
import type { DocView } from './yaml-file.ts';

/** A Helm chart a values location belongs to, resolved once the whole repository is indexed. */
export interface ChartRef {
  /** Chart name, when the manifest names it (HelmRelease `chart`, Argo `chart`, Kustomize `helmCharts[].name`). */
  name?: string;
  /** Chart repository URL, when the manifest gives it. */
  repo?: string;
  /** Flux source the chart comes from (resolved through HelmRepository / OCIRepository objects). */
  sourceRef?: { kind: string; name: string; namespace?: string };
  /** Repository directory holding the chart's Chart.yaml (plain values files). */
  dir?: string;
}

/** What a patch written inside a kustomization overrides (../kinds/kustomize-patches.ts). */
export interface PatchOf {
  /** The resource the patch applies to (its `target:` selector, else the patch's own kind and name). */
  resource: { kind: string; name: string; namespace?: string };
  /** The overridden field, as the base's kind names it (`spec.template.spec.containers[name=redis].image`). */
  field: string;
  /** A JSON6902 path: list items are positions (`containers[0]`), matched against the base's items. */
  pointer?: boolean;
}

/** One version token (or a token that was found but cannot be read safely). */
export interface Found {
  /** Dotted field path inside the document, e.g. `spec.values.image.tag`. */
  field: string;
  token?: Token;
  /** Why the token cannot be read safely; reported in `Inventory.problems` when the component is known. */
  problem?: string;
  /** Offset the problem is about (for its line). */
  problemOffset?: number;
  /** Known identity. */
  identity?: Identity;
  /** Identity to resolve later through a chart (values without a repository, chart versions via sources). */
  chart?: ChartRef;
  /** Path of the image map relative to the Helm values root (`redis.image`), for chart-default images. */
  imagePath?: string;
  /** Path of the token relative to the Helm values root (`redis.image.tag`): the key for layering. */
  valuesPath?: string;
  /** True when this token is a chart version (identity is the chart's). */
  chartVersion?: boolean;
  /** Image repository when the token is the tag of an image reference. */
  image?: string;
  /** The token is a version range (`>=1.0.0`, `1.x`), not a pinned version. */
  range?: boolean;
  change?: 'in-place' | 'ops-request';
  /**
   * The component is a guess among several publishers (an OLM package name they share): kept only
   * when a target in the same scope is managed by one of `operators`; else `problem` is reported.
   */
  ambiguous?: { operators: ComponentId[]; problem: string };
  /** KubeDB: this token is an existing ops request's target version, for this database. */
  requestFor?: ResourceRef;
  /** Places that refer to the same node through YAML aliases. */
  sharedWith?: string[];
  /** Set when a comment marker named this value; a `cairn` marker's identity wins over any kind's. */
  marker?: 'cairn' | 'imagepolicy';
  /**
   * Helm values in a ConfigMap (`data.<key>`): a target only when a HelmRelease's `valuesFrom`
   * names it, which also gives its chart (resolved by the scanner).
   */
  valuesOf?: {
    name: string;
    key: string;
    /** Set for a file a kustomization `configMapGenerator` turns into the ConfigMap: its namespace, when it says. */
    generated?: { namespace?: string };
  };
  /** The cluster this token deploys to, when the manifest says (an ApplicationSet list element); wins over the file's place. */
  cluster?: string;
  environment?: string;
  /**
   * An ApplicationSet template value set from a git files generator parameter: found again
   * in each repository file the generator's globs match (../kinds/argocd-generators.ts).
   */
  generatorFiles?: { param: string[]; globs: string[]; clusterKeys: string[][] };
  /** Set on a token inside a kustomization's inline patch: what it overrides. */
  patch?: PatchOf;
  /** Scalar fields of the manifest that planning rules read (`Target.fields`). */
  fields?: Record<string, string>;
}

/** What a kind is told about the repository while finding (never required for locating a token). */
export interface FindContext {
  /** Repository-relative path of the file. */
  file: string;
  /** Directory of the file (`` for the root). */
  dir: string;
}

/** A small sample document every kind carries: the contract test finds, reads and edits it. */
export interface KindExample {
  file: string;
  text: string;
  expect: { field: string; current: string; component?: ComponentId; role?: ComponentRole }[];
}

export interface TargetKind {
  /** Kind id, e.g. `helm-values`; also `Target.kind`. */
  readonly id: string;
  readonly summary: string;
  /** Cheap check: may this document hold targets of this kind? */
  accepts(view: DocView, ctx: FindContext): boolean;
  /** Every version token of this kind in the document (identified or not). */
  find(view: DocView, ctx: FindContext): Found[];
  /** The current version as written (the tag part only). */
  read(text: string, found: Found): string;
  /** The new file text with only the token replaced. */
  edit(text: string, found: Found, newVersion: string): string;
  readonly examples: readonly KindExample[];
}
