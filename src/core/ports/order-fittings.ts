import type { Address } from '../model/order.ts';
import type { AddressChange } from '../transform/fit-address.ts';
import type { OrderKey } from './order-links.ts';

/** An order whose ship-to was fitted to Sage: what changed (fields and kinds, no buyer text). */
export interface OrderFitting {
  readonly connectionId: string;
  readonly amazonOrderId: string;
  readonly changes: readonly AddressChange[];
  /** The Amazon original is sealed in the PII vault beside the order (only when a PII key is configured). */
  readonly originalKept: boolean;
  readonly fittedAt: string;
}

/** The record of fitted orders, beside the order links (store table `order_fittings`). */
export interface OrderFittings {
  /** Records (or replaces, on a re-run) the fitting of an order. */
  record(key: OrderKey, changes: readonly AddressChange[], originalKept: boolean): Promise<OrderFitting>;
  get(connectionId: string, amazonOrderId: string): Promise<OrderFitting | undefined>;
}

/** Keeps the Amazon original of a fitted ship-to beside the order (buyer PII: sealed, purged with the order's data). */
export interface OriginalAddresses {
  /** True when it was kept. */
  keep(key: OrderKey, original: Address): Promise<boolean>;
}
