import type { FaultRates, FaultSpec } from './faults.ts';
import type { FulfillmentStatus, OrderOverrides, SimOrder } from './scenario.ts';
import type { SimSeller, SimulatorState } from './state.ts';

/**
 * The test and demo handle on a running simulator: add and change orders, force token expiry, inject faults,
 * switch limits. Everything here acts in process; nothing is reachable over HTTP.
 */
export interface SimulatorControl {
  readonly sellers: readonly SimSeller[];
  /** Adds one generated order (overrides pin status, SKUs, quantities...) and publishes ORDER_CHANGE. */
  addOrder(overrides?: OrderOverrides & { sellerId?: string }): SimOrder;
  addOrders(count: number, overrides?: OrderOverrides & { sellerId?: string }): SimOrder[];
  /** Changes an order's status (and lastUpdatedTime) and publishes ORDER_CHANGE. */
  setOrderStatus(orderId: string, status: FulfillmentStatus): SimOrder;
  cancelOrder(orderId: string): SimOrder;
  /** The simulator's own record of an order (minor units), or undefined. */
  order(orderId: string): SimOrder | undefined;
  orders(sellerId?: string): SimOrder[];
  /** Makes every issued access token (or one seller's) expired, so the next call gets 401 (or 403). */
  expireTokens(sellerId?: string): void;
  injectFault(spec: FaultSpec): void;
  setFaultRates(rates: FaultRates): void;
  clearFaults(): void;
  setLimits(enabled: boolean): void;
  setTimeScale(timeScale: number): void;
  resetRateLimits(): void;
}

export function createControl(sim: SimulatorState): SimulatorControl {
  return {
    sellers: sim.sellers,
    addOrder: (overrides) => sim.addOrder(overrides),
    addOrders: (count, overrides) => Array.from({ length: count }, () => sim.addOrder(overrides)),
    setOrderStatus: (orderId, status) => sim.setOrderStatus(orderId, status),
    cancelOrder: (orderId) => sim.setOrderStatus(orderId, 'CANCELLED'),
    order: (orderId) => sim.orders.get(orderId),
    orders: (sellerId) => [...sim.orders.values()].filter((o) => sellerId === undefined || o.sellerId === sellerId),
    expireTokens: (sellerId) => {
      for (const token of sim.tokens.values()) if (sellerId === undefined || token.sellerId === sellerId) token.expiresAtMs = sim.now() - 1;
    },
    injectFault: (spec) => sim.faults.inject(spec),
    setFaultRates: (rates) => sim.faults.setRates(rates),
    clearFaults: () => sim.faults.clear(),
    setLimits: (enabled) => {
      sim.limiter.enabled = enabled;
    },
    setTimeScale: (timeScale) => {
      if (!(timeScale > 0)) throw new Error('timeScale must be a positive number');
      sim.limiter.timeScale = timeScale;
    },
    resetRateLimits: () => sim.limiter.reset(),
  };
}
