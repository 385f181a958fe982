import type { ReturnSource } from '../transform/return-reconciliation.ts';

/** One order item of a refund (by adjustment id) or of an FBA return line (by its return key). */
export interface ReturnUnitClaim {
  readonly amazonOrderItemId: string;
  readonly quantity: number;
}

/**
 * The ledger of goods coming back per Amazon order item (store table `customer_return_units`), from refunds and
 * from the FBA customer returns report, so the same goods are entered in Sage once (core/transform/return-reconciliation.ts).
 */
export interface ReturnUnits {
  /**
   * Decides, once, how many units of each item of this refund or return line go to Sage, and keeps the decision
   * with the Sage TranNo it goes under. The same (source, sourceKey) again answers the first decision unchanged, so a
   * job that crashed after deciding enters exactly what it decided. Concurrent decisions for one order item conflict
   * in the store (unique sequence) and the loser's job is retried.
   */
  decide(
    key: {
      readonly connectionId: string;
      readonly amazonOrderId: string;
      readonly source: ReturnSource;
      readonly sourceKey: string;
      readonly tranNo: string;
    },
    claims: readonly ReturnUnitClaim[],
  ): Promise<readonly { readonly amazonOrderItemId: string; readonly enter: number }[]>;
}
