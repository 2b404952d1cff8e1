// Loads and checks policy files. Schema errors and semantic errors (unknown
// references, promotion cycles, bad schedules, contradictory settings) are all
// collected and reported together, each with file, line and field.
import { type Issue, ValidationError } from '../errors.ts';
import { type Locator, type PathKey, parseYamlLocated } from '../input.ts';
import { disjoint, parseRange, type VersionRange } from '../versioning/range.ts';
import { checkCron, checkRRule, isTimeZone } from './schedule.ts';
import { type Policy, type PolicyFile, policyFileSchema, type Settings } from './schema.ts';

export interface PolicyText {
  path: string;
  text: string;
}

export const EMPTY_POLICY: Policy = {
  files: [],
  clusters: [],
  environments: [],
  defaults: {},
  rules: [],
  windows: [],
};

interface Loaded {
  path: string;
  data: PolicyFile;
  locate: Locator;
}

function at(l: Loaded, path: PathKey[], message: string, allowed?: readonly string[]): Issue {
  const pos = l.locate(path);
  const field = path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
    .join('')
    .replace(/^\./, '');
  return {
    file: l.path,
    ...(pos ? { line: pos.line, column: pos.column } : {}),
    field,
    message,
    ...(allowed ? { allowed } : {}),
  };
}

/** Checks ranges parse, and that pin / allowedVersions / minimumVersion can all hold at once. */
function checkSettings(l: Loaded, base: PathKey[], s: Settings, inherited: Settings, issues: Issue[]): void {
  const ranges: Partial<Record<'pin' | 'allowedVersions' | 'minimumVersion', VersionRange>> = {};
  for (const key of ['pin', 'allowedVersions'] as const) {
    const text = s[key];
    if (text === undefined) continue;
    const r = parseRange(text);
    if (r.ok) ranges[key] = r.range;
    else issues.push(at(l, [...base, key], r.reason));
  }
  s.deny?.forEach((text, i) => {
    const r = parseRange(text);
    if (!r.ok) issues.push(at(l, [...base, 'deny', i], r.reason));
  });
  if (s.minimumVersion !== undefined) {
    const numeric = /^v?(\d+(?:\.\d+){0,2})/.exec(s.minimumVersion)?.[1];
    const r = numeric ? parseRange(`>=${numeric}`) : undefined;
    if (r?.ok) ranges.minimumVersion = r.range;
    else issues.push(at(l, [...base, 'minimumVersion'], `"${s.minimumVersion}" is not a version`));
  }
  if (s.updateTypes && s.updateTypes.length === 0) {
    issues.push(
      at(l, [...base, 'updateTypes'], 'lists no update type: nothing could ever be planned', [
        'patch',
        'minor',
        'major',
      ]),
    );
  }
  // Contradictions within this block, and with what it inherits from defaults.
  const effective = (k: 'pin' | 'allowedVersions' | 'minimumVersion') => {
    if (ranges[k]) return { range: ranges[k], own: true };
    const t = k === 'minimumVersion' ? inherited.minimumVersion : inherited[k];
    if (t === undefined) return undefined;
    const numeric = k === 'minimumVersion' ? /^v?(\d+(?:\.\d+){0,2})/.exec(t)?.[1] : t;
    const r = numeric ? parseRange(k === 'minimumVersion' ? `>=${numeric}` : numeric) : undefined;
    return r?.ok ? { range: r.range, own: false } : undefined;
  };
  const pairs = [
    ['pin', 'minimumVersion', 'is pinned to "%a" and also required to reach at least "%b"'],
    ['pin', 'allowedVersions', 'is pinned to "%a" but only "%b" is allowed'],
    ['allowedVersions', 'minimumVersion', 'allows only "%a" but is required to reach at least "%b"'],
  ] as const;
  for (const [a, b, msg] of pairs) {
    const ea = effective(a);
    const eb = effective(b);
    if (!ea || !eb || (!ea.own && !eb.own)) continue;
    if (disjoint(ea.range, eb.range)) {
      const key = ea.own ? a : b;
      issues.push(
        at(
          l,
          [...base, key],
          `contradictory policy: ${msg.replace('%a', ea.range.text).replace('%b', eb.range.text)}`,
        ),
      );
    }
  }
}

function findCycle(edges: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'visiting') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'visiting');
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of [...edges.keys()].sort()) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

export interface PolicyCheckOptions {
  /** Component ids of the catalog: a rule matching any other id is an error. */
  components?: readonly string[];
}

/**
 * Parses, merges and checks policy files. Throws ValidationError listing every
 * issue found: schema problems of some files and semantic problems of the
 * others (references, cycles, schedules, contradictions, unknown components)
 * come in one report.
 */
export function loadPolicy(files: readonly PolicyText[], opts: PolicyCheckOptions = {}): Policy {
  const issues: Issue[] = [];
  const loaded: Loaded[] = [];
  for (const f of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    try {
      const { data, locate } = parseYamlLocated(f.text, f.path, policyFileSchema);
      loaded.push({ path: f.path, data, locate });
    } catch (e) {
      if (e instanceof ValidationError) issues.push(...e.issues);
      else throw e;
    }
  }
  // No early return on schema problems: the files that parsed are still checked below.
  const componentList = opts.components ? [...opts.components].sort() : undefined;
  // With a file left out by its schema, its environments and clusters are unknown: no reference errors then.
  const partial = issues.length > 0;

  const defaultsFrom = loaded.filter((l) => l.data.defaults);
  for (const extra of defaultsFrom.slice(1)) {
    issues.push(
      at(
        extra,
        ['defaults'],
        `defaults are already set in ${defaultsFrom[0]!.path}; set them in one file only`,
      ),
    );
  }
  const defaults = defaultsFrom[0]?.data.defaults ?? {};

  const envNames = new Map<string, Loaded>();
  const clusterNames = new Map<string, Loaded>();
  for (const l of loaded) {
    l.data.environments?.forEach((e, i) => {
      if (envNames.has(e.name))
        issues.push(at(l, ['environments', i, 'name'], `environment "${e.name}" is defined twice`));
      envNames.set(e.name, l);
    });
    l.data.clusters?.forEach((c, i) => {
      if (clusterNames.has(c.name))
        issues.push(at(l, ['clusters', i, 'name'], `cluster "${c.name}" is defined twice`));
      clusterNames.set(c.name, l);
    });
  }
  const envList = [...envNames.keys()].sort();
  const clusterList = [...clusterNames.keys()].sort();
  const checkRefs = (
    l: Loaded,
    path: PathKey[],
    names: string[] | undefined,
    known: string[],
    what: string,
  ) => {
    if (partial && what !== 'component') return;
    names?.forEach((n, i) => {
      if (!known.includes(n)) issues.push(at(l, [...path, i], `unknown ${what} "${n}"`, known));
    });
  };

  const edges = new Map<string, string[]>();
  for (const l of loaded) {
    l.data.clusters?.forEach((c, i) => {
      if (!partial && c.environment && envList.length && !envList.includes(c.environment)) {
        issues.push(at(l, ['clusters', i, 'environment'], `unknown environment "${c.environment}"`, envList));
      }
    });
    l.data.environments?.forEach((e, i) => {
      checkRefs(l, ['environments', i, 'after'], e.after, envList, 'environment');
      if (e.soak && !e.after?.length) {
        issues.push(at(l, ['environments', i, 'soak'], 'soak has no effect without `after` environments'));
      }
      edges.set(e.name, e.after ?? []);
    });
    l.data.rules?.forEach((r, i) => {
      checkRefs(l, ['rules', i, 'match', 'environments'], r.match.environments, envList, 'environment');
      checkRefs(l, ['rules', i, 'match', 'clusters'], r.match.clusters, clusterList, 'cluster');
      if (componentList)
        checkRefs(l, ['rules', i, 'match', 'components'], r.match.components, componentList, 'component');
      const { match: _m, description: _d, ...settings } = r;
      checkSettings(l, ['rules', i], settings, defaults, issues);
    });
    if (l.data.defaults) checkSettings(l, ['defaults'], l.data.defaults, {}, issues);
    l.data.windows?.forEach((w, i) => {
      if (!isTimeZone(w.timezone))
        issues.push(at(l, ['windows', i, 'timezone'], `"${w.timezone}" is not an IANA time zone`));
      if ('cron' in w) {
        const why = checkCron(w.cron);
        if (why) issues.push(at(l, ['windows', i, 'cron'], why));
      }
      if ('rrule' in w) {
        const why = checkRRule(w.rrule);
        if (why) issues.push(at(l, ['windows', i, 'rrule'], why));
      }
      if ('start' in w && w.start >= w.end)
        issues.push(at(l, ['windows', i, 'end'], 'a freeze must end after it starts'));
      checkRefs(l, ['windows', i, 'environments'], w.environments, envList, 'environment');
      checkRefs(l, ['windows', i, 'clusters'], w.clusters, clusterList, 'cluster');
    });
  }
  const cycle = findCycle(edges);
  if (cycle) {
    const l = envNames.get(cycle[0]!)!;
    const i = l.data.environments!.findIndex((e) => e.name === cycle[0]);
    issues.push(at(l, ['environments', i, 'after'], `promotion order has a cycle: ${cycle.join(' -> ')}`));
  }
  const ttlFrom = loaded.filter((l) => l.data.feeds?.ttl);
  for (const extra of ttlFrom.slice(1))
    issues.push(
      at(extra, ['feeds', 'ttl'], `feeds.ttl is already set in ${ttlFrom[0]!.path}; set it in one file only`),
    );
  if (issues.length) throw new ValidationError(issues);

  const tag = <T>(l: Loaded, items: T[] | undefined) => (items ?? []).map((x) => ({ ...x, file: l.path }));
  return {
    files: loaded.map((l) => l.path),
    clusters: loaded.flatMap((l) => tag(l, l.data.clusters)),
    environments: loaded.flatMap((l) => tag(l, l.data.environments)),
    defaults,
    rules: loaded.flatMap((l) => tag(l, l.data.rules)),
    windows: loaded.flatMap((l) => tag(l, l.data.windows)),
    ...(loaded.some((l) => l.data.ignorePaths)
      ? { ignorePaths: loaded.flatMap((l) => l.data.ignorePaths ?? []) }
      : {}),
    ...(loaded.some((l) => l.data.feeds)
      ? {
          feeds: {
            ...(ttlFrom[0] ? { ttl: ttlFrom[0].data.feeds!.ttl! } : {}),
            sources: loaded.flatMap((l) => tag(l, l.data.feeds?.sources)),
          },
        }
      : {}),
  };
}
