// Compiles the shipped catalog's YAML sources (policies/catalog/*.yaml), after
// validating them, into policies/catalog.json, the file every runtime loads.
// Run: npm run catalog (after scripts/build-catalog.ts or any hand edit).
import { writeFileSync } from 'node:fs';
import { toPrebuilt } from '../lib/catalog/prebuilt.ts';
import type { Catalog } from '../lib/catalog/schema.ts';
import { prebuiltCatalogFile } from '../lib/node/catalog-dir.ts';
import { loadCatalogSources } from '../lib/node/files.ts';

/** The exact text of policies/catalog.json for a catalog. */
export function prebuiltText(catalog: Catalog): string {
  return `${JSON.stringify(toPrebuilt(catalog))}\n`;
}

if (import.meta.url === new URL(process.argv[1] ?? '', 'file:').href) {
  writeFileSync(prebuiltCatalogFile, prebuiltText(loadCatalogSources()));
  process.stdout.write(`wrote ${prebuiltCatalogFile}\n`);
}
