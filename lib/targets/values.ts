// Finds image versions in a Helm values tree, wherever it sits: a values.yaml,
// a Flux HelmRelease `spec.values`, an Argo CD `helm.valuesObject` or
// `helm.values` string, a Kustomize `helmCharts[].valuesInline`. Shapes
// understood (each seen in a real chart under ../shared/fixtures):
//   image: {registry, repository, tag, digest}   Bitnami
//   image: {repository, tag}                      howl-cloud, Argo guestbook
//   redis: {repository, tag}                      podinfo (Flux example)
//   redisCluster: {image: repo, tag}              OT-Container-Kit charts
//   redisOperator: {imageName, imageTag}          OT operator chart
//   images: [{image, tag}] / images.x: {repository, tag, digest}   Alauda
//   imageName: repo:tag, image: repo:tag          single-string references
//   redis.image.tag, redis.tag (no repository)    sub-chart or overlay override
import { isAlias, isMap, isScalar, isSeq, type Node } from 'yaml';
import { foundAt } from './found.ts';
import { operatorDefaultImage } from './kinds/alauda.ts';
import { identifyImage } from './identify.ts';
import type { ChartRef, Found } from './kind.ts';
import { child, itemSegment, joinPath, mapItems, stringOf } from './nodes.ts';
import { pickImageTag, scalarText } from './tokens.ts';
import type { DocView } from './yaml-file.ts';

const MAX_DEPTH = 40;

function nonEmpty(s: string | undefined): string | undefined {
  return s?.trim() ? s.trim() : undefined;
}

/**
 * Every image version in a values tree rooted at `root` (found at `basePath`
 * in the document). `chart` is the chart these values configure, when known.
 */
export function findValuesImages(
  view: DocView,
  root: Node | undefined,
  basePath: string,
  chart?: ChartRef,
): Found[] {
  const out: Found[] = [];
  const walk = (node: unknown, field: string, vpath: string, anchors: string[], depth: number): void => {
    if (depth > MAX_DEPTH || !node || isAlias(node)) return;
    const anchor = (node as { anchor?: string }).anchor;
    const here = anchor ? [...anchors, anchor] : anchors;
    if (isMap(node)) {
      inspectMap(view, node as Node, field, vpath, here, chart, out);
      for (const it of mapItems(node)) {
        if (it.value && (isMap(it.value) || isSeq(it.value))) {
          walk(it.value, joinPath(field, it.key), joinPath(vpath, it.key), here, depth + 1);
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const seg = itemSegment(item, i);
        walk(item, joinPath(field, seg), joinPath(vpath, seg), here, depth + 1);
      });
    }
  };
  walk(root, basePath, '', [], 0);
  // The Alauda operator's per-line default images are its configuration, not pins to upgrade.
  for (const f of out) {
    const component = f.identity?.component ?? (f.image ? identifyImage(f.image)?.component : undefined);
    const why = component === 'redis' ? operatorDefaultImage(view, f.field) : undefined;
    if (!why) continue;
    f.problem = why;
    if (f.token) f.problemOffset = f.token.start;
    delete f.token;
  }
  return out;
}

function scalarValue(view: DocView, node: Node | undefined): string | undefined {
  if (node && isAlias(node)) node = node.resolve(view.doc) as Node | undefined;
  return scalarText(view.text, node);
}

function inspectMap(
  view: DocView,
  map: Node,
  field: string,
  vpath: string,
  anchors: string[],
  chart: ChartRef | undefined,
  out: Found[],
): void {
  const tagNode = child(map, 'tag');
  const repository = child(map, 'repository');
  const imageNode = child(map, 'image');
  const registry = child(map, 'registry');
  const base = { chart, imagePath: vpath } as const;
  const push = (f: Found, key: string) => {
    f.valuesPath = joinPath(vpath, key);
    if (chart) f.chart = chart;
    out.push(f);
  };

  if (tagNode && (isScalar(tagNode) || isAlias(tagNode))) {
    const repoText = isScalar(repository) || isAlias(repository) ? scalarValue(view, repository) : undefined;
    const imageText = isScalar(imageNode) || isAlias(imageNode) ? scalarValue(view, imageNode) : undefined;
    const regText = isScalar(registry) || isAlias(registry) ? scalarValue(view, registry) : undefined;
    // A `tag` with no repository beside it is still reported: a sub-chart's default image, or an
    // overlay that overrides only the tag, is identified later through the chart or the base layer.
    {
      const path = nonEmpty(repoText) ?? nonEmpty(imageText);
      const repo = path ? [nonEmpty(regText), path].filter(Boolean).join('/') : undefined;
      const f = foundAt(view, joinPath(field, 'tag'), tagNode, undefined, anchors);
      f.imagePath = base.imagePath;
      if (repo) {
        f.image = repo;
        const id = identifyImage(repo);
        if (id) f.identity = id;
      }
      const digest = nonEmpty(scalarValue(view, child(map, 'digest')));
      if (digest && f.token) {
        f.problem = `image ${repo ?? vpath} is also pinned by digest ${digest.slice(0, 16)}…: the digest pins the old image, so changing only the tag changes nothing; clear or update the digest together with the tag`;
        f.problemOffset = f.token.start;
        delete f.token;
      }
      if (f.problem === 'value is empty') {
        f.problem =
          'image tag is empty: the chart appVersion decides the version (pin the tag, or upgrade the chart version)';
      }
      push(f, 'tag');
    }
  }

  // OT operator chart: imageName + imageTag.
  const imageName = child(map, 'imageName');
  const imageTag = child(map, 'imageTag');
  if (imageName && imageTag && isScalar(imageTag)) {
    const repo = nonEmpty(scalarValue(view, imageName));
    const f = foundAt(view, joinPath(field, 'imageTag'), imageTag, undefined, anchors);
    f.imagePath = vpath;
    if (repo) {
      f.image = repo;
      const id = identifyImage(repo);
      if (id) f.identity = id;
    }
    if (f.problem === 'value is empty') {
      f.problem =
        'imageTag is empty: the chart appVersion decides the version (pin the tag, or upgrade the chart version)';
    }
    push(f, 'imageTag');
  }

  // Single-string image references: `image: repo:tag`, `imageName: repo:tag`, `redisImage: repo:tag`.
  for (const it of mapItems(map)) {
    if (!/^(image|imageName|[a-zA-Z]+Image)$/.test(it.key)) continue;
    if (it.key === 'imageName' && imageTag) continue;
    if (it.key === 'image' && tagNode) continue;
    const v = it.value && isAlias(it.value) ? it.value.resolve(view.doc) : it.value;
    const text = stringOf(v);
    if (!text?.includes(':') || text.includes('://')) continue;
    const id = identifyImage(text);
    if (!id) continue;
    const f = foundAt(view, joinPath(field, it.key), it.value, pickImageTag, anchors);
    f.image = text.split('@')[0]!.replace(/:[^:/]*$/, '');
    f.identity = id;
    push(f, it.key);
  }
}
