import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import {
  CompiledQuery,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
  type SqliteStatement,
} from 'kysely';

/** What one SQLite connection has executed: for benchmarks and the `store statements per order` figure. */
export interface SqliteStats {
  /** Statements executed (all/run/iterate calls). */
  statements: number;
  /** Statements compiled by SQLite (cache misses). */
  prepares: number;
  /**
   * Time spent inside SQLite (prepare and execute), nanoseconds: wall time, so it holds waits too (a commit's fsync,
   * the busy timeout's sleeps while another process holds the write lock).
   */
  nanos: bigint;
  /** The CPU time of that (this thread's), microseconds; counted only when asked (`measureCpu`), else 0. */
  cpuMicros: number;
}

/** Distinct SQL texts kept compiled per connection; the order path uses well under a hundred. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely over Node's built-in `node:sqlite` (no native build, so npm's install-script policy never bites;
 * see shared/design/VERIFIED.md). Kysely's SqliteDialect only needs `prepare(sql)` with reader/all/run/iterate.
 *
 * Compiled statements are cached by SQL text (least recently used dropped past STATEMENT_CACHE_SIZE): Kysely asks
 * for `prepare` on every execution, and compiling was the single largest cost of an order on SQLite (issue 15's
 * profile: 4.3 ms per order). Reusing one statement is safe because Kysely's SQLite driver runs one query at a time
 * per connection, and `iterate` (streams) holds that connection until the stream ends.
 */
export function createNodeSqliteDatabase(
  path: string,
  busyTimeoutMs: number,
  options: { readonly measureCpu?: boolean } = {},
): { database: SqliteDatabase; raw: DatabaseSync; stats: SqliteStats } {
  const raw = new DatabaseSync(path, { timeout: busyTimeoutMs });
  const stats: SqliteStats = { statements: 0, prepares: 0, nanos: 0n, cpuMicros: 0 };
  // About 1.5 µs a reading, so only where the split is wanted (the Sage sandbox: its work is SQL Server's on a site).
  const cpuNow = options.measureCpu
    ? () => {
        const u = process.threadCpuUsage();
        return u.user + u.system;
      }
    : () => 0;
  const cache = new Map<string, { stmt: StatementSync; reader: boolean }>();
  const compiled = (sql: string) => {
    const hit = cache.get(sql);
    if (hit) {
      // Map keeps insertion order: re-inserting makes this the most recently used.
      cache.delete(sql);
      cache.set(sql, hit);
      return hit;
    }
    const t0 = process.hrtime.bigint();
    const c0 = cpuNow();
    const stmt = raw.prepare(sql);
    const entry = { stmt, reader: stmt.columns().length > 0 };
    stats.nanos += process.hrtime.bigint() - t0;
    stats.cpuMicros += cpuNow() - c0;
    stats.prepares++;
    cache.set(sql, entry);
    if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    return entry;
  };
  const timed = <T>(run: () => T): T => {
    const t0 = process.hrtime.bigint();
    const c0 = cpuNow();
    try {
      return run();
    } finally {
      stats.nanos += process.hrtime.bigint() - t0;
      stats.cpuMicros += cpuNow() - c0;
      stats.statements++;
    }
  };
  const database: SqliteDatabase = {
    close: () => {
      cache.clear();
      raw.close();
    },
    prepare(sql: string): SqliteStatement {
      const { stmt, reader } = compiled(sql);
      return {
        reader,
        all: (params) => timed(() => stmt.all(...(params as SQLInputValue[]))),
        run: (params) => timed(() => stmt.run(...(params as SQLInputValue[]))),
        iterate: (params) => {
          stats.statements++;
          return stmt.iterate(...(params as SQLInputValue[])) as IterableIterator<unknown>;
        },
      };
    },
  };
  return { database, raw, stats };
}

/**
 * Transactions start with BEGIN IMMEDIATE: the write lock is taken up front, so two processes never both
 * hold a read lock and then deadlock on the upgrade (SQLite answers that with SQLITE_BUSY at once, without
 * waiting for the busy timeout).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

export class NodeSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDatabase;
  constructor(database: SqliteDatabase) {
    super({ database });
    this.#database = database;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.#database });
  }
}
