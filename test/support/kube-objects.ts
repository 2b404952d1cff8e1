// Kubernetes objects from the upstream fixtures, read in place: plain YAML
// files, multi-document files with Go-template placeholders (flux testdata),
// and `kubectl get -o yaml` output quoted in markdown docs.
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../lib/cluster-state.ts';
import { readFixture } from './fixtures.ts';

/** Every object in a fixture file; `{{ .x }}` placeholders become `x`. */
export function fixtureObjects(rel: string): KubeObject[] {
  const text = readFixture(rel).replace(/\{\{\s*\.(\w+)\s*\}\}/g, '$1');
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => !!o && typeof o === 'object');
}

export function fixtureObject(rel: string, kind?: string, name?: string): KubeObject {
  const found = fixtureObjects(rel).find(
    (o) => (!kind || o.kind === kind) && (!name || o.metadata?.name === name),
  );
  if (!found) throw new Error(`${rel}: no ${kind ?? 'object'} ${name ?? ''}`);
  return found;
}

/** Objects quoted in a markdown doc's code blocks (the text from `apiVersion:` to the fence). */
export function markdownObjects(rel: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const block of readFixture(rel).matchAll(/```[a-z]*\n([\s\S]*?)```/g)) {
    const body = block[1]!;
    const start = body.search(/^apiVersion:/m);
    if (start < 0) continue;
    try {
      for (const d of parseAllDocuments(body.slice(start))) {
        const o = d.toJS() as KubeObject | null;
        if (o && typeof o === 'object' && o.kind) out.push(o);
      }
    } catch {
      // a block that is not YAML after all
    }
  }
  return out;
}

/** A deep copy with changes applied at dotted paths (a test's one deliberate edit to a real object). */
export function withFields(o: KubeObject, fields: Record<string, unknown>): KubeObject {
  const copy = structuredClone(o) as Record<string, unknown>;
  for (const [path, value] of Object.entries(fields)) {
    const keys = path.split('.');
    let cur = copy;
    for (const k of keys.slice(0, -1)) {
      if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
      cur = cur[k] as Record<string, unknown>;
    }
    if (value === undefined) delete cur[keys.at(-1)!];
    else cur[keys.at(-1)!] = value;
  }
  return copy as KubeObject;
}
