import { LINE_STATUS, SO_STATUS } from '../tables.ts';
import type { SageDb } from './db.ts';

/**
 * The order's line distributions Sage's pick-list procedures would take: what Net4Sage's ShipmentHandler puts in
 * `#tsoCreatePickWrk1` before `spsoGetIMAvailQty` (review R6): an open order, open lines and distributions with
 * a quantity open to ship, shipped by the seller's own delivery (DeliveryMeth 1, not drop ship), a customer not on
 * hold. The SQL Server adapter copies these rows into the session's work table; the sandbox ships them.
 */
export function selectPickCandidates(db: SageDb, soKey: number) {
  return db
    .selectFrom('tsoSalesOrder as so')
    .innerJoin('tsoSOLine as l', 'l.SOKey', 'so.SOKey')
    .innerJoin('tsoSOLineDist as ld', 'ld.SOLineKey', 'l.SOLineKey')
    .innerJoin('tarCustomer as c', 'c.CustKey', 'so.CustKey')
    .select([
      'ld.SOLineDistKey',
      'ld.SOLineKey',
      'so.SOKey',
      'so.TranType',
      'so.CustKey',
      'so.TranNo',
      'l.ItemKey',
      'ld.WhseKey',
      'ld.QtyOpenToShip',
    ])
    .where('so.SOKey', '=', soKey)
    .where('so.Status', '=', SO_STATUS.open)
    .where('l.Status', '=', LINE_STATUS.open)
    .where('ld.Status', '=', LINE_STATUS.open)
    .where('ld.QtyOpenToShip', '<>', 0)
    .where('ld.DeliveryMeth', '=', 1)
    .where('c.Hold', '=', 0)
    .orderBy('l.SOLineNo');
}

/** The shipments (ShipKey) holding any line of the order, whatever their status: the idempotency check. */
export function selectShipKeysOfOrder(db: SageDb, soKey: number) {
  return db
    .selectFrom('tsoShipLine as sl')
    .innerJoin('tsoSOLine as l', 'l.SOLineKey', 'sl.SOLineKey')
    .select('sl.ShipKey')
    .distinct()
    .where('l.SOKey', '=', soKey)
    .orderBy('sl.ShipKey');
}
