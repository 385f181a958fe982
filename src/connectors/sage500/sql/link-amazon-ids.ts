import type { SageDb } from './db.ts';

/** The AmazonOrderId next to the SOKey in our extension table (recipe §7a step 4). */
export function insertOrderLink(
  db: SageDb,
  row: {
    SOKey: number;
    CompanyID: string;
    TranNo: string;
    AmazonOrderId: string;
    MarketplaceId: string | null;
    CreatedAt: string;
  },
) {
  return db.insertInto('tsoSalesOrder_AMZ').values(row);
}

/**
 * The lines the import created for an order, in SOLineNo order, with their ItemID. The SO API numbers lines 1, 2,
 * ... in RowKey order of the staged lines (R1, review §2.1) and the adapter stages one line per INSERT in the
 * draft's order, so the n-th line here is the draft's n-th line; the ItemID is compared before linking. Lines are
 * linked to Amazon this way, not through tsoSOLine.UserFld1, which belongs to the customer (review §3 item 20).
 */
export function selectCreatedLines(db: SageDb, soKey: number) {
  return db
    .selectFrom('tsoSOLine as l')
    .innerJoin('timItem as i', 'i.ItemKey', 'l.ItemKey')
    .select(['l.SOLineKey', 'l.SOLineNo', 'i.ItemID'])
    .where('l.SOKey', '=', soKey)
    .orderBy('l.SOLineNo');
}

/** The Amazon OrderItemId (and SellerSKU, for reconciliation) of one created line, keyed by its SOLineKey. */
export function insertLineLink(
  db: SageDb,
  row: { SOLineKey: number; SOKey: number; AmazonOrderItemId: string; SellerSKU: string | null },
) {
  return db.insertInto('tsoSOLine_AMZ').values(row);
}

/** The line links an order has (a repair writes only the missing ones). */
export function selectLineLinks(db: SageDb, soKey: number) {
  return db.selectFrom('tsoSOLine_AMZ').select(['SOLineKey', 'AmazonOrderItemId']).where('SOKey', '=', soKey);
}

export function selectOrderLink(db: SageDb, soKey: number) {
  return db.selectFrom('tsoSalesOrder_AMZ').select(['SOKey', 'AmazonOrderId']).where('SOKey', '=', soKey);
}
