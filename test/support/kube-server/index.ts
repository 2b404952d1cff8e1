// A small Kubernetes-API-compatible server for tests (node:http on
// 127.0.0.1, plain HTTP): get, list, watch (the chunked JSON event stream),
// JSON merge patch, resourceVersion with 404 / 409 / 410 semantics, RBAC 403,
// ValidatingAdmissionPolicies (CEL) on writes and "API down" on demand, for the resources in lib/cluster/resources.ts.
// No kube-apiserver can be installed here; this is driven by the real
// @kubernetes/client-node, so the readers are tested against the wire format.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Environment } from '@marcbachmann/cel-js';
import type { KubeObject } from '../../../lib/cluster-state.ts';
import { apiVersionOf, RESOURCES, type ResourceType } from '../../../lib/cluster/resources.ts';

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
interface StoredEvent {
  type: EventType;
  rv: number;
  object: KubeObject;
}
interface Watcher {
  res: ServerResponse;
  match: (o: KubeObject) => boolean;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  contentType?: string;
  body?: unknown;
}

function groupOf(apiVersion: string | undefined): string {
  return apiVersion?.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/** The parts of an admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy this server evaluates. */
export interface AdmissionPolicy {
  metadata: { name: string };
  spec: {
    failurePolicy?: 'Fail' | 'Ignore';
    matchConstraints: { resourceRules: { apiGroups: string[]; operations: string[]; resources: string[] }[] };
    matchConditions?: { name: string; expression: string }[];
    variables?: { name: string; expression: string }[];
    validations: { expression: string; message?: string }[];
  };
}

/** CEL as Kubernetes runs it: optional types on, undeclared variables dynamic. */
const cel = new Environment({
  unlistedVariablesAreDyn: true,
  enableOptionalTypes: true,
  homogeneousAggregateLiterals: false,
});

/**
 * Why `policy` denies an UPDATE from `current` to `next` by `username`, or
 * undefined: match constraints, match conditions, variables in order, then each
 * validation, as the API server evaluates a policy bound with `Deny`.
 */
function admissionDenial(
  policy: AdmissionPolicy,
  r: ResourceType,
  username: string,
  current: KubeObject,
  next: KubeObject,
): string | undefined {
  const rules = policy.spec.matchConstraints.resourceRules;
  const matches = rules.some(
    (x) =>
      (x.apiGroups.includes('*') || x.apiGroups.includes(r.group)) &&
      (x.operations.includes('*') || x.operations.includes('UPDATE')) &&
      (x.resources.includes('*') || x.resources.includes(r.plural)),
  );
  if (!matches) return undefined;
  const ctx: Record<string, unknown> = {
    request: { operation: 'UPDATE', userInfo: { username } },
    object: next,
    oldObject: current,
    variables: {},
  };
  const denied = (why: string) =>
    `ValidatingAdmissionPolicy '${policy.metadata.name}' with binding '${policy.metadata.name}' denied request: ${why}`;
  try {
    for (const c of policy.spec.matchConditions ?? [])
      if (cel.evaluate(c.expression, ctx) !== true) return undefined;
    const variables = ctx.variables as Record<string, unknown>;
    for (const v of policy.spec.variables ?? []) variables[v.name] = cel.evaluate(v.expression, ctx);
    for (const v of policy.spec.validations)
      if (cel.evaluate(v.expression, ctx) !== true)
        return denied(v.message ?? `failed expression: ${v.expression}`);
  } catch (e) {
    if (policy.spec.failurePolicy === 'Ignore') return undefined;
    return denied(`expression error: ${(e as Error).message}`);
  }
  return undefined;
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export class KubeTestServer {
  private server: Server;
  private sockets = new Set<Socket>();
  private objects = new Map<string, KubeObject>();
  private history: StoredEvent[] = [];
  private watchers = new Set<Watcher>();
  private rv = 100;
  /** Events at or below this resourceVersion are compacted away: asking for them is 410 Gone. */
  private compactedThrough = 0;
  private forbidden = new Set<string>();
  private role: { apiGroups: string[]; resources: string[]; verbs: string[] }[] | undefined;
  private admission: { policies: AdmissionPolicy[]; username: string } | undefined;
  private down = false;
  readonly requests: RequestRecord[] = [];
  /** Scales `timeoutSeconds` of watches (tests shorten it to see the client watch again). */
  watchTimeScale = 1;
  url = '';

  constructor(objects: KubeObject[] = []) {
    for (const o of objects) this.apply(o);
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      if (this.down) {
        s.destroy();
        return;
      }
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no address');
    this.url = `http://127.0.0.1:${addr.port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const w of this.watchers) w.res.end();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * A kubeconfig (YAML) that points at this server over plain HTTP.
   * client-node 2.x refuses an http:// server unless the cluster entry sets
   * insecure-skip-tls-verify ("HTTP protocol is not allowed when skipTLSVerify
   * is not set or false").
   */
  kubeconfig(): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: test\n  cluster:\n    server: ${this.url}\n    insecure-skip-tls-verify: true`,
      'users:',
      '- name: test\n  user:\n    token: test-token',
      'contexts:',
      '- name: test\n  context:\n    cluster: test\n    user: test',
      'current-context: test',
      '',
    ].join('\n');
  }

  // ---- test controls -------------------------------------------------

  /** Create or replace an object (as a controller would), bumping its resourceVersion. */
  apply(o: KubeObject): KubeObject {
    const r = this.typeOf(o);
    const key = this.key(r, o.metadata?.namespace, o.metadata?.name ?? '');
    const existed = this.objects.has(key);
    const prev = this.objects.get(key);
    const stored = structuredClone(o);
    stored.metadata = {
      ...stored.metadata,
      resourceVersion: String(++this.rv),
      uid: prev?.metadata?.uid ?? `uid-${this.rv}`,
      generation: stored.metadata?.generation ?? prev?.metadata?.generation ?? 1,
      creationTimestamp:
        stored.metadata?.creationTimestamp ?? prev?.metadata?.creationTimestamp ?? '2026-12-01T08:00:00Z',
    };
    this.objects.set(key, stored);
    this.emit(existed ? 'MODIFIED' : 'ADDED', stored);
    return structuredClone(stored);
  }

  /** Change an object in place (the operator's view), e.g. `update(o, x => { x.status.phase = 'Healthy' })`. */
  update(
    group: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    change: (o: KubeObject) => void,
  ): KubeObject {
    const o = this.get(group, kind, namespace, name);
    if (!o) throw new Error(`no ${kind} ${namespace}/${name}`);
    change(o);
    return this.apply(o);
  }

  get(group: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const r = RESOURCES.find((x) => x.group === group && x.kind === kind);
    if (!r) return undefined;
    const o = this.objects.get(this.key(r, namespace, name));
    return o ? structuredClone(o) : undefined;
  }

  /** Every stored object of one kind (in one API group), as a controller's list would see it. */
  list(group: string, kind: string): KubeObject[] {
    return [...this.objects.values()]
      .filter((o) => o.kind === kind && groupOf(o.apiVersion) === group)
      .map((o) => structuredClone(o));
  }

  remove(group: string, kind: string, namespace: string | undefined, name: string): void {
    const r = RESOURCES.find((x) => x.group === group && x.kind === kind)!;
    const key = this.key(r, namespace, name);
    const o = this.objects.get(key);
    if (!o) return;
    this.objects.delete(key);
    o.metadata = { ...o.metadata, resourceVersion: String(++this.rv) };
    this.emit('DELETED', o);
  }

  /** RBAC: every request for this plural (in this group) answers 403. */
  forbid(group: string, plural: string): void {
    this.forbidden.add(`${group}/${plural}`);
  }
  allow(group: string, plural: string): void {
    this.forbidden.delete(`${group}/${plural}`);
  }

  /** RBAC from a ClusterRole's rules: a request no rule allows is 403 (undefined: allow all). */
  enforceRole(rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] | undefined): void {
    this.role = rules;
  }

  /**
   * Admission: every PATCH is checked against these ValidatingAdmissionPolicies
   * (bound with `Deny`) as made by `username`; a denial is 422 Invalid, as the API
   * server answers, and nothing is written.
   */
  enforceAdmission(policies: AdmissionPolicy[], username = 'system:serviceaccount:cairn:cairn'): void {
    this.admission = { policies, username };
  }

  /** "API down": refuse every connection and cut the open ones. */
  setDown(down: boolean): void {
    this.down = down;
    if (down) {
      for (const w of this.watchers) w.res.destroy();
      this.watchers.clear();
      for (const s of this.sockets) s.destroy();
    }
  }

  /**
   * Compact the event history: older resourceVersions are gone. Open
   * watches get the apiserver's in-stream `ERROR` event with a 410 Status and
   * are closed, so a client must relist.
   */
  compact(): void {
    this.compactedThrough = this.rv;
    for (const w of this.watchers) {
      w.res.write(
        `${JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', 'too old resource version') })}\n`,
      );
      w.res.end();
    }
    this.watchers.clear();
  }

  get resourceVersion(): number {
    return this.rv;
  }

  get openWatches(): number {
    return this.watchers.size;
  }

  // ---- the API ---------------------------------------------------------

  private typeOf(o: KubeObject): ResourceType {
    const group = groupOf(o.apiVersion);
    const r = RESOURCES.find((x) => x.group === group && x.kind === o.kind);
    if (!r) throw new Error(`the test server does not serve ${o.apiVersion} ${o.kind}`);
    return r;
  }

  private key(r: ResourceType, namespace: string | undefined, name: string): string {
    return `${r.group}/${r.plural}/${r.namespaced ? (namespace ?? '') : ''}/${name}`;
  }

  private emit(type: EventType, object: KubeObject): void {
    const ev = { type, rv: this.rv, object: structuredClone(object) };
    this.history.push(ev);
    for (const w of this.watchers) if (w.match(object)) w.res.write(`${JSON.stringify({ type, object })}\n`);
  }

  private send(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.down) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const record: RequestRecord = { method: req.method ?? 'GET', path: url.pathname, query: url.search };
    if (req.headers['content-type']) record.contentType = req.headers['content-type'];
    if (raw) record.body = JSON.parse(raw);
    this.requests.push(record);

    const m =
      /^\/api\/(v1)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname) ??
      /^\/apis\/([^/]+\/[^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m)
      return this.send(res, 404, status(404, 'NotFound', `the server could not find the requested resource`));
    const [, gv, nsRaw, plural, nameRaw] = m;
    const group = url.pathname.startsWith('/api/') ? '' : gv!.split('/')[0]!;
    const version = url.pathname.startsWith('/api/') ? 'v1' : gv!.split('/')[1]!;
    const r = RESOURCES.find((x) => x.group === group && x.version === version && x.plural === plural);
    if (!r)
      return this.send(res, 404, status(404, 'NotFound', `the server could not find the requested resource`));
    const namespace = nsRaw ? decodeURIComponent(nsRaw) : undefined;
    const name = nameRaw ? decodeURIComponent(nameRaw) : undefined;
    const what = `${r.plural}${r.group ? `.${r.group}` : ''}`;
    const verb =
      req.method === 'PATCH'
        ? 'patch'
        : req.method !== 'GET'
          ? 'update'
          : isWatch(url)
            ? 'watch'
            : name
              ? 'get'
              : 'list';
    const allowed =
      !this.role ||
      this.role.some(
        (x) =>
          (x.apiGroups.includes(r.group) || x.apiGroups.includes('*')) &&
          (x.resources.includes(r.plural) || x.resources.includes('*')) &&
          (x.verbs.includes(verb) || x.verbs.includes('*')),
      );
    if (this.forbidden.has(`${r.group}/${r.plural}`) || !allowed)
      return this.send(
        res,
        403,
        status(
          403,
          'Forbidden',
          `${what} is forbidden: User "system:serviceaccount:cairn:agent" cannot ${verb} resource "${r.plural}" in API group "${r.group}"${namespace ? ` in the namespace "${namespace}"` : ''}`,
        ),
      );

    const inScope = (o: KubeObject) =>
      this.typeOf(o) === r &&
      (!namespace || o.metadata?.namespace === namespace) &&
      (!name || o.metadata?.name === name);

    if (req.method === 'GET' && name && !isWatch(url)) {
      const o = this.objects.get(this.key(r, namespace, name));
      if (!o) return this.send(res, 404, status(404, 'NotFound', `${what} "${name}" not found`));
      return this.send(res, 200, o);
    }
    if (req.method === 'GET' && isWatch(url)) return this.watch(url, res, inScope);
    if (req.method === 'GET') {
      const items = [...this.objects.values()].filter(inScope).map((o) => {
        if (r.group !== '' && r.group !== 'apps') return o;
        const { apiVersion: _a, kind: _k, ...rest } = o; // typed lists omit them per item
        return rest;
      });
      return this.send(res, 200, {
        apiVersion: apiVersionOf(r),
        kind: `${r.kind}List`,
        metadata: { resourceVersion: String(this.rv) },
        items,
      });
    }
    if (req.method === 'PATCH' && name) {
      const type = req.headers['content-type'] ?? '';
      if (!type.startsWith('application/merge-patch+json'))
        return this.send(
          res,
          415,
          status(
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json`,
          ),
        );
      const key = this.key(r, namespace, name);
      const current = this.objects.get(key);
      if (!current) return this.send(res, 404, status(404, 'NotFound', `${what} "${name}" not found`));
      const patch = (raw ? JSON.parse(raw) : {}) as { metadata?: { resourceVersion?: string } };
      const precondition = patch.metadata?.resourceVersion;
      if (precondition && precondition !== current.metadata?.resourceVersion)
        return this.send(
          res,
          409,
          status(
            409,
            'Conflict',
            `Operation cannot be fulfilled on ${what} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          ),
        );
      const next = mergePatch(current, patch) as KubeObject;
      next.metadata = { ...next.metadata, resourceVersion: current.metadata?.resourceVersion ?? '0' };
      for (const policy of this.admission?.policies ?? []) {
        const why = admissionDenial(policy, r, this.admission!.username, current, next);
        if (why) return this.send(res, 422, status(422, 'Invalid', why));
      }
      return this.send(res, 200, this.apply(next));
    }
    this.send(res, 405, status(405, 'MethodNotAllowed', `${req.method} is not supported here`));
  }

  private watch(url: URL, res: ServerResponse, match: (o: KubeObject) => boolean): void {
    const from = url.searchParams.get('resourceVersion');
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const line = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
    if (from && from !== '0') {
      const rv = Number(from);
      if (!Number.isFinite(rv) || rv < this.compactedThrough) {
        line('ERROR', status(410, 'Expired', `too old resource version: ${from} (${this.compactedThrough})`));
        res.end();
        return;
      }
      for (const ev of this.history) if (ev.rv > rv && match(ev.object)) line(ev.type, ev.object);
    } else {
      for (const o of this.objects.values()) if (match(o)) line('ADDED', o);
    }
    const w: Watcher = { res, match };
    this.watchers.add(w);
    // Like the apiserver: `timeoutSeconds` ends the stream cleanly; the client watches again.
    const seconds = Number(url.searchParams.get('timeoutSeconds') ?? '');
    const timer = seconds > 0 ? setTimeout(() => res.end(), seconds * 1000 * this.watchTimeScale) : undefined;
    timer?.unref();
    res.on('close', () => {
      if (timer) clearTimeout(timer);
      this.watchers.delete(w);
    });
  }
}

function isWatch(url: URL): boolean {
  const w = url.searchParams.get('watch');
  return w === 'true' || w === '1';
}

export async function startKubeServer(objects: KubeObject[] = []): Promise<KubeTestServer> {
  return new KubeTestServer(objects).start();
}
