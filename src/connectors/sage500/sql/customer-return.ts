import type { Insertable } from 'kysely';
import type { SageDatabase } from '../tables.ts';
import { TRAN_TYPE_CUSTOMER_RETURN } from '../tables.ts';
import type { SageDb } from './db.ts';

/** A customer return (TranType 811) of the company under our TranNo: the idempotency check. */
export function selectCustomerReturn(db: SageDb, companyId: string, tranNo: string) {
  return db
    .selectFrom('tsoShipment')
    .select(['ShipKey', 'TranNo'])
    .where('CompanyID', '=', companyId)
    .where('TranType', '=', TRAN_TYPE_CUSTOMER_RETURN)
    .where('TranNo', '=', tranNo);
}

/**
 * The order's lines a return can point at: each with its Amazon OrderItemId (our extension table), item,
 * warehouse and quantity shipped, and the order's customer.
 */
export function selectReturnableLines(db: SageDb, soKey: number) {
  return db
    .selectFrom('tsoSOLine as l')
    .innerJoin('tsoSalesOrder as so', 'so.SOKey', 'l.SOKey')
    .innerJoin('tsoSOLine_AMZ as x', 'x.SOLineKey', 'l.SOLineKey')
    .innerJoin('tsoSOLineDist as ld', 'ld.SOLineKey', 'l.SOLineKey')
    .select(['l.SOLineKey', 'l.ItemKey', 'x.AmazonOrderItemId', 'ld.WhseKey', 'ld.QtyShip', 'so.CustKey'])
    .where('l.SOKey', '=', soKey)
    .orderBy('l.SOLineNo');
}

export function insertReturnHeader(db: SageDb, row: Insertable<SageDatabase['tsoShipment']>) {
  return db.insertInto('tsoShipment').values(row);
}

export function insertReturnLog(db: SageDb, row: Insertable<SageDatabase['tsoShipmentLog']>) {
  return db.insertInto('tsoShipmentLog').values(row);
}

export function insertReturnLine(db: SageDb, row: Insertable<SageDatabase['tsoShipLine']>) {
  return db.insertInto('tsoShipLine').values(row);
}

export function insertReturnLineDist(db: SageDb, row: Insertable<SageDatabase['tsoShipLineDist']>) {
  return db.insertInto('tsoShipLineDist').values(row);
}
