import type { Order, OrderStatus, OrderSummaryPage } from '../model/order.ts';

/**
 * The marketplace as the flows see it (STYLE.md §8.2), in canonical terms only. The Amazon connector
 * implements it over SP-API (Orders 2026-01-01 for reads, Orders v0 for shipment confirmation); tests use a
 * fake or the simulator.
 *
 * Errors (SellbridgeError `code`, what the caller does):
 * - `SB_AMZ_THROTTLED` (kind throttled, `retryAfterMs` set): run the job again after that wait, no attempt spent.
 * - `SB_AMZ_SERVER_ERROR`, `SB_AMZ_TIMEOUT`, `SB_AMZ_NETWORK` (transient): retry with backoff.
 * - `SB_AMZ_REQUEST_REJECTED` (validation; context.amazonCode says why, e.g. `NotFound`, `InvalidInput`): dead letter.
 * - `SB_AMZ_ACCESS_DENIED`, `SB_AMZ_LWA_REJECTED` (validation): credentials or roles; dead letter and alert.
 * - `SB_AMZ_CREDENTIALS_MISSING` (config): not configured.
 * - `SB_AMZ_ORDER_INVALID` (mapping): the order cannot be represented; the error lists every bad field.
 * - `SB_AMZ_RESPONSE_INVALID` (internal): Amazon's answer broke the model; retried, then dead-lettered.
 * Every error context carries operation, status, Amazon's error code and request id; never buyer data.
 */
export interface AmazonMarketplace {
  /**
   * Reads one order with its lines. Safe to repeat. `includePii` asks for buyer and ship-to data (returned only
   * when the application has the role and the order is being fulfilled).
   */
  getOrder(orderId: string, options?: { readonly includePii?: boolean }): Promise<Order>;

  /**
   * One page of orders changed (or created) in a window; the polling safety net walks pages with
   * `pageToken`. `updatedBefore`/`createdBefore` must be at least two minutes in the past.
   */
  searchOrders(query: OrderSearch): Promise<OrderSummaryPage>;

  /**
   * Confirms one package of an order as shipped (Orders v0 confirmShipment). Idempotent per
   * (order, packageReferenceId) on Amazon's side: confirming the same package again edits its details.
   * A `SB_AMZ_REQUEST_REJECTED` with amazonCode `InvalidInput` usually means a bad carrier code or quantity.
   */
  confirmShipment(shipment: PackageShipment): Promise<void>;
}

export interface OrderSearch {
  readonly updatedAfter?: string;
  readonly updatedBefore?: string;
  readonly createdAfter?: string;
  readonly createdBefore?: string;
  readonly statuses?: readonly OrderStatus[];
  readonly fulfilledBy?: 'merchant' | 'marketplace';
  readonly marketplaceIds?: readonly string[];
  /** 1..100. */
  readonly pageSize?: number;
  readonly pageToken?: string;
  readonly includePii?: boolean;
}

/** One physical package of an order as Sage shipped it. */
export interface PackageShipment {
  readonly orderId: string;
  readonly marketplaceId: string;
  /** Positive number, unique within the order (the store assigns it). */
  readonly packageReferenceId: string;
  /** Amazon's carrier code, or `Other` with `carrierName`. */
  readonly carrierCode: string;
  readonly carrierName?: string;
  readonly shippingMethod?: string;
  readonly trackingNumber: string;
  /** ISO-8601. */
  readonly shipDate: string;
  readonly lines: readonly { readonly lineId: string; readonly quantity: number }[];
}
