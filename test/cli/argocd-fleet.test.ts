// The `cairn` command line as a user runs it: `node cli/main.ts …` in a child
// process, against the Argo CD example in examples/argocd-fleet. Assertions are
// about what a user sees: exit codes, messages, the plan's steps and blocks,
// and what `apply` does to a Git checkout.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlanJson, planJsonSchema } from '../../lib/render/json.ts';
import { repoRoot } from '../support/fixtures.ts';
import { stepBranchName } from '../../lib/steps/index.ts';

const EXAMPLE = join(repoRoot, 'examples/argocd-fleet');
const NOW = '2026-11-21T09:00:00Z';
const ENVS = ['dev', 'staging', 'prod'] as const;

const PROD_OPERATOR =
  'clusters/prod/apps/redis-enterprise-operator.yaml#Application/argocd/redis-enterprise-operator-prod:spec.source.targetRevision';
const DEV_OPERATOR =
  'clusters/dev/apps/redis-enterprise-operator.yaml#Application/argocd/redis-enterprise-operator-dev:spec.source.targetRevision';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node cli/main.ts ARGS` from the repository root, with no inherited cairn settings. */
function cairn(...args: string[]): Run {
  const r = spawnSync(process.execPath, ['cli/main.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, CAIRN_POLICIES: '', CAIRN_LOG_FORMAT: 'json', CAIRN_LOG_LEVEL: 'warn' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Plan options for a copy of the example at `repo` (the feed and cluster state come from the copy). */
function planArgs(repo = EXAMPLE): string[] {
  return [
    '--repo',
    repo,
    '--now',
    NOW,
    '--feed',
    join(repo, 'feed.yaml'),
    ...ENVS.flatMap((e) => ['--cluster-state', `${e}=${join(repo, `cluster-state/${e}.yaml`)}`]),
  ];
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@localhost', ...args], {
    cwd,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

describe('cairn --help and unknown commands', () => {
  it('lists plan, apply, explain and validate and exits 0', () => {
    const r = cairn('--help');
    expect(r.status).toBe(0);
    for (const c of ['plan', 'apply', 'explain', 'validate'])
      expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
  });

  it('an unknown command exits 2 and says which', () => {
    const r = cairn('upgrade-everything');
    expect(r.status).toBe(2);
    expect(
      r.stderr
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).msg),
    ).toContain('unknown command "upgrade-everything"');
  });
});

describe('cairn plan on examples/argocd-fleet', () => {
  let raw: string;
  let plan: PlanJson;
  const step = (component: string, env: string, to?: string) =>
    plan.steps.filter((s) => s.component === component && s.environment === env && (!to || s.to === to));
  const one = (component: string, env: string, to: string) => {
    const found = step(component, env, to);
    expect(found, `${component} ${env} -> ${to}`).toHaveLength(1);
    return found[0]!;
  };

  beforeAll(() => {
    const r = cairn('plan', ...planArgs(), '--format', 'json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    raw = r.stdout;
    plan = JSON.parse(raw) as PlanJson;
  });

  it('prints byte-identical JSON twice, valid against the published plan schema', () => {
    expect(cairn('plan', ...planArgs(), '--format', 'json').stdout).toBe(raw);
    const parsed = planJsonSchema.safeParse(plan);
    expect(parsed.success, parsed.error?.message).toBe(true);
  });

  it('finds every target in every environment, and reports only the Go template as unreadable', () => {
    for (const env of ENVS) {
      const comps = plan.targets
        .filter((t) => t.environment === env)
        .map((t) => t.component)
        .sort();
      expect(comps, env).toEqual([
        'bitnami-redis',
        'bitnami-redis-chart',
        'kubedb-redis',
        'ot-redis',
        'ot-redis-operator',
        'redis-enterprise',
        'redis-enterprise-database',
        'redis-enterprise-operator',
      ]);
    }
    expect(plan.targets.every((t) => t.cluster === t.environment)).toBe(true);
    expect(plan.problems).toEqual([
      expect.objectContaining({
        file: 'apps/templates/applications.yaml',
        reason: expect.stringMatching(/template/),
      }),
    ]);
  });

  it('upgrades the Redis Enterprise operator, then the cluster it ships, then the database', () => {
    const op = one('redis-enterprise-operator', 'dev', '7.22.2-21');
    expect(op.from).toBe('7.4.6-2');
    expect(op.after).toEqual([]);
    const rec = one('redis-enterprise', 'dev', '7.22.2-14');
    expect(rec.from).toBe('7.4.6-102');
    expect(rec.after).toEqual([op.id]);
    // The database waits until the REC is known to bundle Redis 7.4: which versions 7.22.2-14
    // bundles is not in the catalog, and the live REC (7.4.6-102) bundles 6.2 and 7.2 only.
    const redb = plan.blocked.find(
      (b) => b.component === 'redis-enterprise-database' && b.cluster === 'dev',
    )!;
    expect(redb).toMatchObject({ current: '7.2', wanted: '7.4' });
    expect(redb.reason).toContain('whether REC 7.22.2-14 bundles Redis 7.4 is unknown');
    expect(redb.rule?.id).toBe('re-redb-bundled-version');
    // Never the operator and the data plane in one step.
    expect(op.id).not.toBe(rec.id);
    expect(plan.steps.findIndex((s) => s.id === op.id)).toBeLessThan(
      plan.steps.findIndex((s) => s.id === rec.id),
    );
  });

  it('promotes dev -> staging -> prod: each hop waits for the same hop one environment down', () => {
    const devOp = one('redis-enterprise-operator', 'dev', '7.22.2-21');
    const stagingOp = one('redis-enterprise-operator', 'staging', '7.22.2-21');
    expect(stagingOp.after).toEqual([devOp.id]);
    expect(stagingOp.gate.soak).toBe('2d');
    for (const [component, to] of [
      ['bitnami-redis', '8.0.3-debian-12-r3'],
      ['kubedb-redis', '7.0.14'],
      ['ot-redis-operator', 'v0.21.0'],
    ] as const) {
      const [d, s, p] = ENVS.map((e) => one(component, e, to));
      expect(s!.after, `${component} staging`).toContain(d!.id);
      expect(p!.after, `${component} prod`).toContain(s!.id);
      expect(p!.gate.soak).toBe('7d');
      expect(p!.rules.map((r) => r.id)).toContain('lower-environment-first');
    }
  });

  it('takes KubeDB through several ops requests, each admitted by the allowlist before it', () => {
    const hops = step('kubedb-redis', 'dev');
    expect(hops.map((s) => `${s.from}->${s.to}`)).toEqual(['6.2.14->7.0.14', '7.0.14->7.4.1']);
    expect(hops.every((s) => s.change === 'ops-request')).toBe(true);
    expect(hops[1]!.after).toEqual([hops[0]!.id]);
    expect(hops[0]!.rules.find((r) => r.id === 'kubedb-update-constraints')!.text).toContain(
      `6.2.14's allowlist`,
    );
    expect(hops[0]!.preSteps.map((p) => p.kind)).toEqual(['backup']);
  });

  it('blocks the prod operator on Kubernetes 1.27 and says to upgrade Kubernetes first', () => {
    expect(step('redis-enterprise-operator', 'prod')).toEqual([]);
    const b = plan.blocked.find((x) => x.target.id === PROD_OPERATOR)!;
    expect(b.current).toBe('7.4.6-2');
    expect(b.reason).toMatch(/^Kubernetes 1\.27 is not supported by redis-enterprise-operator 7\.22\.2-21/);
    expect(b.unblock).toMatch(/^upgrade Kubernetes on prod to 1\.30 first/);
    expect(b.rule?.id).toBe('kubernetes-supported-throughout');
    // The REC still catches up with what the running operator ships, without an operator step.
    const rec = one('redis-enterprise', 'prod', '7.4.6-102');
    expect(rec.from).toBe('7.4.6-77');
    expect(rec.after).toEqual([]);
    // The policy pins the prod database.
    expect(step('redis-enterprise-database', 'prod')).toEqual([]);
  });

  it('the text plan shows the steps and the Kubernetes block with its unblock', () => {
    const r = cairn('plan', ...planArgs());
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^STEPS \\(${plan.steps.length}\\)$`, 'm'));
    expect(r.stdout).toContain('6.2.14 -> 7.0.14  (via a KubeDB RedisOpsRequest)');
    expect(r.stdout).toContain('unblock: upgrade Kubernetes on prod to 1.30 first');
    expect(r.stdout).toContain('FILES NOT READ SAFELY (1)');
  });
});

describe('cairn explain', () => {
  it('prints the failing rule for the blocked prod operator and exits 1', () => {
    const r = cairn('explain', ...planArgs(), PROD_OPERATOR, '--to', '7.22.2-21');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('redis-enterprise-operator 7.4.6-2 -> 7.22.2-21: NOT reachable');
    const fail = r.stdout.split('\n').filter((l) => l.trimStart().startsWith('FAIL'));
    expect(fail).toHaveLength(1);
    expect(fail[0]).toMatch(/Kubernetes 1\.27 is not supported.*\[kubernetes-supported-throughout\]/);
  });

  it('shows the path and exits 0 when the version is reachable', () => {
    const r = cairn('explain', ...planArgs(), DEV_OPERATOR, '--to', '7.22.2-21');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('7.4.6-2 -> 7.22.2-21: reachable');
    expect(r.stdout).toMatch(
      /^ {2}7\.4\.6-2 -> 7\.22\.2-21 {2}\(.*\) {2}step redis-enterprise-operator-7\.22\.2-21-/m,
    );
  });
});

describe('cairn validate', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-validate-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("accepts the example's policy", () => {
    const r = cairn('validate', '--policies', join(EXAMPLE, '.cairn'));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('policies: ok (1 file(s)');
    expect(r.stdout).toContain('3 clusters, 3 environments');
  });

  it('exits 2 and names file and line for a policy error', () => {
    const policies = join(dir, 'bad');
    mkdirSync(policies);
    const text = readFileSync(join(EXAMPLE, '.cairn/policy.yaml'), 'utf8').replace(
      '    soak: 7d',
      '    soak: a week',
    );
    writeFileSync(join(policies, 'policy.yaml'), text);
    const line = text.split('\n').findIndex((l) => l.includes('soak: a week')) + 1;
    const r = cairn('validate', '--policies', policies);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`policy\\.yaml:${line}:\\d+ environments\\[2\\]\\.soak: must be a duration`),
    );
  });
});

describe('cairn apply on a copy of the example', () => {
  let repo: string;
  let plan: PlanJson;
  const applyArgs = (id: string) => ['apply', ...planArgs(repo), '--step', id];
  const stepOf = (component: string, env: string, to: string) =>
    plan.steps.find((s) => s.component === component && s.environment === env && s.to === to)!;

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'cairn-argocd-fleet-'));
    cpSync(EXAMPLE, repo, { recursive: true });
    git(repo, 'init', '--quiet', '-b', 'main');
    git(repo, 'add', '-A');
    git(repo, 'commit', '--quiet', '-m', 'fleet');
    plan = JSON.parse(cairn('plan', ...planArgs(repo), '--format', 'json').stdout) as PlanJson;
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('makes one commit on the step branch that changes only the version token', () => {
    const s = stepOf('redis-enterprise-operator', 'dev', '7.22.2-21');
    expect(s.after).toEqual([]);
    const r = cairn(...applyArgs(s.id));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`branch: ${stepBranchName(s)}`);
    const b = stepBranchName(s);
    // The branch is made without a checkout: HEAD and the work tree stay on main.
    expect(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('main');
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(git(repo, 'rev-list', '--count', `main..${b}`).trim()).toBe('1');
    expect(git(repo, 'diff', '--name-only', `${b}~1`, b).trim()).toBe(s.target.file);
    const changed = git(repo, 'diff', '-U0', `${b}~1`, b)
      .split('\n')
      .filter((l) => /^[-+](?![-+])/.test(l));
    expect(changed).toEqual(['-    targetRevision: 7.4.6-2', '+    targetRevision: 7.22.2-21']);
    expect(r.stdout).toContain(`commit: ${git(repo, 'rev-parse', b).trim()}`);
  });

  it('for KubeDB, adds the ops request and lists it in kustomization.yaml, leaving spec.version', () => {
    const s = stepOf('kubedb-redis', 'dev', '7.0.14');
    const r = cairn(...applyArgs(s.id));
    expect(r.status).toBe(0);
    const b = stepBranchName(s);
    const stat = git(repo, 'diff', '--stat', `${b}~1`, b);
    expect(stat).toContain('2 files changed');
    expect(git(repo, 'diff', '--name-status', `${b}~1`, b).trim().split('\n').sort()).toEqual([
      'A\tclusters/dev/kubedb/sessions-update-7-0-14.yaml',
      'M\tclusters/dev/kubedb/kustomization.yaml',
    ]);
    const kustomization = git(
      repo,
      'diff',
      '-U0',
      `${b}~1`,
      b,
      '--',
      'clusters/dev/kubedb/kustomization.yaml',
    )
      .split('\n')
      .filter((l) => /^[-+](?![-+])/.test(l));
    expect(kustomization).toEqual(['+  - sessions-update-7-0-14.yaml']);
    expect(existsSync(join(repo, 'clusters/dev/kubedb/sessions-update-7-0-14.yaml'))).toBe(false);
    const request = git(repo, 'show', `${b}:clusters/dev/kubedb/sessions-update-7-0-14.yaml`);
    expect(request).toContain('kind: RedisOpsRequest');
    expect(request).toContain('type: UpdateVersion');
    expect(request).toMatch(/databaseRef:\n\s+name: sessions/);
    expect(request).toMatch(/targetVersion: 7\.0\.14/);
  });

  it('refuses a step whose `after` steps are not in the repository yet', () => {
    const s = stepOf('redis-enterprise', 'dev', '7.22.2-14');
    expect(s.after.length).toBeGreaterThan(0);
    const r = cairn(...applyArgs(s.id));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`step ${s.id} must wait for ${s.after.join(', ')}`);
    expect(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('main');
    expect(git(repo, 'branch', '--list', stepBranchName(s))).toBe('');
  });

  it('refuses a dirty work tree with exit code 1 and changes nothing', () => {
    const s = stepOf('bitnami-redis', 'dev', '8.0.3-debian-12-r3');
    const file = join(repo, 'clusters/dev/apps/cache.yaml');
    const before = readFileSync(file, 'utf8');
    writeFileSync(file, `${before}# local edit\n`);
    try {
      const r = cairn(...applyArgs(s.id));
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('has uncommitted changes; commit or stash them first');
      expect(r.stderr).toContain('clusters/dev/apps/cache.yaml');
      expect(git(repo, 'branch', '--list', stepBranchName(s))).toBe('');
      expect(readFileSync(file, 'utf8')).toBe(`${before}# local edit\n`);
    } finally {
      writeFileSync(file, before);
    }
  });
});
