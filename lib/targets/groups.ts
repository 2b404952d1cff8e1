// Target groups: the tokens of one manifest that pin the same image at the
// same tag change together. The Redis Enterprise operator Deployment runs the
// operator and admission containers from one image
// (`redislabs/operator:8.0.20-23` twice, redis-enterprise-k8s-docs
// operator.yaml): moving one without the other leaves the admission webhook
// on a different operator build, so they are one target with siblings and one
// step edits both tokens in one commit.
import type { Hit } from './scan.ts';

/** Hits of the same file, document, kind, component, image and current tag, in file order. */
function groupKey(h: Hit): string | undefined {
  const f = h.found;
  if (!h.identity || !f.token || f.problem || !f.image || f.range || f.change === 'ops-request')
    return undefined;
  return [h.file, h.document, h.kind, h.identity.component, f.image, f.token.text].join('\u0000');
}

/**
 * Folds every later hit of a group into the first one (`siblings`), keeping
 * the union of their layering links; returns the hits that remain.
 */
export function groupSiblings(hits: readonly Hit[]): Hit[] {
  const first = new Map<string, Hit>();
  const out: Hit[] = [];
  for (const h of hits) {
    const key = groupKey(h);
    const head = key === undefined ? undefined : first.get(key);
    if (key === undefined || !head) {
      if (key !== undefined) first.set(key, h);
      out.push(h);
      continue;
    }
    (head.siblings ??= []).push(h);
    for (const s of h.shadows) head.shadows.add(s);
    for (const s of h.shadowedBy) head.shadowedBy.add(s);
  }
  // A sibling's id may be named by another layer: point it at the group's head.
  const headOf = new Map<string, string>();
  for (const h of out) for (const s of h.siblings ?? []) headOf.set(s.id, h.id);
  if (headOf.size) {
    const rename = (ids: Set<string>) => {
      for (const id of [...ids]) {
        const head = headOf.get(id);
        if (head === undefined) continue;
        ids.delete(id);
        ids.add(head);
      }
    };
    for (const h of out) {
      rename(h.shadows);
      rename(h.shadowedBy);
      h.shadows.delete(h.id);
      h.shadowedBy.delete(h.id);
    }
  }
  return out;
}
