// Shared domain types: what the targets scanner finds (the inventory), what
// feeds say was released, and what clusters report. The planner consumes all
// three; later parts (PR engine, gate) reuse them unchanged.

/** Catalog component id, e.g. `redis`, `howl-redis-operator`, `redis-enterprise`. */
export type ComponentId = string;

/** An operator (control plane), the data plane it manages, or the CRDs an operator ships. */
export type ComponentRole = 'operator' | 'data-plane' | 'crds';

/** Kubernetes object identity of the manifest a target sits in. */
export interface ResourceRef {
  apiVersion?: string;
  kind: string;
  namespace?: string;
  name: string;
}

/**
 * One place in the GitOps repository that pins a version.
 * Its id is stable across scans: `file#Kind/namespace/name:field`.
 */
export interface Target {
  id: string;
  /** Target kind module that found it, e.g. `helm-values`, `flux-helmrelease`, `howl-rediscluster`. */
  kind: string;
  /** Repository-relative path with forward slashes. */
  file: string;
  /** 1-based line of the version token. */
  line: number;
  /** 0-based index of the YAML document in a multi-document file. */
  document: number;
  resource?: ResourceRef;
  /** Dotted field path inside the document, e.g. `spec.imageName` or `image.tag`. */
  field: string;
  component: ComponentId;
  role: ComponentRole;
  /** Operator component that reconciles this data plane (e.g. `howl-redis-operator` for a RedisCluster). */
  managedBy?: ComponentId;
  /** Current version as written in the file (the tag part of an image reference). */
  current: string;
  /** Image repository when the token is part of an image reference. */
  image?: string;
  cluster?: string;
  environment?: string;
  /** Ids of targets in other layers that this one overrides (it wins over them). */
  shadows?: string[];
  /** How the change is made in Git: replace the token in place, or add a KubeDB RedisOpsRequest. */
  change: 'in-place' | 'ops-request';
  /** Ids of targets in other layers that override this one for some cluster (it loses to them there). */
  shadowedBy?: string[];
  /** Field paths that share this value through YAML aliases: editing the anchor changes them too. */
  sharedWith?: string[];
  /** The token is a version range or channel (`>=1.0.0`, `1.x`), not one pinned version. */
  range?: boolean;
  /** Exact position of the token: 0-based offset in the file text and its quoting style. */
  span?: { offset: number; style: 'plain' | 'single' | 'double'; whole: boolean };
  /** Fingerprint of the file text the scan read; an edit of the same text skips re-parsing. */
  fingerprint?: string;
  /** Every cluster that applies the file when several do (a shared base with no overlay), with its environment. */
  sharedBy?: { cluster: string; environment?: string }[];
  /** Scalar fields of the manifest that planning rules read, by dotted path (e.g. `spec.primaryUpdateStrategy`). */
  fields?: Record<string, string>;
  /**
   * The release manifest (`file#document`: an Argo CD Application, a Flux HelmRelease) whose
   * chart these values configure, when they sit in a separate file that manifest names.
   */
  release?: string;
  /** KubeDB: ops requests in the repository that already change this database's version. */
  pendingRequests?: PendingRequest[];
  /**
   * Other tokens of the same manifest that pin the same image at the same tag (the operator and
   * admission containers of one Deployment): one target group, every token changed in the same edit.
   */
  siblings?: TargetSibling[];
}

/** One more token of a target group: its field, line and exact position. */
export interface TargetSibling {
  field: string;
  line: number;
  span: { offset: number; style: 'plain' | 'single' | 'double'; whole: boolean };
}

/** A KubeDB `RedisOpsRequest` / `RedisSentinelOpsRequest` (type UpdateVersion) found in the repository. */
export interface PendingRequest {
  file: string;
  line: number;
  kind: string;
  name: string;
  targetVersion: string;
}

/** A target found but not safe to read or edit, with the reason shown to the user. */
export interface UnreadableTarget {
  file: string;
  line?: number;
  field?: string;
  reason: string;
}

export interface Inventory {
  targets: Target[];
  /** Files or fields skipped with a reason; a scan never fails as a whole because of one file. */
  problems: UnreadableTarget[];
}

/** One released version of a component, as a feed or the catalog reports it. */
export interface Release {
  version: string;
  /** ISO-8601 date or date-time; month precision (`2025-05`) allowed when that is all that is known. */
  published?: string;
}

/** What a cluster reports about itself; any field may be unknown. */
export interface ClusterFacts {
  name: string;
  /** Kubernetes minor, e.g. `1.30`. */
  kubernetesVersion?: string;
  /** OpenShift minor, when the cluster is OpenShift. */
  openshiftVersion?: string;
  /** Versions of operators actually running, by component id. */
  operators?: Record<ComponentId, string>;
  /** Top-level scalar `spec` fields of live objects, by `Kind/namespace/name` then `spec.field`. */
  resources?: Record<string, Record<string, string>>;
}
