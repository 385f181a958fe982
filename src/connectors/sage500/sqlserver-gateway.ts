import { SellbridgeError } from '../../core/errors.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Sage500Gateway } from '../../core/ports/sage500-gateway.ts';
import { createGatewayCore, type SageBackend } from './gateway-core.ts';
import { kyselyForSession, type MssqlConnector } from './mssql-session.ts';
import { extensionDdl } from './sql/extensions-ddl.ts';
import { nextBatchCall, salesOrderImportCall, surrogateKeyCall } from './sql/procedures.ts';

export interface SqlServerGatewayConfig {
  readonly companyId: string;
  readonly userId: string;
  readonly packageTable: string;
  readonly packageNoColumn: string;
  readonly packageTrackingColumn: string;
  readonly shipmentRewindKeys: number;
  readonly shipmentPageKeys?: number;
  readonly glJournalId: string;
  readonly importMaxCalls: number;
  readonly unavailableRetryMs: number;
}

export interface SqlServerGatewayDeps {
  /** The mssql seam: `createMssqlConnector(...)` in production, a recording fake in tests. */
  readonly connector: MssqlConnector;
  readonly clock?: Clock;
}

/** mssql/tedious error codes that mean "cannot reach or keep talking to the server". */
const UNAVAILABLE_CODES = new Set(['ESOCKET', 'ECONNCLOSED', 'ECONNRESET', 'ETIMEOUT', 'ETIMEDOUT', 'ENOTOPEN', 'ELOGIN', 'EINSTLOOKUP', 'ENOCONN', 'EABORT']);
/** SQL Server error numbers worth a retry: deadlock victim, lock timeout, database unavailable. */
const TRANSIENT_NUMBERS = new Set([1205, 1222, 4060, 40613, 40501]);

/**
 * Sage 500 on SQL Server, through Sage's own import API (facts §4.5): every statement comes from sql/ (one
 * file per operation, compiled by Kysely's mssql compiler) or is T-SQL text (extension DDL, discovery), and
 * every procedure goes through RPC with typed, named parameters. One connection per flow step: staging runs
 * in one transaction, each spSOapiSalesOrdIns call is its own RPC (the procedure manages its own work and
 * logs by session key), the result is read afterwards.
 */
export function createSqlServerGateway(config: SqlServerGatewayConfig, deps: SqlServerGatewayDeps): Sage500Gateway {
  const outputNumber = (output: Record<string, unknown>, name: string) => Number(output[name] ?? 0);
  const backendOver = (connector: MssqlConnector): SageBackend => ({
    db: kyselyForSession(connector.pooled),
    transaction: (work) => connector.transaction((session) => work(kyselyForSession(session))),
    withConnection: (work) => connector.dedicated((single) => work(backendOver(single))),
    async nextSurrogateKey(tableName) {
      const { output } = await connector.execute(surrogateKeyCall(tableName));
      const key = outputNumber(output, 'oNewKey');
      if (!Number.isSafeInteger(key) || key <= 0) throw new SellbridgeError('SB_SAGE_QUERY_FAILED', `spGetNextSurrogateKey returned no key for ${tableName}`);
      return key;
    },
    async runSalesOrderImport(sessionKey) {
      const { output } = await connector.execute(salesOrderImportCall(config.companyId, sessionKey));
      return {
        retVal: outputNumber(output, '_oRetVal'),
        continue: outputNumber(output, 'oContinue') === 1,
        recsProcessed: outputNumber(output, 'oRecsProcessed'),
        failedRecs: outputNumber(output, 'oFailedRecs'),
        totalRecs: outputNumber(output, 'oTotalRecs'),
      };
    },
    async getNextBatch(args) {
      const { output } = await connector.execute(nextBatchCall({ companyId: config.companyId, ...args }));
      if (outputNumber(output, '_oRetVal') !== 1) {
        throw new SellbridgeError('SB_SAGE_QUERY_FAILED', `spGetNextBatch answered ${outputNumber(output, '_oRetVal')} (1 = ok)`, { context: { companyId: config.companyId } });
      }
      return { batchKey: outputNumber(output, '_oBatchKey'), batchNo: outputNumber(output, '_oNextBatchNo') };
    },
    async installExtensions() {
      const statements = extensionDdl();
      await connector.transaction(async (session) => {
        for (const s of statements) await session.query(s, []);
      });
      return statements;
    },
    async ping() {
      const { rows } = await connector.pooled.query("SELECT DB_NAME() AS db, CAST(SERVERPROPERTY('ProductVersion') AS varchar(20)) AS version", []);
      return `SQL Server ${String(rows[0]?.version ?? '?')}, database ${String(rows[0]?.db ?? '?')}, company ${config.companyId}`;
    },
    close: () => connector.close(),
    classify(err, operation) {
      if (err instanceof SellbridgeError) return err;
      const e = err as { code?: string; number?: number; message?: string; originalError?: { code?: string } };
      const code = e.code ?? e.originalError?.code;
      const message = e.message ?? String(err);
      if ((code && UNAVAILABLE_CODES.has(code)) || /timeout|connection/i.test(code === 'EREQUEST' ? '' : message)) {
        return new SellbridgeError('SB_SAGE_UNAVAILABLE', `Sage 500 unavailable during ${operation}: ${message}`, {
          cause: err, retryAfterMs: config.unavailableRetryMs, context: { operation, ...(code ? { driverCode: code } : {}) },
        });
      }
      if (e.number === 208 || e.number === 2812) {
        return new SellbridgeError('SB_SAGE_SCHEMA_MISSING', `Sage 500 object missing during ${operation}: ${message}`, { cause: err, context: { operation, sqlError: e.number } });
      }
      return new SellbridgeError('SB_SAGE_QUERY_FAILED', `Sage 500 ${operation} failed: ${message}`, {
        cause: err, context: { operation, ...(e.number ? { sqlError: e.number, retryHint: TRANSIENT_NUMBERS.has(e.number) } : {}) },
      });
    },
  });
  const backend = backendOver(deps.connector);
  return createGatewayCore(backend, {
    companyId: config.companyId,
    userId: config.userId,
    clock: deps.clock ?? { now: () => new Date() },
    packageTable: { name: config.packageTable, packageNo: config.packageNoColumn, tracking: config.packageTrackingColumn },
    shipmentRewindKeys: config.shipmentRewindKeys,
    ...(config.shipmentPageKeys ? { shipmentPageKeys: config.shipmentPageKeys } : {}),
    glJournalId: config.glJournalId,
    importMaxCalls: config.importMaxCalls,
  });
}
