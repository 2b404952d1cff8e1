// Flux sources that carry the version themselves: OCIRepository `spec.ref.tag`
// / `spec.ref.semver` (a chart pulled by a HelmRelease `chartRef`) and
// GitRepository `spec.ref.tag` (an operator's manifests from its Git tags).
// A HelmRepository holds no version; it is indexed to identify chart names.
import { foundAt } from '../found.ts';
import { identifyChart, identifyGitRepository } from '../identify.ts';
import type { Found, KindExample } from '../kind.ts';
import { childIn, stringOf } from '../nodes.ts';
import { isVersionRange } from '../tokens.ts';
import { apiGroup } from '../yaml-file.ts';
import { defineKind } from './define.ts';

const examples: KindExample[] = [
  {
    file: 'infrastructure/redis-operator.yaml',
    text: [
      '---',
      'apiVersion: source.toolkit.fluxcd.io/v1',
      'kind: OCIRepository',
      'metadata:',
      '  name: redis-operator',
      '  namespace: flux-system',
      'spec:',
      '  url: oci://mirror.example.com/howl-cloud/charts/redis-operator',
      '  ref:',
      '    tag: 0.2.5',
      '',
    ].join('\n'),
    expect: [{ field: 'spec.ref.tag', current: '0.2.5', component: 'howl-redis-operator', role: 'operator' }],
  },
];

export const fluxSource = defineKind({
  id: 'flux-source',
  summary: 'Flux OCIRepository spec.ref.tag/semver (Helm chart) and GitRepository spec.ref.tag',
  accepts: (view) =>
    apiGroup(view.apiVersion) === 'source.toolkit.fluxcd.io' &&
    (view.kind === 'OCIRepository' || view.kind === 'GitRepository'),
  find: (view) => {
    const root = view.doc.contents;
    const url = stringOf(childIn(root, ['spec', 'url'])) ?? '';
    const out: Found[] = [];
    for (const key of ['tag', 'semver'] as const) {
      const node = childIn(root, ['spec', 'ref', key]);
      if (!node) continue;
      const f = foundAt(view, `spec.ref.${key}`, node);
      if (view.kind === 'OCIRepository') {
        const name = url.replace(/\/+$/, '').split('/').pop() ?? '';
        const id = identifyChart(name, url);
        if (id) f.identity = { component: id.component, role: id.role };
        f.chartVersion = true;
      } else {
        const id = identifyGitRepository(url);
        if (id) f.identity = id;
      }
      if (key === 'semver' || (f.token && isVersionRange(f.token.text))) f.range = true;
      out.push(f);
    }
    return out;
  },
  examples,
});
