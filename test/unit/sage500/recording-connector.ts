import type { MssqlConnector, TypedParam } from '../../../src/connectors/sage500/mssql-session.ts';
import { adapterProcedures, type ProcedureCall } from '../../../src/connectors/sage500/sql/procedures.ts';
import { parseColumnSpec, SAGE_TABLES } from '../../../src/connectors/sage500/tables.ts';

export interface RecordedStatement {
  readonly sql: string;
  readonly params: readonly TypedParam[];
  readonly inTransaction: boolean;
  /** 0 = the shared pool; 1, 2, ... = the dedicated connection of a flow step. */
  readonly connection: number;
}

export type Responder = (sql: string, params: readonly TypedParam[]) => Record<string, unknown>[] | undefined;
export type ProcedureResponder = (call: ProcedureCall) => Record<string, unknown>;

export type RecordedEvent =
  | { kind: 'sql'; statement: RecordedStatement }
  | { kind: 'rpc'; call: ProcedureCall; connection: number; inTransaction: boolean };

/**
 * A stand-in for SQL Server at the mssql seam: records every statement (text + typed parameters), every
 * procedure call and the connection each went through, and answers with scripted rows. It proves what is
 * sent, not what SQL Server would do with it.
 */
export function createRecordingConnector(respond: Responder, procedures: ProcedureResponder) {
  const statements: RecordedStatement[] = [];
  const calls: ProcedureCall[] = [];
  const events: RecordedEvent[] = [];
  let transactions = 0;
  let connections = 0;
  const make = (connection: number): MssqlConnector => {
    const session = (inTransaction: boolean) => ({
      async query(sql: string, params: readonly TypedParam[]) {
        const statement = { sql, params, inTransaction, connection };
        statements.push(statement);
        events.push({ kind: 'sql', statement });
        const rows = respond(sql, params) ?? [];
        return { rows, rowsAffected: rows.length || 1 };
      },
      async execute(call: ProcedureCall) {
        calls.push(call);
        events.push({ kind: 'rpc', call, connection, inTransaction });
        return { output: procedures(call), returnValue: 0 };
      },
    });
    return {
      pooled: session(false),
      async transaction(work) {
        transactions += 1;
        return work(session(true));
      },
      async dedicated(work) {
        return work(make(++connections));
      },
      execute: (call) => session(false).execute(call),
      async close() {},
    };
  };
  return { connector: make(0), statements, calls, events, transactionCount: () => transactions };
}

/**
 * Answers the catalog reads (`sql/catalog.ts`) the way SQL Server would for a database shaped exactly like
 * tables.ts and the adapter's procedure calls (spglGiveNextJrnlNo under made-up names, which the adapter must
 * take from the catalog), so a recorded gateway runs every method. `except` drops objects or columns.
 */
export function catalogRows(
  sql: string,
  params: readonly TypedParam[],
  except: readonly string[] = [],
): Record<string, unknown>[] | undefined {
  const names = new Set(params.map((p) => String(p.value)));
  const kept = (subject: string) => !except.includes(subject);
  if (sql.includes('FROM sys.objects o LEFT JOIN sys.columns')) {
    const rows: Record<string, unknown>[] = [];
    for (const [table, spec] of Object.entries(SAGE_TABLES)) {
      if (!names.has(table) || !kept(table)) continue;
      for (const [column, text] of Object.entries(spec.columns as Record<string, string>)) {
        if (!kept(`${table}.${column}`)) continue;
        const { base, nullable, defaultValue } = parseColumnSpec(text);
        const m = /^(\w+)(?:\((\d+)(?:,(\d+))?\))?$/.exec(base)!;
        const type = m[1] === 'identity' ? 'int' : m[1]!;
        rows.push({
          ObjectName: table,
          ObjectType: 'view' in spec && spec.view ? 'V' : 'U',
          ColumnName: column,
          TypeName: type,
          MaxLength: type === 'varchar' ? Number(m[2]) : 4,
          NumPrecision: type === 'decimal' ? Number(m[2]) : 0,
          NumScale: type === 'decimal' ? Number(m[3]) : 0,
          IsNullable: nullable,
          IsIdentity: m[1] === 'identity',
          DefaultObjectId: defaultValue === undefined ? 0 : 1,
        });
      }
    }
    for (const proc of adapterProcedures())
      if (names.has(proc.procedure) && kept(proc.procedure))
        rows.push({ ObjectName: proc.procedure, ObjectType: 'P', ColumnName: null });
    return rows;
  }
  if (sql.includes('FROM sys.parameters p')) {
    return adapterProcedures().flatMap((proc) =>
      names.has(proc.procedure) && kept(proc.procedure)
        ? proc.params.map((p, i) => ({
            ProcedureName: proc.procedure,
            Position: i + 1,
            ParameterName: `@${p.names[0] ?? `p${i + 1}`}`,
            TypeName: p.sqlType.type.toLowerCase(),
            MaxLength: p.sqlType.type === 'VarChar' ? p.sqlType.length : 4,
            IsOutput: p.output,
          }))
        : [],
    );
  }
  return undefined;
}
