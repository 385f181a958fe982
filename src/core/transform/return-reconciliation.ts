/**
 * Goods coming back to an order line reach Sellbridge twice for an FBA order: as Amazon's refund (settlement Refund
 * rows) and as a line of the FBA customer returns report. They are the same goods: per order item, the units Sage
 * gets as customer returns are the larger of the units refunded and the units returned, never their sum. A refund
 * without goods back (a return never received) still enters its units, as `orders.refunds` always did; a return
 * Amazon did not refund still enters its units (the goods are back at Amazon).
 */
export type ReturnSource = 'refund' | 'fba-return';

/** What was already decided for one order item: each earlier refund or return line and the units it entered. */
export interface ReturnUnitRow {
  readonly source: ReturnSource;
  readonly quantity: number;
  readonly entered: number;
}

/**
 * Units of a new refund or return line of `quantity` units to enter in Sage for an order item, given what earlier
 * ones decided: `max(refunded, returned)` after it, less what Sage already got. Pure.
 */
export function unitsToEnter(prior: readonly ReturnUnitRow[], source: ReturnSource, quantity: number): number {
  let refunded = 0;
  let returned = 0;
  let entered = 0;
  for (const r of prior) {
    if (r.source === 'refund') refunded += r.quantity;
    else returned += r.quantity;
    entered += r.entered;
  }
  if (source === 'refund') refunded += quantity;
  else returned += quantity;
  return Math.max(0, Math.max(refunded, returned) - entered);
}
