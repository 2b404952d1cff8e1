// Patches written inside a kustomization.yaml (`patches[].patch: |`,
// `patchesStrategicMerge: [|]`, `patchesJson6902[].patch: |`): the version
// tokens inside the patch text, found by the other kinds (a strategic-merge
// patch is a manifest fragment) or read from a JSON6902 op's `value`, and
// mapped back to their exact offset in the kustomization (../embedded.ts: only
// literal blocks map 1:1). Each token carries `Found.patch`, the resource and
// field it overrides, so ../layering.ts reports the base value as overridden.
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { ResourceRef } from '../../model.ts';
import { liftFound, parseEmbedded } from '../embedded.ts';
import { foundAt } from '../found.ts';
import { identifyImage } from '../identify.ts';
import type { Found, PatchOf, TargetKind } from '../kind.ts';
import { child, joinPath, seqItems, stringOf } from '../nodes.ts';
import { pickImageTag, pickWhole } from '../tokens.ts';
import type { DocView } from '../yaml-file.ts';

type Target = Omit<ResourceRef, 'apiVersion'> & { kind?: string };

/** The `target:` selector of a patch entry (kind, name, namespace), when it names one resource. */
export function selectorOf(node: Node | undefined): Target | undefined {
  if (!node) return undefined;
  const kind = stringOf(child(node, 'kind'));
  const name = stringOf(child(node, 'name'));
  const namespace = stringOf(child(node, 'namespace'));
  if (!kind || !name) return undefined;
  return { kind, name, ...(namespace ? { namespace } : {}) };
}

/** Every version token in the inline patches of a kustomization. */
export function findInlinePatches(view: DocView, kinds: () => readonly TargetKind[]): Found[] {
  const root = view.doc.contents;
  const out: Found[] = [];
  seqItems(child(root, 'patches')).forEach((p, i) => {
    const node = child(p, 'patch');
    if (node)
      out.push(...inlinePatch(view, node, `patches[${i}].patch`, selectorOf(child(p, 'target')), kinds));
  });
  seqItems(child(root, 'patchesStrategicMerge')).forEach((p, i) => {
    // An entry is a path, or (kustomize allows both) the patch itself as a string.
    if (isScalar(p) && typeof p.value === 'string' && p.value.includes('\n'))
      out.push(...inlinePatch(view, p, `patchesStrategicMerge[${i}]`, undefined, kinds));
  });
  seqItems(child(root, 'patchesJson6902')).forEach((p, i) => {
    const node = child(p, 'patch');
    if (node)
      out.push(
        ...inlinePatch(view, node, `patchesJson6902[${i}].patch`, selectorOf(child(p, 'target')), kinds),
      );
  });
  return out;
}

function inlinePatch(
  view: DocView,
  node: Node,
  field: string,
  selector: Target | undefined,
  kinds: () => readonly TargetKind[],
): Found[] {
  if (!isScalar(node) || typeof node.value !== 'string') return [];
  const parsed = parseEmbedded(view, node, field);
  if (!parsed.ok) {
    // A folded or quoted patch cannot be edited byte-exact: when it names a known image, say so.
    const identity = [...node.value.matchAll(/[\w./-]+:[\w.-]+/g)]
      .map((m) => identifyImage(m[0]))
      .find((id) => id);
    if (!identity) return [];
    return [
      {
        field,
        identity,
        problem: parsed.reason,
        ...(parsed.offset !== undefined ? { problemOffset: parsed.offset } : {}),
      },
    ];
  }
  const inner = parsed.embedded.view;
  const content = inner.doc.contents;
  const found = isSeq(content)
    ? json6902(inner, content, selector)
    : isMap(content)
      ? strategicMerge(inner, selector, kinds)
      : [];
  return found.map((f) => ({ ...liftFound(view.text, parsed.embedded, f), field: `${field}/${f.field}` }));
}

/** A strategic-merge patch: a manifest fragment, read by the kinds that read the full manifest. */
function strategicMerge(
  inner: DocView,
  selector: Target | undefined,
  kinds: () => readonly TargetKind[],
): Found[] {
  const doc = inner.doc;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const kind = str(doc.get('kind'));
  const apiVersion = str(doc.get('apiVersion'));
  const name = str(doc.getIn(['metadata', 'name']));
  const namespace = str(doc.getIn(['metadata', 'namespace']));
  const view: DocView = {
    ...inner,
    ...(kind ? { kind } : {}),
    ...(apiVersion ? { apiVersion } : {}),
    ...(name ? { name } : {}),
    ...(namespace ? { namespace } : {}),
  };
  // Kustomize applies a patch with a target selector to what the selector names.
  const resource =
    selector ?? (kind && name ? { kind, name, ...(namespace ? { namespace } : {}) } : undefined);
  if (!resource?.kind || !resource.name) return [];
  const ctx = { file: inner.file, dir: '' };
  const out: Found[] = [];
  for (const k of kinds()) {
    if (k.id === 'kustomize' || !k.accepts(view, ctx)) continue;
    for (const f of k.find(view, ctx)) {
      if (out.some((o) => o.token && f.token && o.token.start === f.token.start)) continue;
      out.push({ ...f, patch: { resource: resource as PatchOf['resource'], field: f.field } });
    }
  }
  return out;
}

/** `/spec/template/spec/containers/0/image` -> `spec.template.spec.containers[0].image`. */
export function pointerToField(pointer: string): string | undefined {
  if (!pointer.startsWith('/')) return undefined;
  let field = '';
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (seg === '-' || seg === '') return undefined;
    field = /^\d+$/.test(seg) ? `${field}[${seg}]` : joinPath(field, seg);
  }
  return field;
}

/** A JSON6902 patch file a kustomization names (`patchesJson6902[].path`, `patches[].path` with a target). */
export interface OpsFileRef {
  file: string;
  target: { kind: string; name: string; namespace?: string };
}

/** The patch files of a kustomization that may hold JSON6902 ops (each with its one-resource target). */
export function opsFilesOf(
  root: Node | null | undefined,
  join: (rel: string) => string | undefined,
): OpsFileRef[] {
  const out: OpsFileRef[] = [];
  for (const list of ['patches', 'patchesJson6902']) {
    for (const p of seqItems(child(root, list))) {
      const rel = stringOf(child(p, 'path'));
      const target = selectorOf(child(p, 'target'));
      const file = rel ? join(rel) : undefined;
      if (file && target?.kind && target.name) out.push({ file, target: target as OpsFileRef['target'] });
    }
  }
  return out;
}

/**
 * The version tokens of a JSON6902 ops file (its root is the list of ops). Without a selector
 * (re-locating a token for an edit) the tokens are found the same way, with no `patch`.
 */
export function findOpsFile(view: DocView, target?: OpsFileRef['target']): Found[] {
  const root = view.doc.contents;
  if (!isSeq(root) || !seqItems(root).some((op) => child(op, 'op') && child(op, 'path'))) return [];
  return json6902(view, root, target, !target);
}

/** JSON6902 ops: the `value` of each `replace`/`add` op that sets a scalar. */
function json6902(inner: DocView, ops: Node, selector: Target | undefined, relocate = false): Found[] {
  if (!relocate && (!selector?.kind || !selector.name)) return [];
  const out: Found[] = [];
  seqItems(ops).forEach((op, j) => {
    const verb = stringOf(child(op, 'op'));
    const path = stringOf(child(op, 'path'));
    const value = child(op, 'value');
    if ((verb !== 'replace' && verb !== 'add') || !path || !isScalar(value)) return;
    const field = pointerToField(path);
    if (!field) return;
    const text = stringOf(value) ?? '';
    // A whole image reference (`redis:7.2.4`) names its component; a bare tag takes the base's.
    const id = text.includes(':') && !text.includes('://') ? identifyImage(text) : undefined;
    const f = foundAt(inner, `[${j}].value`, value, id ? pickImageTag : pickWhole);
    if (id) {
      f.identity = id;
      f.image = text.split('@')[0]!.replace(/:[^:/]*$/, '');
    } else if (
      !/(^|\.)(tag|version|newTag|imageTag|targetRevision|imageName|image|redisVersion|versionTag)$/.test(
        field,
      )
    ) {
      return;
    }
    if (selector?.kind && selector.name)
      f.patch = { resource: selector as PatchOf['resource'], field, pointer: true };
    out.push(f);
  });
  return out;
}
