import { LINE_STATUS, type SageDatabase } from '../tables.ts';
import type { Insertable } from 'kysely';
import type { SageDb } from './db.ts';

/** Whether any line of the order shipped or is on a pick list or shipment: a ship-to then stays as it is. */
export function selectOrderShipActivity(db: SageDb, soKey: number) {
  return db
    .selectFrom('tsoSalesOrder as so')
    .select((eb) => [
      eb
        .selectFrom('tsoSOLineDist as ld')
        .innerJoin('tsoSOLine as l', 'l.SOLineKey', 'ld.SOLineKey')
        .select((e) => e.fn.sum<number | string | null>('ld.QtyShip').as('q'))
        .whereRef('l.SOKey', '=', 'so.SOKey')
        .as('QtyShipped'),
      eb
        .selectFrom('tsoShipLine as sl')
        .innerJoin('tsoSOLine as l2', 'l2.SOLineKey', 'sl.SOLineKey')
        .select((e) => e.fn.count<number | string>('sl.ShipLineKey').as('n'))
        .whereRef('l2.SOKey', '=', 'so.SOKey')
        .as('ShipLines'),
    ])
    .where('so.SOKey', '=', soKey);
}

/**
 * The new ship-to is a tciAddress row of its own (key from spGetNextSurrogateKey 'tciAddress', facts §1.3), as the
 * import made the first one: the row the order pointed at is never edited, so an address shared with a customer
 * record (tarCustomer.DfltShipToAddrKey) can never be changed by an Amazon buyer.
 */
export function insertShipToAddress(db: SageDb, row: Insertable<SageDatabase['tciAddress']>) {
  return db.insertInto('tciAddress').values(row);
}

/** The header's default ship-to (and UpdateCounter, facts §6.5) ... */
export function updateOrderShipToKey(db: SageDb, soKey: number, addrKey: number) {
  return db
    .updateTable('tsoSalesOrder')
    .set((eb) => ({ DfltShipToAddrKey: addrKey, UpdateCounter: eb('UpdateCounter', '+', 1) }))
    .where('SOKey', '=', soKey);
}

/** ... and the ship-to of every distribution still open (where Sage's pick and shipment read it). */
export function updateOpenDistShipToKey(db: SageDb, soKey: number, addrKey: number) {
  return db
    .updateTable('tsoSOLineDist')
    .set((eb) => ({ ShipToAddrKey: addrKey, UpdateCounter: eb('UpdateCounter', '+', 1) }))
    .where('Status', '=', LINE_STATUS.open)
    .where('SOLineKey', 'in', db.selectFrom('tsoSOLine').select('SOLineKey').where('SOKey', '=', soKey));
}
