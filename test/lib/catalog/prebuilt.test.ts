// policies/catalog.json is what every runtime loads: it must be exactly what the
// YAML sources compile to, and read back to the same catalog.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromPrebuilt, toPrebuilt } from '../../../lib/catalog/index.ts';
import { loadPrebuiltCatalog, prebuiltCatalogFile } from '../../../lib/node/catalog-dir.ts';
import { loadCatalogSources } from '../../../lib/node/files.ts';
import { prebuiltText } from '../../../scripts/compile-catalog.ts';

describe('prebuilt catalog', () => {
  const sources = loadCatalogSources();

  it('is what the YAML sources compile to (run `npm run catalog` when this fails)', () => {
    expect(readFileSync(prebuiltCatalogFile, 'utf8')).toBe(prebuiltText(sources));
  });

  it('loads back to the same catalog as the sources, maps included', () => {
    const loaded = loadPrebuiltCatalog();
    expect(loaded).toEqual(sources);
    expect(loaded.components.get('redis')?.releases.length).toBe(
      sources.components.get('redis')?.releases.length,
    );
    expect([...loaded.rules.keys()]).toEqual([...sources.rules.keys()]);
  });

  it('refuses a file of another format instead of guessing', () => {
    const data = { ...toPrebuilt(sources), format: 99 } as unknown as Parameters<typeof fromPrebuilt>[0];
    expect(() => fromPrebuilt(data, 'x.json')).toThrow(/x\.json: prebuilt catalog format 99 is not 1/);
  });
});
