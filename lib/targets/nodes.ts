// Small helpers to walk YAML nodes by key and to name where a node sits.
import { isAlias, isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import type { DocView } from './yaml-file.ts';

export function keyOf(pair: Pair): string | undefined {
  const k = pair.key;
  if (isScalar(k) && (typeof k.value === 'string' || typeof k.value === 'number')) return String(k.value);
  return undefined;
}

/** The value node under `key` of a map node (aliases returned as they are). */
export function child(node: unknown, key: string): Node | undefined {
  if (!isMap(node)) return undefined;
  for (const pair of node.items) if (keyOf(pair) === key) return (pair.value as Node | null) ?? undefined;
  return undefined;
}

/** Follows keys through maps; `undefined` as soon as one is missing. */
export function childIn(node: unknown, keys: readonly string[]): Node | undefined {
  let n: unknown = node;
  for (const k of keys) {
    n = child(n, k);
    if (n === undefined) return undefined;
  }
  return n as Node;
}

/** String value of a scalar node, or undefined. */
export function stringOf(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

/** Resolves an alias to the node it points at (within the document). */
export function resolveNode(view: DocView, node: Node | undefined): Node | undefined {
  if (node && isAlias(node)) return (node.resolve(view.doc) as Node | undefined) ?? undefined;
  return node;
}

/** Path segment for a sequence item: `[name=x]` when the item has a name, else `[i]`. */
export function itemSegment(item: unknown, i: number): string {
  const name = stringOf(child(item, 'name'));
  return name !== undefined && !/[\]=]/.test(name) ? `[name=${name}]` : `[${i}]`;
}

export function joinPath(base: string, key: string): string {
  if (key.startsWith('[')) return `${base}${key}`;
  return base ? `${base}.${key}` : key;
}

export function mapItems(node: unknown): { key: string; value: Node | undefined; pair: Pair }[] {
  if (!isMap(node)) return [];
  const out: { key: string; value: Node | undefined; pair: Pair }[] = [];
  for (const pair of (node as YAMLMap).items) {
    const key = keyOf(pair);
    if (key !== undefined) out.push({ key, value: (pair.value as Node | null) ?? undefined, pair });
  }
  return out;
}

export function seqItems(node: unknown): Node[] {
  return isSeq(node) ? (node.items as Node[]) : [];
}

const aliasCache = new WeakMap<DocView, Map<string, string[]>>();

/** Where each anchor is used through an alias: anchor name -> field paths of the aliases. */
export function aliasUses(view: DocView): Map<string, string[]> {
  const cached = aliasCache.get(view);
  if (cached) return cached;
  const uses = new Map<string, string[]>();
  const walk = (node: unknown, path: string): void => {
    if (isAlias(node)) {
      const list = uses.get(node.source) ?? [];
      list.push(path || '(root)');
      uses.set(node.source, list);
      return;
    }
    if (isMap(node)) for (const it of mapItems(node)) walk(it.value, joinPath(path, it.key));
    else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        walk(item, joinPath(path, itemSegment(item, i)));
      });
    }
  };
  if (view.hasAliases) walk(view.doc.contents, '');
  aliasCache.set(view, uses);
  return uses;
}
