// What reaches stderr: every line redacted; with CAIRN_LOG_FORMAT=json every
// line is JSON, errors included; CAIRN_LOG_LEVEL=debug adds phases with timings.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/fixtures.ts';
import { cairn } from './run.ts';

const TOKEN = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';
const dir = mkdtempSync(join(tmpdir(), 'cairn-logs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const repo = join(repoRoot, 'examples/flux-fleet');

function jsonLines(stderr: string): Record<string, unknown>[] {
  const lines = stderr.split('\n').filter((l) => l !== '');
  expect(lines.length).toBeGreaterThan(0);
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('CAIRN_LOG_FORMAT=json', () => {
  it('a validation error is JSON lines with its issues, exit 2', () => {
    const state = join(dir, 'state.yaml');
    writeFileSync(
      state,
      'kind: Deployment\nspec: { template: { spec: { containers: [ { image: 42 } ] } } }\n',
    );
    const r = cairn(['plan', '--repo', repo, '--cluster-state', `prod=${state}`]);
    expect(r.code).toBe(2);
    const [entry] = jsonLines(r.stderr);
    expect(entry).toMatchObject({
      level: 'error',
      exitCode: 2,
      issues: [expect.objectContaining({ field: 'spec.template.spec.containers[0].image', line: 2 })],
    });
    expect(r.stderr).not.toMatch(/TypeError|at .*\.ts:\d+/);
  });

  it('usage errors and unknown commands are JSON lines too', () => {
    for (const args of [['plan'], ['nope'], ['plan', '--repo', join(dir, 'missing')]]) {
      const r = cairn(args);
      expect(r.code).toBe(2);
      for (const e of jsonLines(r.stderr)) expect(e.level).toBe('error');
    }
  });

  it('a bad environment is reported as JSON, the secret values redacted', () => {
    const r = cairn(['plan', '--repo', repo], { env: { CAIRN_LOG_LEVEL: 'loud', GITHUB_TOKEN: TOKEN } });
    expect(r.code).toBe(2);
    expect(jsonLines(r.stderr)[0]).toMatchObject({ level: 'error', msg: 'bad environment' });
    expect(r.stderr).not.toContain(TOKEN);
  });

  it('CAIRN_LOG_LEVEL=debug emits each phase with its duration', () => {
    const r = cairn(['plan', '--repo', repo], { env: { CAIRN_LOG_LEVEL: 'debug' } });
    expect(r.code).toBe(0);
    const phases = jsonLines(r.stderr).filter((e) => e.msg === 'phase');
    expect(phases.map((p) => p.phase)).toEqual(['catalog', 'policy', 'feed', 'scan-and-plan']);
    for (const p of phases) expect(typeof p.ms).toBe('number');
  });
});

describe('redaction', () => {
  it.each(['json', 'pretty'])('a token in an error message never reaches stderr (%s)', (format) => {
    const r = cairn(['plan', '--repo', repo, '--feed', join(dir, `${TOKEN}.yaml`)], {
      env: { CAIRN_LOG_FORMAT: format, GITHUB_TOKEN: TOKEN },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[redacted]');
    expect(r.stderr).not.toContain(TOKEN);
  });

  it('a token shape is masked even when not registered', () => {
    const r = cairn(['plan', '--repo', repo, '--feed', join(dir, `${TOKEN}.yaml`)], {
      env: { CAIRN_LOG_FORMAT: 'pretty' },
    });
    expect(r.stderr).not.toContain(TOKEN);
  });
});
