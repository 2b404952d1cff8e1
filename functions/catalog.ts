// The shipped catalog, bundled as JSON so every runtime (workerd has no disk) loads it
// the same way: one JSON parse at first use.
import type { Catalog } from '../lib/catalog/schema.ts';
import { fromPrebuilt, type PrebuiltCatalog } from '../lib/catalog/prebuilt.ts';
import data from '../policies/catalog.json' with { type: 'json' };

let loaded: Catalog | undefined;

export function shippedCatalog(): Catalog {
  loaded ??= fromPrebuilt(data as unknown as PrebuiltCatalog);
  return loaded;
}
