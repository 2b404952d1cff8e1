// Runs the cairn CLI as a user would: a separate Node process from the repo root.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { repoRoot } from '../support/fixtures.ts';

/** Directories gitCopy made for this test file; removed when the file's tests end. */
const copies: string[] = [];
afterAll(() => {
  for (const d of copies.splice(0)) rmSync(d, { recursive: true, force: true });
});

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** What stderr says, as a person would read it: the message (and issues) of each JSON line. */
  said: string;
}

/** The messages of cairn's JSON stderr lines, with their issues; other lines as they are. */
export function stderrMessages(stderr: string): string {
  return stderr
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; issues?: unknown[] };
        return [entry.msg, ...(entry.issues ?? []).map((i) => JSON.stringify(i))].join('\n');
      } catch {
        return line;
      }
    })
    .join('\n');
}

export function cairn(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [join(repoRoot, 'cli/main.ts'), ...args], {
    cwd: opts.cwd ?? repoRoot,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      CAIRN_LOG_FORMAT: 'json',
      ...opts.env,
    },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, said: stderrMessages(r.stderr) };
}

export function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@localhost', ...args], {
    cwd,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** A copy of a directory as a fresh git repository with one commit. */
export function gitCopy(src: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-repo-'));
  copies.push(dir);
  cpSync(src, dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}
