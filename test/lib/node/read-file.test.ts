// One way in: every file cairn reads from disk goes through readFileGuarded.
// Each test builds the attack on a real directory, then checks the refusal.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/errors.ts';
import { loadPolicyDir, readTextFile } from '../../../lib/node/files.ts';
import { planLocalRepository } from '../../../lib/node/plan-local.ts';
import { readFileGuarded } from '../../../lib/node/read-file.ts';
import { nodeRepo } from '../../../lib/node/repo.ts';
import type { Step } from '../../../lib/planner/types.ts';
import { stepFileChanges } from '../../../lib/steps/changes.ts';
import { scanRepository } from '../../../lib/targets/scan.ts';

const made: string[] = [];
function tempRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-guard-'));
  made.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

const POLICY = 'apiVersion: cairn.dev/v1alpha1\nkind: Policy\nenvironments:\n  - name: dev\n';

describe('policy files', () => {
  it('.cairn/policy.yaml linked to /etc/passwd is refused, naming the file', () => {
    const repo = tempRepo();
    mkdirSync(join(repo, '.cairn'));
    symlinkSync('/etc/passwd', join(repo, '.cairn/policy.yaml'));
    const load = () => loadPolicyDir(join(repo, '.cairn'), repo, repo);
    expect(load).toThrow(ValidationError);
    expect(load).toThrow(/policy\.yaml: symbolic link leads outside the repository/);
  });

  it('.cairn/policy.yaml linked to /dev/zero is refused from its fstat, before reading', () => {
    // Without the guard this read grew without bound (24 GB, then killed).
    const repo = tempRepo();
    mkdirSync(join(repo, '.cairn'));
    symlinkSync('/dev/zero', join(repo, '.cairn/policy.yaml'));
    expect(() => loadPolicyDir(join(repo, '.cairn'), repo, repo)).toThrow(
      /policy\.yaml: symbolic link leads outside/,
    );
    // Even with no root to stay in, a device is not a file.
    expect(readFileGuarded('/dev/zero', { maxBytes: 1024 })).toEqual({
      ok: false,
      reason: 'a device, not a regular file: not read',
    });
  });

  it('a link to another file inside the repository is read; every problem is reported at once', () => {
    const repo = tempRepo();
    mkdirSync(join(repo, '.cairn'));
    writeFileSync(join(repo, 'shared.yaml'), POLICY);
    symlinkSync('../shared.yaml', join(repo, '.cairn/a.yaml'));
    expect(loadPolicyDir(join(repo, '.cairn'), repo, repo).environments.map((e) => e.name)).toEqual(['dev']);
    symlinkSync('/etc/hostname', join(repo, '.cairn/b.yaml'));
    writeFileSync(join(repo, '.cairn/c.yaml'), `# ${'x'.repeat(1024 * 1024)}\n`);
    let err: unknown;
    try {
      loadPolicyDir(join(repo, '.cairn'), repo, repo);
    } catch (e) {
      err = e;
    }
    expect((err as ValidationError).issues.map((i) => `${i.file}: ${i.message}`)).toEqual([
      '.cairn/b.yaml: symbolic link leads outside the repository: not read',
      expect.stringMatching(/^\.cairn\/c\.yaml: file is 1048579 bytes, over the 1048576-byte limit/),
    ]);
  });

  it('cairn plan on a repository whose policy links out exits 2 with the file named', async () => {
    const repo = tempRepo();
    mkdirSync(join(repo, '.cairn'));
    symlinkSync('/etc/passwd', join(repo, '.cairn/policy.yaml'));
    await expect(
      planLocalRepository({ repo, cwd: repo, env: {}, now: new Date('2026-11-21T00:00:00Z') }),
    ).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/\.cairn\/policy\.yaml/) });
  });
});

describe('feed and cluster-state files', () => {
  it('a device or a FIFO is refused without reading (a FIFO would block forever)', () => {
    const dir = tempRepo();
    execFileSync('mkfifo', [join(dir, 'state.yaml')]);
    expect(() => readTextFile(join(dir, 'state.yaml'), 'cluster state')).toThrow(
      /cannot read cluster state .*state\.yaml: a FIFO, not a regular file/,
    );
    expect(() => readTextFile('/dev/zero', 'feed')).toThrow(/cannot read feed \/dev\/zero: a device/);
  });

  it('a file over the limit is refused', () => {
    const dir = tempRepo();
    writeFileSync(join(dir, 'feed.yaml'), 'x'.repeat(2000));
    expect(() => readTextFile(join(dir, 'feed.yaml'), 'feed', 1000)).toThrow(
      /2000 bytes, over the 1000-byte limit/,
    );
  });
});

describe('repository files', () => {
  it('a manifest or kustomization.yaml linked outside the repository is never read', async () => {
    const outside = tempRepo();
    writeFileSync(join(outside, 'secret.yaml'), 'image: redis:7.2.4\n');
    const repo = tempRepo();
    mkdirSync(join(repo, 'apps'));
    symlinkSync(join(outside, 'secret.yaml'), join(repo, 'apps/kustomization.yaml'));
    const reader = nodeRepo(repo);
    await expect(reader.read('apps/kustomization.yaml')).rejects.toThrow(/outside the repository/);
    await expect(reader.read('../' + outside.split('/').pop() + '/secret.yaml')).rejects.toThrow(/outside/);
    const inv = await scanRepository(reader);
    expect(inv.problems.map((p) => p.file)).toEqual(['apps/kustomization.yaml']);
  });

  it('a link inside the repository to a FIFO is refused, not waited on', async () => {
    const repo = tempRepo();
    execFileSync('mkfifo', [join(repo, 'pipe')]);
    symlinkSync('pipe', join(repo, 'values.yaml'));
    await expect(nodeRepo(repo).read('values.yaml')).rejects.toThrow(/a FIFO, not a regular file/);
  });

  it('the no-policy conventions pass reads clusters/ files under the size limit too', async () => {
    const repo = tempRepo();
    mkdirSync(join(repo, 'clusters/prod'), { recursive: true });
    // 3 MB of one Kustomization: over the 2 MiB limit, reported, never parsed.
    writeFileSync(
      join(repo, 'clusters/prod/big.yaml'),
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nspec:\n  path: ./apps\n# ${'x'.repeat(3_000_000)}\n`,
    );
    const local = await planLocalRepository({
      repo,
      cwd: repo,
      env: {},
      now: new Date('2026-11-21T00:00:00Z'),
    });
    expect(local.inventory.problems).toEqual([
      expect.objectContaining({
        file: 'clusters/prod/big.yaml',
        reason: expect.stringMatching(/over the 2097152-byte limit/),
      }),
    ]);
    expect(local.conventions.join('\n')).not.toMatch(/\.\/apps|apps\)/);
  });
});

describe('writes on a checkout', () => {
  it('a pre-placed ops-request file linked to a file outside is refused, and that file is untouched', async () => {
    const outside = tempRepo();
    writeFileSync(join(outside, 'victim.yaml'), 'precious: true\n');
    const repo = tempRepo();
    mkdirSync(join(repo, 'db'));
    writeFileSync(
      join(repo, 'db/redis.yaml'),
      'apiVersion: kubedb.com/v1\nkind: Redis\nmetadata:\n  name: cache\n  namespace: demo\nspec:\n  version: 7.0.4\n',
    );
    symlinkSync(join(outside, 'victim.yaml'), join(repo, 'db/cache-update-7-0-14.yaml'));
    const reader = nodeRepo(repo);
    const [target] = (await scanRepository(reader)).targets;
    await expect(stepFileChanges(reader, target!, { to: '7.0.14' } as Step)).rejects.toThrow(
      /cache-update-7-0-14\.yaml: is a symbolic link: refusing to write through it/,
    );
    expect(readFileSync(join(outside, 'victim.yaml'), 'utf8')).toBe('precious: true\n');
  });
});
