/** Which intake saw an order first (store table `order_sightings`). */
export interface OrderSightings {
  /** Records the orders as seen by polling; returns the ids no intake had seen before (push missed them). */
  notePolled(connectionId: string, amazonOrderIds: readonly string[]): Promise<readonly string[]>;
}
