import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import {
  CompiledQuery,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
  type SqliteStatement,
} from 'kysely';

/**
 * Kysely over Node's built-in `node:sqlite` (no native build, so npm's install-script policy never bites;
 * see shared/design/VERIFIED.md). Kysely's SqliteDialect only needs `prepare(sql)` with reader/all/run/iterate.
 */
export function createNodeSqliteDatabase(
  path: string,
  busyTimeoutMs: number,
): { database: SqliteDatabase; raw: DatabaseSync } {
  const raw = new DatabaseSync(path, { timeout: busyTimeoutMs });
  const database: SqliteDatabase = {
    close: () => raw.close(),
    prepare(sql: string): SqliteStatement {
      const stmt = raw.prepare(sql);
      return {
        reader: stmt.columns().length > 0,
        all: (params) => stmt.all(...(params as SQLInputValue[])),
        run: (params) => stmt.run(...(params as SQLInputValue[])),
        iterate: (params) => stmt.iterate(...(params as SQLInputValue[])) as IterableIterator<unknown>,
      };
    },
  };
  return { database, raw };
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
