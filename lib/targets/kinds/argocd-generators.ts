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
import { isScalar, type Node } from 'yaml';
import { environmentFromName } from '../../policy/environments.ts';
import { foundAt } from '../found.ts';
import type { Found } from '../kind.ts';
import { child, childIn, itemSegment, joinPath, mapItems, seqItems, stringOf } from '../nodes.ts';
import { isVersionRange } from '../tokens.ts';
import { globToRegExp } from '../../policy/glob.ts';
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
  globs: string[] = [],
): void {
  if (!gen || depth > 4) return;
  for (const f of seqItems(childIn(gen, ['git', 'files']))) {
    const path = stringOf(child(f, 'path'));
    if (path && !stringOf(child(f, 'exclude'))) globs.push(path.replace(/^\.?\//, ''));
  }
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
      collect(
        g,
        joinPath(joinPath(field, `${combine}.generators`), `[${k}]`),
        out,
        clusterKeys,
        depth + 1,
        globs,
      ),
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
  return generators(view).sources;
}

/** The template's cluster keys, the in-file parameter sets, and the git files generator's globs. */
function generators(view: DocView): {
  sources: ParamSource[];
  globs: string[];
  clusterKeys: string[][];
} {
  const out: ParamSource[] = [];
  const globs: string[] = [];
  // The element key the template's `destination.name` takes is the cluster name; else `cluster`.
  const dest = stringOf(childIn(view.doc.contents, ['spec', 'template', 'spec', 'destination', 'name']));
  const destKey = dest ? templateParam(dest) : undefined;
  const clusterKeys = [...(destKey ? [destKey] : []), ['cluster'], ['clusterName']];
  seqItems(childIn(view.doc.contents, ['spec', 'generators'])).forEach((g, i) =>
    collect(g, `spec.generators[${i}]`, out, clusterKeys, 0, globs),
  );
  return { sources: out, globs, clusterKeys };
}

/**
 * Replaces each template Found whose value is one generator parameter by a Found at every
 * element value that sets it (same identity, chart and values path). A parameter no
 * generator here sets (a git generator's files, or none) is reported instead.
 */
export function expandGenerators(view: DocView, found: Found[]): Found[] {
  const { sources, globs, clusterKeys } = generators(view);
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
        problem: globs.length
          ? `set from the generator parameter ${template}, which no file of the git generator (${globs.join(', ')}) in this repository gives a value`
          : `set from the generator parameter ${template}, which no list, cluster or git files generator in this file gives a value`,
        ...(globs.length ? { generatorFiles: { param, globs, clusterKeys } } : {}),
      });
    }
  }
  return out;
}

/**
 * A git files generator's parameters are the keys of each file its `files[].path` globs
 * match (Generators-Git.md: `{{.cluster.address}}` is `cluster.address` of config.json), so a
 * template value set from one is found in every such file of this repository: the Found is
 * made in that file (on a document the caller parsed), with the template's identity and chart.
 */
export function generatorFileMatches(template: Found, file: string): boolean {
  return !!template.generatorFiles?.globs.some((g) => globToRegExp(g).test(file));
}

export function foundInGeneratorFile(template: Found, view: DocView): Found | undefined {
  const gen = template.generatorFiles;
  if (!gen) return undefined;
  const node = childIn(view.doc.contents, gen.param);
  if (!node) return undefined;
  const e = foundAt(view, gen.param.join('.'), node);
  const { problem: _p, problemOffset: _o, field: _f, sharedWith: _s, generatorFiles: _g, ...same } = template;
  const g: Found = { ...same, ...e };
  if (g.token && g.chartVersion) {
    if (isVersionRange(g.token.text)) g.range = true;
    else delete g.range;
  }
  const cluster = gen.clusterKeys.map((k) => stringOf(childIn(view.doc.contents, k))).find(Boolean);
  if (cluster) {
    g.cluster = cluster;
    const environment =
      stringOf(child(view.doc.contents, 'environment')) ??
      stringOf(child(view.doc.contents, 'env')) ??
      environmentFromName(cluster);
    if (environment) g.environment = environment;
  }
  return g;
}

/** For an edit: every scalar of a generator file, by its dotted path (the file has no kind to find them). */
export function generatorFileScalars(view: DocView): Found[] {
  const out: Found[] = [];
  const walk = (node: unknown, path: string, depth: number) => {
    if (depth > 20) return;
    for (const it of mapItems(node)) {
      const field = joinPath(path, it.key);
      if (isScalar(it.value)) out.push(foundAt(view, field, it.value));
      else walk(it.value, field, depth + 1);
    }
  };
  walk(view.doc.contents, '', 0);
  return out;
}
