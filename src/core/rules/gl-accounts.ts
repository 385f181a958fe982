/**
 * Which charges become their own Sage order lines, with which (misc) item and GL account (issue 5, step 2).
 * Sage books a line to `GLAcctNo` when given (StgSOLine.GLAcctNo varchar(100), sage500-facts §4.2); the item
 * ids name non-stock misc items the customer creates once in Sage. Absent account = Sage's item default.
 */
export interface ChargeLineRule {
  /** Sage ItemID of the misc/non-stock item carried by the line (at most 30 characters). */
  readonly itemId: string;
  readonly description: string;
  /** Formatted GL account number, e.g. `2310-00`. */
  readonly glAccountNo?: string;
}

export interface ChargeLineRules {
  /** Net freight (shipping minus shipping discount) as a line instead of the header FreightAmt. */
  readonly freight?: ChargeLineRule;
  readonly giftWrap: ChargeLineRule;
  /** COD fees and unclassified Amazon charges. */
  readonly otherCharges: ChargeLineRule;
  /** Marketplace-facilitator tax booked to a liability account (tax policy `liability-line`). */
  readonly marketplaceTax: ChargeLineRule;
  /** Tax the seller collects and remits (not marketplace facilitator), policy `tax-line`. */
  readonly sellerTax: ChargeLineRule;
  /** Promotions as one negative line per order (promotion policy `discount-line`). */
  readonly promotions: ChargeLineRule;
  /** Cents left over when a net unit price does not divide the line total (promotion policy `net-unit-price`). */
  readonly rounding: ChargeLineRule;
}

export const DEFAULT_CHARGE_LINES: ChargeLineRules = {
  giftWrap: { itemId: 'AMZ-GIFTWRAP', description: 'Amazon gift wrap' },
  otherCharges: { itemId: 'AMZ-CHARGE', description: 'Amazon other charges' },
  marketplaceTax: { itemId: 'AMZ-MF-TAX', description: 'Marketplace facilitator tax', glAccountNo: '2310-00' },
  sellerTax: { itemId: 'AMZ-TAX', description: 'Sales tax collected on Amazon', glAccountNo: '2300-00' },
  promotions: { itemId: 'AMZ-PROMO', description: 'Amazon promotions', glAccountNo: '4050-00' },
  rounding: { itemId: 'AMZ-ROUNDING', description: 'Rounding of unit prices', glAccountNo: '4050-00' },
};
