// cairn run as a subprocess on a repository assembled, at test time, from the
// real upstream files in ../shared/fixtures (copied to a temp dir, never into
// this repository).
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { describeWithFixtures, fixture } from '../support/fixtures.ts';
import { cairn, git } from './run.ts';
import { stepBranchName } from '../../lib/steps/index.ts';

const FILES: Record<string, string> = {
  'apps/base/podinfo/release.yaml':
    'gitops-layouts/flux2-kustomize-helm-example/apps/base/podinfo/release.yaml',
  'apps/cache/values.yaml': 'bitnami-redis/chart-18.16.1/bitnami/redis/values.yaml',
  'databases/rd-standalone.yaml': 'kubedb/docs/docs/examples/redis/update-version/rd-standalone.yaml',
};

describeWithFixtures('cairn on a repository built from upstream fixtures', () => {
  it('finds the real targets, plans them, and apply changes one token of a real file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-fixture-repo-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    for (const [to, from] of Object.entries(FILES)) {
      mkdirSync(dirname(join(dir, to)), { recursive: true });
      cpSync(fixture(from), join(dir, to));
    }
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'fixtures');
    const r = cairn(['plan', '--repo', dir, '--now', '2026-11-21T09:00:00Z', '--format', 'json']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    const found = Object.fromEntries(
      plan.targets.map((t: { component: string; current: string }) => [t.component, t.current]),
    );
    // Facts of the upstream files: podinfo pins redis 8.6.2, Bitnami chart 18.16.1 ships 7.2.4-debian-12-r9.
    expect(found).toMatchObject({ redis: '8.6.2', 'bitnami-redis': '7.2.4-debian-12-r9' });
    expect(found['kubedb-redis']).toBe(
      /version:\s*"?([^"\s]+)/.exec(
        readFileSync(fixture(FILES['databases/rd-standalone.yaml']!), 'utf8').split('spec:')[1]!,
      )![1],
    );
    const step = plan.steps.find(
      (s: { component: string; after: string[] }) => s.component === 'bitnami-redis' && !s.after.length,
    );
    expect(step).toBeDefined();
    const a = cairn(['apply', '--repo', dir, '--step', step.id, '--now', '2026-11-21T09:00:00Z']);
    expect(a.code).toBe(0);
    const stat = git(dir, 'diff', '--numstat', 'main', stepBranchName(step)).trim();
    expect(git(dir, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('main');
    expect(stat).toBe('1\t1\tapps/cache/values.yaml');
  });
});
