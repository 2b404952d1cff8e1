// Kustomize kustomization.yaml: `images[].newTag` (image from `newName` or
// `name`), `helmCharts[].version` and `valuesInline`, and remote resources
// pinned with `?ref=` (an operator's manifests or CRDs from its Git tags).
// Overlay patches are layers, resolved by ../layering.ts; patches written
// inline (`patches[].patch: |`, JSON6902 ops) are read by ./kustomize-patches.ts.
import { foundAt } from '../found.ts';
import { identifyChart, identifyGitRepository, identifyImage } from '../identify.ts';
import type { Found, KindExample } from '../kind.ts';
import { child, itemSegment, joinPath, seqItems, stringOf } from '../nodes.ts';
import { basename } from '../paths.ts';
import { isVersionRange, pickUrlRef } from '../tokens.ts';
import { findValuesImages } from '../values.ts';
import type { DocView } from '../yaml-file.ts';
import { TARGET_KINDS } from '../registry.ts';
import { defineKind } from './define.ts';
import { findInlinePatches } from './kustomize-patches.ts';

const examples: KindExample[] = [
  {
    file: 'clusters/prod/kustomization.yaml',
    text: [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources:',
      '  - github.com/howl-cloud/redis-operator/config/crd?ref=v0.2.5',
      'images:',
      '  - name: redis',
      '    newTag: "7.2.4"',
      'helmCharts:',
      '  - name: redis-operator',
      '    repo: oci://mirror.example.com/howl-cloud/charts',
      '    version: 0.2.5',
      '    valuesInline:',
      '      image: {repository: mirror.example.com/howl-cloud/redis-operator, tag: 0.2.5}',
      '',
    ].join('\n'),
    expect: [
      { field: 'resources[0]', current: 'v0.2.5', component: 'howl-redis-operator', role: 'crds' },
      { field: 'images[name=redis].newTag', current: '7.2.4', component: 'redis' },
      {
        field: 'helmCharts[name=redis-operator].version',
        current: '0.2.5',
        component: 'howl-redis-operator',
      },
      {
        field: 'helmCharts[name=redis-operator].valuesInline.image.tag',
        current: '0.2.5',
        component: 'howl-redis-operator',
      },
    ],
  },
];

const KUSTOMIZATION_FILE = /^(kustomization\.ya?ml|Kustomization)$/;

export function isKustomization(view: DocView, file: string): boolean {
  if (view.kind === 'Kustomization' && (view.apiVersion ?? '').startsWith('kustomize.config.k8s.io'))
    return true;
  return !view.kind && KUSTOMIZATION_FILE.test(basename(file));
}

export const kustomize = defineKind({
  id: 'kustomize',
  summary: 'Kustomize images[].newTag, helmCharts[].version/valuesInline, remote resources ?ref=',
  accepts: (view, ctx) => isKustomization(view, ctx.file),
  find: (view) => {
    const root = view.doc.contents;
    const out: Found[] = [];
    seqItems(child(root, 'resources')).forEach((r, i) => {
      const url = stringOf(r);
      if (!url?.includes('ref=')) return;
      const id = identifyGitRepository(url);
      if (!id) return;
      const f = foundAt(view, `resources[${i}]`, r, pickUrlRef);
      f.identity = id;
      out.push(f);
    });
    seqItems(child(root, 'images')).forEach((img, i) => {
      const name = stringOf(child(img, 'name'));
      const newName = stringOf(child(img, 'newName'));
      const tag = child(img, 'newTag');
      if (!name || !tag) return;
      const repo = newName ?? name;
      const f = foundAt(view, joinPath(joinPath('images', itemSegment(img, i)), 'newTag'), tag);
      f.image = repo;
      const id = identifyImage(repo);
      if (id) f.identity = id;
      const digest = stringOf(child(img, 'digest'));
      if (digest && f.token) {
        f.problem = `image ${repo} is also pinned by digest ${digest.slice(0, 16)}…: the digest pins the old image, so changing newTag changes nothing; update or remove the digest with it`;
        f.problemOffset = f.token.start;
        delete f.token;
      }
      out.push(f);
    });
    seqItems(child(root, 'helmCharts')).forEach((hc, i) => {
      const name = stringOf(child(hc, 'name'));
      const repo = stringOf(child(hc, 'repo'));
      const base = joinPath('helmCharts', itemSegment(hc, i));
      const chart = { ...(name ? { name } : {}), ...(repo ? { repo } : {}) };
      const version = child(hc, 'version');
      if (name && version) {
        const f = foundAt(view, joinPath(base, 'version'), version);
        const id = identifyChart(name, repo);
        if (id) f.identity = { component: id.component, role: id.role };
        f.chartVersion = true;
        f.chart = chart;
        if (f.token && isVersionRange(f.token.text)) f.range = true;
        out.push(f);
      }
      out.push(...findValuesImages(view, child(hc, 'valuesInline'), joinPath(base, 'valuesInline'), chart));
    });
    // Read lazily: the kinds table includes this kind.
    out.push(...findInlinePatches(view, () => TARGET_KINDS));
    return out;
  },
  examples,
});
