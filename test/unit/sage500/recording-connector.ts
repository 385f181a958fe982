import type { MssqlConnector, TypedParam } from '../../../src/connectors/sage500/mssql-session.ts';
import type { ProcedureCall } from '../../../src/connectors/sage500/sql/procedures.ts';

export interface RecordedStatement {
  readonly sql: string;
  readonly params: readonly TypedParam[];
  readonly inTransaction: boolean;
}

export type Responder = (sql: string, params: readonly TypedParam[]) => Record<string, unknown>[] | undefined;
export type ProcedureResponder = (call: ProcedureCall) => Record<string, unknown>;

/**
 * A stand-in for SQL Server at the mssql seam: records every statement (text + typed parameters) and every
 * procedure call the SQL Server adapter sends, and answers with scripted rows. It proves what is sent, not
 * what SQL Server would do with it.
 */
export function createRecordingConnector(respond: Responder, procedures: ProcedureResponder) {
  const statements: RecordedStatement[] = [];
  const calls: ProcedureCall[] = [];
  /** Statements and procedure calls in the order they were sent. */
  const events: ({ kind: 'sql'; statement: RecordedStatement } | { kind: 'rpc'; call: ProcedureCall })[] = [];
  let transactions = 0;
  const session = (inTransaction: boolean) => ({
    async query(sql: string, params: readonly TypedParam[]) {
      const statement = { sql, params, inTransaction };
      statements.push(statement);
      events.push({ kind: 'sql', statement });
      const rows = respond(sql, params) ?? [];
      return { rows, rowsAffected: rows.length || 1 };
    },
  });
  const connector: MssqlConnector = {
    pooled: session(false),
    async transaction(work) {
      transactions += 1;
      return work(session(true));
    },
    async execute(call) {
      calls.push(call);
      events.push({ kind: 'rpc', call });
      return { output: procedures(call), returnValue: 0 };
    },
    async close() {},
  };
  return { connector, statements, calls, events, transactionCount: () => transactions };
}
