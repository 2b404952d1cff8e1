// Node-only: where the shipped catalog is, reading its YAML sources, and
// loading its prebuilt JSON (what the CLI and the service use at start).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CatalogText, type LoadCatalogOptions, loadCatalog } from '../catalog/load.ts';
import { fromPrebuilt, type PrebuiltCatalog } from '../catalog/prebuilt.ts';
import type { Catalog } from '../catalog/schema.ts';

/**
 * `policies/` of this checkout or package, found from the source tree (`lib/node/`)
 * or the compiled one (`dist/lib/node/`).
 */
export const policiesDir: string =
  ['../../policies', '../../../policies']
    .map((rel) => fileURLToPath(new URL(rel, import.meta.url)))
    .find((dir) => existsSync(join(dir, 'catalog'))) ??
  fileURLToPath(new URL('../../policies', import.meta.url));

/** The YAML sources of the shipped catalog. */
export const defaultCatalogDir: string = join(policiesDir, 'catalog');

/** The compiled shipped catalog (`npm run catalog` writes it from the YAML sources). */
export const prebuiltCatalogFile: string = join(policiesDir, 'catalog.json');

export function loadPrebuiltCatalog(file: string = prebuiltCatalogFile): Catalog {
  return fromPrebuilt(JSON.parse(readFileSync(file, 'utf8')) as PrebuiltCatalog, file);
}

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
