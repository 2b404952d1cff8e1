// Tests read upstream fixtures in place from ../shared/fixtures (never copied
// into the repository). On a user's fresh clone that folder is absent: such
// tests are skipped, and the skip is announced by name.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesDir = resolve(repoRoot, '../shared/fixtures');
export const haveFixtures = existsSync(join(fixturesDir, 'MANIFEST.md'));

/** Absolute path of a fixture, e.g. `fixture('kubedb/redisversion_update_constraints.csv')`. */
export function fixture(rel: string): string {
  return join(fixturesDir, rel);
}

export function readFixture(rel: string): string {
  return readFileSync(fixture(rel), 'utf8');
}

/**
 * `describe` that runs only when ../shared/fixtures exists, and says so by name
 * when it does not. Without fixtures the body is not even collected (vitest
 * runs a skipped suite's body, which would read missing files).
 */
export function describeWithFixtures(name: string, fn: () => void): void {
  if (haveFixtures) {
    describe(name, fn);
    return;
  }
  process.stderr.write(`SKIP "${name}": ../shared/fixtures not found (tests that read upstream fixtures)\n`);
  describe.skip(name, () => {
    it.skip('needs ../shared/fixtures', () => {});
  });
}
