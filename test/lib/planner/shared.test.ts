// Shared bases: a file several clusters apply (a Flux base that no overlay
// patches, as in the flux2-kustomize-helm-example layout where both clusters
// apply ./infrastructure/controllers) is changed for all of them in one step.
// The step names every cluster; when they span environments that promotion
// orders, the step is blocked with the per-environment override to add.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Plan, Step } from '../../../lib/planner/types.ts';
import type { PlanJson } from '../../../lib/render/json.ts';
import { pullRequestBody, pullRequestTitle } from '../../../lib/render/pull-request.ts';
import { cairn } from '../../cli/run.ts';

const NOW = '2026-11-21T09:00:00Z';

function fluxKustomization(path: string): string {
  return [
    'apiVersion: kustomize.toolkit.fluxcd.io/v1',
    'kind: Kustomization',
    'metadata:',
    '  name: apps',
    '  namespace: flux-system',
    'spec:',
    '  interval: 1h',
    '  sourceRef:',
    '    kind: GitRepository',
    '    name: flux-system',
    `  path: ${path}`,
    '  prune: true',
    '',
  ].join('\n');
}

const SESSIONS = [
  'apiVersion: redis.io/v1',
  'kind: RedisCluster',
  'metadata:',
  '  name: sessions',
  '  namespace: sessions',
  'spec:',
  '  instances: 3',
  '  imageName: redis:7.2.4',
  '',
].join('\n');

function repo(clusters: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-shared-'));
  const files: Record<string, string> = {
    'apps/base/kustomization.yaml': 'resources:\n  - sessions.yaml\n',
    'apps/base/sessions.yaml': SESSIONS,
  };
  for (const c of clusters) files[`clusters/${c}/apps.yaml`] = fluxKustomization('./apps/base');
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return dir;
}

function planOf(dir: string): PlanJson {
  const r = cairn(['plan', '--repo', dir, '--now', NOW, '--format', 'json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as PlanJson;
}

describe('a base several clusters apply', () => {
  it('in one environment: the step names every cluster it changes, and so does its pull request', () => {
    const p = planOf(repo(['prod-eu', 'prod-us']));
    const steps = p.steps.filter((s) => s.target.file === 'apps/base/sessions.yaml');
    expect(steps.length).toBeGreaterThan(0);
    for (const s of steps) {
      expect(s.clusters).toEqual(['prod-eu', 'prod-us']);
      expect(s.cluster).toBeUndefined();
    }
    const text = cairn(['plan', '--repo', repo(['prod-eu', 'prod-us']), '--now', NOW]).stdout;
    expect(text).toContain('prod-eu, prod-us · redis · RedisCluster/sessions/sessions');
    const step = steps[0]! as unknown as Step;
    expect(pullRequestTitle(step)).toMatch(/ on prod-eu, prod-us$/);
    expect(pullRequestBody(step, p as unknown as Plan)).toContain('on clusters **prod-eu**, **prod-us**');
  });

  it('across environments promotion orders: blocked, asking for a per-environment override', () => {
    const p = planOf(repo(['dev-1', 'prod-eu']));
    expect(p.steps.filter((s) => s.target.file === 'apps/base/sessions.yaml')).toEqual([]);
    const b = p.blocked.find((x) => x.target.file === 'apps/base/sessions.yaml')!;
    expect(b.reason).toMatch(/^shared by dev and prod: promotion needs a per-environment override/);
    expect(b.clusters).toEqual(['dev-1', 'prod-eu']);
    expect(b.unblock).toContain('give each environment its own spec.imageName');
    expect(b.rule?.id).toBe('lower-environment-first');
  });
});
