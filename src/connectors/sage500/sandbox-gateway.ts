import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { Kysely, sql } from 'kysely';
import { SellbridgeError } from '../../core/errors.ts';
import type { Clock } from '../../core/ports/clock.ts';
import {
  createNodeSqliteDatabase,
  NodeSqliteDialect,
  type SqliteStats,
} from '../../runtime/store/node-sqlite-dialect.ts';
import { createGateway, type Sage500Adapter, type SageBackend } from './gateway/index.ts';
import { readSandboxCatalog, readSandboxTrackingCandidates, SANDBOX_PROCEDURE_CATALOG_DDL } from './sandbox/catalog.ts';
import { runSalesOrderImport } from './sandbox/import-procedure.ts';
import { emulateGenerateShipments } from './sandbox/shipment-procedures.ts';
import {
  SAGE_BASE_TABLES,
  SAGE_EXTENSION_TABLES,
  SANDBOX_EXTENSION_INDEXES,
  SANDBOX_INDEXES,
  sqliteCreateTable,
  VDV_STOCK_STATUS_VIEW,
} from './sandbox/schema.ts';
import { DEMO, seedDemoCompany } from './sandbox/seed.ts';
import { SDE, seedGermanCompany } from './sandbox/seed-sde.ts';
import { nextSurrogateKey } from './sandbox/surrogate-keys.ts';
import { sandboxChangeTracking } from './sandbox/change-tracking.ts';
import { shipDueOrders, type WarehouseSimulatorOptions } from './sandbox/warehouse-simulator.ts';
import type { SageDb } from './sql/db.ts';
import type { SageDatabase } from './tables.ts';
import { BATCH_TYPE_GL_GENERAL, tableSpec } from './tables.ts';

export interface SandboxGatewayOptions {
  /** SQLite file, or `:memory:`. */
  readonly path: string;
  readonly companyId?: string;
  readonly userId?: string;
  readonly clock?: Clock;
  readonly shipmentRewindKeys?: number;
  readonly shipmentPageKeys?: number;
  readonly importMaxCalls?: number;
  readonly warehouseSimulator?: Partial<WarehouseSimulatorOptions> & { readonly enabled?: boolean };
  readonly faults?: SandboxFaults;
  /** The optional change-tracking mode, emulated (sandbox/change-tracking.ts). */
  readonly changeTracking?: { readonly enabled: boolean; readonly retentionDays: number };
  /** Record every statement the gateway sends in `statements` (tests count them). */
  readonly recordStatements?: boolean;
  /**
   * Count the CPU time inside the sandbox's SQLite in `sqlite.cpuMicros` (benchmarks split an order's CPU into
   * Sellbridge's and the sandbox's; about 3 µs a statement, so off unless asked). The first gateway to open a file
   * decides for every gateway of that file in the process.
   */
  readonly measureCpu?: boolean;
}

export interface SandboxFaults {
  /** Every call fails as SB_SAGE_UNAVAILABLE for this long from the moment the fault is set. */
  readonly unavailableForMs?: number;
  /** Extra delay before every call. */
  readonly slowMs?: number;
}

/** The sandbox is a Sage500Gateway plus the knobs a demo or a test needs. */
export interface SandboxGateway extends Sage500Adapter {
  /** Direct access to the sandbox's Sage tables (tests, `sage500 show order`). */
  readonly db: SageDb;
  /** Ships due orders now; returns how many shipments were written. */
  shipDueOrders(): Promise<number>;
  /** Sets (or clears, with `{}`) fault injection, starting now by the gateway's clock. */
  injectFaults(faults: SandboxFaults): void;
  /** Drops every table and recreates the seeded demo company. */
  reset(): Promise<void>;
  /** Change tracking's retention ran out: the changes so far are cleaned up (the next read of an older version is full). */
  expireChangeTracking(): void;
  /** With `recordStatements`: each statement sent, its SQL and parameters, in order (tests may clear it). */
  readonly statements: { sql: string; parameters: readonly unknown[] }[];
  /** What the sandbox's SQLite executed (benchmarks split the sandbox's CPU from Sellbridge's with it). */
  readonly sqlite: SqliteStats;
}

const UNAVAILABLE_RETRY_MS = 5_000;

interface SharedSandbox {
  readonly raw: DatabaseSync;
  readonly stats: SqliteStats;
  readonly db: SageDb;
  /** Statement logs of the gateways that asked to record (`recordStatements`). */
  readonly recorders: Set<{ sql: string; parameters: readonly unknown[] }[]>;
  release(): Promise<void>;
}

/** Open sandbox files of this process, by absolute path. */
const openFiles = new Map<string, { shared: SharedSandbox; refs: number }>();

/**
 * One SQLite connection per sandbox file per process, shared by every gateway on it (one per Sage company when
 * several connections use one sandbox): node:sqlite waits for a lock synchronously, so a second connection of the same
 * process would block the event loop, and with it the transaction it waits for, until the busy timeout. Sharing
 * one Kysely instance puts every gateway's statements and transactions behind its driver's one-query-at-a-time
 * mutex instead. `:memory:` is never shared (each is its own database).
 */
function openShared(path: string, measureCpu: boolean): SharedSandbox {
  const key = path === ':memory:' ? undefined : resolve(path);
  const existing = key ? openFiles.get(key) : undefined;
  if (existing) {
    existing.refs++;
    return existing.shared;
  }
  if (key) mkdirSync(dirname(key), { recursive: true });
  const { database, raw, stats } = createNodeSqliteDatabase(path, 5000, { measureCpu });
  raw.exec('PRAGMA journal_mode = WAL; PRAGMA foreign_keys = OFF;');
  const recorders = new Set<{ sql: string; parameters: readonly unknown[] }[]>();
  const db: SageDb = new Kysely<SageDatabase>({
    dialect: new NodeSqliteDialect(database),
    log: (event: { level: string; query: { sql: string; parameters: readonly unknown[] } }) => {
      for (const r of recorders) r.push({ sql: event.query.sql, parameters: event.query.parameters });
    },
  });
  const entry = {
    refs: 1,
    shared: {
      raw,
      stats,
      db,
      recorders,
      async release() {
        if (--entry.refs > 0) return;
        if (key) openFiles.delete(key);
        await db.destroy();
      },
    },
  };
  if (key) openFiles.set(key, entry);
  return entry.shared;
}

/**
 * The embedded Sage 500 sandbox (SQLite through node:sqlite): Sage's table names and column lengths, the
 * unique key (CompanyID, TranType, TranNoRel), an emulation of spSOapiSalesOrdIns, the demo company, a
 * warehouse simulator and fault injection. It runs the same gateway core and the same queries as the SQL
 * Server adapter; only the procedures are emulated.
 */
export async function createSandboxGateway(options: SandboxGatewayOptions): Promise<SandboxGateway> {
  const clock = options.clock ?? { now: () => new Date() };
  const companyId = options.companyId ?? DEMO.companyId;
  const userId = options.userId ?? 'sellbridge';
  const shared = openShared(options.path, options.measureCpu ?? false);
  let closed = false;
  const { raw, stats: sqlite, db } = shared;
  const statements: { sql: string; parameters: readonly unknown[] }[] = [];
  if (options.recordStatements) shared.recorders.add(statements);
  const changeTracking = sandboxChangeTracking(raw, db);
  const simulator: WarehouseSimulatorOptions = {
    delayMs: options.warehouseSimulator?.delayMs ?? 30_000,
    partialEvery: options.warehouseSimulator?.partialEvery ?? 3,
    packagesPerShipment: options.warehouseSimulator?.packagesPerShipment ?? 1,
  };
  let faults: { until: number; slowMs: number } = { until: 0, slowMs: 0 };
  const injectFaults = (f: SandboxFaults) => {
    faults = { until: clock.now().getTime() + (f.unavailableForMs ?? 0), slowMs: f.slowMs ?? 0 };
  };
  if (options.faults) injectFaults(options.faults);

  const extensionDdl = () => [...SAGE_EXTENSION_TABLES.map(sqliteCreateTable), ...SANDBOX_EXTENSION_INDEXES];
  const installExtensions = async () => {
    const statements = extensionDdl();
    for (const s of statements) raw.exec(s);
    return statements;
  };
  // The demo company under the configured id (SOA unless configured otherwise), and the German company SDE beside
  // it; a connection configured for SDE still gets the demo company under its usual id.
  const demoCompanyId = companyId === SDE.companyId ? DEMO.companyId : companyId;
  /**
   * Seeds what is missing, under one write lock (BEGIN IMMEDIATE): several connections of one process may open the
   * same sandbox file at once, and only the first may seed. An empty file gets both companies; a file made before
   * the German company existed gets it only when a connection asks for SDE (nothing else in it changes).
   */
  const seedMissing = (tx: SageDb) =>
    // Kysely's SQLite driver begins transactions IMMEDIATE: the write lock is held from the read of the companies on.
    tx.transaction().execute(async (t) => {
      const have = new Set((await t.selectFrom('tsmCompany').select('CompanyID').execute()).map((r) => r.CompanyID));
      if (have.size === 0) await seedDemoCompany(t, demoCompanyId);
      if (!have.has(SDE.companyId) && (have.size === 0 || companyId === SDE.companyId)) await seedGermanCompany(t);
    });
  const createAndSeed = async (conn: SageDb) => {
    for (const t of SAGE_BASE_TABLES) raw.exec(sqliteCreateTable(t));
    raw.exec(VDV_STOCK_STATUS_VIEW);
    for (const s of SANDBOX_INDEXES) raw.exec(s);
    for (const s of SANDBOX_PROCEDURE_CATALOG_DDL()) raw.exec(s);
    await installExtensions();
    await seedMissing(conn);
  };
  let fresh = 0;
  // Holding the shared connection: another gateway of this process on the same file waits instead of seeing a half
  // made file (several connections of one process open their sandbox at once).
  await db.connection().execute(async (conn) => {
    // The sandbox's sys.parameters, kept current on every open (older sandbox files get it too).
    for (const s of SANDBOX_PROCEDURE_CATALOG_DDL()) raw.exec(s);
    fresh = Number(
      (
        raw.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'tsmCompany'`).get() as {
          n: number;
        }
      ).n,
    );
    if (fresh === 0) await createAndSeed(conn);
    else {
      // A file made before an index existed gets it (each is IF NOT EXISTS; an extension table not installed yet
      // gets its indexes with install-extensions).
      for (const s of SANDBOX_INDEXES) raw.exec(s);
      const installed = new Set(
        (raw.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map(
          (r) => r.name,
        ),
      );
      for (const s of SANDBOX_EXTENSION_INDEXES) if (installed.has(/ON "([^"]+)"/.exec(s)![1]!)) raw.exec(s);
    }
  });
  // A sandbox file made by an older Sellbridge lacks columns added since (e.g. StgSOLine.GLAcctNo): say so once
  // per call instead of failing deep inside a query; `sage500 sandbox --reset` recreates it.
  let outdated = missingColumns();
  // A current file made before the German company: add it when asked for (an outdated one says reset instead).
  if (fresh > 0 && outdated.length === 0 && companyId === SDE.companyId) await seedMissing(db);
  function missingColumns(): string[] {
    const missing: string[] = [];
    for (const t of [...SAGE_BASE_TABLES, ...SAGE_EXTENSION_TABLES]) {
      const have = new Set(
        (raw.prepare(`SELECT name FROM pragma_table_info('${t}')`).all() as { name: string }[]).map((c) => c.name),
      );
      if (have.size === 0) {
        // Extension tables appear with install-extensions; a Sage table added since the file was made (e.g. the
        // AR and multi-currency tables) makes it outdated, but not one the adapter does without (`optional`).
        if ((SAGE_BASE_TABLES as readonly string[]).includes(t) && !tableSpec(t).optional) missing.push(t);
        continue;
      }
      // Unconfirmed columns may be absent, as on a real database: the gateway does without them.
      for (const c of Object.keys(tableSpec(t).columns))
        if (!have.has(c) && !tableSpec(t).optionalColumns?.includes(c)) missing.push(`${t}.${c}`);
    }
    return missing;
  }

  /** spGetNextBatch: a tciBatchLog row with the next batch number of the company and batch type. */
  const nextBatch = async (
    tx: SageDb,
    {
      userId: user,
      postDate,
      batchType = BATCH_TYPE_GL_GENERAL,
    }: { userId: string; postDate: string; batchType?: number },
  ) => {
    const batchKey = await nextSurrogateKey(tx, 'tciBatchLog');
    const last = await tx
      .selectFrom('tciBatchLog')
      .select((eb) => eb.fn.max('BatchNo').as('n'))
      .where('SourceCompanyID', '=', companyId)
      .where('BatchType', '=', batchType)
      .executeTakeFirst();
    const batchNo = Number(last?.n ?? 0) + 1;
    await tx
      .insertInto('tciBatchLog')
      .values({
        BatchKey: batchKey,
        BatchID: `${companyId}-${batchType === BATCH_TYPE_GL_GENERAL ? 'GJ' : 'CR'}-${String(batchNo).padStart(6, '0')}`,
        BatchNo: batchNo,
        BatchType: batchType,
        Status: 1,
        PostStatus: 0,
        SourceCompanyID: companyId,
        PostCompanyID: companyId,
        PostDate: postDate,
        OrigUserID: user,
        CreateDate: clock.now().toISOString().slice(0, 19),
        UpdateCounter: 0,
      })
      .execute();
    return { batchKey, batchNo };
  };

  const backend: SageBackend = {
    db,
    // The sandbox has one connection: every step already runs on it.
    withConnection: (work) => work(backend),
    transaction: (work) => db.transaction().execute(work),
    nextSurrogateKey: (name) => nextSurrogateKey(db, name),
    // As on SQL Server: the import, its reads, the link rows and the clean-up commit in one transaction.
    importTransaction: (work) =>
      db.transaction().execute((tx) =>
        work({
          db: tx,
          runSalesOrderImport: (sessionKey) =>
            runSalesOrderImport(tx, companyId, sessionKey, userId, clock.now().toISOString().slice(0, 19)),
        }),
      ),
    // Sage's pick-list and shipment procedures, emulated on the shipment's own transaction.
    shipmentTransaction: (work) =>
      db.transaction().execute((tx) =>
        work({
          db: tx,
          generateShipments: ({ candidates, tranDate }) =>
            emulateGenerateShipments(tx, companyId, candidates, tranDate),
        }),
      ),
    readCatalog: async (names) => readSandboxCatalog(raw, names),
    readTrackingCandidates: async () => readSandboxTrackingCandidates(raw),
    // One SQLite connection: the journal's procedures emulated on the journal's own transaction.
    journalTransaction: (work) =>
      db.transaction().execute((tx) =>
        work({
          db: tx,
          nextSurrogateKey: (name) => nextSurrogateKey(tx, name),
          getNextBatch: (args) => nextBatch(tx, args),
          async nextJournalNo({ jrnlKey }) {
            // spglGiveNextJrnlNo: the next number of the journal, inside the journal's transaction.
            const last = await tx
              .selectFrom('tglJournalLog')
              .select((eb) => eb.fn.max('JrnlNo').as('n'))
              .where('CompanyID', '=', companyId)
              .where('JrnlKey', '=', jrnlKey)
              .executeTakeFirst();
            return Number(last?.n ?? 0) + 1;
          },
        }),
      ),
    installExtensions,
    changeTracking,
    async ping() {
      const row = await db
        .selectFrom('tsmCompany')
        .select('CompanyName')
        .where('CompanyID', '=', companyId)
        .executeTakeFirst();
      return `sandbox ${options.path}, company ${companyId}${row ? ` (${row.CompanyName})` : ' (missing)'}`;
    },
    close: async () => {
      if (timer) clearInterval(timer);
      // Once per gateway: a gateway closed twice (by a runtime and by its test) must not release another's share.
      if (closed) return;
      closed = true;
      shared.recorders.delete(statements);
      await shared.release();
    },
    classify(err, operation) {
      if (err instanceof SellbridgeError) return err;
      const message = err instanceof Error ? err.message : String(err);
      if (/locked|busy/i.test(message)) {
        return new SellbridgeError('SB_SAGE_UNAVAILABLE', `Sage sandbox busy during ${operation}: ${message}`, {
          cause: err,
          retryAfterMs: UNAVAILABLE_RETRY_MS,
          context: { operation },
        });
      }
      return new SellbridgeError('SB_SAGE_QUERY_FAILED', `Sage sandbox ${operation} failed: ${message}`, {
        cause: err,
        context: { operation },
      });
    },
    async beforeCall(operation) {
      // verify is the tool that reports differences: it runs on any sandbox file.
      if (outdated.length > 0 && operation !== 'verify' && operation !== 'proposePackageTables') {
        throw new SellbridgeError(
          'SB_SAGE_SCHEMA_MISSING',
          `Sage sandbox ${options.path} is older than this Sellbridge (missing ${outdated.slice(0, 5).join(', ')}${outdated.length > 5 ? ', ...' : ''}); run \`sellbridge sage500 sandbox --reset\``,
          {
            context: { operation, missingColumns: outdated.length },
          },
        );
      }
      if (faults.slowMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.slowMs));
      const left = faults.until - clock.now().getTime();
      if (left > 0) {
        throw new SellbridgeError(
          'SB_SAGE_UNAVAILABLE',
          `Sage sandbox is unavailable (injected fault) during ${operation}`,
          { retryAfterMs: left, context: { operation } },
        );
      }
    },
  };
  const core = createGateway(backend, {
    companyId,
    userId,
    clock,
    // The sandbox knows where its packages are; a real database's package table is configured or discovered.
    packageTable: { name: 'tsoPackage', packageNo: 'PackageNo', tracking: 'TrackingNo' },
    packageTableFrom: 'sandbox',
    shipmentRewindKeys: options.shipmentRewindKeys ?? 500,
    ...(options.shipmentPageKeys ? { shipmentPageKeys: options.shipmentPageKeys } : {}),
    glJournalId: 'GJ',
    importMaxCalls: options.importMaxCalls ?? 50,
    ...(options.changeTracking ? { changeTracking: options.changeTracking } : {}),
  });
  const tick = () => shipDueOrders(db, companyId, clock.now(), simulator);
  let timer: ReturnType<typeof setInterval> | undefined;
  if (options.warehouseSimulator?.enabled) {
    timer = setInterval(() => void tick().catch(() => undefined), Math.max(1000, Math.min(simulator.delayMs, 10_000)));
    timer.unref();
  }
  return {
    ...core,
    db,
    shipDueOrders: tick,
    injectFaults,
    statements,
    sqlite,
    expireChangeTracking: () => changeTracking.expire(),
    async reset() {
      const objects = (
        await sql<{
          type: string;
          name: string;
        }>`SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'`.execute(
          db,
        )
      ).rows;
      for (const o of objects.filter((x) => x.type === 'view')) raw.exec(`DROP VIEW IF EXISTS "${o.name}"`);
      for (const o of objects.filter((x) => x.type === 'table')) raw.exec(`DROP TABLE IF EXISTS "${o.name}"`);
      await db.connection().execute((conn) => createAndSeed(conn));
      outdated = missingColumns();
    },
  };
}
