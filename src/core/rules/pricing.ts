import { DEFAULT_CHARGE_LINES, type ChargeLineRules } from './gl-accounts.ts';

/**
 * How Amazon's price components become Sage order amounts (issue 5, step 2; see price-lines.ts).
 *
 * - `promotions`: `line-discount` keeps the listed unit price and puts the promotion on the line as a trade
 *   discount (Sage TradeDiscAmt); `net-unit-price` spreads it over the units (net unit price, leftover cents
 *   on an explicit rounding line); `discount-line` books all promotions of the order on one negative line.
 * - `marketplaceTax` (tax Amazon collects and remits as marketplace facilitator): `exclude` leaves it out of
 *   the Sage order (the Sage total is Amazon's total minus that tax); `liability-line` books it on a line to
 *   a liability account so the Sage total equals what the buyer paid.
 * - `sellerTax` (tax the seller remits): `tax-line` books it on a line; `exclude` lets Sage compute tax.
 */
export interface PricingRules {
  readonly promotions: 'line-discount' | 'net-unit-price' | 'discount-line';
  readonly marketplaceTax: 'exclude' | 'liability-line';
  readonly sellerTax: 'tax-line' | 'exclude';
  readonly lines: ChargeLineRules;
}

export const DEFAULT_PRICING: PricingRules = {
  promotions: 'line-discount',
  marketplaceTax: 'exclude',
  sellerTax: 'tax-line',
  lines: DEFAULT_CHARGE_LINES,
};
