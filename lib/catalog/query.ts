// Read-only questions the planner asks the catalog. Pure. Asking about a
// component, rule or source that does not exist is a bug in the caller
// (ids come from the catalog itself), so those throw InternalError; a fact
// the catalog does not know is `undefined`, which the planner treats as unknown.
import { InternalError } from '../errors.ts';
import type {
  Catalog,
  CatalogRelease,
  Component,
  DataFormat,
  KubedbVersion,
  PlatformSupport,
  Rule,
} from './schema.ts';

export function componentById(catalog: Catalog, componentId: string): Component {
  const c = catalog.components.get(componentId);
  if (!c) throw new InternalError(`unknown catalog component ${componentId}`);
  return c;
}

/** Releases of a component, as listed (the catalog keeps them in version order). */
export function releasesOf(catalog: Catalog, componentId: string): readonly CatalogRelease[] {
  return componentById(catalog, componentId).releases;
}

/**
 * RDB version written by a server line (`7.2`), following `server` for
 * components that package another component's server (Bitnami image, Alauda).
 * Undefined when unknown.
 */
export function rdbFor(
  catalog: Catalog,
  componentId: string,
  line: string,
): Pick<DataFormat, 'rdb' | 'confidence' | 'source'> | undefined {
  const component = componentById(catalog, componentId);
  const own = indexed(catalog.dataFormats, formatKey).get(`${componentId}\0${line}`);
  if (own) return { rdb: own.rdb, confidence: own.confidence, source: own.source };
  if (component.server !== undefined && component.server !== componentId)
    return rdbFor(catalog, component.server, line);
  return undefined;
}

/** Platform support of one operator version (exact version text); undefined when the catalog has no entry. */
export function platformSupportFor(
  catalog: Catalog,
  componentId: string,
  version: string,
): PlatformSupport | undefined {
  componentById(catalog, componentId);
  return indexed(catalog.platformSupport, supportKey).get(`${componentId}\0${version}`);
}

/** Whether the catalog has any platform support entry for a component. */
export function hasPlatformSupport(catalog: Catalog, componentId: string): boolean {
  return indexed(catalog.platformSupport, supportComponent).has(componentId);
}

const formatKey = (f: DataFormat) => `${f.component}\0${f.line}`;
const supportKey = (s: PlatformSupport) => `${s.component}\0${s.version}`;
const supportComponent = (s: PlatformSupport) => s.component;

/**
 * A list's entries by key, the first entry of each key winning (as `find` would), built once
 * per list and key function (the planner asks per hop of every target of a fleet); rebuilt if
 * the list grew (the loader fills it before anyone asks).
 */
const indexes = new WeakMap<
  readonly unknown[],
  Map<(x: never) => string, { size: number; map: Map<string, unknown> }>
>();
function indexed<T>(list: readonly T[], keyOf: (x: T) => string): Map<string, T> {
  let byFn = indexes.get(list);
  if (!byFn) indexes.set(list, (byFn = new Map()));
  let entry = byFn.get(keyOf);
  if (!entry || entry.size !== list.length) {
    const map = new Map<string, unknown>();
    for (const x of list) {
      const k = keyOf(x);
      if (!map.has(k)) map.set(k, x);
    }
    byFn.set(keyOf, (entry = { size: list.length, map }));
  }
  return entry.map as Map<string, T>;
}

/** A KubeDB RedisVersion entry by name (`7.4.6`, `valkey-8.1.1`). */
export function kubedbEntry(catalog: Catalog, name: string): KubedbVersion | undefined {
  return catalog.kubedbVersions.find((k) => k.name === name);
}

export function ruleById(catalog: Catalog, id: string): Rule {
  const rule = catalog.rules.get(id);
  if (!rule) throw new InternalError(`unknown catalog rule ${id}`);
  return rule;
}

/**
 * A source as people cite it: `redis/docs:content/embeds/rs-upgrade-paths.md@63f31f6`,
 * or `seeds/000_….txt (Upgrade Redis Enterprise for Kubernetes)` for a seed document.
 */
export function citation(catalog: Catalog, sourceRef: string): string {
  const s = catalog.sources[sourceRef];
  if (!s) throw new InternalError(`unknown catalog source ${sourceRef}`);
  if ('seed' in s) return `${s.seed} (${s.title})`;
  return `${s.repo}:${s.path}${s.commit ? `@${s.commit.slice(0, 7)}` : ''}`;
}
