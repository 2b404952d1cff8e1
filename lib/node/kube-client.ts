// KubeTransport over the real @kubernetes/client-node (Node only): from a
// kubeconfig file (KUBECONFIG or ~/.kube/config) or the in-cluster service
// account. Typed clients for core and apps objects, CustomObjectsApi for
// custom resources, and the watch event stream over undici with client-node's
// authentication and TLS (its own Watch cannot be aborted before the server answers,
// which held a stopping agent until the server ended the stream).
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  HttpMethod,
  KubeConfig,
  PatchStrategy,
  RequestContext,
  setHeaderOptions,
} from '@kubernetes/client-node';
// The same undici client-node uses for its requests (and its dispatchers).
import { fetch } from 'undici';
import type { KubeObject } from '../cluster-state.ts';
import { apiVersionOf, resourcePath, type ResourceType } from '../cluster/resources.ts';
import { KubeApiError, type KubeTransport, type WatchEventType } from '../cluster/transport.ts';

export interface KubeClientOptions {
  /** A kubeconfig file; else KUBECONFIG / ~/.kube/config, else the in-cluster service account. */
  kubeconfigPath?: string;
  /** Kubeconfig text (tests). */
  kubeconfigText?: string;
}

export function loadKubeConfig(opts: KubeClientOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  if (opts.kubeconfigText !== undefined) kc.loadFromString(opts.kubeconfigText);
  else if (opts.kubeconfigPath) kc.loadFromFile(opts.kubeconfigPath);
  else kc.loadFromDefault(); // KUBECONFIG, ~/.kube/config, then the in-cluster service account
  if (!kc.getCurrentCluster()) throw new KubeApiError('the kubeconfig names no current cluster', undefined);
  return kc;
}

/** client-node errors → KubeApiError with the HTTP code (undefined: the server could not be reached). */
function toApiError(e: unknown, what: string): KubeApiError {
  if (e instanceof KubeApiError) return e;
  const err = e as {
    code?: unknown;
    statusCode?: unknown;
    body?: unknown;
    message?: string;
    cause?: { message?: string };
  };
  const code =
    typeof err.code === 'number' ? err.code : typeof err.statusCode === 'number' ? err.statusCode : undefined;
  let message = err.message ?? String(e);
  if (typeof err.body === 'string') {
    try {
      const s = JSON.parse(err.body) as { message?: string };
      if (s.message) message = s.message;
    } catch {
      // not a Status body
    }
  }
  if (code === undefined && err.cause?.message) message = `${message}: ${err.cause.message}`;
  return new KubeApiError(`${what}: ${message}`, code);
}

/** Date objects from typed models back to the wire's strings; kind and apiVersion filled in. */
function plain(o: unknown, r: ResourceType): KubeObject {
  const obj = JSON.parse(JSON.stringify(o)) as KubeObject;
  obj.apiVersion ??= apiVersionOf(r);
  obj.kind ??= r.kind;
  return obj;
}

const WATCH_TIMEOUT_SECONDS = 25;
/** No byte for this long (not even a bookmark) ends a watch, like client-node's Watch. */
const WATCH_INACTIVITY_MS = 30_000;

export interface KubeTransportOptions {
  /** Aborting it ends every watch at once, even one the server has not answered yet. */
  signal?: AbortSignal;
}

/**
 * One watch stream: GET ?watch=true with client-node's authentication and dispatcher
 * (TLS, proxies), newline-delimited JSON events. `done` is called once: null for a clean
 * end or an abort, else the error. Returns as soon as the request is sent.
 */
function startWatch(
  kc: KubeConfig,
  path: string,
  query: Record<string, string>,
  signal: AbortSignal | undefined,
  onLine: (type: string, object: unknown) => void,
  done: (err: unknown) => void,
): { abort: () => void } {
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort();
  signal?.addEventListener('abort', onOuterAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let finished = false;
  const finish = (err: unknown) => {
    if (finished) return;
    finished = true;
    if (timer) clearTimeout(timer);
    signal?.removeEventListener('abort', onOuterAbort);
    controller.abort();
    done(err);
  };
  let idle = false;
  const touch = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      idle = true;
      controller.abort();
    }, WATCH_INACTIVITY_MS);
    timer.unref();
  };
  void (async () => {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new KubeApiError('the kubeconfig names no current cluster', undefined);
    const url = new URL(cluster.server + path);
    url.searchParams.set('watch', 'true');
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const ctx = new RequestContext(url.toString(), HttpMethod.GET);
    await kc.applySecurityAuthentication(ctx);
    if (signal?.aborted) return finish(null);
    touch();
    const res = await fetch(url, {
      method: 'GET',
      headers: ctx.getHeaders(),
      dispatcher: ctx.getDispatcher() as never,
      signal: controller.signal,
    });
    if (res.status !== 200) {
      const text = await res.text().catch(() => '');
      let message = res.statusText || `HTTP ${res.status}`;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        // not a Status body
      }
      return finish(new KubeApiError(message, res.status));
    }
    touch();
    const body = Readable.fromWeb(res.body as never);
    body.on('data', touch);
    body.on('error', (e) => finish(controller.signal.aborted ? null : e));
    const lines = createInterface({ input: body });
    // readline re-emits the stream's errors (an abort among them) on the interface.
    lines.on('error', (e) => finish(controller.signal.aborted ? null : e));
    lines.on('line', (line) => {
      let event: { type?: string; object?: unknown };
      try {
        event = JSON.parse(line) as typeof event;
      } catch {
        return; // not an event line
      }
      if (event.type) onLine(event.type, event.object);
    });
    lines.on('close', () => finish(null));
  })().catch((e: unknown) =>
    // An abort (ours, the agent stopping, or a quiet stream) is a clean end; the caller decides.
    finish(controller.signal.aborted || idle ? null : e),
  );
  return { abort: () => finish(null) };
}

export function kubeTransport(kc: KubeConfig, opts: KubeTransportOptions = {}): KubeTransport {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);

  async function list(r: ResourceType, namespace?: string) {
    const what = `list ${resourcePath(r, namespace)}`;
    try {
      let res: { items: unknown[]; metadata?: { resourceVersion?: string } };
      if (r.group === '' && r.plural === 'pods')
        res = namespace ? await core.listNamespacedPod({ namespace }) : await core.listPodForAllNamespaces();
      else if (r.group === '' && r.plural === 'nodes') res = await core.listNode();
      else if (r.group === 'apps' && r.plural === 'deployments')
        res = namespace
          ? await apps.listNamespacedDeployment({ namespace })
          : await apps.listDeploymentForAllNamespaces();
      else if (r.group === 'apps' && r.plural === 'statefulsets')
        res = namespace
          ? await apps.listNamespacedStatefulSet({ namespace })
          : await apps.listStatefulSetForAllNamespaces();
      else if (namespace && r.namespaced)
        res = (await custom.listNamespacedCustomObject({
          group: r.group,
          version: r.version,
          namespace,
          plural: r.plural,
        })) as typeof res;
      else
        res = (await custom.listClusterCustomObject({
          group: r.group,
          version: r.version,
          plural: r.plural,
        })) as typeof res;
      return {
        items: res.items.map((i) => plain(i, r)),
        resourceVersion: res.metadata?.resourceVersion ?? '',
      };
    } catch (e) {
      throw toApiError(e, what);
    }
  }

  async function get(r: ResourceType, namespace: string | undefined, name: string) {
    const what = `get ${resourcePath(r, namespace, name)}`;
    try {
      let o: unknown;
      const ns = namespace ?? 'default';
      if (r.group === '' && r.plural === 'pods') o = await core.readNamespacedPod({ name, namespace: ns });
      else if (r.group === '' && r.plural === 'nodes') o = await core.readNode({ name });
      else if (r.group === 'apps' && r.plural === 'deployments')
        o = await apps.readNamespacedDeployment({ name, namespace: ns });
      else if (r.group === 'apps' && r.plural === 'statefulsets')
        o = await apps.readNamespacedStatefulSet({ name, namespace: ns });
      else if (r.namespaced)
        o = await custom.getNamespacedCustomObject({
          group: r.group,
          version: r.version,
          namespace: ns,
          plural: r.plural,
          name,
        });
      else
        o = await custom.getClusterCustomObject({
          group: r.group,
          version: r.version,
          plural: r.plural,
          name,
        });
      return plain(o, r);
    } catch (e) {
      const err = toApiError(e, what);
      if (err.code === 404) return undefined;
      throw err;
    }
  }

  async function watch(
    r: ResourceType,
    namespace: string | undefined,
    resourceVersion: string,
    onEvent: (type: WatchEventType, object: KubeObject) => void,
    done: (err: unknown) => void,
  ) {
    let finished = false;
    const finish = (err: unknown) => {
      if (finished) return;
      finished = true;
      done(err);
    };
    const stream = startWatch(
      kc,
      resourcePath(r, namespace),
      // The server closes the stream before the 30 s inactivity timeout would abort it.
      { resourceVersion, allowWatchBookmarks: 'true', timeoutSeconds: String(WATCH_TIMEOUT_SECONDS) },
      opts.signal,
      (type, object) => {
        if (type === 'ERROR') {
          const s = object as { code?: number; message?: string };
          finish(new KubeApiError(`watch ${resourcePath(r, namespace)}: ${s.message ?? 'error'}`, s.code));
          stream.abort();
          return;
        }
        onEvent(type as WatchEventType, plain(object, r));
      },
      (err) => finish(err ? toApiError(err, `watch ${resourcePath(r, namespace)}`) : null),
    );
    return {
      stop: () => {
        finished = true;
        stream.abort();
      },
    };
  }

  async function mergePatch(r: ResourceType, namespace: string | undefined, name: string, patch: object) {
    const what = `patch ${resourcePath(r, namespace, name)}`;
    const options = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    try {
      const o = r.namespaced
        ? await custom.patchNamespacedCustomObject(
            {
              group: r.group,
              version: r.version,
              namespace: namespace ?? 'default',
              plural: r.plural,
              name,
              body: patch,
            },
            options,
          )
        : await custom.patchClusterCustomObject(
            { group: r.group, version: r.version, plural: r.plural, name, body: patch },
            options,
          );
      return plain(o, r);
    } catch (e) {
      throw toApiError(e, what);
    }
  }

  return { list, get, watch, mergePatch };
}
