// Argo CD ApplicationSet generators: a template field whose whole value is a
// generator parameter (`targetRevision: '{{chartVersion}}'`, a
// `helm.valuesObject` tag `'{{.values.redisTag}}'`, a `helm.parameters` value)
// is set by each element of the generators in the same file, so the element's
// value is the target (ApplicationSet docs, Generators-List / Generators-Cluster
// / Generators-Matrix: elements' keys are the template's parameters; a cluster
// generator's `values` are `values.<key>`). Each list element that names its
// cluster (the key the template's `destination.name` takes, else `cluster` or
// `clusterName`) deploys there, so it gets that cluster, and the environment
// its `environment`/`env` key or its name says.
import type { Node } from 'yaml';
import { environmentFromName } from '../../policy/environments.ts';
import { foundAt } from '../found.ts';
import type { Found } from '../kind.ts';
import { child, childIn, itemSegment, joinPath, mapItems, seqItems, stringOf } from '../nodes.ts';
import { isVersionRange } from '../tokens.ts';
import type { DocView } from '../yaml-file.ts';

/** A set of generator parameters written in this file: a list element, or a cluster generator's values. */
interface ParamSource {
  node: Node;
  field: string;
  /** Parameter keys that start with this segment are looked up below it (`values` for a cluster generator). */
  prefix?: string;
  cluster?: string;
  environment?: string;
}

/** `{{chartVersion}}`, `{{ .values.redisTag }}` -> [`chartVersion`], [`values`, `redisTag`]. */
export function templateParam(text: string): string[] | undefined {
  const m = /^\{\{-?\s*\.?([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)\s*-?\}\}$/.exec(text.trim());
  return m ? m[1]!.split('.') : undefined;
}

function collect(
  gen: Node | undefined,
  field: string,
  out: ParamSource[],
  clusterKeys: readonly (readonly string[])[],
  depth = 0,
): void {
  if (!gen || depth > 4) return;
  seqItems(childIn(gen, ['list', 'elements'])).forEach((el, j) => {
    const cluster = clusterKeys.map((k) => stringOf(childIn(el, k))).find(Boolean);
    const environment =
      stringOf(child(el, 'environment')) ??
      stringOf(child(el, 'env')) ??
      (cluster && environmentFromName(cluster));
    out.push({
      node: el,
      field: joinPath(joinPath(field, 'list.elements'), itemSegment(el, j)),
      ...(cluster ? { cluster } : {}),
      ...(environment ? { environment } : {}),
    });
  });
  const values = childIn(gen, ['clusters', 'values']);
  if (values) out.push({ node: values, field: joinPath(field, 'clusters.values'), prefix: 'values' });
  for (const combine of ['matrix', 'merge']) {
    seqItems(childIn(gen, [combine, 'generators'])).forEach((g, k) =>
      collect(g, joinPath(joinPath(field, `${combine}.generators`), `[${k}]`), out, clusterKeys, depth + 1),
    );
  }
}

/** The one template a scalar at `offset` holds (`'{{.chartVersion}}'`, `redis:{{tag}}`), if that is all it holds. */
function templateAt(text: string, offset: number): string | undefined {
  const end = text.indexOf('\n', offset);
  const line = text.slice(offset, end < 0 ? undefined : end);
  const m = /^(['"]?)(?:[^'"\s{]*:)?(\{\{[^{}]*\}\})\1\s*(?:#.*)?\r?$/.exec(line);
  return m?.[2];
}

/** Every parameter set the ApplicationSet's generators write in this document. */
export function generatorParams(view: DocView): ParamSource[] {
  const out: ParamSource[] = [];
  // The element key the template's `destination.name` takes is the cluster name; else `cluster`.
  const dest = stringOf(childIn(view.doc.contents, ['spec', 'template', 'spec', 'destination', 'name']));
  const destKey = dest ? templateParam(dest) : undefined;
  const clusterKeys = [...(destKey ? [destKey] : []), ['cluster'], ['clusterName']];
  seqItems(childIn(view.doc.contents, ['spec', 'generators'])).forEach((g, i) =>
    collect(g, `spec.generators[${i}]`, out, clusterKeys),
  );
  return out;
}

/**
 * Replaces each template Found whose value is one generator parameter by a Found at every
 * element value that sets it (same identity, chart and values path). A parameter no
 * generator here sets (a git generator's files, or none) is reported instead.
 */
export function expandGenerators(view: DocView, found: Found[]): Found[] {
  const sources = generatorParams(view);
  const out: Found[] = [];
  for (const f of found) {
    const template =
      f.problem && f.problemOffset !== undefined ? templateAt(view.text, f.problemOffset) : undefined;
    const param = template ? templateParam(template) : undefined;
    if (!param) {
      out.push(f);
      continue;
    }
    const set: Found[] = [];
    for (const s of sources) {
      const keys = s.prefix ? (param[0] === s.prefix ? param.slice(1) : undefined) : param;
      if (!keys?.length) continue;
      const node = childIn(s.node, keys);
      if (!node || !mapItems(s.node).length) continue;
      const e = foundAt(view, joinPath(s.field, keys.join('.')), node);
      const { problem: _p, problemOffset: _o, field: _f, sharedWith: _s, ...same } = f;
      const g: Found = { ...same, ...e };
      if (g.token && g.chartVersion) {
        if (isVersionRange(g.token.text)) g.range = true;
        else delete g.range;
      }
      if (s.cluster) g.cluster = s.cluster;
      if (s.environment) g.environment = s.environment;
      set.push(g);
    }
    if (set.length) out.push(...set);
    else {
      out.push({
        ...f,
        problem: `set from the generator parameter ${template}, which no list or cluster generator in this file gives a value (a git generator's files are not read)`,
      });
    }
  }
  return out;
}
