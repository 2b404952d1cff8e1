// Rule references. Catalog rules (policies/catalog/rules.yaml) carry their
// upstream citation; policy rules cite the policy file or cairn's defaults.
import type { Catalog, Source } from '../catalog/schema.ts';
import { InternalError } from '../errors.ts';
import type { RuleRef } from './types.ts';

export function formatSource(s: Source): string {
  if ('seed' in s) return `seed ${s.seed} (${s.title})`;
  return `${s.repo}:${s.path}${s.commit ? `@${s.commit.slice(0, 12)}` : ''}`;
}

/** A rule from the catalog, by id. An unknown id is a bug in cairn, not user error. */
export function catalogRule(catalog: Catalog, id: string): RuleRef {
  const rule = catalog.rules.get(id);
  if (!rule) throw new InternalError(`rule "${id}" is not in the catalog (policies/catalog/rules.yaml)`);
  const source = catalog.sources[rule.source];
  return { id, text: rule.text, source: source ? formatSource(source) : rule.source };
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
