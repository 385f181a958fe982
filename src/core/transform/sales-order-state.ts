import type { SalesOrder } from '../model/sales-order.ts';
import type { SageOrderState } from './status-map.ts';

/**
 * Lines of a Sage order that ship: those carrying an Amazon order item. Charge lines (gift wrap, tax, promotions,
 * rounding: misc items) never ship, so they must not keep an order from counting as shipped. An order without any
 * Amazon order item on its lines (not created by Sellbridge) counts all of them.
 */
export function goodsLines(order: SalesOrder): SalesOrder['lines'] {
  const goods = order.lines.filter((l) => l.amazonOrderItemId);
  return goods.length > 0 ? goods : order.lines;
}

/** What the status map needs to know of the Sage order (undefined when there is none). */
export function sageOrderState(order: SalesOrder | undefined): SageOrderState | undefined {
  if (!order) return undefined;
  const lines = goodsLines(order);
  // A line closed before anything of it shipped (cancelled at Amazon after import) has nothing left to ship.
  const toShip = lines.filter((l) => !(l.status === 'closed' && l.quantityShipped === 0));
  return {
    status: order.status,
    anyShipped: lines.some((l) => l.quantityShipped > 0),
    allShipped: toShip.length > 0 && toShip.every((l) => l.quantityShipped >= l.quantity),
  };
}
