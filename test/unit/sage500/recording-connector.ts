import type { MssqlConnector, TypedParam } from '../../../src/connectors/sage500/mssql-session.ts';
import type { ProcedureCall } from '../../../src/connectors/sage500/sql/procedures.ts';

export interface RecordedStatement {
  readonly sql: string;
  readonly params: readonly TypedParam[];
  readonly inTransaction: boolean;
  /** 0 = the shared pool; 1, 2, ... = the dedicated connection of a flow step. */
  readonly connection: number;
}

export type Responder = (sql: string, params: readonly TypedParam[]) => Record<string, unknown>[] | undefined;
export type ProcedureResponder = (call: ProcedureCall) => Record<string, unknown>;

export type RecordedEvent = { kind: 'sql'; statement: RecordedStatement } | { kind: 'rpc'; call: ProcedureCall; connection: number };

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
      async execute(call) {
        calls.push(call);
        events.push({ kind: 'rpc', call, connection });
        return { output: procedures(call), returnValue: 0 };
      },
      async close() {},
    };
  };
  return { connector: make(0), statements, calls, events, transactionCount: () => transactions };
}
