import { SellbridgeError } from '../../core/errors.ts';
import type { Clock } from '../../core/ports/clock.ts';
import {
  createGateway,
  type JournalTransaction,
  type Sage500Adapter,
  type SageBackend,
  type ShipmentTransaction,
} from './gateway/index.ts';
import { kyselyForSession, typedParameters, type MssqlConnector, type MssqlSession } from './mssql-session.ts';
import { catalogColumnsSql, catalogFromRows, catalogParametersSql, TRACKING_CANDIDATES_SQL } from './sql/catalog.ts';
import { extensionDdl } from './sql/extensions-ddl.ts';
import {
  INSERT_PICK_CANDIDATE,
  SELECT_LINES_TO_SHIP,
  SEQUENCE_PICK_ORDERS,
  shipmentWorkTableDdl,
  shipmentWorkTables,
} from './sql/shipment-work-tables.ts';
import {
  changeTrackingDdl,
  selectChangeTrackedTables,
  selectChangeTrackingDatabase,
  selectChangeTrackingVersions,
  minValidAlias,
  sqlServerChangeSource,
} from './sql/change-tracking.ts';
import {
  journalNumberCall,
  nextBatchCall,
  salesOrderImportCall,
  shipmentProcedureCalls,
  surrogateKeyCall,
  type ProcedureCall,
} from './sql/procedures.ts';

export interface SqlServerGatewayConfig {
  readonly companyId: string;
  readonly userId: string;
  /** Configured package/tracking table and columns; all three or none (then the catalog's only candidate is used). */
  readonly packageTable?: string | undefined;
  readonly packageNoColumn?: string | undefined;
  readonly packageTrackingColumn?: string | undefined;
  readonly shipmentRewindKeys: number;
  readonly shipmentPageKeys?: number;
  readonly glJournalId: string;
  readonly importMaxCalls: number;
  readonly unavailableRetryMs: number;
  /** Optional change-tracking mode: stock and shipments read only where their rows changed. */
  readonly changeTracking?: { readonly enabled: boolean; readonly retentionDays: number };
}

export interface SqlServerGatewayDeps {
  /** The mssql seam: `createMssqlConnector(...)` in production, a recording fake in tests. */
  readonly connector: MssqlConnector;
  readonly clock?: Clock;
}

/** mssql/tedious error codes that mean "cannot reach or keep talking to the server". */
const UNAVAILABLE_CODES = new Set([
  'ESOCKET',
  'ECONNCLOSED',
  'ECONNRESET',
  'ETIMEOUT',
  'ETIMEDOUT',
  'ENOTOPEN',
  'ELOGIN',
  'EINSTLOOKUP',
  'ENOCONN',
  'EABORT',
]);
/** SQL Server error numbers worth a retry: deadlock victim, lock timeout, database unavailable. */
const TRANSIENT_NUMBERS = new Set([1205, 1222, 4060, 40613, 40501]);

/**
 * Sage 500 on SQL Server, through Sage's own import API (facts §4.5): every statement comes from sql/ (one
 * file per operation, compiled by Kysely's mssql compiler) or is T-SQL text (extension DDL, discovery), and
 * every procedure goes through RPC with typed, named parameters. One connection per flow step: a sales order's
 * staging, each spSOapiSalesOrdIns call (an RPC on the same session), the result reads, the Amazon link rows and
 * the session clean-up run in one transaction (importTransaction).
 */
export function createSqlServerGateway(config: SqlServerGatewayConfig, deps: SqlServerGatewayDeps): Sage500Adapter {
  const outputNumber = (output: Record<string, unknown>, name: string) => Number(output[name] ?? 0);
  const surrogateKey = async (
    run: (call: ProcedureCall) => Promise<{ output: Record<string, unknown> }>,
    tableName: string,
  ) => {
    const { output } = await run(surrogateKeyCall(tableName));
    const key = outputNumber(output, 'oNewKey');
    if (!Number.isSafeInteger(key) || key <= 0)
      throw new SellbridgeError('SB_SAGE_QUERY_FAILED', `spGetNextSurrogateKey returned no key for ${tableName}`);
    return key;
  };
  const readCatalogOn = async (session: MssqlSession, names: readonly string[]) => {
    if (names.length === 0) return { objects: [], columns: [], parameters: [] };
    const columns = await session.query(catalogColumnsSql(names.length), typedParameters(names));
    const parameters = await session.query(catalogParametersSql(names.length), typedParameters(names));
    return catalogFromRows(columns.rows, parameters.rows);
  };
  /** The journal's work on one dedicated connection, in one transaction: procedures included (JournalTransaction). */
  const journalTransactionOn = <T>(connector: MssqlConnector, work: (tx: JournalTransaction) => Promise<T>) =>
    connector.dedicated((single) =>
      single.transaction((session) =>
        work({
          db: kyselyForSession(session),
          nextSurrogateKey: (tableName) => surrogateKey((call) => session.execute(call), tableName),
          async getNextBatch(args) {
            const { output } = await session.execute(nextBatchCall({ companyId: config.companyId, ...args }));
            if (outputNumber(output, '_oRetVal') !== 1) {
              throw new SellbridgeError(
                'SB_SAGE_QUERY_FAILED',
                `spGetNextBatch answered ${outputNumber(output, '_oRetVal')} (1 = ok)`,
                { context: { companyId: config.companyId } },
              );
            }
            return { batchKey: outputNumber(output, '_oBatchKey'), batchNo: outputNumber(output, '_oNextBatchNo') };
          },
          async nextJournalNo({ jrnlKey, parameterNames }) {
            const call = journalNumberCall(parameterNames, { companyId: config.companyId, jrnlKey });
            const { output } = await session.execute(call);
            const jrnlNo = outputNumber(output, call.outputs[0]!.name);
            if (!Number.isSafeInteger(jrnlNo) || jrnlNo <= 0) {
              throw new SellbridgeError(
                'SB_SAGE_QUERY_FAILED',
                `${call.procedure} gave no journal number for journal key ${jrnlKey} (return value ${String(output[call.outputs[1]!.name])})`,
                { context: { jrnlKey } },
              );
            }
            return jrnlNo;
          },
        }),
      ),
    );
  /**
   * One order's shipment on one dedicated connection in one transaction, as Net4Sage's ShipmentHandler runs it
   * (review R6): the session work tables, the order's line distributions into the pick work table, then
   * spsoGetIMAvailQty, spsoPickCreditCheck, spsoExplodePickKits, spsoCreatePickList, spsoCreateShipLines, spsoGenShip
   * and spsoGenerateShipments, each checked for `@oRetVal = 1`. Any other answer throws inside the transaction, so
   * the pick list and ship lines already made are rolled back with it. The work tables are dropped before the commit
   * (a pooled connection keeps its temp tables otherwise).
   */
  const shipmentTransactionOn = <T>(connector: MssqlConnector, work: (tx: ShipmentTransaction) => Promise<T>) =>
    connector.dedicated((single) =>
      single.transaction(async (session) => {
        const result = await work({
          db: kyselyForSession(session),
          async generateShipments({ candidates, tranDate, businessDate }) {
            for (const s of shipmentWorkTableDdl()) await session.query(s, []);
            for (const c of candidates)
              await session.query(
                INSERT_PICK_CANDIDATE,
                typedParameters([c.SOLineDistKey, c.SOLineKey, c.SOKey, c.TranType]),
              );
            const calls = shipmentProcedureCalls({
              companyId: config.companyId,
              userId: config.userId,
              tranDate,
              businessDate,
            });
            const run = async (call: ProcedureCall) => {
              const { output } = await session.execute(call);
              const retVal = outputNumber(output, 'oRetVal');
              if (retVal !== 1)
                throw new SellbridgeError(
                  'SB_SAGE_SHIPMENT_FAILED',
                  `${call.procedure} answered ${retVal} (1 = ok) for company ${config.companyId}`,
                  { context: { procedure: call.procedure, retVal } },
                );
              return output;
            };
            await run(calls.availableQuantity);
            await run(calls.creditCheck);
            for (const s of SEQUENCE_PICK_ORDERS) await session.query(s, []);
            await run(calls.explodeKits);
            await run(calls.createPickList);
            await run(calls.createShipLines);
            await session.query(SELECT_LINES_TO_SHIP, []);
            const planned = outputNumber(await run(calls.genShip), 'oShipCount');
            const generated = await run(calls.generateShipments);
            const shipCount = outputNumber(generated, 'oShipCount');
            if (planned <= 0 || shipCount !== planned)
              throw new SellbridgeError(
                'SB_SAGE_SHIPMENT_FAILED',
                `spsoGenerateShipments made ${shipCount} shipment(s) where spsoGenShip planned ${planned}`,
                { context: { planned, shipCount } },
              );
            const last = generated['oLastShipNumber'];
            return { shipCount, lastShipNo: typeof last === 'string' && last !== '' ? last : null };
          },
        });
        for (const s of shipmentWorkTables().map((t) => `IF OBJECT_ID('tempdb..${t}') IS NOT NULL DROP TABLE ${t}`))
          await session.query(s, []);
        return result;
      }),
    );
  const backendOver = (connector: MssqlConnector): SageBackend => ({
    db: kyselyForSession(connector.pooled),
    transaction: (work) => connector.transaction((session) => work(kyselyForSession(session))),
    withConnection: (work) => connector.dedicated((single) => work(backendOver(single))),
    nextSurrogateKey: (tableName) => surrogateKey((call) => connector.execute(call), tableName),
    journalTransaction: (work) => journalTransactionOn(connector, work),
    shipmentTransaction: (work) => shipmentTransactionOn(connector, work),
    readCatalog: (names) => readCatalogOn(connector.pooled, names),
    async readTrackingCandidates() {
      const { rows } = await connector.pooled.query(TRACKING_CANDIDATES_SQL, []);
      return catalogFromRows(rows, []);
    },
    // Staging, the import calls, the result reads, the Amazon link rows and the clean-up commit together: a
    // worker killed before the commit leaves neither a Sage order nor staging rows (the session's transaction is
    // rolled back when its connection drops), so no Sage order of ours lacks its link rows.
    importTransaction: (work) =>
      connector.transaction((session) =>
        work({
          db: kyselyForSession(session),
          async runSalesOrderImport(sessionKey, stageTableFlag) {
            const { output } = await session.execute(
              salesOrderImportCall(config.companyId, sessionKey, stageTableFlag),
            );
            return {
              retVal: outputNumber(output, '_oRetVal'),
              continue: outputNumber(output, 'oContinue') === 1,
              recsProcessed: outputNumber(output, 'oRecsProcessed'),
              failedRecs: outputNumber(output, 'oFailedRecs'),
              totalRecs: outputNumber(output, 'oTotalRecs'),
            };
          },
        }),
      ),
    async installExtensions() {
      const statements = extensionDdl();
      await connector.transaction(async (session) => {
        for (const s of statements) await session.query(s, []);
      });
      return statements;
    },
    changeTracking: {
      source: sqlServerChangeSource,
      async versions(tables) {
        const { rows } = await selectChangeTrackingVersions(tables).execute(kyselyForSession(connector.pooled));
        const r = rows[0];
        const n = (v: number | string | null | undefined) => (v === null || v === undefined ? null : Number(v));
        const mins = tables.map((t) => n(r?.[minValidAlias(t)]));
        return {
          current: n(r?.CurrentVersion),
          minValid: mins.some((m) => m === null) ? null : Math.max(...(mins as number[])),
        };
      },
      async settings() {
        const db = kyselyForSession(connector.pooled);
        const { rows } = await selectChangeTrackingDatabase().execute(db);
        const tables = (await selectChangeTrackedTables().execute(db)).rows.map((r) => r.name);
        const d = rows[0];
        return {
          retention: d ? `${d.retention_period} ${d.retention_period_units_desc}` : undefined,
          autoCleanup: d ? Boolean(d.is_auto_cleanup_on) : false,
          tables,
        };
      },
      async enable(retentionDays) {
        // ALTER DATABASE cannot run inside a transaction: one statement at a time, each idempotent.
        const statements = changeTrackingDdl(retentionDays);
        for (const s of statements) await connector.pooled.query(s, []);
        return statements;
      },
    },
    async ping() {
      const { rows } = await connector.pooled.query(
        "SELECT DB_NAME() AS db, CAST(SERVERPROPERTY('ProductVersion') AS varchar(20)) AS version",
        [],
      );
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
          cause: err,
          retryAfterMs: config.unavailableRetryMs,
          context: { operation, ...(code ? { driverCode: code } : {}) },
        });
      }
      // 208 object, 2812 procedure, 207 column, 8145 parameter, 515 NOT NULL column left out of an insert.
      if (e.number === 208 || e.number === 2812 || e.number === 207 || e.number === 8145 || e.number === 515) {
        return new SellbridgeError(
          'SB_SAGE_SCHEMA_MISSING',
          `Sage 500 schema differs during ${operation}: ${message} (run \`sellbridge sage500 verify\`)`,
          { cause: err, context: { operation, sqlError: e.number } },
        );
      }
      // 266: a procedure called inside our transaction (the SO API's own calls) rolled it back itself: the whole
      // import was undone, nothing is in Sage, and Sage's reason is lost with the rolled-back log rows.
      if (e.number === 266) {
        return new SellbridgeError(
          'SB_SAGE_QUERY_FAILED',
          `Sage 500 ${operation}: a Sage procedure rolled back the import's transaction (SQL error 266), so nothing was imported; import the order once in Sage's Data Import Manager to see Sage's reason: ${message}`,
          { cause: err, context: { operation, sqlError: e.number } },
        );
      }
      return new SellbridgeError('SB_SAGE_QUERY_FAILED', `Sage 500 ${operation} failed: ${message}`, {
        cause: err,
        context: { operation, ...(e.number ? { sqlError: e.number, retryHint: TRANSIENT_NUMBERS.has(e.number) } : {}) },
      });
    },
  });
  const backend = backendOver(deps.connector);
  const packageTable =
    config.packageTable && config.packageNoColumn && config.packageTrackingColumn
      ? { name: config.packageTable, packageNo: config.packageNoColumn, tracking: config.packageTrackingColumn }
      : undefined;
  return createGateway(backend, {
    companyId: config.companyId,
    userId: config.userId,
    clock: deps.clock ?? { now: () => new Date() },
    packageTable,
    ...(packageTable ? { packageTableFrom: 'configured' as const } : {}),
    shipmentRewindKeys: config.shipmentRewindKeys,
    ...(config.shipmentPageKeys ? { shipmentPageKeys: config.shipmentPageKeys } : {}),
    glJournalId: config.glJournalId,
    importMaxCalls: config.importMaxCalls,
    ...(config.changeTracking ? { changeTracking: config.changeTracking } : {}),
  });
}
