import type { SageDb } from './db.ts';

/** The customer of a marketplace (recipe §7a step 0). */
export function selectCustomer(db: SageDb, companyId: string, customerId: string) {
  return db
    .selectFrom('tarCustomer')
    .select(['CustKey', 'CustID', 'CustName', 'Status', 'Hold', 'UserFld1', 'UserFld2', 'UserFld3', 'UserFld4'])
    .where('CompanyID', '=', companyId)
    .where('CustID', '=', customerId);
}

export function selectShipMethod(db: SageDb, companyId: string, shipMethodId: string) {
  return db
    .selectFrom('tciShipMethod')
    .select(['ShipMethKey', 'ShipMethID', 'ShipMethDesc'])
    .where('CompanyID', '=', companyId)
    .where('ShipMethID', '=', shipMethodId);
}
