import type { ResolvedConfig } from '../config/schema.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { AmazonMarketplace } from '../core/ports/amazon-marketplace.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import {
  ORDER_POLL_QUEUE,
  ORDER_SYNC_QUEUE,
  ORDER_WORK_PRIORITY,
  orderPollKey,
  orderSyncKey,
  registerOrderFlows,
  registerOrderPolling,
  SHIPMENT_POLL_QUEUE,
  shipmentPollKey,
  type OrderFlowDeps,
  type OrderPollDeps,
} from '../flows/index.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Inbox } from '../runtime/inbox/inbox.ts';
import type { EnqueueResult, JobQueue } from '../runtime/queue/job-queue.ts';
import type { CircuitBreaker } from '../runtime/circuit/circuit-breaker.ts';
import type { Scheduler } from '../runtime/scheduler.ts';
import type { Store, Tx } from '../runtime/store/store.ts';
import { DEFAULT_MAPPING_RULES, type MappingRules } from '../core/rules/mapping-rules.ts';
import { mergeCarriers, storeMappingRules } from '../connectors/store/mapping-rules.ts';
import { createOrderFlowDeps } from './order-flow-deps.ts';
import { storeOrderSightings } from '../connectors/store/order-sightings.ts';
import { storeWatermarks } from '../connectors/store/watermarks.ts';

/** What `registerOrders` needs from the composition root. */
export interface OrderWiringInput {
  readonly config: ResolvedConfig;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly queue: JobQueue;
  readonly scheduler: Scheduler;
  readonly inbox: Inbox;
  /** The Amazon marketplace port (built lazily by bootstrap: no credentials needed until a job calls it). */
  readonly amazon: AmazonMarketplace;
  /** The Sage 500 gateway, behind its circuit breaker. */
  readonly sage: Sage500Gateway;
  /** Sage's breaker: while open, order.sync waits before it reads the order from Amazon (no rate tokens spent). */
  readonly circuits?: { readonly sage500: Pick<CircuitBreaker, 'ensureAvailable'> };
}

export interface OrderWiring {
  readonly deps: OrderFlowDeps;
  readonly pollDeps: OrderPollDeps;
  readonly connectionId: string;
}

/**
 * Registers the order-to-fulfillment handlers (`order.sync`, `order.poll`, `shipment.poll`, `shipment.confirm`) on
 * the queue and their recurring schedules on the scheduler: shipment polling per connection, and the order polling
 * safety net when `orders.poll.enabled` and Amazon credentials are configured (a worker without them would only
 * dead-letter polls). Call before `queue.start()`.
 */
export function registerOrders(input: OrderWiringInput): OrderWiring {
  const { config, queue, scheduler } = input;
  const connectionId = config.orders.connectionId;
  // Operator-edited carriers (mapping_rules, admin API) are read from the store each time a flow asks for the rules
  // (one indexed select), so an edit takes effect on the next job without a restart.
  const storedRules = storeMappingRules(input.store, input.clock);
  const rulesFor = async (id: string): Promise<MappingRules> => {
    const stored = await storedRules.carriers(id);
    return Object.keys(stored).length ? { ...DEFAULT_MAPPING_RULES, carriers: mergeCarriers(DEFAULT_MAPPING_RULES.carriers, stored) } : DEFAULT_MAPPING_RULES;
  };
  const deps = createOrderFlowDeps({
    store: input.store,
    amazon: input.amazon,
    sage: input.sage,
    clock: input.clock,
    queue,
    tranNoPrefix: config.sage500.tranNoPrefix,
    rulesFor,
    // A claimed confirmation outlives any one call: three request deadlines.
    sendFenceMs: 3 * config.amazon.requestTimeoutMs,
    ...(input.circuits ? { sageCircuit: input.circuits.sage500 } : {}),
  });
  registerOrderFlows(queue, deps);
  const pollDeps: OrderPollDeps = {
    amazon: input.amazon,
    watermarks: storeWatermarks(input.store, input.clock),
    jobs: queue,
    sightings: storeOrderSightings(input.store, input.clock),
    clock: input.clock,
    pollSettingsFor: () => config.orders.poll,
    onFirstSeenByPolling: (connection, ids) => {
      input.metrics.ordersFirstSeenByPolling.inc({ connection }, ids.length);
      input.logger.warn({ connectionId: connection, orders: ids.length }, `order polling found ${ids.length} order(s) no notification announced`);
    },
  };
  registerOrderPolling(queue, pollDeps);
  scheduler.add({
    name: `shipment.poll (${connectionId})`,
    queue: SHIPMENT_POLL_QUEUE,
    key: shipmentPollKey(connectionId),
    payload: { connectionId },
    everyMs: config.orders.shipmentPollEveryMs,
    priority: ORDER_WORK_PRIORITY,
  });
  if (config.orders.poll.enabled && config.amazon.refreshToken) {
    scheduler.add({
      name: `order.poll (${connectionId})`,
      queue: ORDER_POLL_QUEUE,
      key: orderPollKey(connectionId),
      payload: { connectionId },
      everyMs: config.orders.poll.everyMs,
      priority: ORDER_WORK_PRIORITY,
    });
  } else if (config.orders.poll.enabled) {
    input.logger.info({ connectionId }, 'order polling safety net off: amazon.refreshToken is not set');
  }
  return { deps, pollDeps, connectionId };
}

/**
 * Queues the `order.sync` job of one order: keyed by the order, de-duplicated while pending, at order priority.
 * Inside `tx` it commits with the caller's write (the inbox row). A de-duplicating enqueue on SQLite can lose a race
 * with the job it collided with starting (SB_STORE_UNAVAILABLE, retryable); outside a transaction it is tried again.
 */
export async function enqueueOrderSync(queue: Pick<JobQueue, 'enqueue'>, connectionId: string, amazonOrderId: string, tx?: Tx): Promise<EnqueueResult> {
  const options = { key: orderSyncKey(amazonOrderId), dedupe: true, priority: ORDER_WORK_PRIORITY, ...(tx ? { tx } : {}) };
  for (let attempt = 1; ; attempt++) {
    try {
      return await queue.enqueue(ORDER_SYNC_QUEUE, { connectionId, amazonOrderId }, options);
    } catch (err) {
      if (tx || (err as { code?: string }).code !== 'SB_STORE_UNAVAILABLE' || attempt >= 5) throw err;
    }
  }
}
