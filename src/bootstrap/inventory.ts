import type { ResolvedConfig } from '../config/schema.ts';
import type { AmazonConnector } from '../connectors/amazon/create-amazon-connector.ts';
import { createListingsChannel } from '../connectors/amazon/listings-channel.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { ListingsChannel } from '../core/ports/listings-channel.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import type { InventoryFlowDeps } from '../flows/inventory-sync.ts';
import type { JobQueue } from '../runtime/queue/job-queue.ts';
import type { Scheduler } from '../runtime/scheduler.ts';
import type { Store } from '../runtime/store/store.ts';
import type { CustomFieldMap } from '../core/rules/custom-field-map.ts';
import { storeMappingRules } from '../connectors/store/mapping-rules.ts';
import { createInventoryDeps, inventorySchedules, inventorySettingsFromConfig, registerInventoryFlows } from './inventory-deps.ts';

/** What `registerInventory` needs from the composition root (a subset of bootstrap's FlowWiring). */
export interface InventoryWiringInput {
  readonly config: ResolvedConfig;
  readonly store: Store;
  readonly clock: Clock;
  readonly queue: JobQueue;
  readonly scheduler: Scheduler;
  readonly sage: Sage500Gateway;
  /** The Amazon connector, built on first use (no credentials needed until a job calls Amazon). */
  readonly amazonConnector: () => AmazonConnector;
}

/** The ListingsChannel over a connector built on the first call. */
export function lazyListingsChannel(connector: () => AmazonConnector, sellerId: string): ListingsChannel {
  let channel: ListingsChannel | undefined;
  const get = (): ListingsChannel => (channel ??= createListingsChannel({ client: connector().connection.client, sellerId }));
  return {
    validateFeed: (d) => get().validateFeed(d),
    submitFeed: (m, d) => get().submitFeed(m, d),
    readFeed: (f, s) => get().readFeed(f, s),
    patchListing: (r) => get().patchListing(r),
    readListing: (m, s) => get().readListing(m, s),
    fbaQuantities: (m, s) => get().fbaQuantities(m, s),
  };
}

/**
 * Registers `inventory.sync`, `listing.feed`, `listing.block`, `inventory.watch` and, when `inventory.enabled`, the
 * schedules (quantity sync, price sync, stock watch). Call before `queue.start()`.
 */
export function registerInventory(input: InventoryWiringInput): { deps: InventoryFlowDeps } {
  const settings = inventorySettingsFromConfig(input.config);
  const storedRules = storeMappingRules(input.store, input.clock);
  const storedFields = new Map<string, CustomFieldMap>();
  const deps = createInventoryDeps({
    store: input.store,
    sage: input.sage,
    channel: lazyListingsChannel(input.amazonConnector, settings.sellerId),
    clock: input.clock,
    queue: input.queue,
    // Operator-edited custom-field map (mapping_rules, admin API) replaces the configured one when present; read
    // from the store when each inventory job starts, so an edit needs no restart.
    settingsFor: (connectionId) => {
      const stored = storedFields.get(connectionId);
      return stored?.length ? { ...settings, customFieldMap: stored } : settings;
    },
  });
  registerInventoryFlows(
    {
      register: (name, handler) =>
        input.queue.register(name, async (payload) => {
          const c = (payload as { connectionId?: unknown } | null)?.connectionId;
          const id = typeof c === 'string' ? c : input.config.orders.connectionId;
          storedFields.set(id, await storedRules.customFields(id));
          return handler(payload);
        }),
    },
    deps,
  );
  for (const s of inventorySchedules(input.config.inventory)) input.scheduler.add(s);
  return { deps };
}
