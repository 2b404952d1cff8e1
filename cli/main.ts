#!/usr/bin/env node
// The `cairn` command line. Exit codes: 0 ok, 1 failure, 2 usage or validation error.
import { readFileSync } from 'node:fs';
import type { Env } from '../lib/config.ts';
import type { Command, CommandContext } from './args.ts';

/**
 * A reader that stops early (`cairn plan | head`) closes stdout: that ends the
 * command quietly, as for any Unix tool, instead of with a stack trace.
 */
export function exitQuietlyOnClosedStdout(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

/** The package version, from the source tree (`cli/`) or the compiled one (`dist/cli/`). */
function version(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      // not this layout
    }
  }
  return 'unknown';
}

export function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 4;
  return [
    'cairn: validated, multi-step upgrade paths for Redis on Kubernetes, one pull request per step.',
    '',
    'Usage: cairn <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    "Run 'cairn <command> --help' for a command's options.",
    'Exit codes: 0 ok, 1 failure, 2 usage or validation error.',
    '',
  ].join('\n');
}

export async function main(argv: string[], ctxOverrides: Partial<CommandContext> = {}): Promise<number> {
  const stdout = ctxOverrides.stdout ?? ((t: string) => void process.stdout.write(t));
  const rawStderr = ctxOverrides.stderr ?? ((t: string) => void process.stderr.write(t));
  if (argv[0] === '--version' || argv[0] === '-v') {
    stdout(`${version()}\n`);
    return 0;
  }
  const env = ctxOverrides.env ?? process.env;
  const isTTY = ctxOverrides.isTTY ?? Boolean(process.stderr.isTTY);
  const { loadConfig, secretValues, SECRET_VARIABLES } = await import('../lib/config.ts');
  const { createLogger, textSink } = await import('../lib/log.ts');
  const { formatIssue, isCairnError, ValidationError } = await import('../lib/errors.ts');
  const started = performance.now();
  let config: Env;
  try {
    config = loadConfig(env);
  } catch (e) {
    // No valid configuration yet: log as the environment asks when it can tell, redacting what it holds.
    const format =
      env.CAIRN_LOG_FORMAT === 'pretty' || (env.CAIRN_LOG_FORMAT !== 'json' && isTTY) ? 'pretty' : 'json';
    const secrets = SECRET_VARIABLES.map((k) => env[k]).filter((v): v is string => !!v);
    const log = createLogger({
      format,
      secrets,
      write: (line) => rawStderr(`${line}\n`),
      now: () => new Date(),
    });
    const issues = e instanceof ValidationError ? e.issues : [];
    if (format === 'json') log.error('bad environment', { code: 'validation', exitCode: 2, issues });
    else textSink(log, format, rawStderr, secrets)(`cairn: bad environment\n${(e as Error).message}\n`);
    return 2;
  }
  const format = config.CAIRN_LOG_FORMAT ?? (isTTY ? 'pretty' : 'json');
  const secrets = secretValues(config);
  const log =
    ctxOverrides.log ??
    createLogger({
      level: config.CAIRN_LOG_LEVEL,
      format,
      secrets,
      write: (line) => rawStderr(`${line}\n`),
      now: () => new Date(),
    });
  // Every stderr line passes redaction; with JSON logs every line is a JSON log line. What a
  // command says on stderr (problems, errors) is output, not a log event: no log level hides it.
  const said =
    ctxOverrides.log ??
    createLogger({
      level: 'debug',
      format,
      secrets,
      write: (line) => rawStderr(`${line}\n`),
      now: () => new Date(),
    });
  const stderr = textSink(said, format, rawStderr, secrets);
  const errorText = textSink(said, format, rawStderr, secrets, 'error');
  const drained =
    ctxOverrides.drained ??
    (ctxOverrides.stdout
      ? undefined
      : () =>
          process.stdout.writableNeedDrain
            ? new Promise<void>((done) => process.stdout.once('drain', done))
            : Promise.resolve());
  const stdoutTTY = ctxOverrides.stdoutTTY ?? (ctxOverrides.stdout ? false : Boolean(process.stdout.isTTY));
  const columns = ctxOverrides.columns ?? (stdoutTTY ? process.stdout.columns : undefined);
  const ctx: CommandContext = {
    stdout,
    stdoutTTY,
    ...(columns ? { columns } : {}),
    ...(drained ? { drained } : {}),
    stderr,
    log,
    isTTY,
    cwd: ctxOverrides.cwd ?? process.cwd(),
    env,
  };

  const [name, ...rest] = argv;
  // Commands (and the whole core behind them) load only when one runs, so
  // `--version` starts in a few milliseconds.
  const { COMMANDS } = await import('./commands/index.ts');
  const { commandHelp, parseCommandArgs } = await import('./args.ts');
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    stdout(mainHelp(COMMANDS));
    return name ? 0 : 2;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    if (format === 'json')
      log.error(`unknown command "${name}"`, { exitCode: 2, commands: COMMANDS.map((c) => c.name) });
    else errorText(`cairn: unknown command "${name}"\n\n${mainHelp(COMMANDS)}`);
    return 2;
  }
  const finish = (code: number) => {
    log.debug('command finished', {
      command: cmd.name,
      exitCode: code,
      ms: Math.round(performance.now() - started),
    });
    return code;
  };
  try {
    const { values, positionals, help } = parseCommandArgs(cmd, rest);
    if (help) {
      stdout(commandHelp(cmd));
      return 0;
    }
    return finish(await cmd.run(values, positionals, ctx));
  } catch (e) {
    if (e instanceof ValidationError) {
      if (format === 'json') {
        log.error(`cairn ${cmd.name}: ${e.issues.length} problem(s)`, {
          code: e.code,
          exitCode: e.exitCode,
          issues: e.issues,
        });
        // One line per problem too, its text as a person reads it.
        for (const issue of e.issues) log.error(formatIssue(issue), { ...issue });
      } else errorText(`cairn ${cmd.name}: ${e.issues.length} problem(s)\n${e.message}\n`);
      return finish(e.exitCode);
    }
    if (isCairnError(e)) {
      if (format === 'json')
        log.error(`cairn ${cmd.name}: ${e.message}`, {
          code: e.code,
          exitCode: e.exitCode,
          retryable: e.retryable,
        });
      else {
        errorText(`cairn ${cmd.name}: ${e.message}\n`);
        if (e.retryable) errorText('(this may succeed if retried)\n');
      }
      return finish(e.exitCode);
    }
    log.error('unexpected failure', { error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    return finish(1);
  }
}

if (import.meta.url === new URL(process.argv[1] ?? '', 'file:').href) {
  exitQuietlyOnClosedStdout();
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
