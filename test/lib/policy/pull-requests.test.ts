// Reviewers, assignees, labels and auto-merge from the policy: `pullRequests` in
// defaults and in rules, matched per component/cluster/environment/target like any rule.
import { describe, expect, it } from 'vitest';
import { formatIssue, ValidationError } from '../../../lib/errors.ts';
import { loadPolicy } from '../../../lib/policy/load.ts';
import { resolvePullRequestSettings, resolveSettings } from '../../../lib/policy/resolve.ts';

const head = 'apiVersion: cairn.dev/v1alpha1\nkind: Policy\n';
const policy = loadPolicy([
  {
    path: '.cairn/policy.yaml',
    text: `${head}environments:
  - name: dev
  - name: staging
    after: [dev]
  - name: prod
    after: [staging]
defaults:
  minimumReleaseAge: 7d
  pullRequests:
    reviewers: [alice]
    labels: [upgrades]
rules:
  - match: { environments: [dev] }
    pullRequests: { autoMerge: true }
  - match: { environments: [prod] }
    pullRequests: { reviewers: [prod-oncall, bob], assignees: [carol], autoMerge: false }
  - match: { components: [redis-enterprise-operator] }
    pullRequests: { labels: [enterprise] }
`,
  },
]);
const subject = (component: string, environment?: string) => ({
  id: `x.yaml#${component}`,
  file: 'x.yaml',
  component,
  ...(environment ? { environment, cluster: `${environment}-1` } : {}),
});

describe('pull request settings from the policy', () => {
  it('defaults, then each matching rule in order; a field a later rule sets replaces the earlier value', () => {
    expect(resolvePullRequestSettings(policy, subject('redis', 'dev'))).toEqual({
      reviewers: ['alice'],
      labels: ['upgrades'],
      autoMerge: true,
    });
    expect(resolvePullRequestSettings(policy, subject('redis', 'prod'))).toEqual({
      reviewers: ['prod-oncall', 'bob'],
      assignees: ['carol'],
      labels: ['upgrades'],
      autoMerge: false,
    });
    expect(resolvePullRequestSettings(policy, subject('redis-enterprise-operator', 'staging'))).toEqual({
      reviewers: ['alice'],
      labels: ['enterprise'],
    });
  });

  it('leave the upgrade settings alone', () => {
    const without = loadPolicy([
      {
        path: 'p.yaml',
        text: `${head}environments:\n  - name: prod\ndefaults:\n  minimumReleaseAge: 7d\n`,
      },
    ]);
    expect(resolveSettings(policy, subject('redis', 'prod'))).toEqual(
      resolveSettings(without, subject('redis', 'prod')),
    );
  });

  it('a malformed login or an unknown field is an error naming the file, line and field', () => {
    const issues = (text: string) => {
      try {
        loadPolicy([{ path: '.cairn/policy.yaml', text: head + text }]);
      } catch (e) {
        if (e instanceof ValidationError) return e.issues.map(formatIssue);
        throw e;
      }
      return [];
    };
    expect(issues('defaults:\n  pullRequests:\n    reviewers: ["not a login"]\n').join('\n')).toMatch(
      /\.cairn\/policy\.yaml:5.*defaults\.pullRequests\.reviewers(\.|\[)0.*GitHub login/,
    );
    expect(issues('defaults:\n  pullRequests:\n    reviewers: [acme/platform, alice]\n')).toEqual([]);
    expect(issues('defaults:\n  pullRequests:\n    reviewers: ["@acme/platform"]\n').join('\n')).toMatch(
      /reviewers(\.|\[)0.*acme\/platform/,
    );
    expect(issues('defaults:\n  pullRequests:\n    automerge: true\n').join('\n')).toMatch(
      /\.cairn\/policy\.yaml:\d+.*automerge/,
    );
  });
});
