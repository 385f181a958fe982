import { LINE_STATUS, SO_STATUS } from '../tables.ts';
import type { SageDb } from './db.ts';

/**
 * Shipment lines (picked, pending, committed or posted) that point at the order's lines: activity that forbids
 * a cancel, beyond a shipped quantity (review §3 item 11).
 */
export function selectShipmentLinesOfOrder(db: SageDb, soKey: number) {
  return db
    .selectFrom('tsoShipLine as sl')
    .innerJoin('tsoSOLine as l', 'l.SOLineKey', 'sl.SOLineKey')
    .select((eb) => eb.fn.count<number | string>('sl.ShipLineKey').as('ShipLines'))
    .where('l.SOKey', '=', soKey);
}

/** Quantity shipped so far across the order's lines. */
export function selectShippedQuantity(db: SageDb, soKey: number) {
  return db
    .selectFrom('tsoSOLineDist as ld')
    .innerJoin('tsoSOLine as l', 'l.SOLineKey', 'ld.SOLineKey')
    .select((eb) => eb.fn.sum<number | string | null>('ld.QtyShip').as('QtyShipped'))
    .where('l.SOKey', '=', soKey);
}

/**
 * What Sage's cancel does that a bare header update does not (review §3 item 11), in one transaction with the
 * header update: the quantity still open on each distribution leaves timInventory.QtyOnSO (so
 * vdvStockStatus.QtyAvailable rises again), ... For a whole order (`soKey`) or one line (`soLineKey`, the line
 * cancel of sql/cancel-sales-order-line.ts): the same statement, scoped to the order's lines or to that line.
 */
export function releaseCommittedStock(db: SageDb, scope: { readonly soKey: number } | { readonly soLineKey: number }) {
  const [column, column2, key] =
    'soKey' in scope
      ? (['l.SOKey', 'l2.SOKey', scope.soKey] as const)
      : (['ld.SOLineKey', 'ld2.SOLineKey', scope.soLineKey] as const);
  return db
    .updateTable('timInventory')
    .set((eb) => ({
      QtyOnSO: eb(
        'timInventory.QtyOnSO',
        '-',
        eb
          .selectFrom('tsoSOLineDist as ld')
          .innerJoin('tsoSOLine as l', 'l.SOLineKey', 'ld.SOLineKey')
          .select((e) => e.fn.coalesce(e.fn.sum<number | string>('ld.QtyOpenToShip'), e.lit(0)).as('q'))
          .where(column, '=', key)
          .whereRef('ld.WhseKey', '=', 'timInventory.WhseKey')
          .whereRef('l.ItemKey', '=', 'timInventory.ItemKey'),
      ),
    }))
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('tsoSOLineDist as ld2')
          .innerJoin('tsoSOLine as l2', 'l2.SOLineKey', 'ld2.SOLineKey')
          .select('ld2.SOLineDistKey')
          .where(column2, '=', key)
          .whereRef('ld2.WhseKey', '=', 'timInventory.WhseKey')
          .whereRef('l2.ItemKey', '=', 'timInventory.ItemKey'),
      ),
    );
}

/** ... every distribution is closed with nothing left open to ship, ... */
export function closeOrderLineDists(db: SageDb, soKey: number) {
  return db
    .updateTable('tsoSOLineDist')
    .set((eb) => ({ Status: LINE_STATUS.closed, QtyOpenToShip: '0', UpdateCounter: eb('UpdateCounter', '+', 1) }))
    .where('SOLineKey', 'in', db.selectFrom('tsoSOLine').select('SOLineKey').where('SOKey', '=', soKey));
}

/** ... every line is closed, ... */
export function closeOrderLines(db: SageDb, soKey: number) {
  return db
    .updateTable('tsoSOLine')
    .set((eb) => ({ Status: LINE_STATUS.closed, UpdateCounter: eb('UpdateCounter', '+', 1) }))
    .where('SOKey', '=', soKey);
}

/**
 * ... and the header gets status 3 (canceled), with UpdateCounter incremented as Sage's optimistic concurrency
 * expects (facts §6.5). tsoSalesOrdLog is not written: its columns are not in our sources (README).
 */
export function updateOrderCanceled(db: SageDb, soKey: number) {
  return db
    .updateTable('tsoSalesOrder')
    .set((eb) => ({ Status: SO_STATUS.canceled, UpdateCounter: eb('UpdateCounter', '+', 1) }))
    .where('SOKey', '=', soKey);
}
