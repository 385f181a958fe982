import type { SageDb } from './db.ts';

/** Each customer's class and the class's receivable GL account (left joins: a missing piece comes back null). */
export function selectCustomerReceivables(db: SageDb, companyId: string, customerIds: readonly string[]) {
  return db
    .selectFrom('tarCustomer as c')
    .leftJoin('tarCustClass as cc', 'cc.CustClassKey', 'c.CustClassKey')
    .leftJoin('tglAccount as a', 'a.GLAcctKey', 'cc.ARAcctKey')
    .select(['c.CustID', 'cc.CustClassID', 'a.GLAcctNo'])
    .where('c.CompanyID', '=', companyId)
    .where('c.CustID', 'in', customerIds)
    .orderBy('c.CustID');
}
