// A small command table on top of node:util parseArgs: every command declares
// its options once, and gets --help, usage errors (exit 2) and typed values.
import { parseArgs } from 'node:util';
import { UsageError } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Shown in --help, e.g. `DIR`. */
  value?: string;
  description: string;
  default?: string | boolean;
  choices?: readonly string[];
}

export interface CommandContext {
  stdout: (text: string) => void;
  /** Resolves once what was written to stdout has been taken by the reader (backpressure). */
  drained?: () => Promise<void>;
  stderr: (text: string) => void;
  log: Logger;
  isTTY: boolean;
  /** stdout is a terminal: colour (unless NO_COLOR) and its width apply. */
  stdoutTTY?: boolean;
  /** Columns of the stdout terminal, when known. */
  columns?: number;
  cwd: string;
  env: Record<string, string | undefined>;
}

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  name: string;
  summary: string;
  usage: string;
  description?: string;
  options: Record<string, OptionSpec>;
  /** Whether positional arguments are accepted (named in `usage`). */
  positionals?: { min: number; max: number };
  run(values: Values, positionals: string[], ctx: CommandContext): Promise<number>;
}

export function commandHelp(cmd: Command): string {
  const lines = [`Usage: cairn ${cmd.usage}`, '', cmd.summary];
  if (cmd.description) lines.push('', cmd.description);
  lines.push('', 'Options:');
  const entries = Object.entries({
    ...cmd.options,
    help: { type: 'boolean', short: 'h', description: 'Show this help' } as OptionSpec,
  });
  const left = entries.map(
    ([name, o]) => `  ${o.short ? `-${o.short}, ` : ''}--${name}${o.value ? ` ${o.value}` : ''}`,
  );
  const width = Math.max(...left.map((l) => l.length)) + 2;
  entries.forEach(([, o], i) => {
    let d = o.description;
    if (o.choices) d += ` (${o.choices.join('|')})`;
    if (o.default !== undefined && o.default !== false) d += ` [default: ${o.default}]`;
    if (o.multiple) d += ' (repeatable)';
    lines.push(`${left[i]!.padEnd(width)}${d}`);
  });
  return `${lines.join('\n')}\n`;
}

export function parseCommandArgs(
  cmd: Command,
  argv: string[],
): { values: Values; positionals: string[]; help: boolean } {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, o] of Object.entries(cmd.options)) {
    options[name] = {
      type: o.type,
      ...(o.multiple ? { multiple: true } : {}),
      ...(o.short ? { short: o.short } : {}),
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(
      `${(e as Error).message.replace(/\. To specify a positional.*$/s, '')}\nRun 'cairn ${cmd.name} --help'.`,
    );
  }
  const values = parsed.values as Values;
  if (values.help) return { values, positionals: parsed.positionals, help: true };
  for (const [name, o] of Object.entries(cmd.options)) {
    if (values[name] === undefined && o.default !== undefined) values[name] = o.default;
    const v = values[name];
    if (o.choices && typeof v === 'string' && !o.choices.includes(v)) {
      throw new UsageError(`--${name} must be one of ${o.choices.join(', ')}, got "${v}"`);
    }
  }
  const pos = parsed.positionals;
  const range = cmd.positionals ?? { min: 0, max: 0 };
  if (pos.length < range.min || pos.length > range.max) {
    throw new UsageError(
      range.max === 0
        ? `unexpected argument "${pos[0]}"\nUsage: cairn ${cmd.usage}`
        : `expected ${range.min === range.max ? range.min : `${range.min}-${range.max}`} argument(s)\nUsage: cairn ${cmd.usage}`,
    );
  }
  return { values, positionals: pos, help: false };
}

export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function requireStr(values: Values, name: string, cmd: string): string {
  const v = str(values, name);
  if (!v) throw new UsageError(`--${name} is required\nRun 'cairn ${cmd} --help'.`);
  return v;
}

export function list(values: Values, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}
