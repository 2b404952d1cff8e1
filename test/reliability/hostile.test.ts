// Hostile input through the whole path: bad files committed to the fleet, and a
// compromised feed publishing hostile tags and huge release notes. Each bad file is left
// untouched and reported with its file, line and reason; the rest of the repository still
// plans and gets its PRs. (test/lib/targets has the same inputs at the scanner.)
import { expect, it } from 'vitest';
import { describeWithFixtures } from '../support/fixtures.ts';
import type { GitHubTestServer } from '../support/github-server/index.ts';
import { HELLO_RELEASES, outsideWorld } from '../functions/helpers.ts';
import { fleet, githubDelivery, openSteps, pushToMain, releasePublished, service } from './world.ts';

const BOMB = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
  'image: redis:7.2.4',
  '',
].join('\n');

const BAD: Record<string, string> = {
  'apps/dev/broken.yaml': 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  image: [redis:7.2.4\n',
  'apps/dev/bomb.yaml': BOMB,
  'apps/dev/dupes.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: dupes}',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: redis',
    '          image: redis:7.2.4',
    '          image: redis:6.0.0',
    '',
  ].join('\n'),
};

/** A symbolic link out of the repository, committed as git would (mode 120000). */
function commitSymlink(server: GitHubTestServer, path: string, to: string): void {
  const head = server.branchSha('main')!;
  const blob = server.git(['hash-object', '-w', '--stdin'], to).trim();
  const index = `${server.bare}/../index-link`;
  const env = { GIT_INDEX_FILE: index };
  server.git(['read-tree', `${head}^{tree}`], '', env);
  server.git(['update-index', '--add', '--cacheinfo', `120000,${blob},${path}`], '', env);
  const tree = server.git(['write-tree'], '', env).trim();
  const sha = server
    .git(['commit-tree', tree, '-p', head, '-m', 'link'], '', {
      GIT_AUTHOR_NAME: 'h',
      GIT_AUTHOR_EMAIL: 'h@example.com',
      GIT_COMMITTER_NAME: 'h',
      GIT_COMMITTER_EMAIL: 'h@example.com',
    })
    .trim();
  server.git(['update-ref', 'refs/heads/main', sha]);
}

describeWithFixtures('hostile input through the whole path', () => {
  it('malformed YAML, an alias bomb, duplicate keys and a symlink out: each reported by file and line, untouched, and the rest still plans', async () => {
    const clean = await fleet();
    const baseline = service(clean);
    await baseline.request('/webhooks/github', githubDelivery('push', pushToMain()));
    const expected = openSteps(clean)
      .map((s) => s.step.target.id)
      .sort();

    const server = await fleet();
    server.commitFiles('main', BAD, 'someone commits bad files');
    commitSymlink(server, 'apps/dev/escape.yaml', '../../../../../etc/passwd');
    const before = Object.fromEntries(
      [...Object.keys(BAD), 'apps/dev/escape.yaml'].map((f) => [
        f,
        server.git(['rev-parse', `main:${f}`]).trim(),
      ]),
    );
    const { request, logs } = service(server);
    const res = await request('/webhooks/github', githubDelivery('push', pushToMain()));
    expect(res.status).toBe(200);
    const answer = (await res.json()) as {
      outcome: string;
      problems?: { file: string; line?: number; reason: string }[];
    };
    expect(answer.outcome).toBe('done');
    // The rest of the repository planned exactly as without the bad files.
    expect(
      openSteps(server)
        .map((s) => s.step.target.id)
        .sort(),
    ).toEqual(expected);
    for (const s of openSteps(server)) {
      const touched = server
        .git(['diff', '--name-only', `main...${s.pr.head}`])
        .trim()
        .split('\n');
      for (const f of Object.keys(before)) expect(touched).not.toContain(f);
    }
    for (const [f, sha] of Object.entries(before))
      expect(server.git(['rev-parse', `main:${f}`]).trim()).toBe(sha);
    // Each is reported, naming the file (and the line where YAML can say).
    const problems = answer.problems ?? [];
    for (const f of Object.keys(before))
      expect(
        problems.map((p) => p.file),
        f,
      ).toContain(f);
    expect(problems.find((p) => p.file === 'apps/dev/broken.yaml')?.line).toBeGreaterThan(0);
    expect(problems.find((p) => p.file === 'apps/dev/dupes.yaml')?.line).toBe(10);
    const logged = logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'repository file skipped');
    for (const f of Object.keys(before)) expect(logged.map((l) => l.file)).toContain(f);
  });

  it('a compromised feed: tags with newlines, ../ or ---, non-versions and downgrades are refused; huge notes do not overflow the PR body', async () => {
    const server = await fleet();
    const svc = service(server);
    const evil = (tag: string) => ({ ...HELLO_RELEASES[0]!, tag_name: tag });
    const releases = [
      evil('v0.2.9\nmalicious: true'),
      evil('../../v0.2.10'),
      evil('---'),
      evil('v0.2.11 --- x'),
      evil('latest'),
      evil('${{ secrets.TOKEN }}'),
      evil('v0.1.0'),
      { ...HELLO_RELEASES[0]!, tag_name: 'v0.2.7', body: 'x'.repeat(2 * 1024 * 1024) },
    ];
    svc.runtime.fetch = outsideWorld({ releases: () => releases });
    const res = await svc.request('/webhooks/github', githubDelivery('release', releasePublished()));
    expect(res.status).toBe(200);
    const operator = openSteps(server).filter((s) => s.step.component === 'howl-redis-operator');
    expect(operator.length).toBeGreaterThan(0);
    for (const s of operator) expect(['0.2.6', '0.2.7']).toContain(s.step.to);
    for (const p of server.pulls.values()) {
      expect(p.head).not.toMatch(/\.\.|\n|---|\s/);
      expect(p.title).not.toMatch(/\n|malicious|secrets/);
      expect(p.body.length).toBeLessThanOrEqual(65_536);
      expect(p.body).not.toContain('malicious: true');
    }
    for (const b of server.git(['for-each-ref', '--format=%(refname)']).split('\n').filter(Boolean))
      expect(b).not.toMatch(/\.\.|malicious/);
  });

  it.each([
    ['an unknown field', 'defaults:\n  surprise: true\n', /defaults.*surprise|surprise/],
    [
      'a contradiction',
      'rules:\n  - match: { components: [redis] }\n    pin: "7.2.x"\n    minimumVersion: "7.4.0"\n',
      /rules\[0\]\.pin: contradictory policy/,
    ],
    [
      'a cycle',
      'environments:\n  - { name: a, after: [b] }\n  - { name: b, after: [a] }\n',
      /promotion order has a cycle/,
    ],
  ])(
    'a policy with %s in a pushed commit: nothing is written, and the error names file, line and field',
    async (_name, body, field) => {
      const server = await fleet();
      server.commitFiles(
        'main',
        { '.cairn/zz-bad.yaml': `apiVersion: cairn.dev/v1alpha1\nkind: Policy\n${body}` },
        'a bad policy',
      );
      const { request, logs, cairn, env } = service(server);
      const res = await request('/webhooks/github', githubDelivery('push', pushToMain()));
      // Refused as a whole (a looser plan is never made from a policy cairn cannot read).
      expect(res.status).toBe(500);
      const { runCron } = await import('../../functions/cron.ts');
      await runCron(cairn.services(env), 'with-bad-policy');
      expect(server.log.filter((r) => r.method !== 'GET')).toHaveLength(0);
      const errors = logs.filter((l) => l.includes('"level":"error"')).join('\n');
      expect(errors).toMatch(/\.cairn\/zz-bad\.yaml:\d+:\d+/);
      expect(errors).toMatch(field);
    },
  );
});
