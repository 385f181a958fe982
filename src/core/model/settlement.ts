import { money, type Money } from './money.ts';

/**
 * An Amazon settlement (one payout period) as Sellbridge sees it, whatever file layout it came from
 * (Flat File V2 `GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2`, sp-api-facts.md §9.4). Amounts are integer
 * minor units with Amazon's sign convention: money for the seller positive, fees, refunds and reserves held
 * negative. Dates are UTC ISO-8601 instants.
 */
export interface SettlementTransaction {
  /** Line number in the source file (the header is line 1); ties every diagnosis to the file. */
  readonly row: number;
  /** e.g. `Order`, `Refund`, `other-transaction`, `ServiceFee`. */
  readonly transactionType: string;
  /** e.g. `ItemPrice`, `ItemFees`, `Promotion`, `ItemWithheldTax`. */
  readonly amountType: string;
  /** e.g. `Principal`, `Commission`, `Current Reserve Amount`. */
  readonly amountDescription: string;
  readonly amount: Money;
  readonly orderId?: string;
  readonly merchantOrderId?: string;
  readonly adjustmentId?: string;
  readonly shipmentId?: string;
  readonly marketplaceName?: string;
  /** `AFN` (fulfilled by Amazon) or `MFN`. */
  readonly fulfillmentId?: string;
  /** UTC ISO-8601 instant, from `posted-date-time` (or `posted-date` when that is all there is). */
  readonly postedAt?: string;
  readonly orderItemCode?: string;
  readonly merchantOrderItemId?: string;
  readonly merchantAdjustmentItemId?: string;
  readonly sku?: string;
  readonly quantity?: number;
  readonly promotionId?: string;
  /** Values of columns Amazon does not document, by header name (kept and reported, never interpreted). */
  readonly extra?: Readonly<Record<string, string>>;
}

export interface Settlement {
  readonly settlementId: string;
  /** UTC ISO-8601 instants. */
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly depositDate: string;
  /** ISO 4217 currency of the settlement (from the summary row). */
  readonly currency: string;
  /** `total-amount` of the summary row: what Amazon pays out (negative: what it charges). */
  readonly total: Money;
  readonly transactions: readonly SettlementTransaction[];
  /** Header names outside Amazon's documented columns (and `promotion-id`), in file order. */
  readonly extraColumns: readonly string[];
  /** The layout the file was read in: `v2` (amount-type/amount-description/amount) or `legacy` (the retired V1 flat file). */
  readonly layout: 'v2' | 'legacy';
}

/** The sum of every transaction amount in one currency (minor units). */
export function settlementRowsTotal(settlement: Settlement, currency: string = settlement.currency): Money {
  let minor = 0;
  for (const t of settlement.transactions) if (t.amount.currency === currency) minor += t.amount.minor;
  return money(currency, minor);
}

/** Rows minus `total-amount` in the settlement currency: 0 when the file reconciles to the cent. */
export function settlementDifference(settlement: Settlement): Money {
  return money(settlement.currency, settlementRowsTotal(settlement).minor - settlement.total.minor);
}

/**
 * A copy of `text` that holds nothing else. The settlement parser's cells are slices of the chunk they were read
 * from, and V8 keeps a slice (of 13 characters or more) pointing into its parent string, so one order id held past
 * its row keeps a whole 64 KB chunk alive. Whatever an import keeps beyond the row it reads (per-order sums, refund
 * rows) is copied with this.
 */
export function ownCopy(text: string): string {
  // Concatenating and slicing again makes V8 flatten the pair into a fresh string of its own.
  return (' ' + text).slice(1);
}
