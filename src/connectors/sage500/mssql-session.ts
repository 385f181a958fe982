import {
  MssqlAdapter,
  MssqlIntrospector,
  MssqlQueryCompiler,
  Kysely,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from 'kysely';
import type { SageDatabase } from './tables.ts';
import type { ProcedureCall, SqlType } from './sql/procedures.ts';
import type { SageDb } from './sql/db.ts';

/** A statement parameter with its SQL Server type (never left to the driver to guess). */
export interface TypedParam {
  readonly name: string;
  readonly sqlType: SqlType | { readonly type: 'Bit' } | { readonly type: 'Float' } | { readonly type: 'BigInt' };
  readonly value: unknown;
}

/** One connection's worth of work: SQL text with typed parameters. */
export interface MssqlSession {
  query(sql: string, params: readonly TypedParam[]): Promise<{ rows: Record<string, unknown>[]; rowsAffected: number }>;
  /** A stored procedure through RPC on this session (inside its transaction, when it has one). */
  execute(call: ProcedureCall): Promise<{ output: Record<string, unknown>; returnValue: number }>;
}

/**
 * The seam between the SQL Server adapter and the `mssql` package: the real one is in mssql-connector.ts,
 * tests use a recording one. Nothing above this seam knows mssql.
 */
export interface MssqlConnector {
  /** Autocommit statements on pooled connections (reads). */
  readonly pooled: MssqlSession;
  /** Work on one connection inside one transaction (Sage's logs and temp tables are session-scoped). */
  transaction<T>(work: (session: MssqlSession) => Promise<T>): Promise<T>;
  /**
   * A connector bound to one new connection for the duration of `work` (a pool of one), closed afterwards:
   * "one connection per flow step".
   */
  dedicated<T>(work: (connector: MssqlConnector) => Promise<T>): Promise<T>;
  /** A stored procedure through RPC; returns its output parameters and return value. */
  execute(call: ProcedureCall): Promise<{ output: Record<string, unknown>; returnValue: number }>;
  close(): Promise<void>;
}

/**
 * Sage columns are varchar; every string goes as VarChar. One length (8000, the varchar maximum below MAX)
 * for all values keeps one cached plan per statement; lengths are checked against Sage's columns before
 * staging (rows-from-sales-order.ts). Integers go as Int; decimals are sent as exact strings (decimal.ts).
 */
export function typedParameters(parameters: readonly unknown[]): TypedParam[] {
  return parameters.map((value, i) => {
    const name = String(i + 1);
    if (typeof value === 'number')
      // Whole numbers beyond int (change-tracking versions are bigint) go as BigInt.
      return {
        name,
        sqlType: !Number.isInteger(value)
          ? { type: 'Float' }
          : Math.abs(value) > 2_147_483_647
            ? { type: 'BigInt' }
            : { type: 'Int' },
        value,
      };
    if (typeof value === 'boolean') return { name, sqlType: { type: 'Bit' }, value };
    if (value === null || value === undefined) return { name, sqlType: { type: 'VarChar', length: 1 }, value: null };
    const text = value instanceof Date ? value.toISOString().slice(0, 19) : String(value);
    return { name, sqlType: { type: 'VarChar', length: 8000 }, value: text };
  });
}

class SessionConnection implements DatabaseConnection {
  readonly #session: MssqlSession;
  constructor(session: MssqlSession) {
    this.#session = session;
  }
  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#session.query(compiled.sql, typedParameters(compiled.parameters));
    return { rows: result.rows as R[], numAffectedRows: BigInt(result.rowsAffected) };
  }
  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not used against Sage 500');
  }
}

/** Kysely transactions are not used: a step's transaction is the connector's (see sqlserver-gateway.ts). */
class SessionDriver implements Driver {
  readonly #connection: SessionConnection;
  constructor(session: MssqlSession) {
    this.#connection = new SessionConnection(session);
  }
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return this.#connection;
  }
  async beginTransaction(): Promise<void> {
    throw new Error('use the connector transaction, not Kysely transactions, against Sage 500');
  }
  async commitTransaction(): Promise<void> {}
  async rollbackTransaction(): Promise<void> {}
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}

/** Kysely with SQL Server's compiler over one session (pooled or a transaction's connection). */
export function kyselyForSession(session: MssqlSession): SageDb {
  const dialect: Dialect = {
    createAdapter: () => new MssqlAdapter(),
    createDriver: () => new SessionDriver(session),
    createQueryCompiler: () => new MssqlQueryCompiler(),
    createIntrospector: (db) => new MssqlIntrospector(db),
  };
  return new Kysely<SageDatabase>({ dialect });
}

/** Kysely that only compiles T-SQL (tests, `--print`): executing through it is an error. */
export function compileOnlyKysely(): SageDb {
  const refuse = async (): Promise<never> => {
    throw new Error('compile-only Kysely cannot execute');
  };
  return kyselyForSession({ query: refuse, execute: refuse });
}
