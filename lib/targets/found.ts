// Builds a Found for a value node: follows an alias to the anchor that defines
// the value (that is where the edit goes) and records every alias sharing it.
import { isAlias, type Node } from 'yaml';
import type { Found } from './kind.ts';
import { aliasUses, resolveNode } from './nodes.ts';
import { type Picker, pickWhole, scalarToken } from './tokens.ts';
import type { DocView } from './yaml-file.ts';

/**
 * Locates the token of `node` (at `field`). `anchors` are the anchors of the
 * node's ancestors: a value inside an anchored map is shared with its aliases.
 */
export function foundAt(
  view: DocView,
  field: string,
  node: Node | undefined,
  pick: Picker = pickWhole,
  anchors: readonly string[] = [],
): Found {
  const shared: string[] = [];
  let target = node;
  if (node && isAlias(node)) {
    target = resolveNode(view, node);
    shared.push(field);
  }
  const anchorNames = [...anchors];
  const own = (target as { anchor?: string } | undefined)?.anchor;
  if (own) anchorNames.push(own);
  if (view.hasAliases && anchorNames.length) {
    const uses = aliasUses(view);
    for (const a of anchorNames) for (const p of uses.get(a) ?? []) if (!shared.includes(p)) shared.push(p);
  }
  const result = scalarToken(view.text, target, pick);
  const found: Found = { field };
  if (result.ok) found.token = result.token;
  else {
    found.problem = result.reason;
    const off = result.offset ?? target?.range?.[0] ?? node?.range?.[0];
    if (off !== undefined) found.problemOffset = off;
  }
  if (shared.length) found.sharedWith = shared;
  return found;
}
