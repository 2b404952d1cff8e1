// Benchmark of the gate: (1) evaluateGate over one reading of a large cluster
// (400 howl-cloud RedisClusters with 3 Pods each, 100 Argo CD Applications),
// for one step; (2) readForStep: the direct reads one gate decision makes,
// through the real @kubernetes/client-node against the in-process test
// Kubernetes API server holding that cluster. Requirement for (1): a median
// under 5 ms per decision on one core; (2) is reported (loopback HTTP, no limit).
// Run: scripts/with-node.sh node bench/gate.ts
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../lib/cluster-state.ts';
import { readForStep } from '../lib/cluster/reader.ts';
import { DEFAULT_GATE_POLICY, evaluateGate } from '../lib/gate/index.ts';
import { kubeTransport, loadKubeConfig } from '../lib/node/kube-client.ts';
import { argoApp, howlStep, MERGE, MERGED_AT, pods, redisCluster } from '../test/support/gate-world.ts';
import { startKubeServer } from '../test/support/kube-server/index.ts';
import type { BenchRow } from './targets.ts';

const CLUSTERS = 400;
const APPS = 100;

function world(): KubeObject[] {
  const out: KubeObject[] = [argoApp(MERGE, new Date(MERGED_AT.getTime() + 5 * 60_000).toISOString())];
  for (let i = 1; i < APPS; i++) {
    const a = argoApp(MERGE, MERGED_AT.toISOString());
    a.metadata!.name = `app-${i}`;
    (a.spec as { source: { path: string } }).source.path = `clusters/other-${i}`;
    out.push(a);
  }
  out.push(redisCluster('Healthy'), ...pods('redis:7.4.1'));
  for (let i = 1; i < CLUSTERS; i++) {
    const rc = redisCluster('Healthy');
    rc.metadata!.name = `cache-${i}`;
    rc.metadata!.namespace = `ns-${i % 40}`;
    out.push(rc);
    for (const p of pods('redis:7.4.1')) {
      p.metadata!.name = `cache-${i}-${p.metadata!.name}`;
      p.metadata!.namespace = rc.metadata!.namespace;
      p.metadata!.labels!['redis.io/cluster'] = `cache-${i}`;
      out.push(p);
    }
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
function p90(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length * 0.9)]!;
}

export async function runGateBench(): Promise<BenchRow[]> {
  const step = howlStep();
  const objects = world();
  const now = new Date(MERGED_AT.getTime() + 10 * 60_000);
  const reading = { readAt: now, objects, problems: [] };
  const input = { step, mergeCommit: MERGE, mergedAt: MERGED_AT, reading, policy: DEFAULT_GATE_POLICY, now };
  for (let i = 0; i < 20; i++) evaluateGate(input);
  const gateRuns: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    const r = evaluateGate(input);
    gateRuns.push(performance.now() - t);
    if (r.verdict !== 'pass') throw new Error(`unexpected verdict ${r.verdict}`);
  }

  const server = await startKubeServer(objects);
  const kube = kubeTransport(loadKubeConfig({ kubeconfigText: server.kubeconfig() }));
  for (let i = 0; i < 5; i++) await readForStep(kube, step, () => now);
  const readRuns: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    const r = await readForStep(kube, step, () => now);
    readRuns.push(performance.now() - t);
    if (r.problems.length) throw new Error(r.problems[0]!.message);
  }
  await server.stop();
  return [
    {
      name: `gate: evaluateGate, ${objects.length} objects`,
      median: median(gateRuns),
      p90: p90(gateRuns),
      unit: 'ms',
      limit: 5,
      runs: gateRuns.length,
    },
    {
      name: 'gate: readForStep via client-node (test API server, loopback)',
      median: median(readRuns),
      p90: p90(readRuns),
      unit: 'ms',
      limit: Number.NaN,
      runs: readRuns.length,
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { formatBenchTable } = await import('./targets.ts');
  console.log(formatBenchTable(await runGateBench()));
}
