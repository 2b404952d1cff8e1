// Small total readers over untyped Kubernetes objects: every accessor returns
// undefined for a missing or mistyped field instead of throwing.
import type { KubeObject } from '../cluster-state.ts';
import type { HealthResult } from './types.ts';

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Value at a dotted path, e.g. `status.operationState.phase`. */
export function at(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (!isRecord(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

export function str(obj: unknown, path: string): string | undefined {
  const v = at(obj, path);
  return typeof v === 'string' ? v : undefined;
}

export function num(obj: unknown, path: string): number | undefined {
  const v = at(obj, path);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

export function conditions(obj: unknown): Condition[] {
  const list = at(obj, 'status.conditions');
  if (!Array.isArray(list)) return [];
  return list.filter(
    (c): c is Condition => isRecord(c) && typeof c.type === 'string' && typeof c.status === 'string',
  );
}

export function condition(obj: unknown, type: string): Condition | undefined {
  return conditions(obj).find((c) => c.type === type);
}

/** `Kind namespace/name` for reasons. */
export function describeObject(o: KubeObject | undefined, fallbackKind = 'object'): string {
  if (!o) return fallbackKind;
  const ns = o.metadata?.namespace;
  return `${o.kind ?? fallbackKind} ${ns ? `${ns}/` : ''}${o.metadata?.name ?? '(unnamed)'}`;
}

export function healthy(...reasons: string[]): HealthResult {
  return { status: 'healthy', reasons };
}
export function progressing(...reasons: string[]): HealthResult {
  return { status: 'progressing', reasons };
}
export function degraded(...reasons: string[]): HealthResult {
  return { status: 'degraded', reasons };
}
export function unknown(...reasons: string[]): HealthResult {
  return { status: 'unknown', reasons };
}

const ORDER = { degraded: 3, unknown: 2, progressing: 1, healthy: 0 } as const;

/** The worst of several results (degraded > unknown > progressing > healthy), keeping every reason. */
export function worst(results: readonly HealthResult[]): HealthResult {
  if (!results.length) return unknown('nothing was evaluated');
  let status = results[0]!.status;
  for (const r of results) if (ORDER[r.status] > ORDER[status]) status = r.status;
  const out: HealthResult = { status, reasons: results.flatMap((r) => r.reasons) };
  if (results.some((r) => r.needsApproval)) out.needsApproval = true;
  if (results.some((r) => r.configProblem)) out.configProblem = true;
  return out;
}

/** The image tag of a reference (`redis:7.4.1`, `repo/redis:7.4@sha256:…` → `7.4`). */
export function imageTag(image: string): string | undefined {
  const noDigest = image.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(colon + 1) : undefined;
}

/** `docker.io/library/redis:7.4@sha256:…` → `redis:7.4`: the forms a kubelet reports for the same image. */
export function normalizeImage(image: string): string {
  return image
    .split('@')[0]!
    .replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '')
    .replace(/^library\//, '');
}

/** Whether `image` is on `target`: a full image reference compares as a reference, a bare tag compares the tag. */
export function onImage(image: string | undefined, target: string): boolean {
  if (!image) return false;
  if (target.includes(':') || target.includes('/')) return normalizeImage(image) === normalizeImage(target);
  return imageTag(image) === target;
}
