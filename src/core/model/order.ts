import type { Money } from './money.ts';

/**
 * The canonical marketplace order (ARCHITECTURE.md principle 1). Connectors translate to it, flows read only
 * it. Amounts are Money in minor units. Fields marked PII (names, addresses, phone, e-mail, gift message) may
 * be absent: Amazon returns them only with the right role, and only while the order is being fulfilled.
 */

export type OrderStatus =
  'pending-availability' | 'pending' | 'unshipped' | 'partially-shipped' | 'shipped' | 'cancelled' | 'unfulfillable';

/** Who ships: the seller (MFN, Sage ships it) or the marketplace (AFN/FBA, Sage only books it). */
export type FulfilledBy = 'merchant' | 'marketplace';

export interface Address {
  /** PII. */
  readonly name?: string;
  readonly companyName?: string;
  /** PII. */
  readonly lines: readonly string[];
  readonly city?: string;
  readonly district?: string;
  readonly stateOrRegion?: string;
  readonly postalCode?: string;
  /** ISO 3166-1 alpha-2. */
  readonly countryCode?: string;
  /** PII. */
  readonly phone?: string;
  readonly addressType?: 'residential' | 'commercial';
}

export interface BuyerInfo {
  /** PII. */
  readonly name?: string;
  /** PII; Amazon's anonymised relay address. */
  readonly email?: string;
  readonly companyName?: string;
  readonly purchaseOrderNumber?: string;
}

/**
 * What one line earns, split like an invoice. Every amount is the line total (all units), not per unit.
 * Discounts are positive numbers that reduce the charge they name. Absent when the marketplace has not priced
 * the line yet (pending orders).
 */
export interface LineAmounts {
  /** Item price × quantity, before discounts, without tax. */
  readonly item: Money;
  readonly shipping?: Money;
  readonly giftWrap?: Money;
  readonly codFee?: Money;
  readonly other?: Money;
  readonly itemTax?: Money;
  readonly shippingTax?: Money;
  readonly giftWrapTax?: Money;
  /** Promotion discount on the item (positive). */
  readonly itemDiscount?: Money;
  /** Shipping discount (positive). */
  readonly shippingDiscount?: Money;
}

export interface OrderLine {
  /** Marketplace's line id (OrderItemId): the key for shipment confirmation. */
  readonly lineId: string;
  readonly sku?: string;
  readonly asin?: string;
  readonly title?: string;
  readonly quantityOrdered: number;
  readonly quantityShipped: number;
  /** Per unit, as listed; absent while pending. */
  readonly unitPrice?: Money;
  readonly amounts?: LineAmounts;
  readonly promotionIds: readonly string[];
  /** The marketplace collects and remits the tax (marketplace facilitator): Sage must not charge it again. */
  readonly taxCollectedByMarketplace: boolean;
  readonly isGift: boolean;
  /** PII. */
  readonly giftMessage?: string;
  readonly buyerRequestedCancel: boolean;
  readonly condition?: string;
}

export interface OrderPackage {
  readonly packageReferenceId: string;
  readonly carrier?: string;
  readonly trackingNumber?: string;
  readonly shipTime?: string;
  readonly status?: string;
  readonly items: readonly { readonly lineId: string; readonly quantity: number }[];
}

export interface Order {
  /** Marketplace order id (AmazonOrderId, 3-7-7). */
  readonly id: string;
  readonly marketplaceId?: string;
  readonly salesChannel: string;
  readonly status: OrderStatus;
  readonly fulfilledBy: FulfilledBy;
  /** ISO-8601 UTC. */
  readonly createdAt: string;
  readonly lastUpdatedAt: string;
  readonly isBusinessOrder: boolean;
  readonly isPrime: boolean;
  readonly isPreorder: boolean;
  /** Order currency; absent while pending without prices. */
  readonly currency?: string;
  /** What the buyer pays in total; absent while pending. */
  readonly total?: Money;
  readonly lines: readonly OrderLine[];
  readonly shipTo?: Address;
  readonly buyer?: BuyerInfo;
  readonly shipServiceLevel?: string;
  readonly latestShipDate?: string;
  readonly latestDeliveryDate?: string;
  readonly packages: readonly OrderPackage[];
  /** The id of the order this one replaces, when it is a replacement. */
  readonly replacesOrderId?: string;
}

export interface OrderSummaryPage {
  readonly orders: readonly Order[];
  /** Opaque; pass back to get the next page. Absent on the last page. */
  readonly nextPageToken?: string;
  /**
   * The upper bound of the window Amazon searched (its `lastUpdatedBefore`, or `createdBefore`): the request's, or
   * Amazon's own "now" minus its lag. A poller moves its cursor here, never to its own clock.
   */
  readonly searchedBefore?: string;
}
