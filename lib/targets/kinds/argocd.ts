// Argo CD Application and ApplicationSet (its `spec.template`): for each
// source, `targetRevision` (the chart version when `chart:` is set, or an
// operator's Git tag), image versions in `helm.valuesObject`, in the
// `helm.values` string (edited at the token's exact offset in this file), and
// `helm.parameters` (`name: image.tag` / `value: …`). `helm.valueFiles` are
// layers, resolved by ../layering.ts. A template value that is a generator
// parameter is found at each generator element (./argocd-generators.ts).
import type { Node } from 'yaml';
import { liftFound, parseEmbedded } from '../embedded.ts';
import { foundAt } from '../found.ts';
import { identifyChart, identifyGitRepository, identifyImage } from '../identify.ts';
import type { ChartRef, Found, KindExample } from '../kind.ts';
import { child, childIn, itemSegment, joinPath, seqItems, stringOf } from '../nodes.ts';
import { isVersionRange, scalarText } from '../tokens.ts';
import { findValuesImages } from '../values.ts';
import { apiGroup, type DocView } from '../yaml-file.ts';
import { expandGenerators } from './argocd-generators.ts';
import { defineKind } from './define.ts';

const examples: KindExample[] = [
  {
    file: 'apps/cache.yaml',
    text: [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      'metadata:',
      '  name: cache',
      '  namespace: argocd',
      'spec:',
      '  source:',
      '    chart: redis',
      '    repoURL: oci://charts.example.com/bitnamicharts',
      '    targetRevision: 18.16.1',
      '    helm:',
      '      values: |',
      '        image:',
      '          repository: bitnami/redis',
      "          tag: '7.2.4-debian-12-r9'",
      '      parameters:',
      '        - name: sentinel.image.repository',
      '          value: redis',
      '        - name: sentinel.image.tag',
      '          value: "7.2.4"',
      '',
    ].join('\n'),
    expect: [
      { field: 'spec.source.targetRevision', current: '18.16.1', component: 'bitnami-redis-chart' },
      {
        field: 'spec.source.helm.values/image.tag',
        current: '7.2.4-debian-12-r9',
        component: 'bitnami-redis',
      },
      {
        field: 'spec.source.helm.parameters[name=sentinel.image.tag].value',
        current: '7.2.4',
        component: 'redis',
      },
    ],
  },
];

function findSource(view: DocView, source: Node, base: string): Found[] {
  const out: Found[] = [];
  const chartName = stringOf(child(source, 'chart'));
  const repoURL = stringOf(child(source, 'repoURL')) ?? '';
  const path = stringOf(child(source, 'path'));
  const chart: ChartRef = chartName
    ? { name: chartName, repo: repoURL }
    : path
      ? { dir: path.replace(/^\.\/|\/$/g, '') }
      : {};
  const rev = child(source, 'targetRevision');
  if (rev) {
    const f = foundAt(view, joinPath(base, 'targetRevision'), rev);
    if (chartName) {
      const id = identifyChart(chartName, repoURL);
      if (id) f.identity = { component: id.component, role: id.role };
      f.chartVersion = true;
      f.chart = chart;
      if (f.token && isVersionRange(f.token.text)) f.range = true;
      out.push(f);
    } else {
      const id = identifyGitRepository(repoURL, path);
      if (id) {
        f.identity = id;
        out.push(f);
      }
    }
  }
  const helm = child(source, 'helm');
  const hbase = joinPath(base, 'helm');
  out.push(...findValuesImages(view, child(helm, 'valuesObject'), joinPath(hbase, 'valuesObject'), chart));
  const valuesNode = child(helm, 'values');
  if (valuesNode) {
    const field = joinPath(hbase, 'values');
    const parsed = parseEmbedded(view, valuesNode, field);
    if (parsed.ok) {
      for (const f of findValuesImages(
        parsed.embedded.view,
        parsed.embedded.view.doc.contents ?? undefined,
        '',
        chart,
      )) {
        const lifted = liftFound(view.text, parsed.embedded, f);
        out.push({ ...lifted, field: `${field}/${f.field}` });
      }
    } else if (/image|tag/.test(scalarText(view.text, valuesNode) ?? '')) {
      out.push({
        field,
        problem: parsed.reason,
        ...(parsed.offset !== undefined ? { problemOffset: parsed.offset } : {}),
        chart,
      });
    }
  }
  out.push(...findParameters(view, child(helm, 'parameters'), joinPath(hbase, 'parameters'), chart));
  return out;
}

function findParameters(view: DocView, params: Node | undefined, base: string, chart: ChartRef): Found[] {
  const items = seqItems(params);
  const byName = new Map<string, Node | undefined>();
  for (const p of items) {
    const name = stringOf(child(p, 'name'));
    if (name) byName.set(name, child(p, 'value'));
  }
  const out: Found[] = [];
  items.forEach((p, i) => {
    const name = stringOf(child(p, 'name'));
    const m = name ? /^(.*)\.(tag|imageTag)$/.exec(name) : null;
    if (!name || !m) return;
    const prefix = m[1] ?? '';
    const repo = [`${prefix}.registry`, `${prefix}.repository`, `${prefix}.image`, `${prefix}.imageName`]
      .map((k) => scalarText(view.text, byName.get(k)))
      .filter((s): s is string => !!s?.trim());
    const repository = repo.join('/');
    const f = foundAt(view, joinPath(joinPath(base, itemSegment(p, i)), 'value'), child(p, 'value'));
    f.valuesPath = name;
    f.imagePath = prefix;
    f.chart = chart;
    if (repository) {
      f.image = repository;
      const id = identifyImage(repository);
      if (id) f.identity = id;
    }
    out.push(f);
  });
  return out;
}

export const argocdApplication = defineKind({
  id: 'argocd-application',
  summary:
    'Argo CD Application/ApplicationSet targetRevision, helm.valuesObject, helm.values, helm.parameters',
  accepts: (view) =>
    apiGroup(view.apiVersion) === 'argoproj.io' &&
    (view.kind === 'Application' || view.kind === 'ApplicationSet'),
  find: (view) => {
    const specPath = view.kind === 'ApplicationSet' ? ['spec', 'template', 'spec'] : ['spec'];
    const spec = childIn(view.doc.contents, specPath);
    const base = specPath.join('.');
    const out: Found[] = [];
    const single = child(spec, 'source');
    if (single) out.push(...findSource(view, single, joinPath(base, 'source')));
    seqItems(child(spec, 'sources')).forEach((s, i) => {
      out.push(...findSource(view, s, joinPath(joinPath(base, 'sources'), `[${i}]`)));
    });
    // An ApplicationSet's template parameters are set by its generators' elements.
    return view.kind === 'ApplicationSet' ? expandGenerators(view, out) : out;
  },
  examples,
});
