// Golden plans: `cairn plan` on the two examples, text and JSON, at a fixed
// `--now`, compared byte for byte with the files beside this test. They are
// cairn's own output, recorded so a refactor of the planner cannot change a
// plan unnoticed. When a plan is meant to change, rewrite them with
// `CAIRN_UPDATE_GOLDEN=1 scripts/with-node.sh npx vitest run test/golden` and
// say why in the commit.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cairn } from '../cli/run.ts';

const NOW = '2026-11-21T09:00:00Z';
const DIR = join(import.meta.dirname, 'plans');

const argocd = 'examples/argocd-fleet';
const argocdLive = [
  '--feed',
  `${argocd}/feed.yaml`,
  ...['dev', 'staging', 'prod'].flatMap((e) => ['--cluster-state', `${e}=${argocd}/cluster-state/${e}.yaml`]),
];
const flux = 'examples/flux-fleet';
const fluxLive = [
  '--feed',
  `${flux}/feed.yaml`,
  ...['dev', 'staging', 'production'].flatMap((e) => [
    '--cluster-state',
    `${e}=${flux}/cluster-state/${e}.yaml`,
  ]),
];

const CASES: { name: string; args: string[] }[] = [
  { name: 'flux-fleet.txt', args: ['--repo', flux] },
  { name: 'flux-fleet.json', args: ['--repo', flux, '--format', 'json'] },
  { name: 'flux-fleet-live.json', args: ['--repo', flux, ...fluxLive, '--format', 'json'] },
  { name: 'argocd-fleet.txt', args: ['--repo', argocd, ...argocdLive] },
  { name: 'argocd-fleet.json', args: ['--repo', argocd, ...argocdLive, '--format', 'json'] },
];

describe('golden plans of the examples', () => {
  for (const c of CASES) {
    it(`cairn plan ${c.args.join(' ')} prints test/golden/plans/${c.name}.golden`, () => {
      const r = cairn(['plan', ...c.args, '--now', NOW], { env: { CAIRN_LOG_LEVEL: 'warn' } });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const file = join(DIR, `${c.name}.golden`);
      if (process.env.CAIRN_UPDATE_GOLDEN === '1') writeFileSync(file, r.stdout);
      expect(r.stdout).toBe(readFileSync(file, 'utf8'));
    });
  }
});
