import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planJsonSchema } from '../../lib/render/json.ts';
import { repoRoot } from '../support/fixtures.ts';
import { cairn, git, gitCopy } from './run.ts';
import { stepBranchName } from '../../lib/steps/index.ts';

const REPO = 'examples/flux-fleet';
const NOW = '2026-11-21T09:00:00Z';
const planArgs = ['plan', '--repo', REPO, '--now', NOW];

describe('cairn plan on the Flux example (the README demo)', () => {
  it('prints the multi-hop path, the Kubernetes block and operator-first ordering', () => {
    const r = cairn(planArgs);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cairn plan for examples/flux-fleet');
    // Redis 7.2.4 crosses the major through the earliest 8.x minor, in every environment.
    expect(r.stdout).toMatch(
      /production · redis · RedisCluster\/sessions\/sessions spec\.imageName .*\n\s+7\.2\.4 -> 8\.0\.\d+/,
    );
    expect(r.stdout).toContain('why:   major-via-earliest-minor');
    expect(r.stdout).toContain('Kubernetes 1.23 is not supported by redis-enterprise-operator');
    expect(r.stdout).toContain('unblock: upgrade Kubernetes on production to 1.27 first');
  });

  it('json output is byte-identical across runs and matches the published schema', () => {
    const a = cairn([...planArgs, '--format', 'json']);
    const b = cairn([...planArgs, '--format', 'json']);
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    const plan = planJsonSchema.parse(JSON.parse(a.stdout));
    const byId = new Map(plan.steps.map((s) => [s.id, s]));
    const stagingRedis = plan.steps.find((s) => s.cluster === 'staging' && s.component === 'redis')!;
    const after = stagingRedis.after.map((id) => byId.get(id)!);
    // operator before data plane on the same cluster, and dev before staging
    expect(after.map((s) => `${s.cluster}/${s.component}`).sort()).toEqual([
      'dev/redis',
      'staging/howl-redis-operator',
    ]);
    expect(plan.targets.find((t) => t.status === 'shadowed')?.target.file).toBe(
      'apps/base/sessions/rediscluster.yaml',
    );
  });

  it('a feed snapshot replaces the releases of the components it names, and only those', () => {
    const r = cairn([...planArgs, '--feed', `${REPO}/feed.yaml`, '--format', 'json']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    const dev = plan.steps.filter(
      (s: { cluster: string; component: string }) => s.cluster === 'dev' && s.component === 'redis',
    );
    // feed.yaml lists redis up to 8.4.1 (too fresh for the 7-day release age) and denies nothing below it
    expect(dev.map((s: { to: string }) => s.to)).toEqual(['8.0.2', '8.4.0']);
    // redis-enterprise-operator is not in feed.yaml: the catalog's releases still apply
    expect(plan.steps.some((s: { component: string }) => s.component === 'redis-enterprise-operator')).toBe(
      true,
    );
  });

  it('markdown output carries a mermaid diagram with rule-labelled hops', () => {
    const r = cairn([...planArgs, '--format', 'markdown']);
    expect(r.stdout).toContain('```mermaid\nflowchart LR');
    expect(r.stdout).toMatch(/-->\|major-via-earliest-minor\| /);
    expect(r.stdout).toContain('(current)');
  });
});

describe('cairn apply on a copy of the Flux example', () => {
  it('creates one commit on a new branch that changes only the version token', () => {
    const dir = gitCopy(join(repoRoot, REPO));
    const plan = JSON.parse(cairn(['plan', '--repo', dir, '--now', NOW, '--format', 'json']).stdout);
    const step = plan.steps.find(
      (s: { cluster: string; component: string; after: string[] }) =>
        s.cluster === 'dev' && s.component === 'redis' && s.after.length === 0,
    );
    const r = cairn(['apply', '--repo', dir, '--step', step.id, '--now', NOW]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`branch: ${stepBranchName(step)}`);
    expect(r.stdout).toContain('PR title: chore(deps): upgrade redis 7.2.4 -> ');
    expect(r.stdout).toContain('<!-- cairn:step');
    const b = stepBranchName(step);
    expect(git(dir, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('main');
    expect(git(dir, 'status', '--porcelain')).toBe('');
    expect(git(dir, 'rev-list', '--count', `main..${b}`).trim()).toBe('1');
    const diff = git(dir, 'diff', '-U0', 'main', b);
    const changed = diff.split('\n').filter((l) => /^[-+][^-+]/.test(l));
    expect(changed).toEqual(['-  imageName: redis:7.2.4', `+  imageName: redis:${step.to}`]);
    expect(git(dir, 'log', '-1', '--format=%B', b)).toContain(`Cairn-Step: ${step.id}`);
  });

  it('refuses a dirty work tree and a step that must wait, writing nothing', () => {
    const dir = gitCopy(join(repoRoot, REPO));
    const plan = JSON.parse(cairn(['plan', '--repo', dir, '--now', NOW, '--format', 'json']).stdout);
    const waiting = plan.steps.find((s: { after: string[] }) => s.after.length > 0);
    const r1 = cairn(['apply', '--repo', dir, '--step', waiting.id, '--now', NOW]);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain(`step ${waiting.id} must wait for`);
    const file = join(dir, 'README.md');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nlocal edit\n`);
    const first = plan.steps.find((s: { after: string[] }) => s.after.length === 0);
    const r2 = cairn(['apply', '--repo', dir, '--step', first.id, '--now', NOW]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain('has uncommitted changes');
    expect(git(dir, 'branch', '--list').trim()).toBe('* main');
  });
});

describe('cairn CLI frame', () => {
  it('--help lists the subcommands; an unknown command exits 2', () => {
    const help = cairn(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['plan', 'apply', 'explain', 'validate'])
      expect(help.stdout).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
    const bad = cairn(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(
      bad.stderr
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).msg),
    ).toContain('unknown command "frobnicate"');
  });

  it('a bad flag value is a usage error (exit 2) naming the flag', () => {
    const r = cairn(['plan', '--repo', REPO, '--format', 'yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--format must be one of text, markdown, json');
  });

  it('validate reports policy errors with file:line and exits 2', () => {
    const dir = gitCopy(join(repoRoot, REPO));
    const policyFile = join(dir, '.cairn/policy.yaml');
    writeFileSync(policyFile, readFileSync(policyFile, 'utf8').replace('soak: 24h', 'soak: one day'));
    const r = cairn(['validate', '--policies', join(dir, '.cairn')], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\.cairn\/policy\.yaml:\d+:\d+ environments\[1\]\.soak: must be a duration/);
    const ok = cairn(['validate', '--policies', join(repoRoot, REPO, '.cairn')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^catalog: ok \(\d+ components/);
  });

  it('logs are JSON lines off a terminal and never contain a secret', () => {
    const dir = gitCopy(join(repoRoot, REPO));
    const plan = JSON.parse(cairn(['plan', '--repo', dir, '--now', NOW, '--format', 'json']).stdout);
    const first = plan.steps.find((s: { after: string[] }) => s.after.length === 0);
    const token = 'ghp_supersecretvalue123';
    const r = cairn(['apply', '--repo', dir, '--step', first.id, '--now', NOW], {
      env: { GITHUB_TOKEN: token },
    });
    expect(r.code).toBe(0);
    const line = JSON.parse(r.stderr.trim().split('\n').at(-1)!);
    expect(line).toMatchObject({ level: 'info', msg: 'created branch', branch: stepBranchName(first) });
    expect(r.stderr + r.stdout).not.toContain(token);
  });
});
