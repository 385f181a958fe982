import { parseColumnSpec, SAGE_TABLES, tableSpec, type SageTableName } from '../tables.ts';

/**
 * SQLite DDL for the sandbox, generated from the one description of the real shapes (tables.ts). varchar
 * lengths become CHECK constraints, so a value SQL Server would reject as too long is rejected here as well;
 * NOT NULL without a default stays NOT NULL without a default, so an insert of ours that leaves such a column
 * out fails here as it would on SQL Server. Declared types keep Sage's names and lengths (`VARCHAR(30)`,
 * `DECIMAL(15,3)`): SQLite keeps them in its catalog, where the sandbox's catalog reader finds them for
 * `sellbridge sage500 verify` (affinities: VARCHAR text, INT/SMALLINT integer, FLOAT real, others numeric).
 */
export function sqliteCreateTable(table: SageTableName): string {
  const spec = tableSpec(table);
  const cols = Object.entries(spec.columns).map(([name, type]) => {
    const { base, nullable, defaultValue } = parseColumnSpec(type);
    if (base === 'identity') return `"${name}" INTEGER PRIMARY KEY AUTOINCREMENT`;
    const varchar = /^varchar\((\d+)\)$/.exec(base);
    const check = varchar ? ` CHECK (length("${name}") <= ${varchar[1]})` : '';
    const dflt =
      defaultValue !== undefined
        ? ` DEFAULT ${/^-?\d+(\.\d+)?$/.test(defaultValue) ? defaultValue : `'${defaultValue.replace(/'/g, "''")}'`}`
        : '';
    return `"${name}" ${base.toUpperCase()}${nullable ? '' : ' NOT NULL'}${dflt}${check}`;
  });
  const identity = Object.values(spec.columns).includes('identity');
  if (spec.primaryKey && !identity) cols.push(`PRIMARY KEY (${spec.primaryKey.map((c) => `"${c}"`).join(', ')})`);
  for (const u of spec.unique ?? []) cols.push(`UNIQUE (${u.map((c) => `"${c}"`).join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS "${table}" (\n  ${cols.join(',\n  ')}\n)`;
}

/**
 * Stand-in for Sage's vdvStockStatus view: on hand summed from bins, available = on hand in bins that count
 * for availability, minus quantities on sales orders and on hold (the real formula is [I], facts §2.4).
 */
export const VDV_STOCK_STATUS_VIEW = `CREATE VIEW IF NOT EXISTS vdvStockStatus AS
SELECT w.CompanyID, w.WhseKey, w.WhseID, i.ItemKey, i.ItemID, d.ShortDesc,
  COALESCE((SELECT SUM(b.QtyOnHand) FROM timWhseBinInvt b JOIN timWhseBin wb ON wb.WhseBinKey = b.WhseBinKey
            WHERE wb.WhseKey = w.WhseKey AND b.ItemKey = i.ItemKey), 0) AS QtyOnHand,
  COALESCE((SELECT SUM(b.QtyOnHand - b.PendQtyDecrease) FROM timWhseBinInvt b JOIN timWhseBin wb ON wb.WhseBinKey = b.WhseBinKey
            WHERE wb.WhseKey = w.WhseKey AND b.ItemKey = i.ItemKey AND wb.ExclFromAvail = 0), 0) - inv.QtyOnSO - inv.QtyOnHold AS QtyAvailable,
  inv.QtyOnHold
FROM timInventory inv
JOIN timItem i ON i.ItemKey = inv.ItemKey
JOIN timWarehouse w ON w.WhseKey = inv.WhseKey
LEFT JOIN timItemDescription d ON d.ItemKey = i.ItemKey`;

export const SAGE_BASE_TABLES = (Object.keys(SAGE_TABLES) as SageTableName[]).filter(
  (t) => !tableSpec(t).extension && !tableSpec(t).view,
);
export const SAGE_EXTENSION_TABLES = (Object.keys(SAGE_TABLES) as SageTableName[]).filter(
  (t) => tableSpec(t).extension,
);

/** Indexes for speed only: Sage's staging tables have none on SessionKey in our sources, and the stock view's bin sums need one on ItemKey. */
/** Sellbridge's own indexes on its extension tables (after their CREATE TABLE), as install-extensions makes them. */
export const SANDBOX_EXTENSION_INDEXES = SAGE_EXTENSION_TABLES.flatMap((t) =>
  (tableSpec(t).indexes ?? []).map(
    (cols, i) => `CREATE INDEX IF NOT EXISTS XIE${i + 1}${t} ON "${t}" (${cols.map((c) => `"${c}"`).join(', ')})`,
  ),
);

export const SANDBOX_INDEXES = [
  // An order's lines and their distributions are read by SOKey / SOLineKey: without these each read scans every
  // line of every order (the sandbox slowed with each order it held). Sage's own foreign-key indexes (XIF*) are not
  // in our sources, so these are the sandbox's.
  'CREATE INDEX IF NOT EXISTS XIE_tsoSOLine_SOKey ON tsoSOLine (SOKey)',
  'CREATE INDEX IF NOT EXISTS XIE_tsoSOLineDist_SOLineKey ON tsoSOLineDist (SOLineKey)',
  'CREATE INDEX IF NOT EXISTS XIE_StgSalesOrder_Session ON StgSalesOrder (SessionKey, ProcessStatus)',
  'CREATE INDEX IF NOT EXISTS XIE_StgSOLine_Session ON StgSOLine (SessionKey, TranNo)',
  'CREATE INDEX IF NOT EXISTS XIE_tdmMigrationLogWrk_Session ON tdmMigrationLogWrk (SessionKey)',
  // vdvStockStatus sums bins per item: without it each item's row scans every bin (minutes at 100,000 items).
  'CREATE INDEX IF NOT EXISTS XIE_timWhseBinInvt_Item ON timWhseBinInvt (ItemKey)',
];
