import { randomUUID } from 'node:crypto';
import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { Clock } from '../../core/ports/clock.ts';
import { prepared } from '../store/prepared.ts';
import type { Db, Store, Tx } from '../store/store.ts';

/** Row of `inbox` (migration 0003). Declared here: the table belongs to the inbox. */
export type InboxTable = {
  id: string;
  source: string;
  dedupe_key: string;
  kind: string;
  subject: string | null;
  payload: string;
  status: InboxStatus;
  error: string | null;
  connection_id: string | null;
  received_at: string;
  processed_at: string | null;
  /** The event's own time (SP-API EventTime), when it has one (migration 0015). */
  event_time: string | null;
  /** How a processed entry ended: `handled`, `ignored` (about nothing of ours), `unhandled` (no handler for its kind). */
  outcome: InboxOutcome | null;
};

export type InboxOutcome = 'handled' | 'ignored' | 'unhandled';

export type InboxStatus = 'pending' | 'processed' | 'rejected';

type InboxTables = { inbox: InboxTable };
/** The store transaction an accepted entry's follow-up writes join (the inbox row is in it). */
export type InboxTx = Tx;

export interface InboxEntry {
  /** Where it came from, e.g. `amazon-sqs`, `amazon-eventbridge`. */
  readonly source: string;
  /** Unique per source: a second entry with the same key is a duplicate and is dropped. */
  readonly dedupeKey: string;
  /** e.g. the notification type. */
  readonly kind: string;
  /** What it is about, ids only, e.g. `order:113-…`. */
  readonly subject?: string | null;
  /** The message as received (JSON text). */
  readonly payload: string;
  /** `rejected` keeps a message we could not understand, with the reason, so nothing is lost. */
  readonly status?: 'pending' | 'rejected';
  readonly error?: string | null;
  readonly connectionId?: string | null;
  /** When the event happened at its source (SP-API EventTime), ISO-8601 UTC. */
  readonly eventTime?: string | null;
}

export type InboxRow = InboxTable;

/**
 * The store's inbox, generic (it knows nothing of Amazon). `accept` is the one write an intake does before it
 * acknowledges its source; `then` runs in the same transaction when the entry is new, so a job can be enqueued
 * atomically with it (ARCHITECTURE.md principle 6).
 */
export interface Inbox {
  accept(
    entry: InboxEntry,
    then?: (tx: InboxTx, id: string) => Promise<void>,
  ): Promise<{ readonly id: string | undefined; readonly duplicate: boolean }>;
  /**
   * A new entry whose work is done as it is accepted, in one transaction: `work` runs first, then the row is
   * inserted already `processed` with the outcome `work` returned (one write for the row, no update after). A
   * duplicate (same source and dedupe key: the insert inserts nothing) rolls the transaction back, `work`'s writes
   * with it, so a duplicate queues and records nothing, as when its work never ran. For the dispatching inbox
   * (bootstrap/intake.ts), whose handlers decide the outcome; `entry.status` is not used.
   */
  acceptProcessed(
    entry: InboxEntry,
    work: (tx: InboxTx, id: string) => Promise<InboxOutcome>,
  ): Promise<{ readonly id: string | undefined; readonly duplicate: boolean }>;
  /**
   * As `acceptProcessed` without a transaction (issue 15: two statements where the transaction was four), for work
   * that is one write guarded by `guard`, the SQL condition "this entry's row is not there yet" (`work` must write
   * only while it holds, in the same statement: JobQueue.enqueueIf). The row is inserted after the work. A duplicate
   * fails the guard, so its work writes nothing, and inserts nothing. Two deliveries of one entry at the same moment
   * may both pass the guard: the work must bear running twice (a de-duplicating job joins the pending one). A crash
   * between the work and the row leaves the work done and the entry unacknowledged: the source delivers it again.
   */
  acceptGuarded(
    entry: InboxEntry,
    work: (guard: Expression<SqlBool>) => Promise<InboxOutcome>,
  ): Promise<{ readonly id: string | undefined; readonly duplicate: boolean }>;
  markProcessed(id: string): Promise<void>;
  list(options?: {
    readonly status?: InboxStatus;
    readonly connectionId?: string;
    readonly limit?: number;
  }): Promise<InboxRow[]>;
  count(status?: InboxStatus, options?: { readonly connectionId?: string }): Promise<number>;
}

export function createInbox(store: Store, clock: Clock): Inbox {
  const db = store.db.withTables<InboxTables>();
  return {
    async accept(entry, then) {
      return store.transaction(async (tx) => {
        const id = randomUUID();
        const row = { status: entry.status ?? 'pending', processedAt: null, outcome: null };
        if (!(await insertEntry(tx, id, entry, row, clock.now()))) return { id: undefined, duplicate: true };
        if (then) await then(tx, id);
        return { id, duplicate: false };
      });
    },
    async acceptProcessed(entry, work) {
      const id = randomUUID();
      const receivedAt = clock.now();
      try {
        return await store.transaction(async (tx) => {
          const outcome = await work(tx, id);
          const row = { status: 'processed' as const, processedAt: clock.now(), outcome };
          if (!(await insertEntry(tx, id, entry, row, receivedAt))) throw DUPLICATE;
          return { id, duplicate: false };
        });
      } catch (err) {
        if (err === DUPLICATE) return { id: undefined, duplicate: true };
        throw err;
      }
    },
    async acceptGuarded(entry, work) {
      const id = randomUUID();
      const receivedAt = clock.now();
      const guard = sql<SqlBool>`NOT EXISTS (SELECT 1 FROM inbox WHERE source = ${entry.source} AND dedupe_key = ${entry.dedupeKey})`;
      const outcome = await work(guard);
      const row = { status: 'processed' as const, processedAt: clock.now(), outcome };
      if (!(await insertEntry(store.db, id, entry, row, receivedAt))) return { id: undefined, duplicate: true };
      return { id, duplicate: false };
    },
    async markProcessed(id) {
      await db
        .updateTable('inbox')
        .set({ status: 'processed', processed_at: clock.now().toISOString() })
        .where('id', '=', id)
        .execute();
    },
    async list(options = {}) {
      let q = db.selectFrom('inbox').selectAll().orderBy('received_at').orderBy('id');
      if (options.status) q = q.where('status', '=', options.status);
      if (options.connectionId) q = q.where('connection_id', '=', options.connectionId);
      return q.limit(options.limit ?? 100).execute();
    },
    async count(status, options = {}) {
      let q = db.selectFrom('inbox').select((eb) => eb.fn.countAll<number | string>().as('n'));
      if (status) q = q.where('status', '=', status);
      if (options.connectionId) q = q.where('connection_id', '=', options.connectionId);
      const row = await q.executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

/** Thrown inside acceptProcessed's transaction to roll a duplicate's work back; never leaves it. */
const DUPLICATE = new Error('duplicate inbox entry');

/** Inserts the entry's row unless one with its source and dedupe key exists; true when it inserted. */
async function insertEntry(
  db: Db,
  id: string,
  entry: InboxEntry,
  state: { status: InboxStatus; processedAt: Date | null; outcome: InboxOutcome | null },
  receivedAt: Date,
): Promise<boolean> {
  const inserted = await insertRow(
    db as unknown as Kysely<InboxTables>,
    id,
    entry.source,
    entry.dedupeKey,
    entry.kind,
    entry.subject ?? null,
    entry.payload,
    state.status,
    entry.error ?? null,
    entry.connectionId ?? null,
    receivedAt.toISOString(),
    state.processedAt?.toISOString() ?? null,
    entry.eventTime ?? null,
    state.outcome,
  ).executeTakeFirst();
  return inserted !== undefined;
}

/** Built and compiled once per handle (runtime/store/prepared.ts): one per notification. */
const insertRow = prepared(
  (
    db: Kysely<InboxTables>,
    id: string,
    source: string,
    dedupeKey: string,
    kind: string,
    subject: string | null,
    payload: string,
    status: InboxStatus,
    error: string | null,
    connectionId: string | null,
    receivedAt: string,
    processedAt: string | null,
    eventTime: string | null,
    outcome: InboxOutcome | null,
  ) =>
    db
      .insertInto('inbox')
      .values({
        id,
        source,
        dedupe_key: dedupeKey,
        kind,
        subject,
        payload,
        status,
        error,
        connection_id: connectionId,
        received_at: receivedAt,
        processed_at: processedAt,
        event_time: eventTime,
        outcome,
      })
      .onConflict((oc) => oc.columns(['source', 'dedupe_key']).doNothing())
      .returning('id'),
);
