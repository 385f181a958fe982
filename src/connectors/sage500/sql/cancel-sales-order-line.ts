import { LINE_STATUS } from '../tables.ts';
import type { SageDb } from './db.ts';

/**
 * One line of an order by its line number: key, status, and what stands against a cancel (quantity shipped on its
 * distributions, shipment lines of pick lists or shipments pointing at it).
 */
export function selectOrderLineActivity(db: SageDb, soKey: number, lineNo: number) {
  return db
    .selectFrom('tsoSOLine as l')
    .select(['l.SOLineKey', 'l.Status'])
    .select((eb) => [
      eb
        .selectFrom('tsoSOLineDist as ld')
        .select((e) => e.fn.sum<number | string | null>('ld.QtyShip').as('q'))
        .whereRef('ld.SOLineKey', '=', 'l.SOLineKey')
        .as('QtyShipped'),
      eb
        .selectFrom('tsoShipLine as sl')
        .select((e) => e.fn.count<number | string>('sl.ShipLineKey').as('n'))
        .whereRef('sl.SOLineKey', '=', 'l.SOLineKey')
        .as('ShipLines'),
    ])
    .where('l.SOKey', '=', soKey)
    .where('l.SOLineNo', '=', lineNo);
}

/**
 * A line's cancel, as the order's (sql/cancel-sales-order.ts) but for one line: the quantity still open on its
 * distributions leaves timInventory.QtyOnSO (`releaseCommittedStock(db, { soLineKey })` there), ...
 */
/** ... its distributions are closed with nothing left open to ship (QtyOrd is kept: what was ordered), ... */
export function closeLineDists(db: SageDb, soLineKey: number) {
  return db
    .updateTable('tsoSOLineDist')
    .set((eb) => ({ Status: LINE_STATUS.closed, QtyOpenToShip: '0', UpdateCounter: eb('UpdateCounter', '+', 1) }))
    .where('SOLineKey', '=', soLineKey);
}

/** ... the line is closed, ... */
export function closeLine(db: SageDb, soLineKey: number) {
  return db
    .updateTable('tsoSOLine')
    .set((eb) => ({ Status: LINE_STATUS.closed, UpdateCounter: eb('UpdateCounter', '+', 1) }))
    .where('SOLineKey', '=', soLineKey);
}

/**
 * ... and the header's UpdateCounter moves (facts §6.5: a Sage user holding the order sees it changed). The header
 * amounts are left as they are: no public source shows how Sage recomputes OpenAmt/TranAmt for a closed line.
 */
export function touchOrderHeader(db: SageDb, soKey: number) {
  return db
    .updateTable('tsoSalesOrder')
    .set((eb) => ({ UpdateCounter: eb('UpdateCounter', '+', 1) }))
    .where('SOKey', '=', soKey);
}
