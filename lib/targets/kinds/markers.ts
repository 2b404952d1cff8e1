// Comment markers, for fields no kind knows:
//   image: mirror.example.com/acme/redis:7.2.4 # {"$imagepolicy": "flux-system:redis"}
//   tag: 7.2.4 # {"$imagepolicy": "flux-system:redis:tag"}
//   version: 7.2.4 # cairn: component=redis
//   # cairn: component=redis-enterprise role=data-plane managedBy=redis-enterprise-operator
//   someField: 7.4.6-102
// Flux image-automation setters must sit on the value's line; a cairn marker
// may also sit alone on the line before. A cairn marker names the component,
// so it also overrides what another kind would have guessed for that value.
import { isAlias, isMap, isScalar, isSeq, type Node } from 'yaml';
import type { ComponentRole } from '../../model.ts';
import { foundAt } from '../found.ts';
import { type Identity, identifyImage } from '../identify.ts';
import type { Found, KindExample } from '../kind.ts';
import { itemSegment, joinPath, mapItems } from '../nodes.ts';
import { pickImageTag, pickWhole } from '../tokens.ts';
import type { DocView } from '../yaml-file.ts';
import { defineKind } from './define.ts';

const examples: KindExample[] = [
  {
    file: 'apps/custom.yaml',
    text: [
      'apiVersion: example.com/v1',
      'kind: Cache',
      'metadata:',
      '  name: cache',
      'spec:',
      '  engine: mirror.example.com/library/redis:7.2.4 # {"$imagepolicy": "flux-system:redis"}',
      '  # cairn: component=redis-enterprise role=data-plane managedBy=redis-enterprise-operator',
      "  enterprise: '7.4.6-102'",
      '',
    ].join('\n'),
    expect: [
      { field: 'spec.engine', current: '7.2.4', component: 'redis' },
      { field: 'spec.enterprise', current: '7.4.6-102', component: 'redis-enterprise', role: 'data-plane' },
    ],
  },
];

const MARKER = /#\s*(?:\{\s*"\$imagepolicy"\s*:\s*"([^"]+)"\s*\}|cairn:\s*([^\r\n]*))/g;
const ROLES = new Set<ComponentRole>(['operator', 'data-plane', 'crds']);

interface ScalarAt {
  field: string;
  node: Node;
  start: number;
}

function scalarsByLine(view: DocView): Map<number, ScalarAt[]> {
  const out = new Map<number, ScalarAt[]>();
  const add = (field: string, node: Node) => {
    const start = node.range?.[0];
    if (start === undefined) return;
    const line = view.lines.linePos(start).line;
    const list = out.get(line) ?? [];
    list.push({ field, node, start });
    out.set(line, list);
  };
  const walk = (node: unknown, path: string, depth: number): void => {
    if (depth > 60) return;
    if (isMap(node)) {
      for (const it of mapItems(node)) {
        if (isScalar(it.value) || isAlias(it.value)) add(joinPath(path, it.key), it.value as Node);
        else walk(it.value, joinPath(path, it.key), depth + 1);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const p = joinPath(path, itemSegment(item, i));
        if (isScalar(item)) add(p, item as Node);
        else walk(item, p, depth + 1);
      });
    }
  };
  walk(view.doc.contents, '', 0);
  return out;
}

export function parseCairnMarker(body: string): Identity | undefined {
  const fields = new Map<string, string>();
  for (const m of body.matchAll(/([A-Za-z]+)\s*=\s*([A-Za-z0-9._-]+)/g)) fields.set(m[1] ?? '', m[2] ?? '');
  const component = fields.get('component');
  if (!component) return undefined;
  const role = fields.get('role') as ComponentRole | undefined;
  const managedBy = fields.get('managedBy');
  return {
    component,
    role: role && ROLES.has(role) ? role : 'data-plane',
    ...(managedBy ? { managedBy } : {}),
  };
}

export const markers = defineKind({
  id: 'marker',
  summary: 'Flux $imagepolicy setter comments and "# cairn: component=…" markers on any value',
  accepts: (view) => view.hasMarkers,
  find: (view) => {
    const range = view.doc.range;
    const from = view.doc.contents?.range?.[0] ?? range[0];
    const end = range[2];
    // Comments before the first node of a document belong to it too.
    const start = Math.min(from, range[0]);
    const slice = view.text.slice(start, end);
    let byLine: Map<number, ScalarAt[]> | undefined;
    const out: Found[] = [];
    for (const m of slice.matchAll(MARKER)) {
      const at = start + (m.index ?? 0);
      byLine ??= scalarsByLine(view);
      const line = view.lines.linePos(at).line;
      const lineStart = view.text.lastIndexOf('\n', at - 1) + 1;
      const alone = view.text.slice(lineStart, at).trim() === '';
      const policy = m[1];
      const cairn = m[2] !== undefined ? parseCairnMarker(m[2]) : undefined;
      if (m[2] !== undefined && !cairn) continue;
      let candidates: ScalarAt[] = [];
      if (!alone) candidates = (byLine.get(line) ?? []).filter((s) => s.start < at);
      else if (cairn) candidates = byLine.get(line + 1) ?? [];
      const hit = alone ? candidates[0] : candidates.sort((a, b) => b.start - a.start)[0];
      if (!hit) continue;
      const value = isScalar(hit.node) ? String(hit.node.value ?? '') : '';
      let pick = value.includes(':') ? pickImageTag : pickWhole;
      if (policy) {
        const parts = policy.split(':');
        const suffix = parts.length > 2 ? parts[parts.length - 1] : undefined;
        if (suffix === 'name') continue;
        pick = suffix === 'tag' ? pickWhole : pickImageTag;
      }
      const f = foundAt(view, hit.field, hit.node, pick);
      const identity = cairn ?? (pick === pickImageTag ? identifyImage(value) : undefined);
      if (!identity) continue;
      f.identity = identity;
      f.marker = cairn ? 'cairn' : 'imagepolicy';
      if (pick === pickImageTag) f.image = value.split('@')[0]!.replace(/:[^:/]*$/, '');
      out.push(f);
    }
    return out;
  },
  examples,
});
