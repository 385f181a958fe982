import type { SellbridgeError } from '../../../core/errors.ts';
import type { Clock } from '../../../core/ports/clock.ts';
import { chunks } from '../../../core/transform/chunks.ts';
import type { CatalogReader } from '../catalog.ts';
import type { SageDb } from '../sql/db.ts';
import type { StageTableFlagName } from '../sql/procedures.ts';
import type { ChangeSource, TrackedTable } from '../sql/change-tracking.ts';
import type { PackageTableSetting } from '../verify.ts';

/** One call of spSOapiSalesOrdIns: its output parameters (facts §4.3). */
export interface SalesOrderImportCall {
  readonly retVal: number;
  readonly continue: boolean;
  readonly recsProcessed: number;
  readonly failedRecs: number;
  readonly totalRecs: number;
}

/**
 * One GL journal's work: every statement and procedure call on one connection inside one transaction. The
 * batch from spGetNextBatch, the header key and the journal number from Sage's counters are then part of the
 * journal's transaction: a failed insert leaves no orphan batch (review §3 item 13), and the journal counter
 * stays locked until the journal is in (item 9).
 */
export interface JournalTransaction {
  readonly db: SageDb;
  nextSurrogateKey(tableName: string): Promise<number>;
  /** spGetNextBatch; module and batch type default to GL general journals (3, 301). */
  getNextBatch(args: {
    userId: string;
    comment: string;
    postDate: string;
    moduleNo?: number;
    batchType?: number;
  }): Promise<{ batchKey: number; batchNo: number }>;
  /** Sage's journal-number routine, called with the parameter names the catalog lists for its positions. */
  nextJournalNo(args: { jrnlKey: number; parameterNames: readonly string[] }): Promise<number>;
}

/**
 * One sales order's import: staging, every spSOapiSalesOrdIns call, the result reads, the Amazon link rows and
 * the session clean-up on one connection inside one transaction. A Sage order then never exists without the
 * link rows that name its Amazon order and order items: a worker killed anywhere before the commit leaves
 * nothing (SQL Server rolls the connection's transaction back), after it everything.
 */
export interface ImportTransaction {
  readonly db: SageDb;
  /** One call of spSOapiSalesOrdIns inside this transaction, the stage-table flag under the name the catalog shows. */
  runSalesOrderImport(sessionKey: number, stageTableFlag: StageTableFlagName): Promise<SalesOrderImportCall>;
}

/** One order line distribution Sage's pick list takes (sql/ship-sales-order.ts selectPickCandidates). */
export interface PickCandidate {
  readonly SOLineDistKey: number;
  readonly SOLineKey: number;
  readonly SOKey: number;
  readonly TranType: number;
  readonly CustKey: number;
  readonly TranNo: string;
  readonly ItemKey: number;
  readonly WhseKey: number | null;
  readonly QtyOpenToShip: number | string;
}

/**
 * One order's shipment: the pick list and shipments made by Sage's procedures (SQL Server) or their emulation
 * (sandbox) on one connection inside one transaction, with the reads that check the result. A failure anywhere
 * rolls everything back: no pick list without its shipment, no half shipment.
 */
export interface ShipmentTransaction {
  readonly db: SageDb;
  /** Picks the given distributions and generates their shipments; how many shipments, and the last one's number. */
  generateShipments(args: {
    readonly candidates: readonly PickCandidate[];
    readonly tranDate: string;
    readonly businessDate: string;
  }): Promise<{ readonly shipCount: number; readonly lastShipNo: string | null }>;
}

/**
 * What differs between SQL Server and the sandbox. Everything else (the order of steps, the queries in
 * sql/, the mapping of rows to canonical types) is shared, so the contract suite run on the sandbox
 * exercises the same code and the same queries the SQL Server adapter runs.
 */
export interface SageBackend extends CatalogReader {
  /** For reads; each statement may use any pooled connection. */
  readonly db: SageDb;
  /** One connection and one transaction for a flow step (Sage's procedures and logs are session-scoped). */
  transaction<T>(work: (db: SageDb) => Promise<T>): Promise<T>;
  /** spGetNextSurrogateKey: never MAX+1 (facts §1.3). */
  nextSurrogateKey(tableName: string): Promise<number>;
  /** A sales order's import on this connection in one transaction (see ImportTransaction). */
  importTransaction<T>(work: (tx: ImportTransaction) => Promise<T>): Promise<T>;
  /** An order's shipment on one connection in one transaction (see ShipmentTransaction). */
  shipmentTransaction<T>(work: (tx: ShipmentTransaction) => Promise<T>): Promise<T>;
  /** A GL journal's work on one connection in one transaction (see JournalTransaction). */
  journalTransaction<T>(work: (tx: JournalTransaction) => Promise<T>): Promise<T>;
  installExtensions(): Promise<readonly string[]>;
  /** SQL Server change tracking (CHANGETABLE) or the sandbox's emulation of it. */
  readonly changeTracking: ChangeTrackingBackend;
  ping(): Promise<string>;
  close(): Promise<void>;
  /** Maps a driver error to SB_SAGE_UNAVAILABLE / SB_SAGE_QUERY_FAILED; SellbridgeErrors pass through. */
  classify(err: unknown, operation: string): SellbridgeError;
  /**
   * Runs a flow step on one dedicated connection: every statement, transaction and procedure call of `work`
   * goes through the same session (facts §6.6: Sage's API procedures use temp tables and session-scoped logs).
   */
  withConnection<T>(work: (backend: SageBackend) => Promise<T>): Promise<T>;
  /** Called before every gateway method (fault injection in the sandbox). */
  beforeCall?(operation: string): Promise<void>;
}

/** Change tracking as the gateway uses it (sql/change-tracking.ts). */
export interface ChangeTrackingBackend {
  /** The change source of a tracked table (CHANGETABLE on SQL Server). */
  readonly source: ChangeSource;
  /**
   * CHANGE_TRACKING_CURRENT_VERSION() (null: the database is not tracked) and the highest
   * CHANGE_TRACKING_MIN_VALID_VERSION of `tables` (null: one of them is not tracked).
   */
  versions(
    tables: readonly TrackedTable[],
  ): Promise<{ readonly current: number | null; readonly minValid: number | null }>;
  /** The database's retention (e.g. `2 DAYS`) when tracked, and which of the tables are tracked (verify). */
  settings(): Promise<{
    readonly retention: string | undefined;
    readonly autoCleanup: boolean;
    readonly tables: readonly string[];
  }>;
  /** Turns change tracking on for the database and the tables, idempotently; returns the statements run. */
  enable(retentionDays: number): Promise<readonly string[]>;
}

export interface GatewayOptions {
  readonly companyId: string;
  readonly userId: string;
  readonly clock: Clock;
  /** Configured package/tracking table; undefined = take the one the catalog shows, if exactly one. */
  readonly packageTable: PackageTableSetting | undefined;
  /** Where `packageTable` comes from (verify's messages). */
  readonly packageTableFrom?: 'configured' | 'sandbox';
  readonly shipmentRewindKeys: number;
  /** How many ShipKeys past the cursor one listShipments call reads (keeps a first read of a large history small). */
  readonly shipmentPageKeys?: number;
  readonly glJournalId: string;
  readonly importMaxCalls: number;
  /** Optional change-tracking mode (`sage500.changeTracking`): stock and shipments read only where they changed. */
  readonly changeTracking?: { readonly enabled: boolean; readonly retentionDays: number };
}

/**
 * SQL Server accepts at most 2100 parameters per statement: long id lists (a full inventory sync) are read in
 * chunks of this many ids.
 */
export const MAX_IDS_PER_STATEMENT = 500;

export async function inChunks<T, R>(
  values: readonly T[],
  read: (chunk: readonly T[]) => Promise<readonly R[]>,
): Promise<R[]> {
  const out: R[] = [];
  for (const part of chunks(values, MAX_IDS_PER_STATEMENT)) out.push(...(await read(part)));
  return out;
}
