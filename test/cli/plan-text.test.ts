// The text plan a person reads, on real upstream repositories (the OT-Container-Kit
// and Alauda operator repositories from ../shared/fixtures, read in place) and on
// the Flux example: short ids that explain and apply accept, files on every row,
// each reason said once, pin notes apart from unreadable files, 120 columns, and
// colour only on a terminal without NO_COLOR.
import { expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { describeWithFixtures, fixture, repoRoot } from '../support/fixtures.ts';
import { cairn, gitCopy, git } from './run.ts';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NOW = '2026-11-21T09:00:00Z';
const plan = (repo: string, ...more: string[]) =>
  cairn(['plan', '--repo', repo, '--now', NOW, ...more], { env: { CAIRN_LOG_LEVEL: 'warn' } });

function section(text: string, name: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(name));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && /^[A-Z]/.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

describeWithFixtures('the text plan on real repositories', () => {
  const ot = fixture('ot-redis-operator');
  const alauda = fixture('alauda-redis-operator');

  it('shows a short id and the file on every TARGETS and BLOCKED row', () => {
    const r = plan(ot);
    expect(r.code).toBe(0);
    const targets = section(r.stdout, 'TARGETS').filter((l) => l.trim());
    // A heading, then per target: the id row and its file line.
    expect(targets[0]).toMatch(/^ {2}ID +CLUSTER +COMPONENT/);
    const rows = targets.slice(1);
    const ids = rows.map((l, i) => [l, i] as const).filter(([l]) => /^ {2}[0-9a-f]{6,16} {2}/.test(l));
    expect(ids.length, rows.join('\n')).toBe(12);
    for (const [, i] of ids) expect(rows[i + 1]).toMatch(/^ {10}\S+\.yaml:\d+ {2}\S/);
    const blocked = section(r.stdout, 'BLOCKED');
    const heads = blocked.filter((l) => /^ {2}[0-9a-f]{6,16} {2}/.test(l));
    expect(heads.length).toBeGreaterThan(0);
    expect(blocked.filter((l) => /^ +at: +\S+\.yaml:\d+ /.test(l)).length).toBe(heads.length);
  });

  it('says a blocked reason once: not again under NOTES', () => {
    const r = plan(ot);
    const reasons = section(r.stdout, 'BLOCKED')
      .map((l) => /^ +reason: +(.*)$/.exec(l)?.[1])
      .filter((x): x is string => Boolean(x));
    expect(reasons.length).toBeGreaterThan(0);
    const notes = section(r.stdout, 'NOTES').join('\n');
    for (const reason of reasons) expect(notes).not.toContain(reason);
  });

  it('files digest pins and empty tags under NOTES, not under FILES NOT READ SAFELY', () => {
    // The Alauda chart's values pin images by digest; without its operator block they are plain pins.
    const dir = mkdtempSync(join(tmpdir(), 'cairn-notes-'));
    mkdirSync(join(dir, 'apps'));
    writeFileSync(
      join(dir, 'apps/values.yaml'),
      readFileSync(join(alauda, 'charts/redis-operator/values.yaml'), 'utf8').replace(
        / {2}redisOperator:\n( {4}.*\n)+/,
        '',
      ),
    );
    const a = plan(dir);
    expect(section(a.stdout, 'FILES NOT READ SAFELY')).toEqual([]);
    expect(section(a.stdout, 'NOTES').join('\n')).toMatch(
      /apps\/values\.yaml:\d+ +images\.redis6\.tag: .*pinned by digest/,
    );
    const o = plan(ot);
    expect(o.stdout).not.toContain('FILES NOT READ SAFELY');
    expect(section(o.stdout, 'NOTES').join('\n')).toMatch(
      /charts\/redis-operator\/values\.yaml:6 .*imageTag is empty/,
    );
  });

  it('fits every line in 120 columns and writes no escape codes into a pipe', () => {
    for (const repo of [ot, alauda, fixture('redis-enterprise-k8s'), join(repoRoot, 'examples/flux-fleet')]) {
      const r = plan(repo);
      expect(r.code).toBe(0);
      const long = r.stdout.split('\n').filter((l) => l.length > 120);
      expect(long).toEqual([]);
      expect(r.stdout).not.toContain('\x1b[');
    }
  });
});

it('explain and apply accept the short id the text plan shows', () => {
  const dir = gitCopy(join(repoRoot, 'examples/flux-fleet'));
  const text = plan(dir).stdout;
  // The staging howl-cloud operator: a target row, and its one step.
  const row = text.split('\n').findIndex((l) => /^ {2}[0-9a-f]{6,} +staging +howl-redis-operator /.test(l));
  expect(row).toBeGreaterThan(0);
  const targetShort = /^ {2}([0-9a-f]+)/.exec(text.split('\n')[row]!)![1]!;
  const e = cairn(['explain', '--repo', dir, targetShort, '--to', '0.2.6', '--now', NOW]);
  expect(e.stderr).toBe('');
  expect(e.stdout.split('\n')[0]).toBe(
    'infrastructure/staging/redis-operator.yaml#HelmRelease/redis-system/redis-operator:spec.chart.spec.version',
  );
  // apply takes a step's short id (or a target's, meaning its first step).
  const stepShort = text
    .split('\n')
    .map((l) => /^ *\d+\. ([0-9a-f]+) {2}(howl-redis-operator-0\.2\.6-\S+)/.exec(l))
    .find((m) => m && e.stdout.includes(m[2]!))?.[1];
  expect(stepShort).toBeDefined();
  const a = cairn(['apply', '--repo', dir, '--step', stepShort!, '--now', NOW], {
    env: { CAIRN_LOG_LEVEL: 'warn' },
  });
  expect(a.stderr).toBe('');
  expect(a.code).toBe(0);
  const branch = /^branch: (\S+)/m.exec(a.stdout)![1]!;
  expect(git(dir, 'diff', '--name-only', 'main', branch).trim()).toBe(
    'infrastructure/staging/redis-operator.yaml',
  );
});

it('colours the plan on a terminal, and not with NO_COLOR or in a pipe', async () => {
  const run = async (opts: { stdoutTTY: boolean; env: Record<string, string> }) => {
    let out = '';
    const code = await main(['plan', '--repo', 'examples/flux-fleet', '--now', NOW], {
      stdout: (t) => void (out += t),
      stderr: () => {},
      isTTY: false,
      cwd: repoRoot,
      stdoutTTY: opts.stdoutTTY,
      env: { CAIRN_LOG_LEVEL: 'warn', ...opts.env },
    });
    expect(code).toBe(0);
    return out;
  };
  const coloured = await run({ stdoutTTY: true, env: {} });
  expect(coloured).toContain('\x1b[1mTARGETS');
  expect(coloured).toContain('\x1b[32mplanned');
  expect(await run({ stdoutTTY: true, env: { NO_COLOR: '1' } })).not.toContain('\x1b[');
  expect(await run({ stdoutTTY: false, env: {} })).not.toContain('\x1b[');
  // Without colour, the text is the same plan.
  expect(coloured.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '')).toBe(
    await run({ stdoutTTY: false, env: {} }),
  );
});
