import type { OrderDifference } from '../transform/order-changes.ts';
import type { OrderKey } from './order-links.ts';

/** A change Sellbridge made to a Sage order after it was created, because the Amazon order changed. */
export interface AppliedOrderChange {
  readonly kind: 'line-cancelled' | 'ship-to-updated';
  /** Sage line number and Amazon OrderItemId of a cancelled line. */
  readonly lineNo?: number;
  readonly amazonOrderItemId?: string;
  /** The Amazon version (LastUpdateDate) the change came from. */
  readonly amazonUpdatedAt: string;
  readonly at: string;
}

/** What Sellbridge knows of an order's changes after import and of its ship-by date (store table `order_changes`). */
export interface OrderRevision {
  readonly connectionId: string;
  readonly amazonOrderId: string;
  /** The Amazon version last compared with the Sage order; a notification of the same version changes nothing. */
  readonly amazonUpdatedAt?: string;
  /** Amazon's latest ship date (UTC ISO-8601), when it has one. */
  readonly latestShipDate?: string;
  /** Digest of the ship-to as Amazon sent it at that version (addressDigest; not reversible). */
  readonly shipToDigest?: string;
  /** Differences no automatic change applies, as of the last comparison (empty when none). */
  readonly differences: readonly OrderDifference[];
  /** Every change applied to Sage, oldest first. */
  readonly applied: readonly AppliedOrderChange[];
  readonly updatedAt: string;
}

/** An order not shipped yet whose latest ship date is near or past. */
export interface OrderAtRisk {
  readonly connectionId: string;
  readonly amazonOrderId: string;
  readonly state: string;
  readonly tranNo?: string;
  readonly latestShipDate: string;
  /** The ship-by date has passed. */
  readonly late: boolean;
}

export interface OrderChanges {
  get(connectionId: string, amazonOrderId: string): Promise<OrderRevision | undefined>;
  /**
   * Keeps the order's latest ship date without a comparison. order.sync no longer calls it (issue 15: the ship-by
   * before creation rides on the link's writes, `OrderLinkUpdate.latestShipDate`); rows it wrote before are read
   * by `atRisk` and the gauges where neither a comparison nor the link has a date.
   */
  noteShipBy(key: OrderKey, latestShipDate: string): Promise<void>;
  /**
   * Records a comparison of the Amazon version with the Sage order: the version, the differences as they are now
   * (replacing the previous ones) and the changes applied this time (appended).
   */
  recordComparison(
    key: OrderKey,
    comparison: {
      readonly amazonUpdatedAt: string;
      readonly latestShipDate?: string;
      readonly shipToDigest?: string;
      readonly differences: readonly OrderDifference[];
      /** Stamped with the store's clock (`at`) as they are appended. */
      readonly applied: readonly Omit<AppliedOrderChange, 'at'>[];
    },
  ): Promise<OrderRevision>;
  /**
   * Orders not shipped (nor cancelled, skipped or done) whose latest ship date is before `before`, soonest first.
   * `now` says which are already late.
   */
  atRisk(query: {
    readonly before: string;
    readonly now: string;
    readonly connectionId?: string;
    readonly limit?: number;
  }): Promise<readonly OrderAtRisk[]>;
}
