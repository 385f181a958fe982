import type { ImportOrderDeps } from './import-order.ts';
import { importOrder, ORDER_SYNC_QUEUE } from './import-order.ts';
import { ORDER_POLL_QUEUE, pollOrders, type OrderPollDeps } from './poll-orders.ts';
import { confirmShipment, pollShipments, SHIPMENT_CONFIRM_QUEUE, SHIPMENT_POLL_QUEUE, type ShipmentFlowDeps } from './confirm-shipment.ts';

export * from './import-order.ts';
export * from './confirm-shipment.ts';
export * from './poll-orders.ts';
export * from './preview-order.ts';

/** Everything the order-to-fulfillment flows need; `createOrderFlowDeps` (src/app) builds it from the store and connectors. */
export type OrderFlowDeps = ImportOrderDeps & ShipmentFlowDeps;

/**
 * The part of runtime's JobQueue the registration uses (structural, so flows import no runtime code). Handlers
 * receive the payload as `unknown` and parse it themselves.
 */
export interface HandlerRegistry {
  register(queue: string, handler: (payload: unknown) => Promise<unknown>): void;
}

/** Registers `order.sync`, `shipment.poll` and `shipment.confirm`; call before `queue.start()`. */
export function registerOrderFlows(queue: HandlerRegistry, deps: OrderFlowDeps): void {
  queue.register(ORDER_SYNC_QUEUE, (payload) => importOrder(payload, deps));
  queue.register(SHIPMENT_POLL_QUEUE, (payload) => pollShipments(payload, deps));
  queue.register(SHIPMENT_CONFIRM_QUEUE, (payload) => confirmShipment(payload, deps));
}

/** Registers `order.poll`, the polling safety net (its deps come from the store and the connector, see src/app/order-wiring.ts). */
export function registerOrderPolling(queue: HandlerRegistry, deps: OrderPollDeps): void {
  queue.register(ORDER_POLL_QUEUE, (payload) => pollOrders(payload, deps));
}
