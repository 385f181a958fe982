import type { SyncState } from '../lifecycle.ts';
import type { Order } from '../model/order.ts';
import type { SalesOrderStatus } from '../model/sales-order.ts';
import type { StatusPolicy } from '../rules/status-policy.ts';

/** What Sellbridge knows of the order on the Sage side, if it created one. */
export interface SageOrderState {
  readonly status: SalesOrderStatus;
  /** Whether any quantity of the Sage order has shipped. */
  readonly anyShipped: boolean;
  /** Whether every ordered quantity has shipped. */
  readonly allShipped: boolean;
}

export type OrderAction =
  /** Not priced yet (Pending): read again on the next change. */
  | { readonly kind: 'wait'; readonly reason: string }
  /** Create an open Sage sales order. */
  | { readonly kind: 'create' }
  /** Create the order in the FBA warehouse and book it as shipped (FBA policy `record-shipped`). */
  | { readonly kind: 'record-fba-shipped'; readonly warehouseId: string }
  /** Nothing to create, by policy. */
  | { readonly kind: 'skip'; readonly reason: string }
  /** Cancel the Sage order (nothing has shipped from it). */
  | { readonly kind: 'cancel' }
  /** A person must decide. */
  | { readonly kind: 'flag'; readonly reason: string }
  /** Sage already agrees with Amazon. */
  | { readonly kind: 'none'; readonly reason: string };

/**
 * Amazon order status -> what the order flow does (issue 5, step 2). Pure; `sage` is the state of the Sage
 * order Sellbridge created, undefined when there is none yet.
 *
 * Merchant-fulfilled: Pending waits; Unshipped/PartiallyShipped create an open order; Canceled before
 * creation is skipped, after creation it cancels the Sage order while nothing shipped (else a person
 * decides); Shipped at Amazon while Sage has not shipped everything means someone shipped outside Sage, so a
 * person decides; so does a buyer's cancellation request on an open order. Amazon-fulfilled (FBA) follows
 * `policy.fba`.
 */
export function orderActionFromStatus(
  order: Pick<Order, 'status' | 'fulfilledBy'> & { readonly lines?: Order['lines'] },
  sage: SageOrderState | undefined,
  policy: StatusPolicy,
): OrderAction {
  const created = sage !== undefined;
  const sageCancelled = sage?.status === 'canceled';
  if (order.fulfilledBy === 'marketplace') return fbaAction(order.status, sage, policy);
  const open = order.status === 'unshipped' || order.status === 'partially-shipped';
  // The buyer asked to cancel: only the seller can accept or refuse, so nothing is created or shipped meanwhile.
  if (open && !sageCancelled && (order.lines ?? []).some((l) => l.buyerRequestedCancel)) {
    return { kind: 'flag', reason: 'the buyer requested a cancellation; accept or refuse it in Seller Central' };
  }
  switch (order.status) {
    case 'pending':
    case 'pending-availability':
      return created
        ? { kind: 'none', reason: 'already created; Amazon reports it pending again' }
        : { kind: 'wait', reason: 'Amazon has not priced the order yet' };
    case 'unshipped':
    case 'partially-shipped':
      if (!created) return { kind: 'create' };
      if (sageCancelled) return { kind: 'flag', reason: 'open at Amazon but cancelled in Sage' };
      return { kind: 'none', reason: 'already created' };
    case 'cancelled':
    case 'unfulfillable':
      if (!created) return { kind: 'skip', reason: `${order.status} at Amazon before a Sage order existed` };
      if (sageCancelled) return { kind: 'none', reason: 'already cancelled in Sage' };
      if (sage.anyShipped) return { kind: 'flag', reason: 'cancelled at Amazon after Sage shipped' };
      return { kind: 'cancel' };
    case 'shipped':
      if (!created)
        return { kind: 'flag', reason: 'shipped at Amazon before a Sage order existed (shipped outside Sage?)' };
      if (sage.allShipped) return { kind: 'none', reason: 'shipped in Sage and at Amazon' };
      return { kind: 'flag', reason: 'shipped at Amazon but not (fully) shipped in Sage' };
  }
}

function fbaAction(status: Order['status'], sage: SageOrderState | undefined, policy: StatusPolicy): OrderAction {
  if (policy.fba.mode === 'skip')
    return sage
      ? { kind: 'none', reason: 'FBA order already booked' }
      : { kind: 'skip', reason: 'FBA order (fba mode skip)' };
  switch (status) {
    case 'pending':
    case 'pending-availability':
    case 'unshipped':
    case 'partially-shipped':
      return sage
        ? { kind: 'none', reason: 'FBA order already booked' }
        : { kind: 'wait', reason: 'FBA order: booked once Amazon has shipped it' };
    case 'shipped':
      // A Sage order not (fully) shipped yet is one whose booking stopped between creation and shipment (a crash,
      // a retry): booking goes on, idempotently. A canceled one is a person's call.
      if (sage?.status === 'canceled')
        return { kind: 'flag', reason: 'FBA order shipped at Amazon but cancelled in Sage' };
      return sage?.allShipped
        ? { kind: 'none', reason: 'FBA order already booked' }
        : { kind: 'record-fba-shipped', warehouseId: policy.fba.warehouseId };
    case 'cancelled':
    case 'unfulfillable':
      return sage
        ? { kind: 'flag', reason: 'FBA order cancelled after it was booked as shipped' }
        : { kind: 'skip', reason: `FBA order ${status}` };
  }
}

/**
 * The lifecycle state an action leads to (core/lifecycle.ts), or undefined when the order stays where it is.
 * `create` and `record-fba-shipped` lead to `mapped` once the draft is built; a mapping failure leads to
 * `dead-lettered` instead (the flow decides, this map only names the intent).
 */
export const SYNC_STATE_AFTER: Readonly<Record<OrderAction['kind'], SyncState | undefined>> = {
  wait: 'waiting-for-pending',
  create: 'mapped',
  'record-fba-shipped': 'mapped',
  skip: 'skipped',
  cancel: 'cancelled',
  flag: 'needs-attention',
  none: undefined,
};
