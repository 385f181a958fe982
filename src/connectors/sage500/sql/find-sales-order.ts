import { prepared } from '../../../runtime/store/prepared.ts';
import { TRAN_TYPE_SALES_ORDER } from '../tables.ts';
import type { SageDb } from './db.ts';

/**
 * Header of a standard sales order (TranType 801) by our TranNo, by AmazonOrderId through the extension table, or
 * by TranCmnt (the AmazonOrderId of an order whose link row is missing: a crash between import and link); with its
 * ship-to address (tciAddress, lines 1..5).
 *
 * Each lookup is one an index answers, on a Sage database of any size: TranNo through Sage's unique key
 * XAK1tsoSalesOrder (CompanyID, TranType, TranNoRel) (TranNoRel = TranNo for a standard order, facts §3), the
 * AmazonOrderId through the extension's (CompanyID, AmazonOrderId). TranCmnt has no index in Sage: callers try it
 * only after the extension missed (before, one OR over both read every order of the company at each lookup).
 */
export function selectSalesOrderHeader(
  db: SageDb,
  companyId: string,
  by: { tranNo: string } | { amazonOrderId: string } | { tranCmnt: string },
) {
  // Built and compiled once per database (runtime/store/prepared.ts): this read runs several times per order.
  if ('tranNo' in by) return headerByTranNo(db, companyId, by.tranNo);
  if ('amazonOrderId' in by) return headerByAmazonOrderId(db, companyId, by.amazonOrderId);
  return headerByTranCmnt(db, companyId, by.tranCmnt);
}

const headerByTranNo = prepared((db: SageDb, companyId: string, tranNo: string) =>
  selectHeader(db, companyId).where('so.TranNoRel', '=', tranNo).where('so.TranNo', '=', tranNo),
);
const headerByAmazonOrderId = prepared((db: SageDb, companyId: string, amazonOrderId: string) =>
  selectHeader(db, companyId).where('amz.CompanyID', '=', companyId).where('amz.AmazonOrderId', '=', amazonOrderId),
);
const headerByTranCmnt = prepared((db: SageDb, companyId: string, tranCmnt: string) =>
  selectHeader(db, companyId).where('so.TranCmnt', '=', tranCmnt),
);

/**
 * TranNo and total of the sales orders of these Amazon orders, through the extension table (indexed by AmazonOrderId):
 * the reconciliation's read of a page of orders in one statement.
 */
export function selectSalesOrderTotals(db: SageDb, companyId: string, amazonOrderIds: readonly string[]) {
  return db
    .selectFrom('tsoSalesOrder as so')
    .innerJoin('tsoSalesOrder_AMZ as amz', 'amz.SOKey', 'so.SOKey')
    .select(['amz.AmazonOrderId as AmazonOrderId', 'so.TranNo', 'so.CurrID', 'so.TranAmt'])
    .where('so.CompanyID', '=', companyId)
    .where('so.TranType', '=', TRAN_TYPE_SALES_ORDER)
    .where('amz.CompanyID', '=', companyId)
    .where('amz.AmazonOrderId', 'in', amazonOrderIds);
}

/**
 * The same by TranCmnt, for the Amazon orders the extension table missed (an order whose link was not written has
 * the AmazonOrderId in TranCmnt; not indexed in Sage, so asked only for those, in one statement per chunk).
 */
export function selectSalesOrderTotalsByTranCmnt(db: SageDb, companyId: string, amazonOrderIds: readonly string[]) {
  return db
    .selectFrom('tsoSalesOrder as so')
    .select(['so.TranCmnt as AmazonOrderId', 'so.TranNo', 'so.CurrID', 'so.TranAmt'])
    .where('so.CompanyID', '=', companyId)
    .where('so.TranType', '=', TRAN_TYPE_SALES_ORDER)
    .where('so.TranCmnt', 'in', amazonOrderIds);
}

function selectHeader(db: SageDb, companyId: string) {
  return db
    .selectFrom('tsoSalesOrder as so')
    .innerJoin('tarCustomer as c', 'c.CustKey', 'so.CustKey')
    .leftJoin('tsoSalesOrder_AMZ as amz', 'amz.SOKey', 'so.SOKey')
    .leftJoin('tciAddress as a', 'a.AddrKey', 'so.DfltShipToAddrKey')
    .select([
      'so.SOKey',
      'so.TranNo',
      'so.TranID',
      'so.Status',
      'so.TranDate',
      'so.CurrID',
      'so.TranCmnt',
      'so.FreightAmt',
      'so.TranAmt',
      'c.CustID',
      'amz.AmazonOrderId',
    ])
    .select([
      'a.AddrKey',
      'a.AddrName',
      'a.AddrLine1',
      'a.AddrLine2',
      'a.AddrLine3',
      'a.AddrLine4',
      'a.AddrLine5',
      'a.City',
      'a.StateID',
      'a.PostalCode',
      'a.CountryID',
    ])
    .where('so.CompanyID', '=', companyId)
    .where('so.TranType', '=', TRAN_TYPE_SALES_ORDER);
}

/**
 * Lines with their distribution (warehouse, quantities, amount, trade discount, GL account) of one order. The
 * warehouse is a left join: a misc or charge line may have no WhseKey, and dropping it would break the totals
 * (review §3 item 12). The Amazon OrderItemId comes from our extension table, not tsoSOLine.UserFld1 (review §3
 * item 20).
 */
export const selectSalesOrderLines = prepared((db: SageDb, soKey: number) =>
  db
    .selectFrom('tsoSOLine as l')
    .innerJoin('tsoSOLineDist as ld', 'ld.SOLineKey', 'l.SOLineKey')
    .innerJoin('timItem as i', 'i.ItemKey', 'l.ItemKey')
    .leftJoin('timWarehouse as w', 'w.WhseKey', 'ld.WhseKey')
    .leftJoin('tglAccount as g', 'g.GLAcctKey', 'ld.GLAcctKey')
    .leftJoin('tsoSOLine_AMZ as lx', 'lx.SOLineKey', 'l.SOLineKey')
    .select([
      'l.SOLineKey',
      'l.SOLineNo',
      'i.ItemID',
      'ld.QtyOrd',
      'ld.QtyShip',
      'l.UnitPrice',
      'ld.ExtAmt',
      'ld.TradeDiscAmt',
      'g.GLAcctNo',
      'w.WhseID',
      'lx.AmazonOrderItemId',
      'l.Status as LineStatus',
      'ld.PromiseDate',
    ])
    .where('l.SOKey', '=', soKey)
    .orderBy('l.SOLineNo'),
);
