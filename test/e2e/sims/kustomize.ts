// A small `kustomize build` for the example repositories: resources (files and
// directories with a kustomization.yaml), `patches` with a kind/name target applied as
// a merge patch, and `namespace`. Enough to know what a GitOps tool would apply; the
// real kustomize is exercised by test/deploy.
import { posix } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../../lib/cluster-state.ts';
import { mergePatch } from '../../support/kube-server/index.ts';
import type { RevisionFiles } from './types.ts';

export function yamlDocs(files: RevisionFiles, path: string): KubeObject[] {
  const text = files.read(path);
  if (text === undefined) throw new Error(`kustomize: ${path} is not in ${files.commit.slice(0, 12)}`);
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => !!o && typeof o === 'object' && !!o.kind);
}

interface Kustomization {
  resources?: string[];
  patches?: { path: string; target?: { kind?: string; name?: string } }[];
  namespace?: string;
}

export function kustomizeBuild(files: RevisionFiles, dir: string): KubeObject[] {
  const root = posix.normalize(dir.replace(/^\.\//, '')).replace(/\/$/, '');
  const kpath = `${root}/kustomization.yaml`;
  if (files.read(kpath) === undefined)
    return files
      .list(root)
      .filter((p) => p.endsWith('.yaml') && posix.dirname(p) === root)
      .flatMap((p) => yamlDocs(files, p));
  const k = yamlDocs(files, kpath)[0] as unknown as Kustomization;
  let out: KubeObject[] = [];
  for (const r of k.resources ?? []) {
    const p = posix.normalize(posix.join(root, r));
    out.push(...(files.read(p) !== undefined ? yamlDocs(files, p) : kustomizeBuild(files, p)));
  }
  for (const patch of k.patches ?? []) {
    const doc = yamlDocs(files, posix.join(root, patch.path))[0]!;
    const kind = patch.target?.kind ?? doc.kind;
    const name = patch.target?.name ?? doc.metadata?.name;
    out = out.map((o) =>
      o.kind === kind && o.metadata?.name === name ? (mergePatch(o, doc) as KubeObject) : o,
    );
  }
  if (k.namespace)
    out = out.map((o) =>
      o.kind === 'Namespace' ? o : { ...o, metadata: { ...o.metadata, namespace: k.namespace } },
    );
  return out;
}
