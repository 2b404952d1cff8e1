// A smoke test of the container as Kubernetes runs it, without a Docker engine:
// the Dockerfile's ENTRYPOINT (`node` on the compiled CLI) in a folder laid out as
// the image's /app (dist/ compiled by tsc -p tsconfig.build.json, bin/, policies/,
// the dependencies), with the arguments and environment `kubectl kustomize`
// renders: secrets filled in from a test Secret, $(VAR) expanded as the kubelet
// does. KUBECONFIG points at the test Kubernetes API server, standing in for the
// service account mount.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifySnapshot } from '../../lib/agent/snapshot.ts';
import { systemClock } from '../../lib/node/clock.ts';
import { memoryStore } from '../../lib/store/index.ts';
import { repoRoot } from '../support/fixtures.ts';
import { pods, redisCluster } from '../support/gate-world.ts';
import { describeWithKubectl, kustomize, kustomizeDir, type Manifest } from '../support/k8s-manifests.ts';
import { startKubeServer, type KubeTestServer } from '../support/kube-server/index.ts';

type EnvVar = {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
  };
};
type Container = { args?: string[]; env?: EnvVar[]; volumeMounts?: { name: string; mountPath: string }[] };

/** The one container of the rendered Deployment, and the rendered ConfigMaps by name. */
function rendered(dir: string): { container: Container; configMaps: Record<string, Record<string, string>> } {
  const objects = kustomize(join(kustomizeDir, dir));
  const d = objects.find((o) => o.kind === 'Deployment') as Manifest & {
    spec: { template: { spec: { containers: Container[] } } };
  };
  const configMaps = Object.fromEntries(
    objects
      .filter((o) => o.kind === 'ConfigMap')
      .map((o) => [o.metadata.name, (o.data ?? {}) as Record<string, string>]),
  );
  return { container: d.spec.template.spec.containers[0]!, configMaps };
}

/** The environment the kubelet would give the container: a missing required key is an error, as there. */
function containerEnv(
  c: Container,
  sources: {
    secret: Record<string, string>;
    configMaps: Record<string, Record<string, string>>;
    podName: string;
  },
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    const from = e.valueFrom;
    let v: string | undefined = e.value;
    if (from?.secretKeyRef) {
      expect(from.secretKeyRef.name).toBe('cairn');
      v = sources.secret[from.secretKeyRef.key];
      if (v === undefined && !from.secretKeyRef.optional)
        throw new Error(`Secret cairn has no key ${from.secretKeyRef.key}`);
    } else if (from?.configMapKeyRef) {
      v = sources.configMaps[from.configMapKeyRef.name]?.[from.configMapKeyRef.key];
      if (v === undefined && !from.configMapKeyRef.optional)
        throw new Error(`ConfigMap ${from.configMapKeyRef.name} has no key ${from.configMapKeyRef.key}`);
    } else if (from?.fieldRef) {
      expect(from.fieldRef.fieldPath).toBe('metadata.name');
      v = sources.podName;
    }
    if (v !== undefined) env[e.name] = v;
  }
  return env;
}

const expand = (args: string[], env: Record<string, string>) =>
  args.map((a) => a.replace(/\$\((\w+)\)/g, (m, n: string) => env[n] ?? m));

/** The Dockerfile's ENTRYPOINT, with `node` as this Node (24, the image's). */
function entrypoint(): string[] {
  const df = DockerfileParser.parse(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
  const argv = JSON.parse(df.getENTRYPOINTs()[0]!.getArgumentsContent()!) as string[];
  expect(argv[0]).toBe('node');
  return [process.execPath, ...argv.slice(1)];
}

let root: string;
let app: string;
let kube: KubeTestServer;
const children: ChildProcess[] = [];

function start(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const [cmd, ...rest] = entrypoint();
  const child = spawn(cmd!, [...rest, ...args], {
    cwd: app,
    env: { ...env, HOME: root },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, output: () => out, exit };
}

/** Waits for `check` to hold, at most `attempts` times 250 ms; the process's output explains a failure. */
async function eventually(
  check: () => Promise<boolean> | boolean,
  what: string,
  output: () => string,
  attempts = 120,
) {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not happen; the process said:\n${output()}`);
}

describeWithKubectl('the container command, with the environment kubectl kustomize renders', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-image-'));
    app = join(root, 'app');
    mkdirSync(join(app, 'bin'), { recursive: true });
    // the build stage: npm run build (tsc -p tsconfig.build.json), into this /app's dist/
    const tsc = spawnSync(
      process.execPath,
      [
        join(repoRoot, 'node_modules/typescript/bin/tsc'),
        '-p',
        join(repoRoot, 'tsconfig.build.json'),
        '--outDir',
        join(app, 'dist'),
      ],
      { encoding: 'utf8' },
    );
    if (tsc.status !== 0) throw new Error(`tsc: ${tsc.stdout}${tsc.stderr}`);
    // the runtime stage's COPY lines
    copyFileSync(join(repoRoot, 'bin/cairn.js'), join(app, 'bin/cairn.js'));
    copyFileSync(join(repoRoot, 'package.json'), join(app, 'package.json'));
    symlinkSync(join(repoRoot, 'policies'), join(app, 'policies'));
    symlinkSync(join(repoRoot, 'node_modules'), join(app, 'node_modules'));
    kube = await startKubeServer([redisCluster('Healthy'), ...pods('redis:7.4.1')]);
    writeFileSync(join(root, 'kubeconfig'), kube.kubeconfig());
  }, 120_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await kube?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('agent/: cairn agent pushes a snapshot the receiver verifies with the shared secret, and stops cleanly on SIGTERM', async () => {
    const secret = 'agent-secret-for-the-smoke-test';
    const received: { body: string; headers: IncomingHttpHeaders }[] = [];
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (b: Buffer) => (body += b.toString()));
      req.on('end', () => {
        if (req.url === '/webhooks/agent') received.push({ body, headers: req.headers });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/agent`;
      const { container, configMaps } = rendered('agent');
      // the user's values for the ConfigMap the overlay generates
      const name = Object.keys(configMaps).find((n) => n.startsWith('cairn-agent'))!;
      configMaps[name] = { ...configMaps[name], CAIRN_PUSH_URL: url };
      const env = containerEnv(container, {
        secret: { CAIRN_AGENT_SECRET: secret },
        configMaps,
        podName: 'cairn-7d9f-x2',
      });
      const proc = start(expand(container.args!, env), { ...env, KUBECONFIG: join(root, 'kubeconfig') });
      const seen = memoryStore(systemClock);
      await eventually(
        async () => {
          for (const m of received) {
            const v = await verifySnapshot(
              m.body,
              m.headers as Record<string, string>,
              secret,
              new Date(),
              seen,
            );
            if (v.ok && v.snapshot.kind === 'snapshot') {
              expect(v.snapshot.cluster).toBe(configMaps[name]!.CAIRN_CLUSTER);
              expect(v.snapshot.agent).toBe('cairn-7d9f-x2');
              expect(v.snapshot.objects.some((o) => o.kind === 'RedisCluster')).toBe(true);
              return true;
            }
          }
          return false;
        },
        'a verified snapshot',
        proc.output,
      );
      proc.child.kill('SIGTERM');
      expect(await proc.exit).toBe(0);
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  }, 120_000);

  const serveExists = existsSync(join(repoRoot, 'cli/commands/serve.ts'));
  (serveExists ? it : it.skip)(
    `all-in-one/: cairn serve answers its /healthz and /readyz probes${serveExists ? '' : ' (skipped: cli/commands/serve.ts does not exist yet)'}`,
    async () => {
      const { container, configMaps } = rendered('all-in-one');
      // GitHub answers nothing here: a closed local port instead of the real API
      const settings = Object.keys(configMaps).find((n) => n.startsWith('cairn-'))!;
      configMaps[settings] = { ...configMaps[settings], GITHUB_API_URL: 'http://127.0.0.1:9' };
      const env = containerEnv(container, {
        secret: {
          GITHUB_WEBHOOK_SECRET: 'webhook-secret-for-the-smoke-test',
          GITHUB_TOKEN: 'test-token',
          CAIRN_AGENT_SECRET: 'agent-secret-for-the-smoke-test',
        },
        configMaps,
        podName: 'cairn-7d9f-x2',
      });
      // the pod's volumes become folders here; a free port stands for the container's own
      for (const m of container.volumeMounts ?? []) {
        const dir = join(root, m.name);
        mkdirSync(dir, { recursive: true });
        for (const [k, v] of Object.entries(env)) env[k] = v.replaceAll(m.mountPath, dir);
      }
      const probe = createServer();
      await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
      const port = (probe.address() as AddressInfo).port;
      await new Promise((r) => probe.close(r));
      expect(env.PORT).toBe('8080');
      env.PORT = String(port);
      const proc = start(expand(container.args!, env), { ...env, KUBECONFIG: join(root, 'kubeconfig') });
      const status = async (path: string) => {
        try {
          return (await fetch(`http://127.0.0.1:${port}${path}`)).status;
        } catch {
          return 0;
        }
      };
      await eventually(async () => (await status('/healthz')) === 200, 'GET /healthz 200', proc.output);
      await eventually(async () => (await status('/readyz')) === 200, 'GET /readyz 200', proc.output);
      proc.child.kill('SIGTERM');
      expect(await proc.exit).toBe(0);
    },
    120_000,
  );
});
