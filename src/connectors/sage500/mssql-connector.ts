import type sql from 'mssql';
import type { ProcedureCall, SqlType } from './sql/procedures.ts';
import type { MssqlConnector, MssqlSession, TypedParam } from './mssql-session.ts';

export interface MssqlConnectorOptions {
  /** mssql://user:password@host:1433/database?encrypt=true&trustServerCertificate=true&instanceName=SAGE */
  readonly url: string;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

type Mssql = typeof sql;

/**
 * The mssql package (tedious, @azure/identity) is loaded on the first connection, not with this module: it is some
 * 40 MB of resident memory that every process on the sandbox or an agent (and every `settlements import`) paid for
 * nothing. A literal import() so the single executable's bundler still takes it in (createRequire would not).
 */
async function loadMssql(): Promise<Mssql> {
  return (await import('mssql')).default;
}

function toMssqlType(sql: Mssql, t: TypedParam['sqlType'] | SqlType) {
  switch (t.type) {
    case 'VarChar':
      return sql.VarChar(t.length);
    case 'Int':
      return sql.Int;
    case 'SmallInt':
      return sql.SmallInt;
    case 'DateTime':
      return sql.DateTime;
    case 'Bit':
      return sql.Bit;
    case 'Float':
      return sql.Float;
    case 'BigInt':
      return sql.BigInt;
  }
}

/**
 * A DateTime RPC value: our datetime text has no zone and means UTC. tedious would parse such a string as
 * local time, so it gets a Date built as UTC (mssql's default `useUTC: true` sends it back unchanged).
 */
export function rpcValue(p: { sqlType: SqlType; value?: string | number | null }): unknown {
  if (p.sqlType.type === 'DateTime' && typeof p.value === 'string')
    return new Date(/Z|[+-]\d\d:?\d\d$/.test(p.value) ? p.value : `${p.value}Z`);
  return p.value;
}

export function mssqlConfigFromUrl(options: MssqlConnectorOptions): sql.config {
  const u = new URL(options.url);
  if (u.protocol !== 'mssql:' && u.protocol !== 'sqlserver:') throw new Error('sage500.url must start with mssql://');
  const flag = (name: string, dflt: boolean) => (u.searchParams.has(name) ? u.searchParams.get(name) === 'true' : dflt);
  return {
    server: u.hostname,
    ...(u.port ? { port: Number(u.port) } : {}),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')),
    connectionTimeout: options.connectTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    options: {
      encrypt: flag('encrypt', true),
      trustServerCertificate: flag('trustServerCertificate', false),
      ...(u.searchParams.get('instanceName') ? { instanceName: u.searchParams.get('instanceName')! } : {}),
    },
    pool: { min: 0, max: 4 },
  };
}

/** The real connector over the `mssql` package (tedious). Not run in this repository's tests (no SQL Server). */
export async function createMssqlConnector(options: MssqlConnectorOptions, poolSize = 4): Promise<MssqlConnector> {
  const config = mssqlConfigFromUrl(options);
  const sql = await loadMssql();
  const pool = new sql.ConnectionPool({ ...config, pool: { min: 0, max: poolSize } });
  await pool.connect();
  const run = async (request: sql.Request, text: string, params: readonly TypedParam[]) => {
    for (const p of params) request.input(p.name, toMssqlType(sql, p.sqlType), p.value);
    const result = await request.query(text);
    return {
      rows: (result.recordset ?? []) as Record<string, unknown>[],
      rowsAffected: result.rowsAffected.reduce((a, b) => a + b, 0),
    };
  };
  const rpc = async (request: sql.Request, call: ProcedureCall) => {
    for (const p of call.inputs) request.input(p.name, toMssqlType(sql, p.sqlType), rpcValue(p));
    for (const p of call.outputs) request.output(p.name, toMssqlType(sql, p.sqlType));
    const result = await request.execute(call.procedure);
    return { output: result.output as Record<string, unknown>, returnValue: result.returnValue as number };
  };
  const pooled: MssqlSession = {
    query: (text, params) => run(pool.request(), text, params),
    execute: (call) => rpc(pool.request(), call),
  };
  return {
    pooled,
    async transaction(work) {
      const tx = new sql.Transaction(pool);
      await tx.begin();
      try {
        const result = await work({
          query: (text, params) => run(new sql.Request(tx), text, params),
          execute: (call) => rpc(new sql.Request(tx), call),
        });
        await tx.commit();
        return result;
      } catch (err) {
        await tx.rollback().catch(() => undefined);
        throw err;
      }
    },
    execute: (call: ProcedureCall) => rpc(pool.request(), call),
    async dedicated(work) {
      // A pool of one connection: every request of the step runs on the same session.
      const single = await createMssqlConnector(options, 1);
      try {
        return await work(single);
      } finally {
        await single.close();
      }
    },
    close: () => pool.close(),
  };
}
