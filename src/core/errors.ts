/**
 * The error model (STYLE.md §8.5). Every error Sellbridge raises on purpose is a `SellbridgeError` with a
 * stable `SB_<AREA>_<WHAT>` code from `ERROR_CATALOGUE`, a message that names the record and the field, and a
 * `context` of ids only (never buyer PII, never secrets). The `kind` decides what the job queue does:
 *
 * | kind          | queue action                                                  |
 * | ------------- | ------------------------------------------------------------- |
 * | validation    | dead letter at once (a retry cannot help)                     |
 * | mapping       | dead letter at once                                           |
 * | transient     | retry with capped exponential backoff and jitter              |
 * | throttled     | run again after `retryAfterMs`, no attempt spent              |
 * | unavailable   | run again after `retryAfterMs` (circuit open), no attempt spent |
 * | config        | printed once at start-up, then exit                           |
 * | internal      | a bug: retried like transient, then dead-lettered             |
 */

export type ErrorKind = 'validation' | 'mapping' | 'transient' | 'throttled' | 'unavailable' | 'config' | 'internal';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface CatalogueEntry {
  readonly kind: ErrorKind;
  /** What went wrong, in words an operator understands. */
  readonly meaning: string;
  /** What the operator (or consultant) does about it. */
  readonly fix: string;
}

/**
 * Every code Sellbridge can raise. `docs/errors.md` is generated from this table and a unit test fails when
 * a code used in `src/` is missing here, or when the docs are stale. Add codes in the block of their area.
 */
export const ERROR_CATALOGUE = {
  // --- configuration -------------------------------------------------------------------------------
  SB_CFG_INVALID: {
    kind: 'config',
    meaning: 'The configuration (file, SELLBRIDGE_* environment or flags) does not match the schema.',
    fix: 'Read every listed problem (path, expected, received), fix them, then run `sellbridge config check`.',
  },
  SB_CFG_FILE_UNREADABLE: {
    kind: 'config',
    meaning: 'The configuration file could not be read or is not valid YAML.',
    fix: 'Check the path given with --config and the YAML syntax at the reported line.',
  },
  // --- store ---------------------------------------------------------------------------------------
  SB_STORE_URL_INVALID: {
    kind: 'config',
    meaning: 'store.url is neither a sqlite: path nor a postgres:// URL.',
    fix: 'Use `sqlite:./data/sellbridge.db` (default) or `postgres://user@host:5432/db`.',
  },
  SB_STORE_UNAVAILABLE: {
    kind: 'unavailable',
    meaning: 'The state database cannot be reached or is locked for too long.',
    fix: 'Check that PostgreSQL is running and reachable, or that the SQLite file is on a local disk.',
  },
  SB_STORE_MIGRATION_FAILED: {
    kind: 'config',
    meaning: 'A schema migration failed; the store was left at the last good version.',
    fix: 'Read the cause, fix the database (permissions, disk), then run `sellbridge migrate` again.',
  },
  // --- jobs ----------------------------------------------------------------------------------------
  SB_JOB_PAYLOAD_INVALID: {
    kind: 'validation',
    meaning: 'A job payload does not have the shape its flow expects.',
    fix: 'Inspect the dead letter with `sellbridge dlq show <id>`, correct the payload and replay it with --payload.',
  },
  SB_JOB_KIND_UNKNOWN: {
    kind: 'validation',
    meaning: 'A job was queued for a kind no handler is registered for (often a version mismatch between processes).',
    fix: 'Run the same Sellbridge version on every worker, then replay the dead letter.',
  },
  SB_JOB_ATTEMPTS_EXHAUSTED: {
    kind: 'transient',
    meaning: 'A job failed with retryable errors on every allowed attempt.',
    fix: 'Read the last error in `sellbridge dlq show <id>`; once its cause is gone, replay the dead letter.',
  },
  SB_JOB_HANDLER_CRASHED: {
    kind: 'internal',
    meaning: 'A job handler threw something that is not a Sellbridge error (a bug, or an unclassified library error).',
    fix: 'Report it with the dead letter id; replay once fixed.',
  },
  SB_JOB_TIMEOUT: {
    kind: 'transient',
    meaning: 'A job ran longer than its lease and was abandoned.',
    fix: 'Usually transient; if it repeats, raise jobs.leaseMs or look for a slow dependency.',
  },
  // --- dead letters --------------------------------------------------------------------------------
  SB_DLQ_NOT_FOUND: {
    kind: 'validation',
    meaning: 'No dead letter has that id.',
    fix: 'List them with `sellbridge dlq list`.',
  },
  SB_DLQ_ALREADY_RESOLVED: {
    kind: 'validation',
    meaning: 'The dead letter was already replayed or discarded.',
    fix: 'Nothing to do; `sellbridge dlq show <id>` tells what happened to it.',
  },
  SB_DLQ_PAYLOAD_INVALID: {
    kind: 'validation',
    meaning: 'The edited payload given to replay is not valid JSON.',
    fix: 'Pass a JSON file with --payload <file> (or - for standard input).',
  },
  // --- CLI -----------------------------------------------------------------------------------------
  SB_CLI_USAGE: {
    kind: 'validation',
    meaning: 'A command was called with missing or wrong arguments.',
    fix: 'Run the command with --help.',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Ids only: order ids, job ids, SKUs, operation names. Never names, addresses, e-mails or secrets. */
export type ErrorContext = Readonly<Record<string, string | number | boolean | null | readonly string[]>>;

export interface SellbridgeErrorOptions {
  readonly context?: ErrorContext;
  readonly cause?: unknown;
  /** For throttled/unavailable: how long to wait before the next try. */
  readonly retryAfterMs?: number;
  readonly logLevel?: LogLevel;
}

const RETRYABLE_KINDS: ReadonlySet<ErrorKind> = new Set(['transient', 'throttled', 'unavailable', 'internal']);

export class SellbridgeError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly context: ErrorContext;
  readonly retryAfterMs: number | undefined;
  readonly logLevel: LogLevel;

  constructor(code: ErrorCode, message: string, options: SellbridgeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SellbridgeError';
    this.code = code;
    const kind = (ERROR_CATALOGUE as Record<string, CatalogueEntry>)[code]!.kind;
    this.kind = kind;
    this.context = options.context ?? {};
    this.retryAfterMs = options.retryAfterMs;
    this.logLevel = options.logLevel ?? (kind === 'validation' || kind === 'mapping' ? 'warn' : 'error');
  }

  /** Whether running the same work again can succeed without anyone changing anything. */
  get retryable(): boolean {
    return RETRYABLE_KINDS.has(this.kind);
  }

  toJSON(): SerializedError {
    return { code: this.code, kind: this.kind, message: this.message, context: this.context };
  }
}

/** One problem of a record: which field, what is wrong. Mapping errors list all of them at once. */
export interface FieldIssue {
  readonly field: string;
  readonly problem: string;
  /** Suggestions the operator may pick (e.g. similar Sage ItemIDs). */
  readonly suggestions?: readonly string[];
}

/** Bad data in one record; lists every bad field so a dead letter names all of them. */
export class MappingError extends SellbridgeError {
  readonly issues: readonly FieldIssue[];
  constructor(code: ErrorCode, record: string, issues: readonly FieldIssue[], options: SellbridgeErrorOptions = {}) {
    const list = issues.map((i) => `${i.field}: ${i.problem}`).join('; ');
    super(code, `${record}: ${list}`, options);
    this.name = 'MappingError';
    this.issues = issues;
  }

  override toJSON(): SerializedError {
    return { ...super.toJSON(), issues: this.issues };
  }
}

export interface SerializedError {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly message: string;
  readonly context: ErrorContext;
  readonly issues?: readonly FieldIssue[];
}

/**
 * Anything thrown by third-party code becomes a SellbridgeError here (Graphile's coerceError). An unknown
 * error is `internal`: retried a few times, then dead-lettered with its message (never its stack to users).
 */
export function coerceError(err: unknown): SellbridgeError {
  if (err instanceof SellbridgeError) return err;
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err);
  return new SellbridgeError('SB_JOB_HANDLER_CRASHED', message || 'unknown error', { cause: err });
}

export function isSellbridgeError(err: unknown): err is SellbridgeError {
  return err instanceof SellbridgeError;
}
