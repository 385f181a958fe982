import { sql, type RawBuilder } from 'kysely';
import type { SageDb } from './db.ts';

/**
 * SQL Server change tracking on the tables stock is computed from (optional, `sage500.changeTracking`): bins
 * (`timWhseBinInvt`, quantities on hand) and inventory rows (`timInventory`, quantities on sales orders and on
 * hold), both keyed by ItemKey. `CHANGETABLE(CHANGES <table>, @version)` returns the primary key of every row
 * inserted, updated or deleted since the version; the items are read from it, then their stock from
 * vdvStockStatus as always.
 */
export const STOCK_TRACKED_TABLES = ['timWhseBinInvt', 'timInventory'] as const;
export type TrackedTable = (typeof STOCK_TRACKED_TABLES)[number];

/**
 * The change source of a tracked table since a version, with its ItemKey column: on SQL Server
 * `CHANGETABLE(CHANGES <table>, @v)`, in the sandbox a select over its emulated change table. Aliased
 * `ct_<table>` so the adapter's usage walk (usage.ts) places ItemKey on the tracked table.
 */
export type ChangeSource = (table: TrackedTable, since: number) => RawBuilder<{ ItemKey: number }>;

export const changeAlias = <T extends TrackedTable>(table: T): `ct_${T}` => `ct_${table}`;

/** SQL Server's change source. */
export const sqlServerChangeSource: ChangeSource = (table, since) =>
  sql<{ ItemKey: number }>`CHANGETABLE(CHANGES ${sql.table(table)}, ${since})`;

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
 * The current version and the oldest valid version per tracked table (NULL when the database or the table is
 * not tracked). A version below a table's minimum is older than the retention: its changes were cleaned up.
 */
export function selectChangeTrackingVersions() {
  return sql<{
    CurrentVersion: number | string | null;
    MinValidBins: number | string | null;
    MinValidInventory: number | string | null;
  }>`SELECT CHANGE_TRACKING_CURRENT_VERSION() AS CurrentVersion, CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID('dbo.timWhseBinInvt')) AS MinValidBins, CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID('dbo.timInventory')) AS MinValidInventory`;
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
  }>`SELECT OBJECT_NAME(object_id) AS name FROM sys.change_tracking_tables WHERE object_id IN (OBJECT_ID('dbo.timWhseBinInvt'), OBJECT_ID('dbo.timInventory'))`;
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
    ...STOCK_TRACKED_TABLES.map(
      (t) =>
        `IF NOT EXISTS (SELECT 1 FROM sys.change_tracking_tables WHERE object_id = OBJECT_ID('dbo.${t}')) ALTER TABLE dbo.${t} ENABLE CHANGE_TRACKING`,
    ),
  ];
}
