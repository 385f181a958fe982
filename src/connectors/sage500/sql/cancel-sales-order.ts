import { SO_STATUS } from '../tables.ts';
import type { SageDb } from './db.ts';

/** Quantity shipped so far across the order's lines; cancel is refused above zero. */
export function selectShippedQuantity(db: SageDb, soKey: number) {
  return db
    .selectFrom('tsoSOLineDist as ld')
    .innerJoin('tsoSOLine as l', 'l.SOLineKey', 'ld.SOLineKey')
    .select((eb) => eb.fn.sum<number | string | null>('ld.QtyShip').as('QtyShipped'))
    .where('l.SOKey', '=', soKey);
}

/**
 * Status 3 (canceled) on the header, with UpdateCounter incremented as Sage's optimistic concurrency expects
 * (facts §6.5). Sage has no public cancel procedure in our sources: this direct update is [I] and the only
 * write Sellbridge makes to a Sage row.
 */
export function updateOrderCanceled(db: SageDb, soKey: number) {
  return db
    .updateTable('tsoSalesOrder')
    .set((eb) => ({ Status: SO_STATUS.canceled, UpdateCounter: eb('UpdateCounter', '+', 1) }))
    .where('SOKey', '=', soKey);
}
