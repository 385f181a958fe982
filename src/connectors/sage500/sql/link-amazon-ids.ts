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

/** One row per line with an Amazon OrderItemId; insert-select from tsoSOLine.UserFld1 set by the import. */
export function insertLineLinks(db: SageDb, soKey: number) {
  return db
    .insertInto('tsoSOLine_AMZ')
    .columns(['SOLineKey', 'SOKey', 'AmazonOrderItemId'])
    .expression(
      db
        .selectFrom('tsoSOLine')
        .select(['SOLineKey', 'SOKey', 'UserFld1'])
        .where('SOKey', '=', soKey)
        .where('UserFld1', 'is not', null),
    );
}

/**
 * The Amazon SellerSKU of one line (the SKU before mapping to an ItemID), for reconciliation. The line is found
 * by its Amazon OrderItemId, which Sage keeps as staged; the SO API renumbers SOLineNo (R1, review §3 item 16).
 */
export function updateLineSellerSku(db: SageDb, soKey: number, amazonOrderItemId: string, sellerSku: string) {
  return db
    .updateTable('tsoSOLine_AMZ')
    .set({ SellerSKU: sellerSku })
    .where('SOKey', '=', soKey)
    .where('AmazonOrderItemId', '=', amazonOrderItemId);
}

export function selectOrderLink(db: SageDb, soKey: number) {
  return db.selectFrom('tsoSalesOrder_AMZ').select(['SOKey', 'AmazonOrderId']).where('SOKey', '=', soKey);
}
