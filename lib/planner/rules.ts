// Rule references. Catalog rules (policies/catalog/rules.yaml) carry their
// upstream citation; policy rules cite the policy file or cairn's defaults.
import { citation, ruleById } from '../catalog/query.ts';
import type { Catalog } from '../catalog/schema.ts';
import type { RuleRef } from './types.ts';

/** Each catalog's rule references, made once: a fleet's plan cites the same few rules tens of thousands of times. */
const refs = new WeakMap<Catalog, Map<string, RuleRef>>();

/**
 * A rule from the catalog, by id, with its citation. An unknown id is a bug in cairn (InternalError).
 * The reference is shared by every step that cites it, so it is frozen.
 */
export function catalogRule(catalog: Catalog, id: string): RuleRef {
  let byId = refs.get(catalog);
  if (!byId) refs.set(catalog, (byId = new Map()));
  let ref = byId.get(id);
  if (!ref) {
    const rule = ruleById(catalog, id);
    ref = Object.freeze({ id, text: rule.text, source: citation(catalog, rule.source) });
    byId.set(id, ref);
  }
  return ref;
}

/** A rule that comes from the user's policy (or cairn's shipped defaults when no file set it). */
export function policyRule(id: string, text: string, policyFiles: readonly string[]): RuleRef {
  return {
    id,
    text,
    source: policyFiles.length
      ? `policy ${policyFiles.join(', ')}`
      : 'cairn shipped defaults (lib/policy/defaults.ts)',
  };
}
