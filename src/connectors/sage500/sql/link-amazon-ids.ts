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
 * The lines the import created for an order, in SOLineNo order. The SO API numbers lines 1, 2, ... in RowKey
 * order of the staged lines (R1, review §2.1) and the adapter stages one line per INSERT in the draft's order, so
 * the n-th line here is the draft's n-th line. Lines are linked to Amazon by this position, not by a
 * tsoSOLine.UserFld field, which a site's custom-field definitions could reject (review §3 item 20).
 */
export function selectCreatedLines(db: SageDb, soKey: number) {
  return db.selectFrom('tsoSOLine').select(['SOLineKey', 'SOLineNo']).where('SOKey', '=', soKey).orderBy('SOLineNo');
}

/** The Amazon OrderItemId (and SellerSKU, for reconciliation) of one created line, keyed by its SOLineKey. */
export function insertLineLink(
  db: SageDb,
  row: { SOLineKey: number; SOKey: number; AmazonOrderItemId: string; SellerSKU: string | null },
) {
  return db.insertInto('tsoSOLine_AMZ').values(row);
}

export function selectOrderLink(db: SageDb, soKey: number) {
  return db.selectFrom('tsoSalesOrder_AMZ').select(['SOKey', 'AmazonOrderId']).where('SOKey', '=', soKey);
}
