// The worker-pool scanner must give exactly what a scan on one thread gives.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeRepo } from '../../../lib/node/repo.ts';
import { parallelScanner } from '../../../lib/node/scan-pool.ts';
import { scanRepository } from '../../../lib/targets/scan.ts';

const dir = mkdtempSync(join(tmpdir(), 'cairn-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function put(path: string, text: string) {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

for (let i = 0; i < 45; i++) {
  const c = `c${i % 5}`;
  put(
    `clusters/${c}/redis-${i}.yaml`,
    `apiVersion: redis.io/v1\nkind: RedisCluster\nmetadata:\n  name: r${i}\n  namespace: ns\nspec:\n  instances: 3\n  imageName: redis:7.${i % 3}.${i % 7}\n`,
  );
  put(
    `apps/${c}/values-${i}.yaml`,
    `image:\n  repository: bitnami/redis\n  tag: 7.2.${i % 9}-debian-12-r${i % 4}\n`,
  );
}
put('clusters/c0/broken.yaml', 'a: [\n');
put('clusters/c0/dup.yaml', 'a: 1\na: 2\n');
symlinkSync('/etc/hostname', join(dir, 'clusters/c1/outside.yaml'));

describe('parallel scanner', () => {
  it('finds the same targets and problems as one thread, in the same order', async () => {
    const sequential = await scanRepository(nodeRepo(dir));
    const parallel = await scanRepository(nodeRepo(dir), {
      parallel: parallelScanner(dir, { cores: 3, minFilesPerWorker: 10 }),
    });
    expect(sequential.targets.length).toBe(90);
    expect(sequential.problems.map((p) => p.file)).toEqual([
      'clusters/c0/broken.yaml',
      'clusters/c0/dup.yaml',
      'clusters/c1/outside.yaml',
    ]);
    expect(parallel).toEqual(sequential);
  });

  it('gives the same when the files are cut into many small chunks the threads take in turn', async () => {
    const sequential = await scanRepository(nodeRepo(dir));
    const parallel = await scanRepository(nodeRepo(dir), {
      parallel: parallelScanner(dir, { cores: 2, minFilesPerWorker: 10, chunkFiles: 7 }),
    });
    expect(parallel).toEqual(sequential);
  });

  it('stays on one thread for few files', async () => {
    const scan = parallelScanner(dir, { cores: 4 });
    const batches = await scan(['apps/c0/values-0.yaml'], 1 << 20);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.hits).toHaveLength(1);
  });
});
