// Loads the catalog from file texts: validates each file against the schema,
// merges them and checks what the schema alone cannot (references between
// facts, uniqueness, versions valid for their scheme). Every problem is
// collected and reported at once, with file, line and field. Pure: no file
// system, so it runs on Workers with files bundled at build time.
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { type Issue, ValidationError } from '../errors.ts';
import { formatPath, parseYaml } from '../input.ts';
import {
  type Catalog,
  type CatalogFile,
  type Component,
  catalogFileSchema,
  type Rule,
  type Source,
} from './schema.ts';

export interface CatalogText {
  /** Shown in errors, e.g. `policies/catalog/redis.yaml`. */
  path: string;
  text: string;
}

export interface LoadCatalogOptions {
  /** Returns why `version` is not valid for the component's scheme, or undefined when it is. */
  checkVersion?: (component: Component, version: string) => string | undefined;
}

type PathKey = string | number;

/** Finds the line of a field in a file's text; parsed lazily, only when there is an issue to locate. */
class Locator {
  readonly #text: string;
  #root: Node | null | undefined;
  #lines = new LineCounter();

  constructor(text: string) {
    this.#text = text;
  }

  line(path: readonly PathKey[]): number | undefined {
    if (this.#root === undefined)
      this.#root = parseDocument(this.#text, { lineCounter: this.#lines }).contents;
    let node: Node | null = this.#root;
    for (const key of path) {
      let next: Node | null | undefined;
      if (isMap(node)) {
        const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(key));
        next = pair ? ((pair.value as Node | null) ?? (pair.key as Node)) : undefined;
      } else if (isSeq(node) && typeof key === 'number') next = node.items[key] as Node | undefined;
      if (!next) break;
      node = next;
    }
    const offset = node?.range?.[0];
    return offset === undefined ? undefined : this.#lines.linePos(offset).line;
  }
}

interface Parsed {
  path: string;
  data: CatalogFile;
  at: Locator;
}

export function loadCatalog(files: readonly CatalogText[], opts: LoadCatalogOptions = {}): Catalog {
  const issues: Issue[] = [];
  const parsed: Parsed[] = [];
  for (const f of files) {
    try {
      parsed.push({
        path: f.path,
        data: parseYaml(f.text, f.path, catalogFileSchema),
        at: new Locator(f.text),
      });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      issues.push(...e.issues);
    }
  }

  const report = (p: Parsed, path: PathKey[], message: string): void => {
    const line = p.at.line(path);
    issues.push({ file: p.path, ...(line !== undefined ? { line } : {}), field: formatPath(path), message });
  };

  // Pass 1: what other files may refer to.
  const sources: Record<string, Source> = {};
  const sourceOwner = new Map<string, string>();
  const components = new Map<string, Component>();
  const componentOwner = new Map<string, string>();
  for (const p of parsed) {
    for (const [key, src] of Object.entries(p.data.sources)) {
      const prev = sources[key];
      if (prev && JSON.stringify(prev) !== JSON.stringify(src))
        report(p, ['sources', key], `source ${key} is also defined differently in ${sourceOwner.get(key)}`);
      else {
        sources[key] = src;
        sourceOwner.set(key, p.path);
      }
    }
    p.data.components.forEach((c, i) => {
      if (components.has(c.id))
        report(
          p,
          ['components', i, 'id'],
          `component ${c.id} is also defined in ${componentOwner.get(c.id)}`,
        );
      else {
        components.set(c.id, c);
        componentOwner.set(c.id, p.path);
      }
    });
  }

  // Pass 2: references and uniqueness.
  const rules = new Map<string, Rule>();
  const kubedbNames = new Set<string>();
  const dataFormatKeys = new Set<string>();
  const supportKeys = new Set<string>();
  const merged: Omit<Catalog, 'sources' | 'components' | 'rules'> = {
    dataFormats: [],
    platformSupport: [],
    upgradePaths: [],
    kubedbVersions: [],
    chartImages: [],
    feeds: [],
  };
  for (const p of parsed) {
    const d = p.data;
    const src = (ref: string | undefined, path: PathKey[]): void => {
      if (ref !== undefined && !(ref in d.sources))
        report(p, path, `unknown source ${ref}: not a key of this file's sources`);
    };
    const comp = (id: string, path: PathKey[]): Component | undefined => {
      const c = components.get(id);
      if (!c) report(p, path, `unknown component ${id}`);
      return c;
    };
    const release = (c: Component | undefined, version: string, path: PathKey[]): void => {
      if (c && !c.releases.some((r) => r.version === version))
        report(p, path, `${version} is not a release of component ${c.id}`);
    };

    d.components.forEach((c, i) => {
      const at: PathKey[] = ['components', i];
      src(c.source, [...at, 'source']);
      c.managedBy?.forEach((id, k) => {
        comp(id, [...at, 'managedBy', k]);
      });
      c.manages?.forEach((id, k) => {
        comp(id, [...at, 'manages', k]);
      });
      if (c.server !== undefined) comp(c.server, [...at, 'server']);
      const seen = new Set<string>();
      c.releases.forEach((r, j) => {
        const rat = [...at, 'releases', j];
        src(r.source, [...rat, 'source']);
        if (seen.has(r.version))
          report(p, [...rat, 'version'], `release ${r.version} of ${c.id} is listed twice`);
        seen.add(r.version);
        const reason = opts.checkVersion?.(c, r.version);
        if (reason !== undefined)
          report(p, [...rat, 'version'], `${r.version} is not a valid ${c.scheme} version: ${reason}`);
      });
    });
    d.dataFormats.forEach((f, i) => {
      const at: PathKey[] = ['dataFormats', i];
      src(f.source, [...at, 'source']);
      comp(f.component, [...at, 'component']);
      const key = `${f.component}@${f.line}`;
      if (dataFormatKeys.has(key))
        report(p, [...at, 'line'], `RDB version of ${f.component} ${f.line} is given twice`);
      dataFormatKeys.add(key);
      merged.dataFormats.push(f);
    });
    d.platformSupport.forEach((s, i) => {
      const at: PathKey[] = ['platformSupport', i];
      src(s.source, [...at, 'source']);
      release(comp(s.component, [...at, 'component']), s.version, [...at, 'version']);
      const key = `${s.component}@${s.version}`;
      if (supportKeys.has(key))
        report(p, [...at, 'version'], `platform support of ${s.component} ${s.version} is given twice`);
      supportKeys.add(key);
      s.ships.forEach((sh, k) => {
        src(sh.source, [...at, 'ships', k, 'source']);
        release(comp(sh.component, [...at, 'ships', k, 'component']), sh.version, [
          ...at,
          'ships',
          k,
          'version',
        ]);
      });
      merged.platformSupport.push(s);
    });
    d.upgradePaths.forEach((u, i) => {
      src(u.source, ['upgradePaths', i, 'source']);
      comp(u.component, ['upgradePaths', i, 'component']);
      merged.upgradePaths.push(u);
    });
    d.kubedbVersions.forEach((k, i) => {
      src(k.source, ['kubedbVersions', i, 'source']);
      if (kubedbNames.has(k.name))
        report(p, ['kubedbVersions', i, 'name'], `RedisVersion ${k.name} is listed twice`);
      kubedbNames.add(k.name);
      merged.kubedbVersions.push(k);
    });
    d.chartImages.forEach((c, i) => {
      const at: PathKey[] = ['chartImages', i];
      src(c.source, [...at, 'source']);
      release(comp(c.component, [...at, 'component']), c.chart, [...at, 'chart']);
      release(comp(c.image.component, [...at, 'image', 'component']), c.image.tag, [...at, 'image', 'tag']);
      merged.chartImages.push(c);
    });
    d.feeds.forEach((f, i) => {
      src(f.source, ['feeds', i, 'source']);
      comp(f.component, ['feeds', i, 'component']);
      merged.feeds.push(f);
    });
    d.rules.forEach((r, i) => {
      src(r.source, ['rules', i, 'source']);
      if (rules.has(r.id)) report(p, ['rules', i, 'id'], `rule ${r.id} is defined twice`);
      else rules.set(r.id, r);
    });
  }

  if (issues.length) throw new ValidationError(issues);
  return { sources, components, rules, ...merged };
}
