// Benchmark of the targets scanner and editor.
//   scan: a generated repository of 10,000 manifests (2,000 version targets of
//         every kind), find + read all targets; wall time and peak RSS, each
//         run in a fresh child process; medians over the runs.
//   edit: one target in a 3,000-line values file; median over the runs, for
//         the trusted path (text the scan read) and the re-verifying path.
// Run: scripts/with-node.sh node bench/targets.ts
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { editTarget } from '../lib/targets/edit.ts';
import { nodeRepo } from '../lib/node/repo.ts';
import { memoryRepo } from '../lib/targets/repo.ts';
import { scanRepository } from '../lib/targets/scan.ts';

export interface BenchRow {
  name: string;
  median: number;
  /** 90th percentile, when the bench keeps every run. */
  p90?: number;
  unit: string;
  limit: number;
  runs: number;
}

const MANIFESTS = 10_000;
const TARGETS = 2_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** One manifest with exactly one target, of kind `i % 10`. */
function targetManifest(i: number): [string, string] {
  const v = `7.${i % 5}.${i % 17}`;
  switch (i % 10) {
    case 0:
      return [
        `charts/c${i}/values.yaml`,
        `# chart ${i}\nimage:\n  registry: mirror.example.com\n  repository: bitnami/redis\n  tag: ${v}-debian-12-r${i % 9}\n  pullPolicy: IfNotPresent\nreplicaCount: 3\n`,
      ];
    case 1:
      return [
        `apps/a${i}/release.yaml`,
        `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: r${i}\n  namespace: n${i}\nspec:\n  interval: 10m\n  values:\n    redis:\n      repository: library/redis\n      tag: "${v}"\n`,
      ];
    case 2:
      return [
        `argo/app${i}.yaml`,
        `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: app${i}\n  namespace: argocd\nspec:\n  source:\n    chart: redis\n    repoURL: oci://charts.example.com/bitnamicharts\n    targetRevision: 18.${i % 20}.1\n`,
      ];
    case 3:
      return [
        `clusters/k${i}/kustomization.yaml`,
        `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deploy.yaml\nimages:\n  - name: redis\n    newTag: ${v}\n`,
      ];
    case 4:
      return [
        `redis/rc${i}.yaml`,
        `apiVersion: redis.io/v1\nkind: RedisCluster\nmetadata:\n  name: rc${i}\nspec:\n  instances: 3\n  imageName: redis:${v}\n`,
      ];
    case 5:
      return [
        `re/rec${i}.yaml`,
        `apiVersion: app.redislabs.com/v1\nkind: RedisEnterpriseCluster\nmetadata:\n  name: rec${i}\nspec:\n  nodes: 3\n  redisEnterpriseImageSpec:\n    repository: redislabs/redis\n    versionTag: 7.4.6-${i % 200}\n`,
      ];
    case 6:
      return [
        `kubedb/rd${i}.yaml`,
        `apiVersion: kubedb.com/v1\nkind: Redis\nmetadata:\n  name: rd${i}\n  namespace: demo\nspec:\n  version: ${v}\n  storageType: Durable\n`,
      ];
    case 7:
      return [
        `ot/r${i}.yaml`,
        `---\napiVersion: redis.redis.opstreelabs.in/v1beta2\nkind: RedisReplication\nmetadata:\n  name: r${i}\nspec:\n  clusterSize: 3\n  kubernetesConfig:\n    image: mirror.example.com/opstree/redis:v${v}\n`,
      ];
    case 8:
      return [
        `operators/op${i}.yaml`,
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: op${i}\nspec:\n  template:\n    spec:\n      containers:\n        - name: operator\n          image: redislabs/operator:7.4.6-${i % 9}\n`,
      ];
    default:
      return [
        `alauda/r${i}.yaml`,
        `apiVersion: middleware.alauda.io/v1\nkind: Redis\nmetadata:\n  name: r${i}\nspec:\n  arch: cluster\n  version: "7.${i % 4}"\n`,
      ];
  }
}

/** A manifest with no target (other workloads, services, config). */
function plainManifest(i: number): [string, string] {
  switch (i % 4) {
    case 0:
      return [
        `workloads/w${i}.yaml`,
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web${i}\n  labels:\n    app: web${i}\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27.${i % 9}\n          ports:\n            - containerPort: 8080\n`,
      ];
    case 1:
      return [
        `services/s${i}.yaml`,
        `apiVersion: v1\nkind: Service\nmetadata:\n  name: svc${i}\nspec:\n  selector:\n    app: web${i}\n  ports:\n    - port: 80\n      targetPort: 8080\n`,
      ];
    case 2:
      return [
        `config/cm${i}.yaml`,
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm${i}\ndata:\n  LOG_LEVEL: info # verbose\n  FEATURE_X: "true"\n`,
      ];
    default:
      return [
        `apps/h${i}/values.yaml`,
        `image:\n  repository: example/app${i}\n  tag: 2.${i % 7}.0\nservice:\n  port: 80\n`,
      ];
  }
}

export function generateRepository(dir: string): { manifests: number; expectedTargets: number } {
  for (let i = 0; i < MANIFESTS; i++) {
    const [path, text] = i < TARGETS ? targetManifest(i) : plainManifest(i);
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { manifests: MANIFESTS, expectedTargets: TARGETS };
}

/** A values file of about `lines` lines with the Redis image tag in the middle. */
export function bigValuesFile(lines: number): string {
  const out: string[] = ['# generated values', ''];
  let n = 0;
  while (out.length < lines / 2) {
    out.push(
      `component${n}:`,
      '  # a comment',
      `  enabled: ${n % 2 === 0}`,
      `  replicas: ${n % 5}`,
      '  resources:',
      `    cpu: ${n}m`,
      '',
    );
    n++;
  }
  out.push('redis:', '  image:', '    repository: library/redis', '    tag: "7.2.4" # the target', '');
  while (out.length < lines) {
    out.push(`extra${n}:`, `  name: "value ${n}"`, `  list: [a, b, c]`, '');
    n++;
  }
  return `${out.slice(0, lines).join('\n')}\n`;
}

async function scanOnce(dir: string): Promise<void> {
  const start = performance.now();
  const inv = await scanRepository(nodeRepo(dir));
  const ms = performance.now() - start;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    JSON.stringify({ ms, maxRssMb, targets: inv.targets.length, problems: inv.problems.length }),
  );
}

export async function runTargetsBench(
  opts: { scanRuns?: number; editRuns?: number } = {},
): Promise<BenchRow[]> {
  const scanRuns = opts.scanRuns ?? 5;
  const editRuns = opts.editRuns ?? 200;
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-targets-'));
  try {
    const { expectedTargets } = generateRepository(dir);
    const self = fileURLToPath(import.meta.url);
    const times: number[] = [];
    const rss: number[] = [];
    for (let r = 0; r < scanRuns; r++) {
      const out = execFileSync(process.execPath, [self, '--scan-once', dir], { encoding: 'utf8' });
      const res = JSON.parse(out) as { ms: number; maxRssMb: number; targets: number };
      if (res.targets !== expectedTargets)
        throw new Error(`found ${res.targets} targets, expected ${expectedTargets}`);
      times.push(res.ms);
      rss.push(res.maxRssMb);
    }
    const text = bigValuesFile(3000);
    const inv = await scanRepository(memoryRepo({ 'charts/big/values.yaml': text }));
    const target = inv.targets.find((t) => t.field === 'redis.image.tag');
    if (!target) throw new Error('bench target not found');
    const timeEdits = (verify: boolean) => {
      const xs: number[] = [];
      for (let r = 0; r < editRuns; r++) {
        const start = performance.now();
        const out = editTarget(text, target, r % 2 ? '7.2.5' : '7.4.1', { verify });
        xs.push(performance.now() - start);
        if (out.length !== text.length) throw new Error('edit changed the length');
      }
      return median(xs);
    };
    return [
      {
        name: `scan ${MANIFESTS} manifests, ${expectedTargets} targets: wall`,
        median: median(times),
        unit: 'ms',
        limit: 3000,
        runs: scanRuns,
      },
      { name: 'scan: peak RSS', median: median(rss), unit: 'MB', limit: 500, runs: scanRuns },
      {
        name: 'edit 1 target, 3,000-line values file',
        median: timeEdits(false),
        unit: 'ms',
        limit: 5,
        runs: editRuns,
      },
      {
        name: 'edit, re-verifying the file (verify: true)',
        median: timeEdits(true),
        unit: 'ms',
        limit: Number.NaN,
        runs: editRuns,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatBenchTable(rows: readonly BenchRow[]): string {
  const lines = ['| benchmark | median | p90 | limit | runs |', '|---|---:|---:|---:|---:|'];
  const fmt = (x: number, unit: string) => `${x.toFixed(unit === 'ms' && x < 10 ? 3 : 0)} ${unit}`;
  for (const r of rows) {
    const limit = Number.isNaN(r.limit) ? '—' : `< ${r.limit} ${r.unit}`;
    const p90 = r.p90 === undefined ? '—' : fmt(r.p90, r.unit);
    lines.push(`| ${r.name} | ${fmt(r.median, r.unit)} | ${p90} | ${limit} | ${r.runs} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--scan-once') await scanOnce(process.argv[3]!);
  else console.log(formatBenchTable(await runTargetsBench()));
}
