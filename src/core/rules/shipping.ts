/**
 * Amazon shipping service level -> Sage ShipMethID (issue 5, step 3). Keys are Amazon's
 * `fulfillmentServiceLevel` values (Orders 2026-01-01: EXPEDITED, FREE_ECONOMY, NEXT_DAY, PRIORITY, SAME_DAY,
 * SECOND_DAY, SCHEDULED, STANDARD); v0 spellings (`Standard`, `SecondDay`, `Std US D2D Dom` ...) are
 * normalised before the lookup (see sales-order-from-order.ts).
 */
export interface ShipMethodRules {
  readonly byServiceLevel: Readonly<Record<string, string>>;
  /** Used when the level is absent or not in the table; undefined = leave it to the Sage customer default. */
  readonly fallback?: string;
}

export const DEFAULT_SHIP_METHODS: ShipMethodRules = {
  byServiceLevel: {
    STANDARD: 'UPS-GND',
    FREE_ECONOMY: 'USPS-PRI',
    SCHEDULED: 'UPS-GND',
    EXPEDITED: 'FEDEX-2D',
    SECOND_DAY: 'FEDEX-2D',
    PRIORITY: 'FEDEX-2D',
    NEXT_DAY: 'FEDEX-2D',
    SAME_DAY: 'FEDEX-2D',
  },
  fallback: 'UPS-GND',
};
