import { sql, type RawBuilder } from 'kysely';
import type { SageDb } from './db.ts';

/**
 * SQL Server change tracking (optional, `sage500.changeTracking`) on the tables stock is computed from: bins
 * (`timWhseBinInvt`, quantities on hand) and inventory rows (`timInventory`, quantities on sales orders and on
 * hold), both keyed by ItemKey; and on the shipment tables (`tsoShipment`, `tsoShipmentLog`), keyed by ShipKey.
 * `CHANGETABLE(CHANGES <table>, @version)` returns the primary key of every row inserted, updated or deleted
 * since the version; the items (then their stock from vdvStockStatus as always) or the shipments are read from it.
 */
export const STOCK_TRACKED_TABLES = ['timWhseBinInvt', 'timInventory'] as const;
/**
 * Shipments (`sage500.changeTracking`, shipment polling): the shipment header (`tsoShipment`, created pending) and
 * its log row (`tsoShipmentLog`, whose TranStatus turns committed or posted later), both keyed by ShipKey.
 */
export const SHIPMENT_TRACKED_TABLES = ['tsoShipment', 'tsoShipmentLog'] as const;
/** Every table install-extensions tracks. */
export const TRACKED_TABLES = [...STOCK_TRACKED_TABLES, ...SHIPMENT_TRACKED_TABLES] as const;
export type TrackedTable = (typeof TRACKED_TABLES)[number];

/** The key column CHANGETABLE returns for each tracked table (the one the gateway reads of its primary key). */
export interface ChangeKeys {
  timWhseBinInvt: { ItemKey: number };
  timInventory: { ItemKey: number };
  tsoShipment: { ShipKey: number };
  tsoShipmentLog: { ShipKey: number };
}
export const CHANGE_KEY_COLUMN: { readonly [T in TrackedTable]: keyof ChangeKeys[T] & string } = {
  timWhseBinInvt: 'ItemKey',
  timInventory: 'ItemKey',
  tsoShipment: 'ShipKey',
  tsoShipmentLog: 'ShipKey',
};

/**
 * The change source of a tracked table since a version, with its key column: on SQL Server
 * `CHANGETABLE(CHANGES <table>, @v)`, in the sandbox a select over its emulated change table. Aliased
 * `ct_<table>` so the adapter's usage walk (usage.ts) places the key column on the tracked table.
 */
export type ChangeSource = <T extends TrackedTable>(table: T, since: number) => RawBuilder<ChangeKeys[T]>;

export const changeAlias = <T extends TrackedTable>(table: T): `ct_${T}` => `ct_${table}`;

/** SQL Server's change source. */
export const sqlServerChangeSource: ChangeSource = <T extends TrackedTable>(table: T, since: number) =>
  sql<ChangeKeys[T]>`CHANGETABLE(CHANGES ${sql.table(table)}, ${since})`;

/** ItemIDs of the company whose bins or inventory rows changed since `since` (each once). */
export function selectChangedStockItems(db: SageDb, companyId: string, since: number, source: ChangeSource) {
  const bins = changeAlias('timWhseBinInvt');
  const inventory = changeAlias('timInventory');
  return db
    .selectFrom(source('timWhseBinInvt', since).as(bins))
    .innerJoin('timItem as i', 'i.ItemKey', `${bins}.ItemKey`)
    .select('i.ItemID')
    .where('i.CompanyID', '=', companyId)
    .union(
      db
        .selectFrom(source('timInventory', since).as(inventory))
        .innerJoin('timItem as i', 'i.ItemKey', `${inventory}.ItemKey`)
        .select('i.ItemID')
        .where('i.CompanyID', '=', companyId),
    );
}

/**
 * ShipKeys of the company's customer shipments whose header or log row changed since `since` (each once): a new
 * shipment, a shipment committed or posted (its log's TranStatus), or edited. The shipments themselves are read by
 * `selectShipmentLines` with this as the key filter, in the same statement.
 */
export function selectChangedShipKeys(
  db: SageDb,
  companyId: string,
  since: number,
  source: ChangeSource,
  tranType: number,
) {
  const header = changeAlias('tsoShipment');
  const log = changeAlias('tsoShipmentLog');
  return db
    .selectFrom(source('tsoShipment', since).as(header))
    .innerJoin('tsoShipment as cs', 'cs.ShipKey', `${header}.ShipKey`)
    .select('cs.ShipKey')
    .where('cs.CompanyID', '=', companyId)
    .where('cs.TranType', '=', tranType)
    .union(
      db
        .selectFrom(source('tsoShipmentLog', since).as(log))
        .innerJoin('tsoShipment as cs', 'cs.ShipKey', `${log}.ShipKey`)
        .select('cs.ShipKey')
        .where('cs.CompanyID', '=', companyId)
        .where('cs.TranType', '=', tranType),
    );
}

/** Column alias of a table's minimum valid version in `selectChangeTrackingVersions`. */
export const minValidAlias = (table: TrackedTable): string => `MinValid_${table}`;

/**
 * The current version and the oldest valid version of each of `tables` (NULL when the database or the table is
 * not tracked). A version below a table's minimum is older than the retention: its changes were cleaned up.
 * Table names come from TRACKED_TABLES only (never input).
 */
export function selectChangeTrackingVersions(tables: readonly TrackedTable[]) {
  const mins = tables.map((t) => `CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID('dbo.${t}')) AS ${minValidAlias(t)}`);
  return sql<
    { CurrentVersion: number | string | null } & Record<string, number | string | null>
  >`SELECT CHANGE_TRACKING_CURRENT_VERSION() AS CurrentVersion, ${sql.raw(mins.join(', '))}`;
}

/** The database's change tracking settings (no row = off), for `sage500 verify`. */
export function selectChangeTrackingDatabase() {
  return sql<{
    retention_period: number;
    retention_period_units_desc: string;
    is_auto_cleanup_on: number | boolean;
  }>`SELECT retention_period, retention_period_units_desc, is_auto_cleanup_on FROM sys.change_tracking_databases WHERE database_id = DB_ID()`;
}

/** The tracked tables among ours, for `sage500 verify`. */
export function selectChangeTrackedTables() {
  return sql<{
    name: string;
  }>`SELECT OBJECT_NAME(object_id) AS name FROM sys.change_tracking_tables WHERE object_id IN (${sql.raw(TRACKED_TABLES.map((t) => `OBJECT_ID('dbo.${t}')`).join(', '))})`;
}

/**
 * T-SQL that turns change tracking on, idempotently: first the database (checked in
 * sys.change_tracking_databases; `ALTER DATABASE CURRENT`, which cannot run inside a transaction, with a
 * retention and auto cleanup), then each table (checked in sys.change_tracking_tables; the table needs its
 * primary key, which Sage's have). Needs ALTER permission on the database and the tables (a DBA may run
 * `install-extensions --print` instead).
 */
export function changeTrackingDdl(retentionDays: number): string[] {
  const days = Math.max(1, Math.floor(retentionDays));
  return [
    `IF NOT EXISTS (SELECT 1 FROM sys.change_tracking_databases WHERE database_id = DB_ID()) ALTER DATABASE CURRENT SET CHANGE_TRACKING = ON (CHANGE_RETENTION = ${days} DAYS, AUTO_CLEANUP = ON)`,
    ...TRACKED_TABLES.map(
      (t) =>
        `IF NOT EXISTS (SELECT 1 FROM sys.change_tracking_tables WHERE object_id = OBJECT_ID('dbo.${t}')) ALTER TABLE dbo.${t} ENABLE CHANGE_TRACKING`,
    ),
  ];
}
