// Chart.yaml `dependencies[].version`: an umbrella chart pinning a Redis chart
// (the argocd-example-apps `helm-dependency` layout).
import { foundAt } from '../found.ts';
import { identifyChart } from '../identify.ts';
import type { Found, KindExample } from '../kind.ts';
import { child, itemSegment, joinPath, seqItems, stringOf } from '../nodes.ts';
import { basename } from '../paths.ts';
import { isVersionRange } from '../tokens.ts';
import { defineKind } from './define.ts';

const examples: KindExample[] = [
  {
    file: 'umbrella/Chart.yaml',
    text: [
      'apiVersion: v2',
      'name: shop',
      'version: 1.0.0',
      'dependencies:',
      '  - name: redis',
      "    version: '18.16.1'",
      '    repository: oci://charts.example.com/bitnamicharts',
      '',
    ].join('\n'),
    expect: [
      { field: 'dependencies[name=redis].version', current: '18.16.1', component: 'bitnami-redis-chart' },
    ],
  },
];

export const helmChart = defineKind({
  id: 'helm-chart',
  summary: 'Chart.yaml dependencies[].version of a Redis chart',
  accepts: (_view, ctx) => basename(ctx.file) === 'Chart.yaml',
  find: (view) => {
    const out: Found[] = [];
    seqItems(child(view.doc.contents, 'dependencies')).forEach((dep, i) => {
      const name = stringOf(child(dep, 'name'));
      const version = child(dep, 'version');
      if (!name || !version) return;
      const field = joinPath(joinPath('dependencies', itemSegment(dep, i)), 'version');
      const f = foundAt(view, field, version);
      const id = identifyChart(name, stringOf(child(dep, 'repository')));
      if (id) f.identity = { component: id.component, role: id.role };
      f.chartVersion = true;
      if (f.token && isVersionRange(f.token.text)) f.range = true;
      out.push(f);
    });
    return out;
  },
  examples,
});
