// `cairn apply` under concurrency: two applies at once in one repository either both
// succeed, each on its own branch with only its own files, or one fails cleanly; the
// user's checkout never moves.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyStep } from '../../../lib/node/apply-step.ts';
import { PreconditionError, UsageError } from '../../../lib/errors.ts';
import type { Step } from '../../../lib/planner/types.ts';
import { planLocalRepository } from '../../../lib/node/plan-local.ts';
import { repoRoot } from '../../support/fixtures.ts';
import { cairn, git, gitCopy } from '../../cli/run.ts';

const NOW = new Date('2026-11-21T09:00:00Z');
let dir: string;
let ready: Step[];
const opts = () => ({ repo: dir, now: NOW, cwd: repoRoot, env: {} });

beforeAll(async () => {
  dir = gitCopy(join(repoRoot, 'examples/flux-fleet'));
  ready = (await planLocalRepository(opts())).plan.steps.filter((s) => s.after.length === 0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const branches = () =>
  git(dir, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/')
    .trim()
    .split('\n')
    .filter((b) => b !== 'main');

describe('cairn apply, concurrently', () => {
  it('has at least two independent ready steps to race', () => {
    expect(ready.length).toBeGreaterThanOrEqual(2);
  });

  it('two applies of different steps both succeed on their own branches (20 rounds)', async () => {
    const [a, b] = ready as [Step, Step];
    const head = git(dir, 'rev-parse', 'HEAD').trim();
    for (let round = 0; round < 20; round++) {
      const [ra, rb] = await Promise.all([
        applyStep({ ...opts(), stepId: a.id }),
        applyStep({ ...opts(), stepId: b.id }),
      ]);
      for (const [r, s] of [
        [ra, a],
        [rb, b],
      ] as const) {
        expect(git(dir, 'rev-parse', r.branch).trim()).toBe(r.commit);
        expect(git(dir, 'rev-list', '--count', `main..${r.branch}`).trim()).toBe('1');
        expect(git(dir, 'log', '-1', '--format=%B', r.branch)).toContain(`Cairn-Step: ${s.id}`);
        expect(git(dir, 'diff', '--name-only', 'main', r.branch).trim().split('\n')).toEqual(r.files);
      }
      expect(git(dir, 'rev-parse', 'HEAD').trim()).toBe(head);
      expect(git(dir, 'symbolic-ref', '--short', 'HEAD').trim()).toBe('main');
      expect(git(dir, 'status', '--porcelain')).toBe('');
      for (const br of branches()) git(dir, 'branch', '-q', '-D', br);
    }
  });

  it('two applies of the same step: exactly one wins, the other fails cleanly (20 rounds)', async () => {
    const s = ready[0]!;
    for (let round = 0; round < 20; round++) {
      const results = await Promise.allSettled([
        applyStep({ ...opts(), stepId: s.id }),
        applyStep({ ...opts(), stepId: s.id }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(PreconditionError);
      expect(String((lost[0] as PromiseRejectedResult).reason.message)).toContain('already exists');
      expect(branches()).toHaveLength(1);
      expect(git(dir, 'rev-list', '--count', `main..${branches()[0]}`).trim()).toBe('1');
      expect(git(dir, 'status', '--porcelain')).toBe('');
      for (const br of branches()) git(dir, 'branch', '-q', '-D', br);
    }
  });

  it('a bad --branch is a usage error and makes no branch', async () => {
    for (const name of ['@', 'x..y', 'a b']) {
      const err = await applyStep({ ...opts(), stepId: ready[0]!.id, branch: name }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
    }
    expect(branches()).toEqual([]);
    const cli = cairn([
      'apply',
      '--repo',
      dir,
      '--step',
      ready[0]!.id,
      '--branch',
      '@',
      '--now',
      NOW.toISOString(),
    ]);
    expect(cli.code).toBe(2);
    expect(cli.said).toContain('--branch "@" is not a valid branch name');
    expect(branches()).toEqual([]);
  });
});
