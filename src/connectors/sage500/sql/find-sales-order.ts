import { TRAN_TYPE_SALES_ORDER } from '../tables.ts';
import type { SageDb } from './db.ts';

/**
 * Header of a standard sales order (TranType 801) by our TranNo, or by AmazonOrderId: through the extension
 * table, or TranCmnt for an order whose link row is missing (a crash between import and link); with its
 * ship-to address (tciAddress, lines 1..5).
 */
export function selectSalesOrderHeader(
  db: SageDb,
  companyId: string,
  by: { tranNo: string } | { amazonOrderId: string },
) {
  let q = db
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
  q =
    'tranNo' in by
      ? q.where('so.TranNo', '=', by.tranNo)
      : q.where((eb) =>
          eb.or([eb('amz.AmazonOrderId', '=', by.amazonOrderId), eb('so.TranCmnt', '=', by.amazonOrderId)]),
        );
  return q;
}

/**
 * Lines with their distribution (warehouse, quantities, amount, trade discount, GL account) of one order. The
 * warehouse is a left join: a misc or charge line may have no WhseKey, and dropping it would break the totals
 * (review §3 item 12). The Amazon OrderItemId comes from our extension table, not tsoSOLine.UserFld1 (review §3
 * item 20).
 */
export function selectSalesOrderLines(db: SageDb, soKey: number) {
  return db
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
    .orderBy('l.SOLineNo');
}
