// Environments by convention: a cluster named `dev-1`, `prod-eu` or
// `staging-2` belongs to the environment its name says (dev, prod, staging),
// and conventional environments are promoted lowest first (dev, test/qa, uat,
// staging, prod) when the policy declares no environments of its own.

/** Promotion rank of conventional environment words; lower goes first. */
const RANK: Record<string, number> = {
  dev: 0,
  development: 0,
  test: 1,
  qa: 1,
  uat: 2,
  stage: 3,
  staging: 3,
  preprod: 3,
  prod: 4,
  production: 4,
};

/** The conventional environment a cluster name says, e.g. `prod-eu` -> `prod`; undefined when none. */
export function environmentFromName(cluster: string): string | undefined {
  for (const part of cluster.toLowerCase().split(/[-_.]/)) {
    const word = /^([a-z]+)\d*$/.exec(part)?.[1];
    if (word && RANK[word] !== undefined) return word;
  }
  return undefined;
}

/** The promotion rank of a conventional environment name; undefined for any other name. */
export function conventionalRank(environment: string): number | undefined {
  return RANK[environment];
}

/**
 * The promotion order of conventional environments: each waits for the
 * environments of the rank just below it that are present. Names without a
 * rank are not ordered.
 */
export function conventionalPromotion(environments: Iterable<string>): { name: string; after: string[] }[] {
  const ranked = [...new Set(environments)]
    .filter((e) => conventionalRank(e) !== undefined)
    .sort((a, b) => conventionalRank(a)! - conventionalRank(b)! || a.localeCompare(b));
  return ranked.map((name) => {
    const r = conventionalRank(name)!;
    const below = ranked.map((e) => conventionalRank(e)!).filter((x) => x < r);
    const prev = below.length ? Math.max(...below) : undefined;
    return { name, after: prev === undefined ? [] : ranked.filter((e) => conventionalRank(e) === prev) };
  });
}
