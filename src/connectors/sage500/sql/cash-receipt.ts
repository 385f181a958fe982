import type { Insertable } from 'kysely';
import type { SageDatabase } from '../tables.ts';
import type { SageDb } from './db.ts';

/** The customer a receipt is for. */
export function selectReceiptCustomer(db: SageDb, companyId: string, customerId: string) {
  return db
    .selectFrom('tarCustomer')
    .select(['CustKey'])
    .where('CompanyID', '=', companyId)
    .where('CustID', '=', customerId);
}

/** The cash account a receipt is deposited to. */
export function selectCashAccount(db: SageDb, companyId: string, cashAccountId: string) {
  return db
    .selectFrom('tcmCashAcct')
    .select(['CashAcctKey', 'GLAcctKey'])
    .where('CompanyID', '=', companyId)
    .where('CashAcctID', '=', cashAccountId);
}

/**
 * The customer's open invoices of the given Amazon orders: an invoice line names the sales order line it bills
 * (tarInvoiceDetl.SOLineKey, beacon's model of mas500), the line its order (tsoSOLine.SOKey), our link row the
 * Amazon order (tsoSalesOrder_AMZ). One row per invoice and order, oldest invoice first.
 */
export function selectOpenInvoicesOfOrders(
  db: SageDb,
  companyId: string,
  custKey: number,
  amazonOrderIds: readonly string[],
) {
  return db
    .selectFrom('tarInvoice as i')
    .innerJoin('tarInvoiceDetl as d', 'd.InvcKey', 'i.InvcKey')
    .innerJoin('tsoSOLine as l', 'l.SOLineKey', 'd.SOLineKey')
    .innerJoin('tsoSalesOrder_AMZ as a', 'a.SOKey', 'l.SOKey')
    .select(['a.AmazonOrderId', 'i.InvcKey', 'i.TranID', 'i.TranDate', 'i.Balance', 'i.CurrID'])
    .distinct()
    .where('i.CompanyID', '=', companyId)
    .where('i.CustKey', '=', custKey)
    .where('i.Balance', '>', 0)
    .where('a.AmazonOrderId', 'in', amazonOrderIds)
    .orderBy('i.TranDate')
    .orderBy('i.InvcKey');
}

/** An earlier receipt for the reference: the idempotency check (our own row, never an editable Sage field). */
export function selectReceiptLink(db: SageDb, companyId: string, reference: string) {
  return db
    .selectFrom('tarCustPmt_AMZ')
    .select(['CustPmtKey', 'BatchKey', 'BatchNo'])
    .where('CompanyID', '=', companyId)
    .where('Reference', '=', reference);
}

/** The pending receipt and its applications, for an `existing` answer. */
export function selectPendingReceipt(db: SageDb, custPmtKey: number) {
  return db
    .selectFrom('tarPendCustPmt')
    .select(['TranID', 'TranAmt', 'UnappliedAmt', 'CurrID'])
    .where('CustPmtKey', '=', custPmtKey);
}

export function selectPendingApplications(db: SageDb, custPmtKey: number) {
  return db
    .selectFrom('tarPendCustPmtAppl')
    .select(['ApplyToTranID', 'PmtAmt', 'SeqNo'])
    .where('ApplyFromPmtKey', '=', custPmtKey)
    .orderBy('SeqNo');
}

export function insertPendingReceipt(db: SageDb, row: Insertable<SageDatabase['tarPendCustPmt']>) {
  return db.insertInto('tarPendCustPmt').values(row);
}

export function insertPendingApplications(db: SageDb, rows: readonly Insertable<SageDatabase['tarPendCustPmtAppl']>[]) {
  return db.insertInto('tarPendCustPmtAppl').values([...rows]);
}

export function insertReceiptLink(db: SageDb, row: Insertable<SageDatabase['tarCustPmt_AMZ']>) {
  return db.insertInto('tarCustPmt_AMZ').values(row);
}

/** Every invoice (any balance, any customer) that bills a line of these Amazon orders, with its total. */
export function selectInvoicesOfOrders(db: SageDb, companyId: string, amazonOrderIds: readonly string[]) {
  return db
    .selectFrom('tarInvoice as i')
    .innerJoin('tarInvoiceDetl as d', 'd.InvcKey', 'i.InvcKey')
    .innerJoin('tsoSOLine as l', 'l.SOLineKey', 'd.SOLineKey')
    .innerJoin('tsoSalesOrder_AMZ as a', 'a.SOKey', 'l.SOKey')
    .select(['a.AmazonOrderId', 'i.InvcKey', 'i.TranID', 'i.TranAmt', 'i.Balance', 'i.CurrID'])
    .distinct()
    .where('i.CompanyID', '=', companyId)
    .where('a.AmazonOrderId', 'in', amazonOrderIds)
    .orderBy('i.InvcKey');
}

/** The Amazon orders each of these invoices bills (to tell an invoice of one order from a combined one). */
export function selectOrdersOfInvoices(db: SageDb, invoiceKeys: readonly number[]) {
  return db
    .selectFrom('tarInvoiceDetl as d')
    .innerJoin('tsoSOLine as l', 'l.SOLineKey', 'd.SOLineKey')
    .innerJoin('tsoSalesOrder_AMZ as a', 'a.SOKey', 'l.SOKey')
    .select(['d.InvcKey', 'a.AmazonOrderId'])
    .distinct()
    .where('d.InvcKey', 'in', invoiceKeys);
}
