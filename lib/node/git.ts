// Thin wrapper over the git CLI for local operations (no credentials needed).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PreconditionError } from '../errors.ts';

const run = promisify(execFile);

export async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new PreconditionError(`git ${args[0]} failed in ${cwd}: ${(err.stderr || err.message).trim()}`);
  }
}

export async function gitMaybe(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    return (await run('git', args, { cwd })).stdout;
  } catch {
    return undefined;
  }
}
