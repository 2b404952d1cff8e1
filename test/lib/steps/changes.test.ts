// One way out: every file a step writes is checked by stepFileChanges before
// anything is written. Each test is built as the attack was.
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { UnsafeFileError, ValidationError } from '../../../lib/errors.ts';
import type { Step } from '../../../lib/planner/types.ts';
import { stepFileChanges, unsafeWritePath } from '../../../lib/steps/changes.ts';
import { createOpsRequestFiles } from '../../../lib/targets/ops-request.ts';
import { memoryRepo, type RepoReader } from '../../../lib/targets/repo.ts';
import { scanRepository } from '../../../lib/targets/scan.ts';

const step = (to: string) => ({ to }) as Step;

function kubedb(name: string, namespace = 'demo', extra = ''): string {
  return `apiVersion: kubedb.com/v1\nkind: Redis\nmetadata:\n  name: ${JSON.stringify(name)}\n  namespace: ${JSON.stringify(namespace)}\nspec:\n  version: 7.0.4\n${extra}`;
}

async function onlyTarget(repo: RepoReader) {
  const inv = await scanRepository(repo);
  expect(inv.targets).toHaveLength(1);
  return inv.targets[0]!;
}

describe('names from manifests', () => {
  it('a KubeDB metadata.name of ../../../../tmp/x writes nothing (it used to write /tmp/x-update-7-0-14.yaml)', async () => {
    const repo = memoryRepo({ 'db/redis.yaml': kubedb('../../../../tmp/x') });
    const target = await onlyTarget(repo);
    const run = stepFileChanges(repo, target, step('7.0.14'));
    await expect(run).rejects.toThrow(ValidationError);
    await expect(run).rejects.toThrow(
      /db\/redis\.yaml:\d+ metadata\.name: "\.\.\/\.\.\/\.\.\/\.\.\/tmp\/x" is not a Kubernetes name/,
    );
  });

  it('a namespace carrying a second document (a ClusterRoleBinding) is refused', async () => {
    const evil =
      'demo\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: pwn\nroleRef:\n  kind: ClusterRole\n  name: cluster-admin';
    const repo = memoryRepo({ 'db/redis.yaml': kubedb('cache', evil) });
    const target = await onlyTarget(repo);
    await expect(stepFileChanges(repo, target, step('7.0.14'))).rejects.toThrow(
      /metadata\.namespace: .* is not a Kubernetes namespace/,
    );
  });
});

describe('generated manifests', () => {
  // Every style the request copies from the database file; each file is parsed back and must
  // hold exactly one document, exactly the intended one.
  it.each([
    ['plain, LF, final newline', kubedb('cache'), '7.0.14'],
    ['leading ---, CRLF', `---\r\n${kubedb('cache').replace(/\n/g, '\r\n')}`, '7.0.14'],
    [
      'quoted version, 4-space indent, no final newline',
      kubedb('cache')
        .replace(/\n {2}/g, '\n    ')
        .replace('7.0.4\n', '"7.0.4"'),
      '7.0.14',
    ],
    ['a version that reads as a number when plain', kubedb('cache').replace('7.0.4', '"7.0"'), '7.2'],
  ])('%s', async (_, text, to) => {
    const repo = memoryRepo({ 'db/redis.yaml': text });
    const target = await onlyTarget(repo);
    const [req] = createOpsRequestFiles(text, target, to);
    const docs = parseAllDocuments(req!.text);
    expect(Array.isArray(docs) ? docs.length : 0).toBe(1);
    const [doc] = docs as ReturnType<typeof parseAllDocuments> & unknown[];
    expect((doc as { errors: unknown[] }).errors).toEqual([]);
    expect((doc as { toJS(): unknown }).toJS()).toEqual({
      apiVersion: 'ops.kubedb.com/v1alpha1',
      kind: 'RedisOpsRequest',
      metadata: { name: `cache-update-${to.replace(/\./g, '-')}`, namespace: 'demo' },
      spec: { type: 'UpdateVersion', databaseRef: { name: 'cache' }, updateVersion: { targetVersion: to } },
    });
    expect(req!.text.includes('\r\n')).toBe(text.includes('\r\n'));
  });
});

describe('the kustomization.yaml beside the request', () => {
  it('parses back to the same document with the request appended to resources, nothing else', async () => {
    const kustomization =
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - redis.yaml\n';
    const repo = memoryRepo({ 'db/redis.yaml': kubedb('cache'), 'db/kustomization.yaml': kustomization });
    const target = await onlyTarget(repo);
    const changes = await stepFileChanges(repo, target, step('7.0.14'));
    expect(changes.map((c) => c.path)).toEqual(['db/cache-update-7-0-14.yaml', 'db/kustomization.yaml']);
    const docs = parseAllDocuments(changes[1]!.text) as unknown as { errors: unknown[]; toJS(): unknown }[];
    expect(docs).toHaveLength(1);
    expect(docs[0]!.errors).toEqual([]);
    expect(docs[0]!.toJS()).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['redis.yaml', 'cache-update-7-0-14.yaml'],
    });
  });
});

describe('paths written', () => {
  it.each([
    ['/etc/passwd', 'absolute path'],
    ['a/../../x.yaml', '"." or ".." segment'],
    ['./a.yaml', '"." or ".." segment'],
    ['a//b.yaml', 'empty path segment'],
    ['a\\..\\b.yaml', 'backslash in path'],
    ['.git/hooks/post-checkout', 'inside .git'],
    ['C:/x.yaml', 'absolute path'],
  ])('%s is refused: %s', (path, why) => {
    expect(unsafeWritePath(path)).toBe(why);
  });

  it('a clean repository-relative path is accepted', () => {
    expect(unsafeWritePath('apps/redis/values.yaml')).toBeUndefined();
  });

  it('a pre-placed ops-request file that is a symbolic link is not written through', async () => {
    const files = { 'db/redis.yaml': kubedb('cache') };
    const repo = memoryRepo(files, { 'db/cache-update-7-0-14.yaml': undefined });
    const target = await onlyTarget(repo);
    await expect(stepFileChanges(repo, target, step('7.0.14'))).rejects.toThrow(
      /db\/cache-update-7-0-14\.yaml: is a symbolic link: refusing to write through it/,
    );
  });

  it('a kustomization.yaml that is a symbolic link out of the repository is neither read nor written', async () => {
    const repo = memoryRepo({ 'db/redis.yaml': kubedb('cache') }, { 'db/kustomization.yaml': undefined });
    const target = await onlyTarget(repo);
    const run = stepFileChanges(repo, target, step('7.0.14'));
    await expect(run).rejects.toThrow(UnsafeFileError);
    await expect(run).rejects.toThrow(/db\/kustomization\.yaml: cannot read/);
  });

  it('a directory on the way that is a symbolic link is refused', async () => {
    const repo = memoryRepo({ 'db/redis.yaml': kubedb('cache') }, { db: undefined });
    const target = await onlyTarget(repo);
    await expect(stepFileChanges(repo, target, step('7.0.14'))).rejects.toThrow(
      /passes through db, which is a symbolic link/,
    );
  });
});

describe("KubeDB's step 2: a finished request recorded", () => {
  const kustomization = 'resources:\n  - redis.yaml\n  - cache-update-7-0-14.yaml\n  - backup.yaml\n';
  const request = createOpsRequestFiles; // the request file as step 1 wrote it
  async function recorded(kust = kustomization) {
    const files: Record<string, string> = {
      'db/redis.yaml': kubedb('cache'),
      'db/kustomization.yaml': 'resources:\n  - redis.yaml\n  - backup.yaml\n',
    };
    const first = await onlyTarget(memoryRepo(files));
    for (const f of request(files['db/redis.yaml']!, first, '7.0.14')) files[f.path] = f.text;
    files['db/kustomization.yaml'] = kust;
    const repo = memoryRepo(files);
    const inv = await scanRepository(repo);
    const target = inv.targets.find((t) => t.file === 'db/redis.yaml')!;
    return stepFileChanges(repo, target, { to: '7.0.14', change: 'record' } as Step);
  }

  it('writes spec.version, deletes the request and takes only its line out of kustomization.yaml', async () => {
    const changes = await recorded();
    expect(changes.map((c) => [c.path, c.deleted ?? false])).toEqual([
      ['db/redis.yaml', false],
      ['db/cache-update-7-0-14.yaml', true],
      ['db/kustomization.yaml', false],
    ]);
    expect(changes[0]!.text).toBe(kubedb('cache').replace('version: 7.0.4', 'version: 7.0.14'));
    expect(changes[2]!.text).toBe('resources:\n  - redis.yaml\n  - backup.yaml\n');
  });

  it('removes the last entry of a list with no final newline, and its line break', async () => {
    const changes = await recorded('resources:\r\n  - redis.yaml\r\n  - cache-update-7-0-14.yaml');
    expect(changes[2]!.text).toBe('resources:\r\n  - redis.yaml');
  });

  it('refuses a flow-style resources list rather than reformat it', async () => {
    await expect(recorded('resources: [redis.yaml, cache-update-7-0-14.yaml]\n')).rejects.toThrow(
      /db\/kustomization.yaml.*remove it by hand/,
    );
  });
});
