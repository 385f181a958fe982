/** Which intake saw an order first (store: `order_sightings` for polling, the ORDER_CHANGE inbox row for push). */
export interface OrderSightings {
  /** Records the orders as seen by polling; returns the ids no intake had seen before (push missed them). */
  notePolled(connectionId: string, amazonOrderIds: readonly string[]): Promise<readonly string[]>;
}
