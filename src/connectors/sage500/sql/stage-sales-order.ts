import type { StgSalesOrderRow, StgSOLineRow } from '../rows-from-sales-order.ts';
import type { SageDb } from './db.ts';

/** Staging rows of one order under its own SessionKey (recipe §7a step 1), in one transaction. */
export function insertStagedHeader(db: SageDb, row: StgSalesOrderRow) {
  return db.insertInto('StgSalesOrder').values(row);
}

export function insertStagedLines(db: SageDb, rows: readonly StgSOLineRow[]) {
  return db.insertInto('StgSOLine').values([...rows]);
}

/** Leftover staging rows for a TranNo (a crash between staging and processing); they are cleaned first. */
export function selectLeftoverSessions(db: SageDb, tranNo: string) {
  return db.selectFrom('StgSalesOrder').select(['SessionKey', 'ProcessStatus']).where('TranNo', '=', tranNo);
}
