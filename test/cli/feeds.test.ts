// `cairn feeds snapshot` and `cairn plan --live` as a user runs them, in
// process, with a policy that points every component's sources at the local
// feed server (`replace: true`), so nothing leaves the machine.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../cli/main.ts';
import { parseFeed } from '../../lib/feed.ts';
import { type FeedServer, startFeedServer } from '../support/feed-server.ts';
import { stderrMessages } from './run.ts';
import { catalog } from '../lib/feeds/helpers.ts';

let server: FeedServer;
let dir: string;

async function cairn(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const status = await main(args, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    cwd: dir,
    env: { CAIRN_LOG_LEVEL: 'error', CAIRN_LOG_FORMAT: 'json', CAIRN_STORE: 'memory:' },
    isTTY: false,
  });
  return { status, stdout, stderr: stderrMessages(stderr) };
}

beforeAll(async () => {
  server = await startFeedServer();
  server.registry.set('library/redis', {
    tags: {
      '7.2.4': { created: '2024-01-09T18:00:00Z' },
      '7.2.5': { created: '2024-05-16T10:00:00Z' },
      '7.4': {},
      latest: {},
      'bad\nname': {},
    },
  });
  server.github.set('redis/redis', [
    { tag: '7.9.0', published: null },
    { tag: '7.2.5', published: '2024-05-16T09:00:00Z' },
  ]);
  dir = mkdtempSync(join(tmpdir(), 'cairn-feeds-cli-'));
  // Every component with a shipped source reads only from the local server.
  const components = [...new Set(catalog.feeds.map((f) => f.component))];
  const sources = components.map((component) =>
    component === 'redis'
      ? { component, type: 'oci', registry: server.url, repository: 'library/redis', replace: true }
      : { component, type: 'github-releases', repo: `none/${component}`, baseUrl: server.url, replace: true },
  );
  sources.push({
    component: 'redis',
    type: 'github-releases',
    repo: 'redis/redis',
    baseUrl: server.url,
    replace: true,
  });
  mkdirSync(join(dir, 'policies'));
  writeFileSync(
    join(dir, 'policies/policy.yaml'),
    stringify({
      apiVersion: 'cairn.dev/v1alpha1',
      kind: 'Policy',
      defaults: { minimumReleaseAge: '3d' },
      feeds: { ttl: '5m', sources },
    }),
  );
  mkdirSync(join(dir, 'repo/apps/cache'), { recursive: true });
  writeFileSync(join(dir, 'repo/apps/cache/values.yaml'), 'image:\n  repository: redis\n  tag: "7.2.4"\n');
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('cairn feeds snapshot', () => {
  it('prints a snapshot plan --feed accepts: both sources merged, the earliest date kept, hostile tags reported', async () => {
    const r = await cairn('feeds', 'snapshot', '--component', 'redis', '--policies', 'policies');
    expect(r.status).toBe(0);
    const feed = parseFeed(r.stdout, 'feed.yaml', catalog);
    expect(feed).toEqual({
      redis: [
        { version: '7.2.4', published: '2024-01-09T18:00:00Z' },
        { version: '7.2.5', published: '2024-05-16T09:00:00Z' },
        { version: '7.9.0' },
      ],
    });
    expect(r.stdout).toContain('rejected 1: "bad\\nname" (contains a newline or control character)');
  });

  it('keeps what it read in the store between runs: a second run within the TTL asks nothing', async () => {
    const run = async () => {
      let stdout = '';
      const status = await main(['feeds', 'snapshot', '--component', 'redis', '--policies', 'policies'], {
        stdout: (t) => void (stdout += t),
        stderr: () => {},
        cwd: dir,
        env: { CAIRN_LOG_LEVEL: 'error', CAIRN_STORE: 'sqlite:state/feeds.db' },
        isTTY: false,
      });
      return { status, stdout };
    };
    const first = await run();
    const before = server.log.length;
    const second = await run();
    expect(second.status).toBe(0);
    expect(server.log.length).toBe(before);
    expect(parseFeed(second.stdout, 'feed.yaml', catalog)).toEqual(
      parseFeed(first.stdout, 'feed.yaml', catalog),
    );
  });

  it('an unknown component is a usage error naming the allowed ids', async () => {
    const r = await cairn('feeds', 'snapshot', '--component', 'redsi', '--policies', 'policies');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown component "redsi"');
    expect(r.stderr).toContain('allowed: ');
  });

  it('a component none of whose sources answers exits 1 and says why on stderr', async () => {
    const r = await cairn('feeds', 'snapshot', '--component', 'valkey', '--policies', 'policies');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('valkey <- github-releases:');
    expect(r.stderr).toContain('HTTP 404');
  });
});

it('a policy can name only GITHUB_TOKEN or CAIRN_FEED_* as credentials: other variables are never sent', async () => {
  mkdirSync(join(dir, 'leaky'), { recursive: true });
  const source = (password: string) => ({
    component: 'ot-redis-operator',
    type: 'oci',
    registry: server.url,
    repository: 'corp/operator',
    credentials: { username: 'CAIRN_FEED_USER', password },
    replace: true,
  });
  server.registry.set('corp/operator', {
    tags: { 'v0.18.0': { created: '2024-06-01T00:00:00Z' } },
    credentials: { username: 'robot', password: 'hunter2' },
  });
  const env = { CAIRN_FEED_USER: 'robot', CAIRN_FEED_PASS: 'hunter2', AWS_SECRET_ACCESS_KEY: 'hunter2' };
  const run = async (password: string) => {
    writeFileSync(
      join(dir, 'leaky/policy.yaml'),
      stringify({ apiVersion: 'cairn.dev/v1alpha1', kind: 'Policy', feeds: { sources: [source(password)] } }),
    );
    let stderr = '';
    let stdout = '';
    const status = await main(
      ['feeds', 'snapshot', '--component', 'ot-redis-operator', '--policies', 'leaky'],
      {
        stdout: (t) => void (stdout += t),
        stderr: (t) => void (stderr += t),
        cwd: dir,
        env: { ...env, CAIRN_LOG_LEVEL: 'error', CAIRN_STORE: 'memory:' },
        isTTY: false,
      },
    );
    return { status, stdout, stderr: stderrMessages(stderr) };
  };
  const ok = await run('CAIRN_FEED_PASS');
  expect(ok.status).toBe(0);
  expect(ok.stdout).toContain('"v0.18.0"');
  const leak = await run('AWS_SECRET_ACCESS_KEY');
  expect(leak.status).toBe(1);
  expect(leak.stderr).toContain('secret AWS_SECRET_ACCESS_KEY is not set');
});

it('cairn validate reports a policy feed source for an unknown component', async () => {
  mkdirSync(join(dir, 'typo'), { recursive: true });
  writeFileSync(
    join(dir, 'typo/policy.yaml'),
    'apiVersion: cairn.dev/v1alpha1\nkind: Policy\nfeeds:\n  sources:\n    - { component: rediss, type: github-releases, repo: redis/redis }\n',
  );
  const r = await cairn('validate', '--policies', 'typo');
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('typo/policy.yaml feeds.sources[0].component: unknown component "rediss"');
});

describe('cairn plan --live', () => {
  it('plans with the live releases, and blocks the undated newer release with its unblock action', async () => {
    const r = await cairn(
      'plan',
      '--repo',
      'repo',
      '--policies',
      'policies',
      '--live',
      '--now',
      '2026-11-30T12:00:00Z',
      '--format',
      'json',
    );
    expect(r.status).toBe(0);
    const plan = JSON.parse(r.stdout) as {
      steps: { to: string }[];
      blocked: { wanted: string; reason: string; unblock: string }[];
    };
    expect(plan.steps.map((s) => s.to)).toEqual(['7.2.5']);
    expect(plan.blocked).toMatchObject([{ wanted: '7.9.0' }]);
    expect(plan.blocked[0]!.reason).toContain('release date of 7.9.0 is unknown');
    expect(plan.blocked[0]!.unblock).toContain('docs/feeds.md');
    expect(r.stderr).toContain('cairn plan --live: valkey <- github-releases:');
  });

  it('--live with --feed is a usage error', async () => {
    const r = await cairn('plan', '--repo', 'repo', '--live', '--feed', 'x.yaml');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--live and --feed exclude each other');
  });
});
