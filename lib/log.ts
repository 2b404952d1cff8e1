// One logger: JSON lines for machines, a readable line on a terminal.
// Values under secret-looking keys, and any registered secret value, are
// redacted before anything is written.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: 'json' | 'pretty';
  /** Where lines go (the CLI: stderr, so stdout stays for command output). */
  write: (line: string) => void;
  /** Exact secret values to mask wherever they appear. */
  secrets?: readonly string[];
  /** The clock for timestamps; the core never reads the clock itself. */
  now: () => Date;
}

const SECRET_KEY =
  /(secret|token|password|passwd|private[-_]?key|authorization|api[-_]?key|signature|cookie)/i;
export const REDACTED = '[redacted]';

/** Deep-copies `value`, masking secret-looking keys and known secret strings. */
export function redact(value: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (depth > 8) return '[deep]';
  if (typeof value === 'string') return redactText(value, secrets);
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets, depth + 1));
  if (value instanceof Error) {
    return { name: value.name, message: redact(value.message, secrets, depth + 1) };
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null ? REDACTED : redact(v, secrets, depth + 1);
    }
    return out;
  }
  return value;
}

export function createLogger(opts: LoggerOptions, bound: LogFields = {}): Logger {
  const min = LEVELS[opts.level ?? 'info'];
  const format = opts.format ?? 'json';
  const { write, now } = opts;
  const secrets = opts.secrets ?? [];

  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (LEVELS[level] < min) return;
    const data = redact({ ...bound, ...fields }, secrets) as LogFields;
    const text = redact(msg, secrets) as string;
    if (format === 'json') {
      write(JSON.stringify({ time: now().toISOString(), level, msg: text, ...data }));
    } else {
      const extra = Object.entries(data)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      write(`${level.padEnd(5)} ${text}${extra ? ` ${extra}` : ''}`);
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(opts, { ...bound, ...fields }),
  };
}

/**
 * Masks registered secret values and well-known credential shapes (GitHub
 * tokens, Slack webhook paths, `Bearer` headers) in free text: every line the
 * CLI writes to stderr passes through here or through a logger.
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join(REDACTED);
  out = out.replace(
    /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abprs]-[A-Za-z0-9-]{10,})/g,
    REDACTED,
  );
  out = out.replace(/(hooks\.slack\.com\/services\/)[^\s"']+/g, `$1${REDACTED}`);
  out = out.replace(/\b(Bearer|token)\s+[A-Za-z0-9._~+/=-]{16,}/gi, `$1 ${REDACTED}`);
  return out;
}

/**
 * A sink for human text meant for stderr (errors, usage, progress). Pretty:
 * the text, redacted. JSON: one log line per non-empty line of the text, so
 * that every stderr line is JSON; `\r` progress redraws are dropped there.
 */
export function textSink(
  log: Logger,
  format: 'json' | 'pretty',
  write: (text: string) => void,
  secrets: readonly string[],
  level: LogLevel = 'info',
): (text: string) => void {
  if (format === 'pretty') return (text) => write(redactText(text, secrets));
  return (text) => {
    if (text.startsWith('\r')) return;
    for (const line of text.split('\n')) if (line.trim()) log[level](redactText(line, secrets));
  };
}

/** Runs `fn` and logs its phase and duration at debug level (`clock` in milliseconds, passed in). */
export async function timed<T>(
  log: Logger,
  phase: string,
  clock: () => number,
  fn: () => T | Promise<T>,
): Promise<T> {
  const start = clock();
  try {
    return await fn();
  } finally {
    log.debug('phase', { phase, ms: Math.round((clock() - start) * 10) / 10 });
  }
}
