// Which objects of a reading a condition reads, and which GitOps object
// applies a step's file.
import type { KubeObject } from '../cluster-state.ts';
import { at, isRecord } from '../health/read.ts';
import type { GateCondition } from '../planner/types.ts';

/** The API group of an object (`redis.io/v1` → `redis.io`, `v1` → ''). */
export function groupOf(o: KubeObject): string {
  const v = o.apiVersion ?? '';
  return v.includes('/') ? v.slice(0, v.indexOf('/')) : '';
}

function images(o: KubeObject): string[] {
  const list = at(o, 'spec.template.spec.containers');
  return Array.isArray(list) ? list.filter(isRecord).map((c) => String(c.image ?? '')) : [];
}

function repositoryOf(image: string): string {
  const noTag = image.split('@')[0]!.replace(/:[^/:]+$/, '');
  return noTag.replace(/^(docker\.io|index\.docker\.io)\//, '').replace(/^library\//, '');
}

/** The objects a condition names; for unnamed `statefulset-rollout`, those whose pods use `params.imageRepository`. */
export function selectObjects(c: GateCondition, objects: readonly KubeObject[]): KubeObject[] {
  const { group, kind, namespace, name } = c.object;
  return objects.filter((o) => {
    if (o.kind !== kind || groupOf(o) !== group) return false;
    if (namespace && o.metadata?.namespace !== namespace) return false;
    if (name && o.metadata?.name !== name) return false;
    const repo = c.params.imageRepository;
    if (!name && typeof repo === 'string')
      return images(o).some((i) => repositoryOf(i) === repositoryOf(repo));
    return true;
  });
}

function normalizePath(p: string): string {
  return p.replace(/^\.\//, '').replace(/^\/+/, '').replace(/\/+$/, '');
}

function sourcePaths(o: KubeObject): string[] {
  if (o.kind === 'Kustomization' && groupOf(o) === 'kustomize.toolkit.fluxcd.io') {
    const p = at(o, 'spec.path');
    return [typeof p === 'string' ? p : ''];
  }
  if (o.kind === 'Application' && groupOf(o) === 'argoproj.io') {
    const single = at(o, 'spec.source.path');
    const many = at(o, 'spec.sources');
    const paths = typeof single === 'string' ? [single] : [];
    if (Array.isArray(many))
      for (const s of many) if (isRecord(s) && typeof s.path === 'string') paths.push(s.path);
    return paths;
  }
  return [];
}

/**
 * The Argo CD Applications and Flux Kustomizations whose source path holds
 * `file`; only the most specific path counts (an app-of-apps root also
 * "holds" every file, but the child applies it).
 */
export function appliersOf(file: string, objects: readonly KubeObject[]): KubeObject[] {
  const f = normalizePath(file);
  let best = -1;
  let found: KubeObject[] = [];
  for (const o of objects) {
    for (const raw of sourcePaths(o)) {
      const p = normalizePath(raw);
      if (p !== '' && f !== p && !f.startsWith(`${p}/`)) continue;
      if (p.length > best) {
        best = p.length;
        found = [o];
      } else if (p.length === best && !found.includes(o)) found.push(o);
    }
  }
  return found;
}
