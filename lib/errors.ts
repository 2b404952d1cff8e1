// One error hierarchy for cairn. Every error says whether retrying the same
// operation can help, so callers (cron, webhooks, the CLI) decide uniformly.

/** Where in a user's file a problem sits. Line and column are 1-based. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
  /** Dotted path of the offending field, e.g. `promotion[1].soak`. */
  field?: string;
}

export function formatLocation(loc: SourceLocation): string {
  let s = loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  if (loc.column !== undefined && loc.line !== undefined) s += `:${loc.column}`;
  if (loc.field) s += ` ${loc.field}`;
  return s;
}

export abstract class CairnError extends Error {
  /** Stable machine-readable code, e.g. `validation`. */
  abstract readonly code: string;
  /** True when the same call may succeed later without any change of input. */
  abstract readonly retryable: boolean;
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number = 1;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem found while validating input. */
export interface Issue extends SourceLocation {
  message: string;
  /** The values that would have been accepted, when there is a closed set. */
  allowed?: readonly string[];
}

export function formatIssue(issue: Issue): string {
  const allowed = issue.allowed?.length ? ` (allowed: ${issue.allowed.join(', ')})` : '';
  return `${formatLocation(issue)}: ${issue.message}${allowed}`;
}

/** Input that does not match its schema or its semantic rules. Never retryable. */
export class ValidationError extends CairnError {
  readonly code = 'validation';
  readonly retryable = false;
  override readonly exitCode = 2;
  readonly issues: readonly Issue[];

  constructor(issues: readonly Issue[], summary?: string) {
    super(summary ?? issues.map(formatIssue).join('\n'));
    this.issues = issues;
  }
}

/** Wrong command-line usage. */
export class UsageError extends CairnError {
  readonly code = 'usage';
  readonly retryable = false;
  override readonly exitCode = 2;
}

/** A file that cannot be read or edited safely (binary, too big, templated, outside the repo...). */
export class UnsafeFileError extends CairnError {
  readonly code = 'unsafe-file';
  readonly retryable = false;
  readonly location: SourceLocation;

  constructor(location: SourceLocation, reason: string) {
    super(`${formatLocation(location)}: ${reason}`);
    this.location = location;
  }
}

/** A precondition of an operation is not met now (dirty work tree, step not ready). */
export class PreconditionError extends CairnError {
  readonly code = 'precondition';
  readonly retryable = false;
}

/** A remote system (GitHub, Kubernetes, Slack, a feed) failed or timed out. */
export class RemoteError extends CairnError {
  readonly code = 'remote';
  readonly retryable: boolean;
  readonly service: string;
  readonly status?: number;

  constructor(
    service: string,
    message: string,
    opts: { retryable: boolean; status?: number; cause?: unknown },
  ) {
    super(`${service}: ${message}`, { cause: opts.cause });
    this.service = service;
    this.retryable = opts.retryable;
    if (opts.status !== undefined) this.status = opts.status;
  }
}

/** A request whose signature or origin cannot be verified. Never retryable. */
export class UnauthorizedError extends CairnError {
  readonly code = 'unauthorized';
  readonly retryable = false;
}

/** Something the user named does not exist (a target id, a step id). */
export class NotFoundError extends CairnError {
  readonly code = 'not-found';
  readonly retryable = false;
  override readonly exitCode = 2;
}

/** A bug or an impossible state: never retry, report. */
export class InternalError extends CairnError {
  readonly code = 'internal';
  readonly retryable = false;
}

export function isCairnError(e: unknown): e is CairnError {
  return e instanceof CairnError;
}
