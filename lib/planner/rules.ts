// Rule references. Catalog rules (policies/catalog/rules.yaml) carry their
// upstream citation; policy rules cite the policy file or cairn's defaults.
import { citation, ruleById } from '../catalog/query.ts';
import type { Catalog } from '../catalog/schema.ts';
import type { RuleRef } from './types.ts';

/** A rule from the catalog, by id, with its citation. An unknown id is a bug in cairn (InternalError). */
export function catalogRule(catalog: Catalog, id: string): RuleRef {
  const rule = ruleById(catalog, id);
  return { id, text: rule.text, source: citation(catalog, rule.source) };
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
