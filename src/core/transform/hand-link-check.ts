import type { Money } from '../model/money.ts';
import { moneyToDecimal } from '../model/money.ts';
import type { Order } from '../model/order.ts';
import type { SalesOrder } from '../model/sales-order.ts';
import type { HandLinkLine } from '../ports/hand-links.ts';

export interface HandLinkCheck {
  /** Each Amazon line with a quantity left, matched to a Sage line (the shipment poll's line map). */
  readonly lines: readonly HandLinkLine[];
  /** Why the Sage order is not the same order; empty when lines and total agree. */
  readonly differences: readonly string[];
}

/**
 * Is this Sage order (keyed by hand) the Amazon order? Pure. Every Amazon line with a quantity must match one Sage
 * line of the same quantity: first by the Sage item its SKU resolves to (`itemIds[i]`, undefined when it resolves to
 * none), then, for an unresolved SKU, any Sage line left with that quantity (whoever keyed it chose the item). Sage
 * lines of `chargeItemIds` (freight, gift wrap, tax, promotions) are not goods and match nothing; any other Sage line
 * left over is a difference. The Sage total must equal `expectedTotal` (what Sellbridge would have booked) when both
 * are known.
 */
export function checkHandLink(
  order: Pick<Order, 'id' | 'lines'>,
  itemIds: readonly (string | undefined)[],
  sage: SalesOrder,
  expectedTotal: Money | undefined,
  chargeItemIds: ReadonlySet<string>,
): HandLinkCheck {
  const differences: string[] = [];
  const used = new Set<number>();
  const matched: (HandLinkLine | undefined)[] = [];
  const mapped: (HandLinkLine | undefined)[] = [];
  const take = (pred: (l: SalesOrder['lines'][number], i: number) => boolean) => {
    const i = sage.lines.findIndex((l, j) => !used.has(j) && pred(l, j));
    if (i >= 0) used.add(i);
    return i >= 0 ? sage.lines[i] : undefined;
  };
  order.lines.forEach((line, i) => {
    if (line.quantityOrdered <= 0) return;
    const itemId = itemIds[i];
    const hit = itemId ? take((l) => l.itemId === itemId && l.quantity === line.quantityOrdered) : undefined;
    if (hit) matched[i] = { itemId: hit.itemId, amazonOrderItemId: line.lineId, quantity: line.quantityOrdered };
  });
  order.lines.forEach((line, i) => {
    if (line.quantityOrdered <= 0 || matched[i] || itemIds[i]) return;
    const hit = take((l) => !chargeItemIds.has(l.itemId) && l.quantity === line.quantityOrdered);
    if (hit) matched[i] = { itemId: hit.itemId, amazonOrderItemId: line.lineId, quantity: line.quantityOrdered };
  });
  // What still has no match is a difference; for the line map (a forced link) it takes a Sage line of its item, or
  // any goods line left, so the shipment still names an Amazon line.
  order.lines.forEach((line, i) => {
    if (line.quantityOrdered <= 0 || matched[i]) return;
    const itemId = itemIds[i];
    const hit = take((l) => (itemId ? l.itemId === itemId : !chargeItemIds.has(l.itemId)));
    mapped[i] = hit
      ? { itemId: hit.itemId, amazonOrderItemId: line.lineId, quantity: line.quantityOrdered }
      : undefined;
  });
  order.lines.forEach((line, i) => {
    if (line.quantityOrdered > 0 && !matched[i])
      differences.push(
        `Amazon line ${i} (SKU ${line.sku ?? '?'}, quantity ${line.quantityOrdered}${itemIds[i] ? `, Sage item ${itemIds[i]}` : ''}) has no Sage line with that item and quantity`,
      );
  });
  sage.lines.forEach((l, j) => {
    if (!used.has(j) && !chargeItemIds.has(l.itemId))
      differences.push(`Sage line ${l.lineNo} (item ${l.itemId}, quantity ${l.quantity}) is not on the Amazon order`);
  });
  if (expectedTotal && sage.total && sage.total.minor !== expectedTotal.minor)
    differences.push(
      `Sage total ${moneyToDecimal(sage.total)} ${sage.total.currency} differs from the ${moneyToDecimal(expectedTotal)} ${expectedTotal.currency} Sellbridge would book`,
    );
  if (expectedTotal && sage.currency && sage.currency !== expectedTotal.currency)
    differences.push(`Sage order in ${sage.currency}, Amazon order in ${expectedTotal.currency}`);
  const lines = order.lines.map((_, i) => matched[i] ?? mapped[i]);
  return { lines: lines.filter((m): m is HandLinkLine => m !== undefined), differences };
}
