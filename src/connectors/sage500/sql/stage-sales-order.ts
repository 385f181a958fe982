import type { StgSalesOrderRow, StgSOLineRow } from '../rows-from-sales-order.ts';
import type { SageDb } from './db.ts';

/** Staging rows of one order under its own SessionKey (recipe §7a step 1), in one transaction. */
export function insertStagedHeader(db: SageDb, row: StgSalesOrderRow) {
  return db.insertInto('StgSalesOrder').values(row);
}

/**
 * One staged line per statement, in line order: the SO API numbers lines by RowKey (R1, review §3 item 16), and
 * SQL Server does not promise IDENTITY order within one multi-row VALUES insert.
 */
export function insertStagedLine(db: SageDb, row: StgSOLineRow) {
  return db.insertInto('StgSOLine').values(row);
}

/** Leftover staging rows for a TranNo (a crash between staging and processing); they are cleaned first. */
export function selectLeftoverSessions(db: SageDb, tranNo: string) {
  return db.selectFrom('StgSalesOrder').select(['SessionKey', 'ProcessStatus']).where('TranNo', '=', tranNo);
}
