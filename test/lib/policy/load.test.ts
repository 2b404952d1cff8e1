import { describe, expect, it } from 'vitest';
import { formatIssue, ValidationError } from '../../../lib/errors.ts';
import { loadPolicy } from '../../../lib/policy/load.ts';
import { placeFile, resolveSettings } from '../../../lib/policy/resolve.ts';

const head = 'apiVersion: cairn.dev/v1alpha1\nkind: Policy\n';

function problems(text: string, extra: { path: string; text: string }[] = []): string[] {
  try {
    loadPolicy([{ path: '.cairn/policy.yaml', text: head + text }, ...extra]);
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map(formatIssue);
    throw e;
  }
  return [];
}

describe('policy validation', () => {
  it('accepts a full policy and resolves settings per target', () => {
    const policy = loadPolicy([
      {
        path: '.cairn/policy.yaml',
        text: `${head}clusters:
  - name: prod-eu
    environment: prod
    kubernetes: "1.30"
    paths: ["clusters/prod-eu/**", "apps/prod/**"]
environments:
  - name: staging
  - name: prod
    after: [staging]
    soak: 72h
defaults:
  minimumReleaseAge: 7d
rules:
  - match: { components: [redis], environments: [prod] }
    updateTypes: [patch, minor]
windows:
  - { name: nights, kind: allow, cron: "0 22 * * 1-4", duration: 4h, timezone: Europe/Berlin, environments: [prod] }
  - { name: saturdays, kind: allow, rrule: "FREQ=WEEKLY;BYDAY=SA;BYHOUR=2", duration: 3h, timezone: America/New_York }
  - { name: year-end, kind: deny, start: "2026-12-20", end: "2027-01-04", timezone: Europe/Berlin }
`,
      },
    ]);
    expect(placeFile(policy, 'apps/prod/cache/values.yaml')).toEqual({
      cluster: 'prod-eu',
      environment: 'prod',
    });
    expect(placeFile(policy, 'apps/staging/values.yaml')).toEqual({});
    const s = resolveSettings(policy, {
      id: 'x',
      file: 'apps/prod/v.yaml',
      component: 'redis',
      cluster: 'prod-eu',
      environment: 'prod',
    });
    expect(s.updateTypes).toEqual(['patch', 'minor']);
    expect(s.minimumReleaseAgeMs).toBe(7 * 86400e3);
    const other = resolveSettings(policy, { id: 'y', file: 'a.yaml', component: 'valkey' });
    expect(other.updateTypes).toEqual(['patch', 'minor', 'major']);
  });

  it('names file, line, field and allowed values for schema errors', () => {
    expect(problems('defaults:\n  majorUpgrade: sideways\n')).toEqual([
      '.cairn/policy.yaml:4:17 defaults.majorUpgrade: Invalid option: expected one of "via-earliest-minor"|"direct" (allowed: via-earliest-minor, direct)',
    ]);
    expect(problems('defaults:\n  minimumReleaseAge: a week\n')[0]).toMatch(
      /^\.cairn\/policy\.yaml:4:\d+ defaults\.minimumReleaseAge: must be a duration such as 30m, 24h, 7d or 2w$/,
    );
  });

  it('finds a cycle in the promotion order', () => {
    const out = problems('environments:\n  - { name: a, after: [b] }\n  - { name: b, after: [a] }\n');
    expect(out).toEqual([
      '.cairn/policy.yaml:4:23 environments[0].after: promotion order has a cycle: a -> b -> a',
    ]);
  });

  it('refuses contradictory settings: pinned and also required to upgrade', () => {
    const out = problems(
      'rules:\n  - match: { components: [redis] }\n    pin: "7.2.x"\n    minimumVersion: "7.4.0"\n',
    );
    expect(out).toEqual([
      '.cairn/policy.yaml:5:10 rules[0].pin: contradictory policy: is pinned to "7.2.x" and also required to reach at least ">=7.4.0"',
    ]);
  });

  it('checks references, schedules and time zones', () => {
    const out = problems(`environments:
  - name: prod
clusters:
  - { name: c1, environment: prdo, paths: ["**"] }
windows:
  - { name: w1, kind: allow, cron: "0 25 * * *", duration: 1h, timezone: Mars/Olympus }
  - { name: w2, kind: deny, rrule: "FREQ=HOURLY", duration: 1h, timezone: UTC }
  - { name: w3, kind: deny, start: "2027-01-04", end: "2026-12-20", timezone: UTC }
`);
    expect(out).toEqual([
      '.cairn/policy.yaml:6:30 clusters[0].environment: unknown environment "prdo" (allowed: prod)',
      '.cairn/policy.yaml:8:74 windows[0].timezone: "Mars/Olympus" is not an IANA time zone',
      '.cairn/policy.yaml:8:36 windows[0].cron: hour value "25" is outside 0-23',
      '.cairn/policy.yaml:9:36 windows[1].rrule: FREQ must be one of DAILY, WEEKLY, MONTHLY, YEARLY',
      '.cairn/policy.yaml:10:55 windows[2].end: a freeze must end after it starts',
    ]);
  });

  it('merges several files and refuses a cluster defined twice', () => {
    const out = problems('clusters:\n  - { name: c1, paths: ["a/**"] }\n', [
      { path: '.cairn/more.yaml', text: `${head}clusters:\n  - { name: c1, paths: ["b/**"] }\n` },
    ]);
    expect(out).toEqual(['.cairn/policy.yaml:4:13 clusters[0].name: cluster "c1" is defined twice']);
  });
});

describe('policy mistakes are errors', () => {
  const components = ['redis', 'bitnami-redis', 'kubedb-redis'];
  const load = (files: { path: string; text: string }[]) => {
    try {
      loadPolicy(files, { components });
    } catch (e) {
      if (e instanceof ValidationError) return e.issues.map(formatIssue);
      throw e;
    }
    return [];
  };

  it('a rule matching an unknown component id fails, naming the known ids', () => {
    expect(
      load([
        {
          path: 'p.yaml',
          text: `${head}rules:\n  - match: { components: [redis, reddis] }\n    updateTypes: [patch]\n`,
        },
      ]),
    ).toEqual([
      'p.yaml:4:34 rules[0].match.components[1]: unknown component "reddis" (allowed: bitnami-redis, kubedb-redis, redis)',
    ]);
  });

  it('schema problems of one file and semantic problems of another are reported together', () => {
    expect(
      load([
        { path: 'a.yaml', text: `${head}defaults:\n  minimumReleaseAge: soon\n` },
        {
          path: 'b.yaml',
          text: `${head}rules:\n  - match: { components: [nope] }\n    pin: "7.2"\n    allowedVersions: "8.x"\n`,
        },
      ]),
    ).toEqual([
      expect.stringMatching(/^a\.yaml:4:\d+ defaults\.minimumReleaseAge: /),
      expect.stringMatching(/^b\.yaml:4:\d+ rules\[0\]\.match\.components\[0\]: unknown component "nope"/),
      expect.stringMatching(/^b\.yaml:5:\d+ rules\[0\]\.pin: contradictory policy/),
    ]);
  });
});
