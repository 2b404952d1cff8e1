// Node-only: reads the catalog files of a directory. Workers bundle the
// file texts instead and call loadCatalog directly.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CatalogText, type LoadCatalogOptions, loadCatalog } from '../catalog/load.ts';
import type { Catalog } from '../catalog/schema.ts';

/** Every `*.yaml` file of `dir`, in sorted (byte) order so merges and errors are stable. */
export function readCatalogDir(dir: string): CatalogText[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => {
      const path = join(dir, name);
      return { path, text: readFileSync(path, 'utf8') };
    });
}

export function loadCatalogDir(dir: string, opts?: LoadCatalogOptions): Catalog {
  return loadCatalog(readCatalogDir(dir), opts);
}
