// What the readers need from a Kubernetes API client. The Node adapter
// (lib/node/kube-client.ts) implements it with @kubernetes/client-node; tests
// can use it against the test server. Every failure is a KubeApiError that
// says how the gate should report it.
import type { KubeObject } from '../cluster-state.ts';
import type { ReadProblemKind } from '../gate/types.ts';
import type { ResourceType } from './resources.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchHandle {
  stop(): void;
}

export interface KubeTransport {
  list(r: ResourceType, namespace?: string): Promise<{ items: KubeObject[]; resourceVersion: string }>;
  /** A direct GET; undefined when the object does not exist (404). */
  get(r: ResourceType, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  /** Watch from `resourceVersion`; `done` is called once, with the error that ended it (or null). */
  watch(
    r: ResourceType,
    namespace: string | undefined,
    resourceVersion: string,
    onEvent: (type: WatchEventType, object: KubeObject) => void,
    done: (err: unknown) => void,
  ): Promise<WatchHandle>;
  /** JSON merge patch (RFC 7386); a `metadata.resourceVersion` in the patch is a precondition (409 when stale). */
  mergePatch(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: object,
  ): Promise<KubeObject>;
}

export class KubeApiError extends Error {
  readonly code: number | undefined;
  readonly kind: ReadProblemKind;
  constructor(message: string, code: number | undefined) {
    super(message);
    this.name = 'KubeApiError';
    this.code = code;
    this.kind =
      code === 403 || code === 401
        ? 'forbidden'
        : code === 404
          ? 'not-found'
          : code === undefined || code >= 500
            ? 'unavailable'
            : 'error';
  }
}

/** Whether an error (or an in-stream ERROR Status) means the resourceVersion is gone: relist. */
export function isGone(err: unknown): boolean {
  return err instanceof KubeApiError && err.code === 410;
}
