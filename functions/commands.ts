// `/cairn <command> <version>` in a pull request comment. Only a line that starts with
// `/cairn` counts, so cairn's own replies (which never start a line that way) and quotes
// (`> /cairn ...`) are never taken as commands.

export const COMMANDS = ['approve', 'retry', 'pause', 'resume', 'explain'] as const;
export type CommandName = (typeof COMMANDS)[number];

export type ParsedCommand =
  { ok: true; command: CommandName; version: string } | { ok: false; problem: string } | undefined;

const VERSION = /^v?[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$/;

/** The first `/cairn` line of a comment; undefined when there is none. */
export function parseCommand(body: string): ParsedCommand {
  const line = body.split(/\r?\n/).find((l) => /^\/cairn(\s|$)/.test(l.trim()) && l.startsWith('/cairn'));
  if (!line) return undefined;
  const [, command, version, ...rest] = line.trim().split(/\s+/);
  if (!command || !(COMMANDS as readonly string[]).includes(command))
    return {
      ok: false,
      problem: `unknown command "${command ?? ''}": use ${COMMANDS.join(', ')} with a version`,
    };
  if (!version || !VERSION.test(version) || rest.length)
    return { ok: false, problem: `usage: /cairn ${command} <version>` };
  return { ok: true, command: command as CommandName, version };
}
