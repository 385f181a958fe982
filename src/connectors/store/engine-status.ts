import { sql } from 'kysely';
import type { Clock } from '../../core/ports/clock.ts';
import type { Store } from '../../runtime/store/store.ts';

/**
 * The engine's state as the workers saw it, kept in the store (migration 0026 `engine_status`) so that every process
 * serving the dashboard shows the same thing: an API-role process, the demo's server or the worker itself. One row
 * per (connection, circuit target): the last call the dependency answered, the last outage failure and the circuit
 * state. Workers write through `createEngineStatusRecorder`, at most once per `flushMs` per target (a circuit that
 * changes state is written at once), so recording costs one small upsert every few seconds, not one per call.
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
  lastOkAt: string | null;
  lastFailureAt: string | null;
  lastFailure: string | null;
  state: string;
  dirty: boolean;
  lastWriteMs: number;
  timer: NodeJS.Timeout | undefined;
  writing: Promise<void> | undefined;
}

export function createEngineStatusRecorder(options: {
  readonly store: Store;
  readonly clock: Clock;
  readonly connectionId: string;
  /** At most one write per target per this many ms (default 5000). */
  readonly flushMs?: number;
  /** A failed write is reported here and retried with the next flush; it never reaches the caller. */
  readonly onError?: (err: unknown) => void;
}): EngineStatusRecorder {
  const { store, clock, connectionId } = options;
  const flushMs = options.flushMs ?? 5000;
  const db = store.db.withTables<EngineStatusTables>();
  const byTarget = new Map<string, Pending>();
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
        await db
          .insertInto('engine_throughput_by_connection')
          .values(
            batch.map(([key, n]) => {
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

  const entry = (target: string): Pending => {
    let p = byTarget.get(target);
    if (!p) {
      p = {
        lastOkAt: null,
        lastFailureAt: null,
        lastFailure: null,
        state: 'closed',
        dirty: false,
        lastWriteMs: 0,
        timer: undefined,
        writing: undefined,
      };
      byTarget.set(target, p);
    }
    return p;
  };

  const write = async (target: string, p: Pending): Promise<void> => {
    if (p.writing) await p.writing.catch(() => undefined);
    if (!p.dirty) return;
    p.dirty = false;
    p.lastWriteMs = Date.now();
    const row = {
      connection_id: connectionId,
      target,
      circuit_state: p.state,
      last_ok_at: p.lastOkAt,
      last_failure_at: p.lastFailureAt,
      last_failure: p.lastFailure,
      reported_at: clock.now().toISOString(),
    };
    // Several workers write the same row: the newest call times win, and the circuit state last reported.
    const newer = (col: 'last_ok_at' | 'last_failure_at') =>
      sql<
        string | null
      >`CASE WHEN excluded.${sql.ref(col)} IS NOT NULL AND (engine_status.${sql.ref(col)} IS NULL OR excluded.${sql.ref(col)} > engine_status.${sql.ref(col)}) THEN excluded.${sql.ref(col)} ELSE engine_status.${sql.ref(col)} END`;
    p.writing = db
      .insertInto('engine_status')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['connection_id', 'target']).doUpdateSet({
          circuit_state: sql`excluded.circuit_state`,
          reported_at: sql`excluded.reported_at`,
          last_ok_at: newer('last_ok_at'),
          last_failure: sql`CASE WHEN excluded.last_failure_at IS NOT NULL AND (engine_status.last_failure_at IS NULL OR excluded.last_failure_at > engine_status.last_failure_at) THEN excluded.last_failure ELSE engine_status.last_failure END`,
          last_failure_at: newer('last_failure_at'),
        }),
      )
      .execute()
      .then(
        () => undefined,
        (err: unknown) => {
          p.dirty = true; // written again with the next flush
          options.onError?.(err);
        },
      );
    await p.writing;
  };

  const schedule = (target: string, p: Pending, now: boolean) => {
    p.dirty = true;
    if (closed) return;
    if (now) {
      if (p.timer) clearTimeout(p.timer);
      p.timer = undefined;
      void write(target, p);
      return;
    }
    if (p.timer) return;
    const wait = Math.max(0, p.lastWriteMs + flushMs - Date.now());
    p.timer = setTimeout(() => {
      p.timer = undefined;
      void write(target, p);
    }, wait);
    p.timer.unref();
  };

  return {
    outcome(target, ok, failure) {
      const p = entry(target);
      const at = clock.now().toISOString();
      if (ok) p.lastOkAt = at;
      else {
        p.lastFailureAt = at;
        p.lastFailure = failure ?? 'failed';
      }
      schedule(target, p, false);
    },
    circuit(target, state) {
      const p = entry(target);
      if (p.state === state && !p.dirty && p.lastWriteMs > 0) return;
      p.state = state;
      schedule(target, p, true);
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
      for (const [target, p] of byTarget) {
        if (p.timer) clearTimeout(p.timer);
        p.timer = undefined;
        await write(target, p);
      }
    },
    async close() {
      await this.flush();
      closed = true;
    },
  };
}

const THROUGHPUT_KEEP_MS = 86_400_000;

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
