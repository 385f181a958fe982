import { recordRefund, REFUND_RECORD_QUEUE, type RefundFlowDeps } from './record-refund.ts';
import type { HandlerRegistry } from '../core/ports/handler-registry.ts';
import type { SyncOrderDeps } from './sync-order.ts';
import { syncOrder, ORDER_SYNC_QUEUE } from './sync-order.ts';
import {
  FEED_SWEEP_QUEUE,
  INVENTORY_SYNC_QUEUE,
  INVENTORY_WATCH_QUEUE,
  LISTING_BLOCK_QUEUE,
  LISTING_FEED_QUEUE,
  LISTING_ISSUES_QUEUE,
  type InventoryFlowDeps,
} from './inventory.ts';
import { readListingIssues } from './read-listing-issues.ts';
import { sweepFeeds } from './sweep-feeds.ts';
import { releaseListingBlock } from './release-listing-block.ts';
import { discoverSettlements } from './discover-settlements.ts';
import { importSettlementReport } from './post-settlement.ts';
import { SETTLEMENT_DISCOVER_QUEUE, SETTLEMENT_IMPORT_QUEUE, type SettlementFlowDeps } from './settlement.ts';
import { syncListings } from './sync-listings.ts';
import { trackListingFeed } from './track-listing-feed.ts';
import { watchStock } from './watch-stock.ts';
import { ORDER_POLL_QUEUE, pollOrders, type OrderPollDeps } from './poll-orders.ts';
import {
  confirmShipment,
  pollShipments,
  SHIPMENT_CONFIRM_QUEUE,
  SHIPMENT_POLL_QUEUE,
  type ShipmentFlowDeps,
} from './confirm-shipment.ts';

export * from './sync-order.ts';
export * from './confirm-shipment.ts';
export * from './poll-orders.ts';
export * from './preview-order.ts';
export * from './record-refund.ts';

/** Everything the order-to-fulfillment flows need; `createOrderFlowDeps` (bootstrap/orders.ts) builds it from the store and connectors. */
export type OrderFlowDeps = SyncOrderDeps & ShipmentFlowDeps & RefundFlowDeps;

/** Registers `order.sync`, `shipment.poll`, `shipment.confirm` and `refund.record`; call before `queue.start()`. */
export function registerOrderFlows(queue: HandlerRegistry, deps: OrderFlowDeps): void {
  queue.register(ORDER_SYNC_QUEUE, (payload) => syncOrder(payload, deps));
  queue.register(SHIPMENT_POLL_QUEUE, (payload) => pollShipments(payload, deps));
  queue.register(SHIPMENT_CONFIRM_QUEUE, (payload) => confirmShipment(payload, deps));
  queue.register(REFUND_RECORD_QUEUE, (payload) => recordRefund(payload, deps));
}

/** Registers `order.poll`, the polling safety net (its deps come from the store and the connector, see bootstrap/orders.ts). */
export function registerOrderPolling(queue: HandlerRegistry, deps: OrderPollDeps): void {
  queue.register(ORDER_POLL_QUEUE, (payload) => pollOrders(payload, deps));
}

/**
 * Registers `inventory.sync`, `listing.feed`, `listing.feed.sweep`, `listing.block`, `listing.issues` and
 * `inventory.watch`; call before `queue.start()`.
 */
export function registerInventoryFlows(queue: HandlerRegistry, deps: InventoryFlowDeps): void {
  queue.register(INVENTORY_SYNC_QUEUE, (payload) => syncListings(payload, deps));
  queue.register(LISTING_FEED_QUEUE, (payload) => trackListingFeed(payload, deps));
  queue.register(LISTING_BLOCK_QUEUE, (payload) => releaseListingBlock(payload, deps));
  queue.register(INVENTORY_WATCH_QUEUE, (payload) => watchStock(payload, deps));
  queue.register(FEED_SWEEP_QUEUE, (payload) => sweepFeeds(payload, deps));
  queue.register(LISTING_ISSUES_QUEUE, (payload) => readListingIssues(payload, deps));
}

/** Registers `settlement.discover` and `settlement.import`; call before `queue.start()`. */
export function registerSettlementHandlers(queue: HandlerRegistry, deps: SettlementFlowDeps): void {
  queue.register(SETTLEMENT_DISCOVER_QUEUE, (payload) => discoverSettlements(payload, deps));
  queue.register(SETTLEMENT_IMPORT_QUEUE, (payload) => importSettlementReport(payload, deps));
}
