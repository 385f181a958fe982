import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/**
 * Row types of Sellbridge's own tables (not Sage's). Times are UTC ISO-8601 text on both SQLite and
 * PostgreSQL, so one code path reads them; money never appears in these tables as a float.
 */

export interface JobsTable {
  id: string;
  queue: string;
  /** Jobs with the same key run one at a time, in enqueue order. */
  key: string;
  /** 1 when a second enqueue with this key collapses into this job while it is pending. */
  dedupe: number;
  payload: string;
  state: 'pending' | 'running' | 'completed' | 'dead';
  priority: number;
  attempt: number;
  max_attempts: number;
  run_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  created_at: string;
  updated_at: string;
  seq: Generated<number>;
}

export interface JobFailuresTable {
  job_id: string;
  first_failed_at: string;
  last_failed_at: string;
  /** "CODE: message" of the last failure (messages carry ids, never PII). */
  last_error: string;
  failures: number;
}

export interface DeadLettersTable {
  id: string;
  queue: string;
  job_id: string;
  job_key: string;
  payload: string;
  error_code: string;
  error_kind: string;
  error_message: string;
  /** JSON: ids only, plus field issues for mapping errors. */
  error_context: string;
  attempts: number;
  /** How many times the key was dead-lettered while this record was open (migration 0014); 1 for the first. */
  occurrences: Generated<number>;
  first_failed_at: string;
  last_failed_at: string;
  status: 'open' | 'replayed' | 'discarded';
  resolved_at: string | null;
  resolved_by: string | null;
  replay_job_id: string | null;
  connection_id: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  target: string;
  /** JSON, ids and operator-entered values only. */
  detail: string;
}

export interface ConnectionsTable {
  id: string;
  name: string;
  /** JSON: region, marketplaces, Sage company; credentials live in config or the vault, never here. */
  settings: string;
  enabled: number;
  created_at: string;
  updated_at: string;
  /** `config` (sellbridge.yaml) or `api` (added while running); migration 0027. */
  origin: ColumnType<string, string | undefined, string>;
  /** `active` or `paused`. */
  state: ColumnType<string, string | undefined, string>;
  /** Why it is paused. */
  reason: string | null;
  /** JSON of an api-added connection's amazon, sage500 and orders blocks. */
  config: string | null;
}

export interface WatermarksTable {
  connection_id: string;
  name: string;
  value: string;
  updated_at: string;
}

export interface Database {
  jobs: JobsTable;
  job_failures: JobFailuresTable;
  dead_letters: DeadLettersTable;
  audit_log: AuditLogTable;
  connections: ConnectionsTable;
  watermarks: WatermarksTable;
}

export type DeadLetterRow = Selectable<DeadLettersTable>;
export type NewDeadLetter = Insertable<DeadLettersTable>;
export type JobRow = Selectable<JobsTable>;
export type AuditRow = Selectable<AuditLogTable>;
