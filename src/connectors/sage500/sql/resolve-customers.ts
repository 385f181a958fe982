import type { SageDb } from './db.ts';

/**
 * Customers by CustID with the currency of their default bill-to address (tarCustAddr.CurrID; left join: a customer
 * without one comes back with a null currency). Read by `connections check`.
 */
export function selectCustomers(db: SageDb, companyId: string, customerIds: readonly string[]) {
  return db
    .selectFrom('tarCustomer as c')
    .leftJoin('tarCustAddr as a', 'a.AddrKey', 'c.DfltBillToAddrKey')
    .select(['c.CustID', 'c.CustName', 'c.Status', 'c.Hold', 'a.CurrID'])
    .where('c.CompanyID', '=', companyId)
    .where('c.CustID', 'in', customerIds)
    .orderBy('c.CustID');
}

/** Ship methods by ShipMethID (Sage has no active flag on them, facts §2.8). */
export function selectShipMethods(db: SageDb, companyId: string, shipMethodIds: readonly string[]) {
  return db
    .selectFrom('tciShipMethod')
    .select(['ShipMethID', 'ShipMethDesc'])
    .where('CompanyID', '=', companyId)
    .where('ShipMethID', 'in', shipMethodIds)
    .orderBy('ShipMethID');
}
