// deploy/kubernetes rendered with the real `kubectl kustomize` in every documented
// combination, each object validated against the Kubernetes OpenAPI (and the CRDs
// of the custom resources), and the RBAC checked against what the readers read.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { agentClusterRole } from '../../lib/cluster/rbac.ts';
import { ensurePrimaryUpdateApproved, readForStep, readSnapshot } from '../../lib/cluster/index.ts';
import { RESOURCES } from '../../lib/cluster/resources.ts';
import { envSchema, SECRET_VARIABLES } from '../../lib/config.ts';
import { systemClock } from '../../lib/node/clock.ts';
import { kubeTransport, loadKubeConfig } from '../../lib/node/kube-client.ts';
import { memoryStore } from '../../lib/store/index.ts';
import { repoRoot } from '../support/fixtures.ts';
import { cacheApproval, howlStep, pods, redisCluster } from '../support/gate-world.ts';
import {
  describeWithKubectl,
  kustomize,
  kustomizeDir,
  renderCombination,
  validateManifest,
  type Manifest,
} from '../support/k8s-manifests.ts';
import { startKubeServer } from '../support/kube-server/index.ts';

const OPTIONAL = ['ingress', 'service-monitor', 'high-availability'] as const;

/** Every subset of the optional all-in-one components (docs/deploy.md: "combine freely"). */
function subsets<T>(xs: readonly T[]): T[][] {
  return xs.reduce<T[][]>((acc, x) => [...acc, ...acc.map((s) => [...s, x])], [[]]);
}

const COMBINATIONS: { name: string; mode: 'all-in-one' | 'agent'; render: () => Manifest[] }[] = [
  {
    name: 'all-in-one/ (as shipped)',
    mode: 'all-in-one',
    render: () => kustomize(join(kustomizeDir, 'all-in-one')),
  },
  { name: 'agent/ (as shipped)', mode: 'agent', render: () => kustomize(join(kustomizeDir, 'agent')) },
  ...subsets(OPTIONAL).map((extra) => ({
    name: `base + all-in-one${extra.map((e) => ` + ${e}`).join('')}`,
    mode: 'all-in-one' as const,
    render: () =>
      renderCombination(['base'], ['components/all-in-one', ...extra.map((e) => `components/${e}`)]),
  })),
];

type Container = {
  name: string;
  args?: string[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: Record<string, { name?: string; key?: string; optional?: boolean }>;
  }[];
  securityContext?: Record<string, unknown>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  startupProbe?: { httpGet?: { path: string } };
};
type PodSpec = {
  securityContext?: Record<string, unknown>;
  containers: Container[];
  serviceAccountName?: string;
};

function deployment(objects: Manifest[]): { spec: { replicas: number; template: { spec: PodSpec } } } {
  const d = objects.filter((o) => o.kind === 'Deployment');
  expect(d).toHaveLength(1);
  return d[0] as never;
}
function container(objects: Manifest[]): Container {
  return deployment(objects).spec.template.spec.containers[0]!;
}

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };

/** (group, resource, verb) triples granted cluster-wide to the ServiceAccount cairn/cairn. */
function clusterGrants(objects: Manifest[]): string[] {
  const bound = objects
    .filter((o) => o.kind === 'ClusterRoleBinding')
    .filter((b) =>
      (b.subjects as { kind: string; name: string; namespace: string }[]).some(
        (s) => s.kind === 'ServiceAccount' && s.name === 'cairn' && s.namespace === 'cairn',
      ),
    )
    .map((b) => (b.roleRef as { name: string }).name);
  const out = new Set<string>();
  for (const role of objects.filter((o) => o.kind === 'ClusterRole' && bound.includes(o.metadata.name)))
    for (const r of role.rules as Rule[]) {
      expect(r.resourceNames, `${role.metadata.name}: a cluster rule names no objects`).toBeUndefined();
      for (const g of r.apiGroups)
        for (const res of r.resources) for (const v of r.verbs) out.add(`${g}/${res}:${v}`);
    }
  return [...out].sort();
}

/** The set the code needs: get, list, watch on lib/cluster/resources.ts; patch where approve.ts writes. */
function grantsTheReadersNeed(): string[] {
  const out = new Set<string>();
  for (const r of RESOURCES) for (const v of ['get', 'list', 'watch']) out.add(`${r.group}/${r.plural}:${v}`);
  out.add('redis.io/redisclusters:patch');
  return [...out].sort();
}

/** Environment variable names the code reads: lib/config.ts's schema, and every `env.NAME` in the sources. */
function variablesTheCodeReads(): Set<string> {
  const names = new Set(Object.keys(envSchema.shape));
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts'))
        for (const m of readFileSync(p, 'utf8').matchAll(/\benv(?:\.|\[['"])([A-Z][A-Z0-9_]+)/g))
          names.add(m[1]!);
    }
  };
  for (const d of ['cli', 'lib', 'functions']) walk(join(repoRoot, d));
  return names;
}

const serveExists = existsSync(join(repoRoot, 'cli/commands/serve.ts'));

describeWithKubectl('deploy/kubernetes rendered by kubectl kustomize', () => {
  describe.each(COMBINATIONS)('$name', ({ mode, render }) => {
    const objects = render();

    it('every object is valid against the Kubernetes OpenAPI or its CRD, with no unknown field', async () => {
      const problems = (await Promise.all(objects.map(validateManifest))).flat();
      expect(problems).toEqual([]);
    });

    it('every namespaced object is in the namespace cairn, labelled app.kubernetes.io/name: cairn', () => {
      const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'];
      for (const o of objects) {
        if (!clusterScoped.includes(o.kind))
          expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe('cairn');
        expect(o.metadata.labels?.['app.kubernetes.io/name'], `${o.kind} ${o.metadata.name}`).toBe('cairn');
      }
    });

    it('the ServiceAccount gets exactly the grants the readers and the approval need, cluster-wide', () => {
      expect(clusterGrants(objects)).toEqual(grantsTheReadersNeed());
      // and the same set lib/cluster/rbac.ts builds for the agent
      const fromCode = new Set<string>();
      for (const r of agentClusterRole().rules as Rule[])
        for (const g of r.apiGroups)
          for (const res of r.resources) for (const v of r.verbs) fromCode.add(`${g}/${res}:${v}`);
      expect(clusterGrants(objects)).toEqual([...fromCode].sort());
    });

    it('runs restricted: non-root, read-only root filesystem, no privilege escalation, seccomp RuntimeDefault, no capability', () => {
      const d = deployment(objects);
      const pod = d.spec.template.spec;
      expect(pod.serviceAccountName).toBe('cairn');
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(Number(pod.securityContext?.runAsUser)).toBeGreaterThan(0);
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.securityContext?.capabilities).not.toHaveProperty('add');
        expect(c.resources?.requests?.cpu).toBeDefined();
        expect(c.resources?.requests?.memory).toBeDefined();
        expect(c.resources?.limits?.memory).toBeDefined();
      }
    });

    it('secrets come from the Secret cairn, never as plain values', () => {
      for (const e of container(objects).env ?? []) {
        if (!(SECRET_VARIABLES as readonly string[]).includes(e.name)) continue;
        if (e.name === 'CAIRN_STORE' && e.value !== undefined) {
          // a SQLite path holds no password; a Redis URL must come from the Secret
          expect(e.value).toMatch(/^sqlite:/);
          continue;
        }
        expect(e.value, e.name).toBeUndefined();
        expect(e.valueFrom?.secretKeyRef, e.name).toMatchObject({ name: 'cairn', key: e.name });
      }
    });

    if (mode === 'all-in-one')
      it('runs cairn serve with /healthz and /readyz probes on the Service port, and the Secret cairn holds its secrets', () => {
        const c = container(objects);
        expect(c.args).toEqual(['serve']);
        expect(c.livenessProbe?.httpGet?.path).toBe('/healthz');
        expect(c.startupProbe?.httpGet?.path).toBe('/healthz');
        expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
        const names = (c.env ?? []).map((e) => e.name);
        for (const s of SECRET_VARIABLES) expect(names, s).toContain(s);
        const required = (c.env ?? [])
          .filter((e) => e.valueFrom?.secretKeyRef && !e.valueFrom.secretKeyRef.optional)
          .map((e) => e.name);
        expect(required).toContain('GITHUB_WEBHOOK_SECRET');
        expect(objects.some((o) => o.kind === 'Service')).toBe(true);
      });

    if (mode === 'all-in-one')
      it("sets every variable lib/config.ts defines, but the policy folder (the service reads each repository's .cairn/)", () => {
        const names = new Set((container(objects).env ?? []).map((e) => e.name));
        const missing = Object.keys(envSchema.shape).filter((n) => !names.has(n) && n !== 'CAIRN_POLICIES');
        expect(missing).toEqual([]);
      });

    if (mode === 'agent')
      it('runs cairn agent with its cluster and push URL from the ConfigMap, signing with CAIRN_AGENT_SECRET', () => {
        const c = container(objects);
        expect(c.args?.slice(0, 5)).toEqual([
          'agent',
          '--cluster',
          '$(CAIRN_CLUSTER)',
          '--push',
          '$(CAIRN_PUSH_URL)',
        ]);
        const secret = (c.env ?? []).find((e) => e.name === 'CAIRN_AGENT_SECRET');
        expect(secret?.valueFrom?.secretKeyRef).toEqual({ name: 'cairn', key: 'CAIRN_AGENT_SECRET' });
        const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('cairn-agent'));
        expect(Object.keys((cm?.data as object) ?? {}).sort()).toEqual(['CAIRN_CLUSTER', 'CAIRN_PUSH_URL']);
        expect(objects.map((o) => o.kind)).not.toContain('Service');
      });

    const envCheck = mode === 'agent' || serveExists ? it : it.skip;
    envCheck(
      `every variable it sets is read by the code or used in the arguments${mode === 'all-in-one' && !serveExists ? ' (skipped: cli/commands/serve.ts does not exist yet)' : ''}`,
      () => {
        const c = container(objects);
        const read = variablesTheCodeReads();
        const args = (c.args ?? []).join(' ');
        const unused = (c.env ?? [])
          .map((e) => e.name)
          .filter((n) => !read.has(n) && !args.includes(`$(${n})`));
        expect(unused).toEqual([]);
      },
    );
  });

  it('the high-availability component runs two replicas on a shared Redis store, with no grant beyond the base', () => {
    const objects = renderCombination(['base'], ['components/all-in-one', 'components/high-availability']);
    expect(deployment(objects).spec.replicas).toBe(2);
    const store = container(objects).env?.find((e) => e.name === 'CAIRN_STORE');
    expect(store).toEqual({
      name: 'CAIRN_STORE',
      valueFrom: { secretKeyRef: { name: 'cairn', key: 'CAIRN_STORE' } },
    });
    const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget');
    expect(pdb?.spec).toMatchObject({ minAvailable: 1 });
    expect(pdb?.spec).not.toHaveProperty('maxUnavailable');
    // cron is serialised by the store's lease lock: no Kubernetes Lease, no Role on leases
    expect(objects.map((o) => o.kind)).not.toContain('Role');
    expect(objects.map((o) => o.kind)).not.toContain('Lease');
  });

  it.each([
    ['all-in-one', /cat > my-cairn\/kustomization\.yaml <<'EOF'\n([\s\S]*?)\nEOF/],
    ['agent', /```yaml\n(resources:\n {2}- <path or URL>\/deploy\/kubernetes\/agent[\s\S]*?)```/],
  ])(
    'the %s overlay docs/deploy.md shows renders, valid, with its image and settings',
    async (dir, block) => {
      const text = readFileSync(join(repoRoot, 'docs/deploy.md'), 'utf8');
      const shown = parse(block.exec(text)![1]!) as {
        resources: string[];
        images: unknown;
        configMapGenerator: { literals: string[] }[];
      };
      expect(shown.resources).toHaveLength(1);
      expect(shown.resources[0]).toMatch(new RegExp(`deploy/kubernetes/${dir}`));
      const { resources: _, ...rest } = shown;
      const objects = renderCombination([dir], [], rest);
      expect((await Promise.all(objects.map(validateManifest))).flat()).toEqual([]);
      expect(deployment(objects).spec.template.spec.containers[0]).toMatchObject({
        image: 'REGISTRY/cairn:0.1.0',
      });
      const data = objects.filter((o) => o.kind === 'ConfigMap').map((o) => o.data as Record<string, string>);
      for (const literal of shown.configMapGenerator[0]!.literals) {
        const [k, v] = literal.split('=') as [string, string];
        expect(
          data.some((d) => d[k] === v),
          literal,
        ).toBe(true);
      }
    },
  );

  it('the read-only component leaves get, list and watch only, in either mode', async () => {
    for (const mode of ['all-in-one', 'agent']) {
      const objects = renderCombination(['base'], [`components/${mode}`, 'components/read-only']);
      expect((await Promise.all(objects.map(validateManifest))).flat()).toEqual([]);
      expect(clusterGrants(objects)).toEqual(grantsTheReadersNeed().filter((g) => !g.endsWith(':patch')));
    }
  });

  it('the ingress exposes /webhooks/ only: not /metrics, not the probes', () => {
    const objects = renderCombination(['base'], ['components/all-in-one', 'components/ingress']);
    const ingress = objects.find((o) => o.kind === 'Ingress') as unknown as {
      spec: { rules: { http: { paths: { path: string; pathType: string }[] } }[] };
    };
    expect(ingress.spec.rules.flatMap((r) => r.http.paths)).toEqual([
      expect.objectContaining({ path: '/webhooks/', pathType: 'Prefix' }),
    ]);
  });

  it('a typo in a field is caught by the validation (the check can fail)', async () => {
    const objects = kustomize(join(kustomizeDir, 'all-in-one'));
    const d = structuredClone(objects.find((o) => o.kind === 'Deployment')!) as unknown as {
      spec: { template: { spec: PodSpec } };
    };
    const c = d.spec.template.spec.containers[0]! as unknown as Record<string, unknown>;
    c.securityContxt = c.securityContext;
    (c.ports as { containerPort: unknown }[])[0]!.containerPort = 'http';
    const problems = await validateManifest(d as unknown as Manifest);
    expect(problems.some((p) => p.includes('securityContxt: unknown field'))).toBe(true);
    expect(problems.some((p) => p.includes('containerPort'))).toBe(true);
  });

  it('the rendered ClusterRoles are enough for a gate reading, a snapshot and the approval on a server that enforces them', async () => {
    const objects = kustomize(join(kustomizeDir, 'agent'));
    const rules = objects.filter((o) => o.kind === 'ClusterRole').flatMap((o) => o.rules as Rule[]);
    const server = await startKubeServer([redisCluster('WaitingForUser'), ...pods('redis:7.4.1')]);
    try {
      server.enforceRole(rules as never);
      const kube = kubeTransport(loadKubeConfig({ kubeconfigText: server.kubeconfig() }));
      const now = () => new Date('2026-12-01T09:00:00Z');
      expect((await readForStep(kube, howlStep(), now)).problems).toEqual([]);
      expect((await readSnapshot(kube, now)).problems).toEqual([]);
      expect(
        await ensurePrimaryUpdateApproved(kube, memoryStore(systemClock), cacheApproval, 'deploy-test'),
      ).toBe('patched');
    } finally {
      await server.stop();
    }
  });
});
