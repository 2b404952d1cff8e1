// The policy file that makes the GitHub test server's Codertocat/Hello-World a
// release source of the howl-cloud operator: the webhook, pacing and load
// worlds commit it so a `release` delivery for that repository is a real
// operator release. No test framework here, so bench/ can use it too.

/** `.cairn/feeds.yaml` naming Hello-World's releases, read from `releasesApi`, as the operator's feed. */
export function operatorFeedPolicy(releasesApi: string): string {
  return [
    'apiVersion: cairn.dev/v1alpha1',
    'kind: Policy',
    'feeds:',
    '  sources:',
    '    - component: howl-redis-operator',
    '      type: github-releases',
    '      repo: Codertocat/Hello-World',
    `      baseUrl: ${releasesApi}`,
    '',
  ].join('\n');
}
