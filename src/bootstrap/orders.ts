import type { FlowWiring } from './wiring.ts';
import type { Circuit } from '../core/ports/circuit.ts';
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
import type { EnqueueResult, JobQueue } from '../runtime/queue/job-queue.ts';
import type { Tx } from '../runtime/store/store.ts';
import { DEFAULT_MAPPING_RULES, type MappingRules } from '../core/rules/mapping-rules.ts';
import type { FbaPolicy } from '../core/rules/status-policy.ts';
import { storeOrderSightings } from '../connectors/store/order-sightings.ts';
import { storeWatermarks } from '../connectors/store/watermarks.ts';
import { storeWorkSightings } from '../connectors/store/work-sightings.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { AmazonMarketplace } from '../core/ports/amazon-marketplace.ts';
import type { ItemCatalogue } from '../core/ports/item-catalogue.ts';
import type { JobScheduler } from '../core/ports/job-scheduler.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import { tranNoFor } from '../connectors/sage500/tran-no.ts';
import type { Store } from '../runtime/store/store.ts';
import { storeOrderLinks } from '../connectors/store/order-links.ts';
import { storeShipmentConfirmations } from '../connectors/store/shipment-confirmations.ts';
import { storeSkuAliases } from '../connectors/store/sku-aliases.ts';
import { storeOrderFittings } from '../connectors/store/order-fittings.ts';
import { storeHandLinks } from '../connectors/store/hand-links.ts';
import { storeOrderChanges } from '../connectors/store/order-changes.ts';
import { storeReturnUnits } from '../connectors/store/return-units.ts';
import type { OriginalAddresses } from '../core/ports/order-fittings.ts';
import type { PiiVault } from '../runtime/pii/vault.ts';
import { piiVaultFromConfig } from './admin.ts';
import { connectionRulesFromConfig } from './order-policies.ts';
import { effectiveRulesOf, effectiveRulesWithAliasesOf } from '../connectors/store/connection-mappings.ts';

/** What `registerOrders` needs from the composition root; Sage's breaker alone is enough of the circuits. */
export type OrderWiringInput = Pick<
  FlowWiring,
  'config' | 'store' | 'clock' | 'logger' | 'metrics' | 'queue' | 'scheduler' | 'inbox' | 'amazon' | 'sage'
> & {
  readonly circuits?: { readonly sage500: Circuit };
};

export interface OrderWiring {
  readonly deps: OrderFlowDeps;
  readonly pollDeps: OrderPollDeps;
  readonly connectionId: string;
  /** The configured mapping (before the operator's stored edits), for the admin API and `connections check`. */
  readonly rules: MappingRules;
  /** A connection's effective mapping now: `rules` overlaid with its stored edits (see effectiveRulesOf). */
  readonly rulesFor: (connectionId: string) => Promise<MappingRules>;
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
  // A fitted ship-to keeps its Amazon original sealed beside the order, when a PII key is configured.
  const vault = piiVaultFromConfig(input.store, input.clock, config.security);
  // The mapping as sellbridge.yaml sets it (orders.customers, warehouseId, shipMethods, carriers, pricing,
  // chargeLines..., and the order policies: orders.fba, sage500.tranNoPrefix, orders.refunds, orders.fbaReturns);
  // unset settings keep DEFAULT_MAPPING_RULES' values.
  const configured: MappingRules = connectionRulesFromConfig(config);
  const rulesFor = effectiveRulesOf(input.store, input.clock, () => configured);
  const deps = createOrderFlowDeps({
    rulesWithAliasesFor: effectiveRulesWithAliasesOf(input.store, () => configured),
    store: input.store,
    amazon: input.amazon,
    sage: input.sage,
    clock: input.clock,
    queue,
    tranNoPrefix: config.sage500.tranNoPrefix,
    rulesFor,
    fbaWarehouseId: config.orders.fba.warehouseId,
    // A claimed confirmation outlives any one call: three request deadlines.
    sendFenceMs: 3 * config.amazon.requestTimeoutMs,
    ...(input.circuits ? { sageCircuit: input.circuits.sage500 } : {}),
    ...(vault ? { originals: originalsInVault(vault) } : {}),
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
      input.logger.warn(
        { connectionId: connection, orders: ids.length },
        `order polling found ${ids.length} order(s) no notification announced`,
      );
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
  return { deps, pollDeps, connectionId, rules: configured, rulesFor };
}

/**
 * Queues the `order.sync` job of one order: keyed by the order, de-duplicated while pending, at order priority.
 * Inside `tx` it commits with the caller's write (the inbox row). A de-duplicating enqueue on SQLite can lose a race
 * with the job it collided with starting (SB_STORE_UNAVAILABLE, retryable); outside a transaction it is tried again.
 */
/** An order's order.sync job: keyed by the order (one at a time, in order) and joining a pending one. */
export function orderSyncJobOptions(amazonOrderId: string) {
  return { key: orderSyncKey(amazonOrderId), dedupe: true, priority: ORDER_WORK_PRIORITY } as const;
}

export async function enqueueOrderSync(
  queue: Pick<JobQueue, 'enqueue'>,
  connectionId: string,
  amazonOrderId: string,
  tx?: Tx,
): Promise<EnqueueResult> {
  const options = { ...orderSyncJobOptions(amazonOrderId), ...(tx ? { tx } : {}) };
  for (let attempt = 1; ; attempt++) {
    try {
      return await queue.enqueue(ORDER_SYNC_QUEUE, { connectionId, amazonOrderId }, options);
    } catch (err) {
      if (tx || (err as { code?: string }).code !== 'SB_STORE_UNAVAILABLE' || attempt >= 5) throw err;
    }
  }
}

export interface OrderFlowDepsInput {
  readonly store: Store;
  readonly amazon: AmazonMarketplace;
  readonly sage: Sage500Gateway;
  readonly clock: Clock;
  /** The job queue (structurally: anything with enqueue and enqueueMany), for the fan-out of shipment confirmations. */
  readonly queue: JobScheduler & Required<Pick<JobScheduler, 'enqueueMany'>>;
  /** Per-connection mapping rules as they stand now; default DEFAULT_MAPPING_RULES for every connection. */
  /** The Sage warehouse holding the stock at Amazon (orders.fba.warehouseId): its shipments are never confirmed. */
  readonly fbaWarehouseId?: string;
  readonly rulesFor?: (connectionId: string) => Promise<MappingRules>;
  /** `rulesFor` with the stored aliases of an order's SKUs, in one read (SyncOrderDeps); default: two reads. */
  readonly rulesWithAliasesFor?: (connectionId: string, skus: readonly string[]) => Promise<MappingRules>;
  /** Sage's circuit breaker, asked first by every order job. */
  readonly sageCircuit?: Circuit;
  /** Prefix of reserved TranNos (config sage500.tranNoPrefix). Default `AMZ`. */
  readonly tranNoPrefix?: string;
  /** Where unknown SKUs find suggestions; default: the gateway's `listItems`. */
  readonly catalogue?: ItemCatalogue;
  /** How long a claimed shipment confirmation belongs to its worker; default DEFAULT_SEND_FENCE_MS. */
  readonly sendFenceMs?: number;
  /** Where the Amazon original of a fitted ship-to is kept; default: not kept. */
  readonly originals?: OriginalAddresses;
}

/** Builds the deps of the order flows from the store and the two connectors (composition, not business). */
export function createOrderFlowDeps(input: OrderFlowDepsInput): OrderFlowDeps {
  const prefix = input.tranNoPrefix ?? 'AMZ';
  const rulesFor = input.rulesFor ?? (async () => DEFAULT_MAPPING_RULES);
  return {
    amazon: input.amazon,
    sage: input.sage,
    links: storeOrderLinks(input.store, input.clock, (n, p) => tranNoFor(p ?? prefix, n)),
    aliases: storeSkuAliases(input.store, input.clock),
    confirmations: storeShipmentConfirmations(input.store, input.clock),
    watermarks: storeWatermarks(input.store, input.clock),
    catalogue: input.catalogue ?? catalogueOf(input.sage),
    jobs: input.queue,
    rulesFor,
    ...(input.rulesWithAliasesFor ? { rulesWithAliasesFor: input.rulesWithAliasesFor } : {}),
    carriersFor: async (connectionId) => (await rulesFor(connectionId)).carriers,
    ...(input.fbaWarehouseId ? { amazonFulfilledWarehouse: input.fbaWarehouseId } : {}),
    // An order-policies edit may name another FBA warehouse: the shipment poll reads it with the rules.
    fbaWarehouseFor: async (connectionId) => (await rulesFor(connectionId)).fbaWarehouseId,
    fittings: storeOrderFittings(input.store, input.clock),
    handLinks: storeHandLinks(input.store, input.clock),
    sightings: storeWorkSightings(input.store, input.clock),
    changes: storeOrderChanges(input.store, input.clock),
    // Refunds are always kept in the ledger, so turning the FBA returns report on later never re-enters their goods.
    returnUnits: storeReturnUnits(input.store, input.clock),
    ...(input.originals ? { originals: input.originals } : {}),
    ...(input.sageCircuit ? { sageCircuit: input.sageCircuit } : {}),
    ...(input.sendFenceMs !== undefined ? { sendFenceMs: input.sendFenceMs } : {}),
  };
}

/** The original ship-to in the order's sealed buyer data, next to what else is kept there. */
export function originalsInVault(vault: PiiVault): OriginalAddresses {
  return {
    async keep(key, a) {
      const before = await vault.get(key);
      await vault.put(key, {
        ...before,
        shipTo: {
          name: a.name ?? null,
          ...(a.companyName ? { companyName: a.companyName } : {}),
          addressLines: [...a.lines],
          ...(a.district ? { district: a.district } : {}),
          city: a.city ?? null,
          stateOrRegion: a.stateOrRegion ?? null,
          postalCode: a.postalCode ?? null,
          countryCode: a.countryCode ?? null,
          phone: a.phone ?? null,
        },
      });
      return true;
    },
  };
}

/** Active Sage items through the gateway's `listItems` (the catalogue unknown-SKU suggestions compare against). */
function catalogueOf(sage: Sage500Gateway): ItemCatalogue {
  return { listItems: () => sage.listItems() };
}

/** The configured FBA policy as the status map reads it (core/rules/status-policy.ts). */
export function fbaPolicyOf(fba: {
  readonly policy: 'skip' | 'record-shipped';
  readonly warehouseId: string;
}): FbaPolicy {
  return fba.policy === 'record-shipped' ? { mode: 'record-shipped', warehouseId: fba.warehouseId } : { mode: 'skip' };
}
