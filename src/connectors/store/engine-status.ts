import { sql } from 'kysely';
import type { Clock } from '../../core/ports/clock.ts';
import type { Store } from '../../runtime/store/store.ts';

/**
 * The engine's state as the workers saw it, kept in the store (migration 0026 `engine_status`) so that every process
 * serving the dashboard shows the same thing: an API-role process, the demo's server or the worker itself. One row
 * per (connection, circuit target): the last call the dependency answered, the last outage failure and the circuit
 * state. Workers write through one `createEngineStatusSink` per process, every connection's changed rows in one upsert
 * at most once per `flushMs` (a circuit that changes state is written at once), so recording costs one small upsert
 * every few seconds, not one per call, and not one per connection.
 */
export type EngineStatusTables = {
  engine_status: {
    connection_id: string;
    target: string;
    circuit_state: string;
    last_ok_at: string | null;
    last_failure_at: string | null;
    last_failure: string | null;
    reported_at: string;
  };
  engine_throughput: { minute: string; completed: number; failed: number };
  /** Migration 0030 (issue 21): the same per connection. */
  engine_throughput_by_connection: { connection_id: string; minute: string; completed: number; failed: number };
};

export interface EngineStatusRow {
  readonly connectionId: string;
  /** `sage500`, `amazon.orders`, `amazon.lwa`, ... (the circuit's target). */
  readonly target: string;
  readonly circuitState: string;
  readonly lastOkAt: string | null;
  readonly lastFailureAt: string | null;
  /** The failure's error code and HTTP status or kind: never a payload. */
  readonly lastFailure: string | null;
  readonly reportedAt: string;
}

export interface EngineStatusRecorder {
  /** The dependency answered (`ok`) or failed as an outage (`failure`: what counts against its circuit). */
  outcome(target: string, ok: boolean, failure?: string): void;
  /** The circuit of `target` moved to `state`: written at once. */
  circuit(target: string, state: string): void;
  /**
   * A job finished: completed (`true`) or failed (retry or dead); added to its minute's counts, every connection's
   * and its connection's (`default` when not given).
   */
  jobFinished(completed: boolean, connectionId?: string): void;
  /** Writes what is pending now (tests, shutdown). */
  flush(): Promise<void>;
  /** Flushes and stops the timers. */
  close(): Promise<void>;
}

interface Pending {
  readonly connectionId: string;
  readonly target: string;
  lastOkAt: string | null;
  lastFailureAt: string | null;
  lastFailure: string | null;
  state: string;
  dirty: boolean;
  /** Written at least once (a circuit state already reported is not written again). */
  written: boolean;
  /** Its first write is asked for (a target seen for the first time is written at once, not after the period). */
  firstAsked: boolean;
}

/**
 * The process's engine status writer: every connection's rows (one per connection and target) are written together,
 * in one multi-row upsert at most once per `flushMs` (a circuit that changes state: at once), and every connection's
 * job minutes in one transaction; so recording costs the same few statements with 1 or 100 connections.
 */
export interface EngineStatusSink {
  /** A connection's recorder on this sink (`flush` flushes the sink; `close` flushes, the sink stays open). */
  connection(connectionId: string): EngineStatusRecorder;
  jobFinished(completed: boolean, connectionId?: string): void;
  flush(): Promise<void>;
  /** Flushes and stops the timers. */
  close(): Promise<void>;
}

/** One connection's recorder on a sink of its own (tests, and a process with one connection). */
export function createEngineStatusRecorder(options: {
  readonly store: Store;
  readonly clock: Clock;
  readonly connectionId: string;
  /** At most one write per this many ms (default 5000). */
  readonly flushMs?: number;
  /** A failed write is reported here and retried with the next flush; it never reaches the caller. */
  readonly onError?: (err: unknown) => void;
}): EngineStatusRecorder {
  const sink = createEngineStatusSink(options);
  const own = sink.connection(options.connectionId);
  return {
    outcome: own.outcome,
    circuit: own.circuit,
    jobFinished: sink.jobFinished,
    flush: sink.flush,
    close: sink.close,
  };
}

export function createEngineStatusSink(options: {
  readonly store: Store;
  readonly clock: Clock;
  /** At most one status write per this many ms (default 5000), and one throughput write. */
  readonly flushMs?: number;
  /** A failed write is reported here and retried with the next flush; it never reaches the caller. */
  readonly onError?: (err: unknown) => void;
}): EngineStatusSink {
  const { store, clock } = options;
  const flushMs = options.flushMs ?? 5000;
  const db = store.db.withTables<EngineStatusTables>();
  /** By `<connection>\t<target>`. */
  const rows = new Map<string, Pending>();
  let statusTimer: NodeJS.Timeout | undefined;
  let statusWriting: Promise<void> | undefined;
  let lastStatusWriteMs = 0;
  let closed = false;
  /** Counts not yet added to engine_throughput(_by_connection), by connection and minute start (ISO): `<id>\t<minute>`. */
  const minutes = new Map<string, { completed: number; failed: number }>();
  let minutesTimer: NodeJS.Timeout | undefined;
  let minutesWriting: Promise<void> | undefined;
  let lastPruneMs = 0;

  const writeMinutes = async (): Promise<void> => {
    if (minutesWriting) await minutesWriting.catch(() => undefined);
    if (minutes.size === 0) return;
    const batch = [...minutes.entries()];
    const written = new Set<string>();
    minutes.clear();
    minutesWriting = (async () => {
      // Every connection's minutes in one transaction of two statements, however many connections there are (a
      // transaction per connection and minute made each flush cost as many writes as the process has connections).
      const all = new Map<string, { completed: number; failed: number }>();
      for (const [key, n] of batch) {
        const minute = key.split('\t')[1]!;
        const m = all.get(minute) ?? { completed: 0, failed: 0 };
        all.set(minute, { completed: m.completed + n.completed, failed: m.failed + n.failed });
      }
      await store.transaction(async (tx) => {
        const db = tx.withTables<EngineStatusTables>();
        await db
          .insertInto('engine_throughput')
          .values([...all].map(([minute, n]) => ({ minute, completed: n.completed, failed: n.failed })))
          .onConflict((oc) =>
            oc.column('minute').doUpdateSet({
              completed: sql`engine_throughput.completed + excluded.completed`,
              failed: sql`engine_throughput.failed + excluded.failed`,
            }),
          )
          .execute();
        for (let i = 0; i < batch.length; i += ROWS_PER_STATEMENT)
          await db
            .insertInto('engine_throughput_by_connection')
            .values(
              batch.slice(i, i + ROWS_PER_STATEMENT).map(([key, n]) => {
                const [connection_id, minute] = key.split('\t') as [string, string];
                return { connection_id, minute, completed: n.completed, failed: n.failed };
              }),
            )
            .onConflict((oc) =>
              oc.columns(['connection_id', 'minute']).doUpdateSet({
                completed: sql`engine_throughput_by_connection.completed + excluded.completed`,
                failed: sql`engine_throughput_by_connection.failed + excluded.failed`,
              }),
            )
            .execute();
      });
      for (const [key] of batch) written.add(key);
      if (Date.now() - lastPruneMs > 3_600_000) {
        lastPruneMs = Date.now();
        const before = new Date(clock.now().getTime() - THROUGHPUT_KEEP_MS).toISOString();
        await db.deleteFrom('engine_throughput').where('minute', '<', before).execute();
        await db.deleteFrom('engine_throughput_by_connection').where('minute', '<', before).execute();
      }
    })().catch((err: unknown) => {
      // Not lost: added back and written with the next flush.
      for (const [key, n] of batch) {
        if (written.has(key)) continue;
        const m = minutes.get(key) ?? { completed: 0, failed: 0 };
        minutes.set(key, { completed: m.completed + n.completed, failed: m.failed + n.failed });
      }
      options.onError?.(err);
    });
    await minutesWriting;
  };

  const entry = (connectionId: string, target: string): Pending => {
    const key = `${connectionId}\t${target}`;
    let p = rows.get(key);
    if (!p) {
      p = {
        connectionId,
        target,
        lastOkAt: null,
        lastFailureAt: null,
        lastFailure: null,
        state: 'closed',
        dirty: false,
        written: false,
        firstAsked: false,
      };
      rows.set(key, p);
    }
    return p;
  };

  // Several workers write the same row: the newest call times win, and the circuit state last reported.
  const newer = (col: 'last_ok_at' | 'last_failure_at') =>
    sql<
      string | null
    >`CASE WHEN excluded.${sql.ref(col)} IS NOT NULL AND (engine_status.${sql.ref(col)} IS NULL OR excluded.${sql.ref(col)} > engine_status.${sql.ref(col)}) THEN excluded.${sql.ref(col)} ELSE engine_status.${sql.ref(col)} END`;

  const writeStatus = async (): Promise<void> => {
    if (statusWriting) await statusWriting.catch(() => undefined);
    const dirty = [...rows.values()].filter((p) => p.dirty);
    if (dirty.length === 0) return;
    for (const p of dirty) p.dirty = false;
    lastStatusWriteMs = Date.now();
    const reportedAt = clock.now().toISOString();
    const upsert = (part: readonly Pending[]) =>
      db
        .insertInto('engine_status')
        .values(
          part.map((p) => ({
            connection_id: p.connectionId,
            target: p.target,
            circuit_state: p.state,
            last_ok_at: p.lastOkAt,
            last_failure_at: p.lastFailureAt,
            last_failure: p.lastFailure,
            reported_at: reportedAt,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['connection_id', 'target']).doUpdateSet({
            circuit_state: sql`excluded.circuit_state`,
            reported_at: sql`excluded.reported_at`,
            last_ok_at: newer('last_ok_at'),
            last_failure: sql`CASE WHEN excluded.last_failure_at IS NOT NULL AND (engine_status.last_failure_at IS NULL OR excluded.last_failure_at > engine_status.last_failure_at) THEN excluded.last_failure ELSE engine_status.last_failure END`,
            last_failure_at: newer('last_failure_at'),
          }),
        )
        .execute();
    statusWriting = (async () => {
      // In parts, so a statement's bound values stay well under the drivers' limits with thousands of connections.
      for (let i = 0; i < dirty.length; i += ROWS_PER_STATEMENT) await upsert(dirty.slice(i, i + ROWS_PER_STATEMENT));
    })().then(
      () => {
        for (const p of dirty) p.written = true;
      },
      (err: unknown) => {
        for (const p of dirty) p.dirty = true; // written again with the next flush
        options.onError?.(err);
      },
    );
    await statusWriting;
  };

  const schedule = (p: Pending, now: boolean) => {
    p.dirty = true;
    if (closed) return;
    const first = !p.firstAsked;
    p.firstAsked = true;
    if (now) {
      if (statusTimer) clearTimeout(statusTimer);
      statusTimer = undefined;
      void writeStatus();
      return;
    }
    if (statusTimer && !first) return;
    if (statusTimer) clearTimeout(statusTimer);
    // A target seen for the first time is written on the next turn (with whatever else is new by then), not after
    // the period: the dashboard shows a connection's Sage and Amazon as soon as they answered once.
    const wait = first ? 0 : Math.max(0, lastStatusWriteMs + flushMs - Date.now());
    statusTimer = setTimeout(() => {
      statusTimer = undefined;
      void writeStatus();
    }, wait);
    statusTimer.unref();
  };

  const sink: EngineStatusSink = {
    connection(connectionId) {
      return {
        outcome(target, ok, failure) {
          const p = entry(connectionId, target);
          const at = clock.now().toISOString();
          if (ok) p.lastOkAt = at;
          else {
            p.lastFailureAt = at;
            p.lastFailure = failure ?? 'failed';
          }
          schedule(p, false);
        },
        circuit(target, state) {
          const p = entry(connectionId, target);
          if (p.state === state && !p.dirty && p.written) return;
          p.state = state;
          schedule(p, true);
        },
        jobFinished: (completed, jobConnection) => sink.jobFinished(completed, jobConnection ?? connectionId),
        flush: () => sink.flush(),
        close: () => sink.flush(),
      };
    },
    jobFinished(completed, jobConnection = 'default') {
      const t = clock.now().getTime();
      const key = `${jobConnection}\t${new Date(t - (t % 60_000)).toISOString()}`;
      const m = minutes.get(key) ?? { completed: 0, failed: 0 };
      if (completed) m.completed++;
      else m.failed++;
      minutes.set(key, m);
      if (closed || minutesTimer) return;
      minutesTimer = setTimeout(() => {
        minutesTimer = undefined;
        void writeMinutes();
      }, flushMs);
      minutesTimer.unref();
    },
    async flush() {
      if (minutesTimer) clearTimeout(minutesTimer);
      minutesTimer = undefined;
      await writeMinutes();
      if (statusTimer) clearTimeout(statusTimer);
      statusTimer = undefined;
      await writeStatus();
    },
    async close() {
      await sink.flush();
      closed = true;
    },
  };
  return sink;
}

const THROUGHPUT_KEEP_MS = 86_400_000;
/** Rows per multi-row upsert: 7 values each, far under SQLite's and PostgreSQL's bound-value limits. */
const ROWS_PER_STATEMENT = 500;

/**
 * Jobs completed and failed per minute from `since` (ISO minute start) on, as the workers recorded them: every
 * connection's, or one connection's (migration 0030).
 */
export async function readThroughput(
  store: Store,
  since: string,
  connectionId?: string,
): Promise<{ minute: string; completed: number; failed: number }[]> {
  if (connectionId !== undefined) {
    const rows = await store.db
      .withTables<EngineStatusTables>()
      .selectFrom('engine_throughput_by_connection')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .where('minute', '>=', since)
      .orderBy('minute')
      .limit(1440)
      .execute();
    return rows.map((r) => ({ minute: r.minute, completed: Number(r.completed), failed: Number(r.failed) }));
  }
  const rows = await store.db
    .withTables<EngineStatusTables>()
    .selectFrom('engine_throughput')
    .selectAll()
    .where('minute', '>=', since)
    .orderBy('minute')
    .limit(1440)
    .execute();
  return rows.map((r) => ({ minute: r.minute, completed: Number(r.completed), failed: Number(r.failed) }));
}

/** Every recorded target, bounded (a few rows per connection). */
export async function readEngineStatus(store: Store, limit = 1000): Promise<EngineStatusRow[]> {
  const rows = await store.db
    .withTables<EngineStatusTables>()
    .selectFrom('engine_status')
    .selectAll()
    .orderBy('connection_id')
    .orderBy('target')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    connectionId: r.connection_id,
    target: r.target,
    circuitState: r.circuit_state,
    lastOkAt: r.last_ok_at,
    lastFailureAt: r.last_failure_at,
    lastFailure: r.last_failure,
    reportedAt: r.reported_at,
  }));
}

/** A failure as it is stored: the error's code and status or kind, never its message (it may carry a payload). */
export function failureLabel(err: unknown): string {
  if (typeof err !== 'object' || err === null) return 'failed';
  const e = err as { code?: unknown; status?: unknown; kind?: unknown; name?: unknown };
  const code = typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : 'failed';
  const extra = typeof e.status === 'number' ? ` (HTTP ${e.status || 'no answer'})` : '';
  return `${code}${extra}`.slice(0, 200);
}
