// The simulator contracts a world is assembled from: a GitOps applier (Flux, Argo CD)
// that turns a merge commit into applied objects, and one operator simulator per
// product that turns a spec change into the phase sequence that product really walks.
import type { KubeObject } from '../../../lib/cluster-state.ts';
import type { KubeTestServer } from '../../support/kube-server/index.ts';

/** The repository's files at one commit. */
export interface RevisionFiles {
  readonly commit: string;
  read(path: string): string | undefined;
  /** Every file path under `dir` (recursive), sorted. */
  list(dir: string): string[];
}

/** What a simulator may do to the world. */
export interface SimContext {
  /** The cluster's name (as the policy names it) and its Kubernetes API. */
  cluster: string;
  kube: KubeTestServer;
  /** Runs `fn` `delayMs` of virtual time from now; `what` goes on the timeline when it runs. */
  after(delayMs: number, what: string, fn: () => void): void;
  /** A cluster change, on the timeline. */
  record(text: string): void;
  now(): Date;
}

/** A GitOps tool: seeds its own objects, and applies a new revision to the cluster. */
export interface GitOpsApplier {
  readonly kind: 'flux' | 'argocd';
  /** Its objects (Kustomizations, Applications) at the start, applied at `files.commit`. */
  seed(c: SimContext, files: RevisionFiles): KubeObject[];
  /** The objects the cluster should hold at `files` (what `kustomize build` would give). */
  render(c: SimContext, files: RevisionFiles): KubeObject[];
  /** A new commit on the watched branch: walk its phases on the virtual clock. */
  onRevision(c: SimContext, files: RevisionFiles, operators: readonly OperatorSim[]): void;
}

/**
 * A product's operator (and whatever controller turns its manifests into workloads):
 * it seeds the live objects that match the manifests at the start, reacts to the
 * applier's writes with the product's real phase sequence, and says whether its
 * objects are settled the way the applier's health check (kstatus) would see them.
 */
export interface OperatorSim {
  readonly product: string;
  /** Live objects (workloads, status) for the manifests at the start. */
  seed(c: SimContext, rendered: readonly KubeObject[]): KubeObject[];
  /** The applier wrote `rendered` (spec only); start what the product does about it. */
  applied(c: SimContext, rendered: readonly KubeObject[]): void;
  /** Called after every world event: react to what others changed (an approval annotation). */
  tick?(c: SimContext): void;
  /** The applier's health check passes for this product's objects. */
  ready(c: SimContext): boolean;
}
