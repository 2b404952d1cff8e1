// A simulated Flux (source-controller + kustomize-controller) for a repository laid out
// as `clusters/<cluster>/*.yaml` Kustomizations: on a new commit the GitRepository
// artifact moves to it, then each Kustomization (dependsOn first) goes Ready=Unknown
// (Progressing, lastAttemptedRevision), applies its path (server-side apply: spec only,
// so an annotation set in the cluster stays), waits for its objects (`wait: true`, as
// kstatus sees them: the operator simulators' `ready`), and goes Ready=True with
// lastAppliedRevision; past `spec.timeout` it reports HealthCheckFailed and keeps
// waiting. The phases are the kustomize-controller's (its docs in ../shared/fixtures
// gitops-status/flux); the delays are plausible seconds on the virtual clock.
import type { KubeObject } from '../../../lib/cluster-state.ts';
import { findResource } from '../../../lib/cluster/resources.ts';
import { parseDuration } from '../../../lib/policy/duration.ts';
import { kustomizeBuild, yamlDocs } from './kustomize.ts';
import type { GitOpsApplier, RevisionFiles, SimContext } from './types.ts';

const groupOf = (o: KubeObject) => (o.apiVersion?.includes('/') ? o.apiVersion.split('/')[0]! : '');

export interface FluxOptions {
  /** Where a cluster's Kustomizations are: default `clusters/<cluster>`. */
  dir?: (cluster: string) => string;
  branch?: string;
  /** Source fetch after a commit (the GitRepository interval, or a webhook receiver). */
  fetchMs?: number;
  /** From Progressing to applied. */
  applyMs?: number;
  /** How often `wait` re-checks health. */
  pollMs?: number;
}

/** Writes `rendered` into the cluster as an apply would: spec (and labels) only, generation bumped on change. */
export function applyObjects(c: SimContext, rendered: readonly KubeObject[]): KubeObject[] {
  const changed: KubeObject[] = [];
  for (const o of rendered) {
    const group = groupOf(o);
    if (!o.kind || !findResource(group, o.kind)) continue;
    const live = c.kube.get(group, o.kind, o.metadata?.namespace, o.metadata?.name ?? '');
    if (!live) {
      c.kube.apply({ ...o, metadata: { ...o.metadata, generation: 1 } });
      changed.push(o);
      continue;
    }
    if (JSON.stringify(live.spec) === JSON.stringify(o.spec)) continue;
    c.kube.update(group, o.kind, o.metadata?.namespace, o.metadata?.name ?? '', (x) => {
      x.spec = structuredClone(o.spec);
      x.metadata = {
        ...x.metadata,
        labels: { ...x.metadata?.labels, ...o.metadata?.labels },
        generation: (x.metadata?.generation ?? 1) + 1,
      };
    });
    changed.push(o);
  }
  return changed;
}

export function fluxApplier(opts: FluxOptions = {}): GitOpsApplier & {
  kustomizations(files: RevisionFiles, cluster: string): KubeObject[];
} {
  const branch = opts.branch ?? 'main';
  const dirOf = opts.dir ?? ((cluster: string) => `clusters/${cluster}`);
  const rev = (sha: string) => `${branch}@sha1:${sha}`;
  /** The newest revision each cluster is on its way to: an older chain stops. */
  const latest = new Map<string, string>();

  const kustomizations = (files: RevisionFiles, cluster: string) =>
    files
      .list(dirOf(cluster))
      .filter((p) => p.endsWith('.yaml'))
      .flatMap((p) => yamlDocs(files, p))
      .filter((o) => o.kind === 'Kustomization' && groupOf(o) === 'kustomize.toolkit.fluxcd.io');

  const ready = (sha: string, message = `Applied revision: ${rev(sha)}`) => ({
    type: 'Ready',
    status: 'True',
    reason: 'ReconciliationSucceeded',
    message,
  });

  return {
    kind: 'flux',
    kustomizations,
    seed(_c, files) {
      const source: KubeObject = {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'GitRepository',
        metadata: { name: 'flux-system', namespace: 'flux-system', generation: 1 },
        spec: { interval: '1m', ref: { branch }, url: 'https://github.com/example/fleet' },
        status: {
          observedGeneration: 1,
          artifact: { revision: rev(files.commit) },
          conditions: [ready(files.commit, `stored artifact for revision '${rev(files.commit)}'`)],
        },
      };
      const ks = kustomizations(files, _c.cluster).map((k) => ({
        ...k,
        metadata: { ...k.metadata, generation: 1 },
        status: {
          observedGeneration: 1,
          lastAppliedRevision: rev(files.commit),
          lastAttemptedRevision: rev(files.commit),
          conditions: [ready(files.commit)],
        },
      }));
      return [source, ...ks];
    },
    render(c, files) {
      return kustomizations(files, c.cluster).flatMap((k) =>
        kustomizeBuild(files, String(k.spec?.path ?? '.')),
      );
    },
    onRevision(c, files, operators) {
      const sha = files.commit;
      latest.set(c.cluster, sha);
      const current = () => latest.get(c.cluster) === sha;
      const ks = kustomizations(files, c.cluster);
      c.after(opts.fetchMs ?? 30_000, `flux: ${c.cluster} fetched ${sha.slice(0, 7)}`, () => {
        if (!current()) return;
        c.kube.update('source.toolkit.fluxcd.io', 'GitRepository', 'flux-system', 'flux-system', (g) => {
          g.status = {
            ...g.status,
            artifact: { revision: rev(sha) },
            conditions: [ready(sha, `stored artifact for revision '${rev(sha)}'`)],
          };
        });
        c.record(`${c.cluster}: flux: GitRepository flux-system stored ${rev(sha.slice(0, 7))}`);
        const done = new Set<string>();
        const start = (k: KubeObject) => {
          const name = k.metadata!.name!;
          const ns = k.metadata!.namespace!;
          const update = (fn: (o: KubeObject) => void) =>
            c.kube.update('kustomize.toolkit.fluxcd.io', 'Kustomization', ns, name, fn);
          update((o) => {
            o.status = {
              ...o.status,
              lastAttemptedRevision: rev(sha),
              conditions: [
                {
                  type: 'Reconciling',
                  status: 'True',
                  reason: 'Progressing',
                  message: `Reconciliation in progress`,
                },
                {
                  type: 'Ready',
                  status: 'Unknown',
                  reason: 'Progressing',
                  message: 'Reconciliation in progress',
                },
              ],
            };
          });
          c.record(`${c.cluster}: flux: Kustomization ${name} Progressing`);
          c.after(opts.applyMs ?? 10_000, `flux: ${c.cluster} applies ${name}`, () => {
            if (!current()) return;
            const rendered = kustomizeBuild(files, String(k.spec?.path ?? '.'));
            const changed = applyObjects(c, rendered);
            for (const o of changed)
              c.record(
                `${c.cluster}: flux: applied ${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`,
              );
            for (const op of operators) op.applied(c, changed);
            const started = c.now().getTime();
            const timeoutMs = parseDuration(String(k.spec?.timeout ?? '5m')) ?? 300_000;
            let reportedTimeout = false;
            const check = () => {
              if (!current()) return;
              if (!operators.every((op) => op.ready(c))) {
                if (!reportedTimeout && c.now().getTime() - started >= timeoutMs) {
                  reportedTimeout = true;
                  update((o) => {
                    o.status = {
                      ...o.status,
                      conditions: [
                        {
                          type: 'Ready',
                          status: 'False',
                          reason: 'HealthCheckFailed',
                          message: 'timeout waiting for: workloads',
                        },
                      ],
                    };
                  });
                  c.record(`${c.cluster}: flux: Kustomization ${name} HealthCheckFailed`);
                }
                c.after(opts.pollMs ?? 15_000, `flux: ${c.cluster} ${name} waits for health`, check);
                return;
              }
              update((o) => {
                o.status = {
                  ...o.status,
                  observedGeneration: o.metadata?.generation ?? 1,
                  lastAppliedRevision: rev(sha),
                  lastAttemptedRevision: rev(sha),
                  conditions: [ready(sha)],
                };
              });
              c.record(`${c.cluster}: flux: Kustomization ${name} Ready at ${sha.slice(0, 7)}`);
              done.add(name);
              for (const next of ks)
                if (
                  !done.has(next.metadata!.name!) &&
                  ((next.spec?.dependsOn as { name: string }[] | undefined) ?? []).some(
                    (d) => d.name === name,
                  )
                )
                  start(next);
            };
            check();
          });
        };
        for (const k of ks) if (!((k.spec?.dependsOn as unknown[] | undefined)?.length ?? 0)) start(k);
      });
    },
  };
}
