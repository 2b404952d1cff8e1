// `cairn plan --kubeconfig [NAME=]FILE`: the same ClusterFacts a
// `--cluster-state` file gives, read from a live cluster (Node kubelet
// versions, operator Deployments). FILE `default` means KUBECONFIG,
// ~/.kube/config, then the in-cluster service account.
import { resolve } from 'node:path';
import { readClusterFacts } from '../cluster/reader.ts';
import { RemoteError, UsageError } from '../errors.ts';
import type { ClusterFacts } from '../model.ts';
import { kubeTransport, loadKubeConfig } from './kube-client.ts';

export interface LiveCluster {
  name: string;
  facts: ClusterFacts;
  notes: string[];
}

export async function readLiveCluster(spec: string, cwd: string): Promise<LiveCluster> {
  const eq = spec.indexOf('=');
  const named = eq > 0 ? spec.slice(0, eq) : undefined;
  const file = eq > 0 ? spec.slice(eq + 1) : spec;
  if (!file) throw new UsageError(`--kubeconfig takes [NAME=]FILE (FILE may be "default"), got "${spec}"`);
  let kc;
  try {
    kc = loadKubeConfig(file === 'default' ? {} : { kubeconfigPath: resolve(cwd, file) });
  } catch (e) {
    throw new UsageError(`--kubeconfig ${spec}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const name = named ?? kc.getCurrentCluster()?.name ?? 'default';
  const read = await readClusterFacts(kubeTransport(kc), name);
  if (read.problems.length) {
    const retryable = read.problems.every((p) => p.kind === 'unavailable');
    throw new RemoteError(
      `kubernetes (${name})`,
      `cannot read the cluster: ${read.problems.map((p) => `${p.resource}: ${p.message}`).join('; ')}`,
      { retryable },
    );
  }
  return { name, facts: read.facts, notes: read.notes };
}
