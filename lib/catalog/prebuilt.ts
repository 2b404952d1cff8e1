// The catalog as one JSON document: what `scripts/compile-catalog.ts` writes to
// `policies/catalog.json` from the validated YAML sources, and what every
// runtime loads at start (a JSON parse, no YAML and no schema pass). A test
// checks that the committed file is exactly what the sources compile to.
import type { Catalog } from './schema.ts';

/** Bump when the shape below changes; a reader refuses a format it does not know. */
export const PREBUILT_FORMAT = 1;

export interface PrebuiltCatalog extends Omit<Catalog, 'components' | 'rules'> {
  format: typeof PREBUILT_FORMAT;
  components: Catalog['components'] extends Map<string, infer C> ? C[] : never;
  rules: Catalog['rules'] extends Map<string, infer R> ? R[] : never;
}

export function toPrebuilt(catalog: Catalog): PrebuiltCatalog {
  return {
    format: PREBUILT_FORMAT,
    ...catalog,
    components: [...catalog.components.values()],
    rules: [...catalog.rules.values()],
  };
}

export function fromPrebuilt(data: PrebuiltCatalog, where = 'policies/catalog.json'): Catalog {
  if (data?.format !== PREBUILT_FORMAT)
    throw new Error(
      `${where}: prebuilt catalog format ${String(data?.format)} is not ${PREBUILT_FORMAT}: rebuild it`,
    );
  const { format: _format, components, rules, ...rest } = data;
  return {
    ...rest,
    components: new Map(components.map((c) => [c.id, c])),
    rules: new Map(rules.map((r) => [r.id, r])),
  };
}
