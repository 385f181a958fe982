import { ownCopy, type SettlementTransaction } from '../model/settlement.ts';

/** One Amazon refund of an order (one adjustment), as the settlement's Refund rows (or Finances' Refund transactions) tell it. */
export interface AmazonRefund {
  readonly amazonOrderId: string;
  /** Amazon's adjustment id (`adjustment-id`, Finances REFUND_ID): the refund's identity. */
  readonly reference: string;
  /** UTC ISO-8601 instant Amazon posted it. */
  readonly postedAt: string;
  /** `AFN` (an FBA order) or `MFN`, when the rows say. */
  readonly fulfillment?: string;
  /** Per refunded order item: its Amazon OrderItemId and the quantity refunded (0 when no row gave one). */
  readonly lines: readonly { readonly amazonOrderItemId: string; readonly sku?: string; readonly quantity: number }[];
}

/** The fields of a settlement row a refund is read from (an importer keeps only these of its Refund rows). */
export type RefundRow = Pick<
  SettlementTransaction,
  'transactionType' | 'orderId' | 'adjustmentId' | 'orderItemCode' | 'postedAt' | 'fulfillmentId' | 'sku' | 'quantity'
>;

/** A Refund row reduced to what refundsFromSettlementRows reads, or undefined when it is no refund of an order line. */
export function refundRowOf(t: SettlementTransaction): RefundRow | undefined {
  if (t.transactionType !== 'Refund' || !t.orderId || !t.adjustmentId || !t.orderItemCode) return undefined;
  // Copies (ownCopy): a refund row is kept until the import ends, and a cell is a slice of its whole chunk.
  return {
    transactionType: t.transactionType,
    orderId: ownCopy(t.orderId),
    adjustmentId: ownCopy(t.adjustmentId),
    orderItemCode: ownCopy(t.orderItemCode),
    ...(t.postedAt ? { postedAt: ownCopy(t.postedAt) } : {}),
    ...(t.fulfillmentId ? { fulfillmentId: t.fulfillmentId } : {}),
    ...(t.sku ? { sku: ownCopy(t.sku) } : {}),
    ...(t.quantity !== undefined ? { quantity: t.quantity } : {}),
  };
}

/**
 * The refunds among settlement rows (transaction type `Refund`), one per (order, adjustment id), each with its
 * refunded order items. Quantity per item is the largest `quantity-purchased` any of the item's rows gives (Amazon
 * repeats it on the principal, tax and fee rows); rows without an order id, adjustment id or order item code are
 * not refunds of an order line and are left out (the settlement journal books their money all the same). Pure.
 */
export function refundsFromSettlementRows(rows: Iterable<RefundRow>): AmazonRefund[] {
  const byKey = new Map<
    string,
    { refund: Omit<AmazonRefund, 'lines'>; items: Map<string, { sku?: string; quantity: number }> }
  >();
  for (const t of rows) {
    if (t.transactionType !== 'Refund' || !t.orderId || !t.adjustmentId || !t.orderItemCode) continue;
    const key = `${t.orderId}\u0000${t.adjustmentId}`;
    const entry = byKey.get(key) ?? {
      refund: {
        amazonOrderId: t.orderId,
        reference: t.adjustmentId,
        postedAt: t.postedAt ?? '',
        ...(t.fulfillmentId ? { fulfillment: t.fulfillmentId } : {}),
      },
      items: new Map(),
    };
    const item = entry.items.get(t.orderItemCode) ?? { ...(t.sku ? { sku: t.sku } : {}), quantity: 0 };
    item.quantity = Math.max(item.quantity, t.quantity ?? 0);
    entry.items.set(t.orderItemCode, item);
    byKey.set(key, entry);
  }
  return [...byKey.values()].map(({ refund, items }) => ({
    ...refund,
    lines: [...items.entries()].map(([amazonOrderItemId, i]) => ({ amazonOrderItemId, ...i })),
  }));
}
