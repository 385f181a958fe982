import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { SellbridgeError, type SerializedError } from '../../core/errors.ts';
import type { Clock } from '../../core/ports/clock.ts';
import { writeAudit } from '../audit.ts';
import type { Store, Db, Tx } from '../store/store.ts';
import type { DeadLetterRow } from '../store/tables.ts';
import type { JobQueue } from './job-queue.ts';

/**
 * The dead-letter queue: records that could not be processed, with the reason, the payload and a replay action
 * (ARCHITECTURE.md principle 4). It lives in our own table on both stores, so the operator tools are the same
 * whichever job engine runs underneath. Every operator action is written to the audit log.
 */
export interface DeadLetter {
  readonly id: string;
  readonly queue: string;
  readonly jobId: string;
  readonly jobKey: string;
  readonly payload: unknown;
  readonly error: SerializedError;
  readonly attempts: number;
  /** Times this (queue, key) was dead-lettered while the record was open: a repeat notification of a poisoned order counts here. */
  readonly occurrences: number;
  readonly firstFailedAt: string;
  readonly lastFailedAt: string;
  readonly status: 'open' | 'replayed' | 'discarded';
  readonly resolvedAt: string | null;
  readonly resolvedBy: string | null;
  readonly replayJobId: string | null;
}

export interface NewDeadLetterInput {
  readonly queue: string;
  readonly jobId: string;
  readonly jobKey: string;
  readonly payload: unknown;
  readonly error: SerializedError;
  readonly attempts: number;
  readonly firstFailedAt: Date;
  readonly lastFailedAt: Date;
}

export interface DeadLetterFilter {
  readonly status?: DeadLetter['status'] | 'all';
  /** Only dead letters of this connection: their payload's `connectionId`, `default` when it has none (issue 21). */
  readonly connectionId?: string;
  readonly code?: string;
  readonly queue?: string;
  readonly limit?: number;
}

/**
 * The connection of a stored job payload (a JSON text column named `payload`) as SQL: its `connectionId`, trimmed,
 * `default` when absent or empty (as connectionIdOfPayload in src/bootstrap/connection-queue.ts), for filtering.
 */
export function payloadConnectionSql(dialect: Store['dialect'], column = 'payload') {
  const field =
    dialect === 'postgres'
      ? sql<string | null>`(${sql.ref(column)}::jsonb ->> 'connectionId')`
      : sql<string | null>`json_extract(${sql.ref(column)}, '$.connectionId')`;
  return sql<string>`coalesce(nullif(trim(${field}), ''), 'default')`;
}

/**
 * Records a dead letter: once per job (a second call for the same job, two processes racing on the same final
 * failure or a re-run after a crash, returns the first record's id), and one OPEN record per (queue, job key)
 *: a later job of the same key that fails for good (a repeat notification of a poisoned order) updates
 * the open record (occurrences + 1, the last failure's error, payload, attempts and job) instead of adding one.
 * A replayed or discarded record is closed, so the next failure opens a new one.
 */
export async function recordDeadLetter(db: Db | Tx, input: NewDeadLetterInput): Promise<string> {
  const same = await db.selectFrom('dead_letters').select('id').where('job_id', '=', input.jobId).executeTakeFirst();
  if (same) return same.id;
  const latest = {
    job_id: input.jobId,
    payload: JSON.stringify(input.payload ?? null),
    error_code: input.error.code,
    error_kind: input.error.kind,
    error_message: input.error.message,
    error_context: JSON.stringify({ context: input.error.context, issues: input.error.issues ?? [] }),
    attempts: input.attempts,
    last_failed_at: input.lastFailedAt.toISOString(),
  };
  const row = await db
    .insertInto('dead_letters')
    .values({
      id: randomUUID(),
      queue: input.queue,
      job_key: input.jobKey,
      ...latest,
      first_failed_at: input.firstFailedAt.toISOString(),
      status: 'open',
      resolved_at: null,
      resolved_by: null,
      replay_job_id: null,
      connection_id: null,
    })
    // The partial unique index dead_letters_open_key (migration 0014) is the arbiter; SQLite matches its predicate
    // only when written as the same literal.
    .onConflict((oc) =>
      oc
        .columns(['queue', 'job_key'])
        .where('status', '=', sql.lit('open'))
        .doUpdateSet((eb) => ({ ...latest, occurrences: eb('dead_letters.occurrences', '+', 1) })),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export function deadLetterFromRow(row: DeadLetterRow): DeadLetter {
  const extra = JSON.parse(row.error_context) as {
    context?: SerializedError['context'];
    issues?: SerializedError['issues'];
  };
  return {
    id: row.id,
    queue: row.queue,
    jobId: row.job_id,
    jobKey: row.job_key,
    payload: JSON.parse(row.payload) as unknown,
    error: {
      code: row.error_code,
      kind: row.error_kind as SerializedError['kind'],
      message: row.error_message,
      context: extra.context ?? {},
      ...(extra.issues && extra.issues.length ? { issues: extra.issues } : {}),
    },
    attempts: row.attempts,
    occurrences: row.occurrences,
    firstFailedAt: row.first_failed_at,
    lastFailedAt: row.last_failed_at,
    status: row.status,
    resolvedAt: row.resolved_at,
    resolvedBy: row.resolved_by,
    replayJobId: row.replay_job_id,
  };
}

export interface DeadLetterService {
  list(filter?: DeadLetterFilter): Promise<DeadLetter[]>;
  /** @throws SB_DLQ_NOT_FOUND */
  get(id: string): Promise<DeadLetter>;
  /**
   * Enqueues the payload again (or `payload` when given, e.g. corrected by an operator) as a fresh job with all
   * attempts available, marks the dead letter replayed and audits it, in one transaction.
   * @throws SB_DLQ_NOT_FOUND, SB_DLQ_ALREADY_RESOLVED
   */
  replay(id: string, options: { actor: string; payload?: unknown }): Promise<{ jobId: string; deduplicated: boolean }>;
  /** Marks the dead letter discarded (kept for the record) and audits it. @throws SB_DLQ_NOT_FOUND, SB_DLQ_ALREADY_RESOLVED */
  discard(id: string, options: { actor: string; reason?: string }): Promise<void>;
}

export function createDeadLetterService(store: Store, queue: JobQueue, clock: Clock): DeadLetterService {
  async function load(db: Db | Tx, id: string): Promise<DeadLetter> {
    const row = await db.selectFrom('dead_letters').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row)
      throw new SellbridgeError('SB_DLQ_NOT_FOUND', `dead letter ${id} does not exist`, {
        context: { deadLetterId: id },
      });
    return deadLetterFromRow(row);
  }
  /** Closes an open dead letter (replayed or discarded) and audits the operator's action, in one transaction. */
  async function resolve(
    tx: Tx,
    id: string,
    actor: string,
    set: { status: 'replayed' | 'discarded'; replay_job_id?: string },
    action: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    const now = clock.now();
    await tx
      .updateTable('dead_letters')
      .set({ ...set, resolved_at: now.toISOString(), resolved_by: actor })
      .where('id', '=', id)
      .execute();
    await writeAudit(tx, { actor, action, target: `dead_letter:${id}`, detail }, now);
  }

  function ensureOpen(dl: DeadLetter): void {
    if (dl.status !== 'open') {
      throw new SellbridgeError(
        'SB_DLQ_ALREADY_RESOLVED',
        `dead letter ${dl.id} was already ${dl.status} at ${dl.resolvedAt} by ${dl.resolvedBy}`,
        {
          context: { deadLetterId: dl.id },
        },
      );
    }
  }

  return {
    async list(filter = {}) {
      let q = store.db
        .selectFrom('dead_letters')
        .selectAll()
        .orderBy('last_failed_at', 'desc')
        .limit(filter.limit ?? 100);
      const status = filter.status ?? 'open';
      if (status !== 'all') q = q.where('status', '=', status);
      if (filter.code) q = q.where('error_code', '=', filter.code);
      if (filter.queue) q = q.where('queue', '=', filter.queue);
      if (filter.connectionId) q = q.where(payloadConnectionSql(store.dialect), '=', filter.connectionId);
      return (await q.execute()).map(deadLetterFromRow);
    },
    get: (id) => load(store.db, id),
    async replay(id, options) {
      return store.transaction(async (tx) => {
        const dl = await load(tx, id);
        ensureOpen(dl);
        const edited = options.payload !== undefined;
        const payload = edited ? options.payload : dl.payload;
        const { id: jobId, deduplicated } = await queue.enqueue(dl.queue, payload, {
          key: dl.jobKey,
          dedupe: true,
          tx,
        });
        await resolve(tx, id, options.actor, { status: 'replayed', replay_job_id: jobId }, 'dlq.replay', {
          jobId,
          queue: dl.queue,
          editedPayload: edited,
        });
        return { jobId, deduplicated };
      });
    },
    async discard(id, options) {
      await store.transaction(async (tx) => {
        const dl = await load(tx, id);
        ensureOpen(dl);
        await resolve(tx, id, options.actor, { status: 'discarded' }, 'dlq.discard', {
          reason: options.reason ?? null,
          queue: dl.queue,
        });
      });
    },
  };
}
