import type { JobScheduler } from '../core/ports/job-scheduler.ts';
import type { FlowWiring } from './wiring.ts';
import type { AmazonConnector } from '../connectors/amazon/create-amazon-connector.ts';
import { createListingsChannel } from '../connectors/amazon/listings-channel.ts';
import type { ListingsChannel } from '../core/ports/listings-channel.ts';
import type { CustomFieldMap } from '../core/rules/custom-field-map.ts';
import { storeMappingRules } from '../connectors/store/mapping-rules.ts';
import { storeConnectionSyncEdits } from '../connectors/store/connection-sync-edits.ts';
import { overlayInventoryEdit, overlayPriceSheets, type SyncEdits } from '../core/rules/sync-edits.ts';
import type { ResolvedConfig } from '../config/schema.ts';
import { DEFAULT_LISTING_SYNC_RULES, type ListingOverride, type ListingSyncRules } from '../core/model/listing.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import type { ItemFields } from '../core/model/listing.ts';
import type { SageItemField } from '../core/rules/custom-field-map.ts';
import { registerInventoryFlows } from '../flows/index.ts';
import {
  FEED_SWEEP_QUEUE,
  feedSweepKey,
  INVENTORY_SYNC_QUEUE,
  INVENTORY_WATCH_QUEUE,
  inventorySyncKey,
  inventoryWatchKey,
  type InventoryFlowDeps,
  type InventorySettings,
} from '../flows/inventory.ts';
import type { Store } from '../runtime/store/store.ts';
import { storeListingState } from '../connectors/store/listing-state.ts';
import { storeWatermarks } from '../connectors/store/watermarks.ts';
import { storeListingProblems } from '../connectors/store/listing-problems.ts';
import { storeWorkSightings } from '../connectors/store/work-sightings.ts';
import { listFbaStock } from '../connectors/store/fba-stock.ts';
import type { ListingProblems } from '../core/ports/listing-problems.ts';
import type { WorkSightings } from '../core/ports/work-sightings.ts';

/** What `registerInventory` needs from the composition root. */
export type InventoryWiringInput = Pick<
  FlowWiring,
  'config' | 'store' | 'clock' | 'queue' | 'scheduler' | 'sage' | 'amazonConnector'
>;

/** The ListingsChannel over a connector built on the first call. */
export function lazyListingsChannel(connector: () => AmazonConnector, sellerId: string): ListingsChannel {
  let channel: ListingsChannel | undefined;
  const get = (): ListingsChannel =>
    (channel ??= createListingsChannel({ client: connector().connection.client, sellerId }));
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
export function registerInventory(input: InventoryWiringInput): { deps: InventoryFlowDeps; connectionId: string } {
  const settings = inventorySettingsFromConfig(input.config);
  const storedRules = storeMappingRules(input.store, input.clock);
  // The edits are kept under the engine's connection (orders.connectionId), whatever inventory.connectionId says.
  const editsId = input.config.orders.connectionId;
  const deps = createInventoryDeps({
    store: input.store,
    sage: input.sage,
    channel: lazyListingsChannel(input.amazonConnector, settings.sellerId),
    clock: input.clock,
    queue: input.queue,
    settingsFor: () => settings,
    // Operator-edited inventory rules and price sheets (admin API, issue 21) over the configured ones, read from the
    // store (one indexed select) each time a sync, watch or reconciliation is planned: an edit needs no restart.
    currentSettings: storedInventorySettings(input.store, input.clock, settings, editsId),
    // Operator-edited custom-field map (mapping_rules, admin API) replaces the configured one when present; the
    // flow reads it from the store when it plans a sync, so an edit needs no restart.
    storedCustomFields: () => storedRules.customFields(editsId),
    problems: storeListingProblems(input.store, input.clock),
    sightings: storeWorkSightings(input.store, input.clock),
  });
  registerInventoryFlows(input.queue, deps);
  for (const s of inventorySchedules(input.config.inventory)) input.scheduler.add(s);
  return { deps, connectionId: input.config.inventory.connectionId };
}

export type InventoryConfig = ResolvedConfig['inventory'];

/**
 * The configured settings with the connection's stored inventory rules and price sheets laid over them, read from the
 * store on every call (one indexed select): the flows' `currentSettings`.
 */
export function storedInventorySettings(
  store: Store,
  clock: Clock,
  settings: InventorySettings,
  connectionId: string,
): () => Promise<InventorySettings> {
  const edits = storeConnectionSyncEdits(store, clock);
  return async () => withSyncEdits(settings, await edits.edits(connectionId));
}

/** The settings with a connection's stored sync edits laid over them (inventory rules, price sheets). */
export function withSyncEdits(settings: InventorySettings, edits: SyncEdits): InventorySettings {
  const inventory = edits.inventory?.[0];
  const sheets = edits['price-sheets'];
  if (!inventory && !sheets?.length) return settings;
  return {
    ...settings,
    rules: overlayInventoryEdit(settings.rules, inventory),
    priceFor: overlayPriceSheets(settings.priceFor, sheets),
  };
}

/** The config section `inventory` (+ the seller and marketplaces of `amazon`) in core terms. */
export function inventorySettingsFromConfig(config: Pick<ResolvedConfig, 'inventory' | 'amazon'>): InventorySettings {
  const inv = config.inventory;
  const overrides: Record<string, ListingOverride> = {};
  for (const [sku, o] of Object.entries(inv.overrides)) overrides[sku] = { ...o };
  const rules: ListingSyncRules = {
    ...DEFAULT_LISTING_SYNC_RULES,
    warehouseIds: [...inv.warehouseIds],
    safetyStock: inv.safetyStock,
    safetyStockPercent: inv.safetyStockPercent,
    exposePercent: inv.exposePercent,
    ...(inv.maxQuantity === undefined ? {} : { maxQuantity: inv.maxQuantity }),
    zeroBelow: inv.zeroBelow,
    sharedItem: inv.sharedItem,
    skipFbaQuantity: true,
    onHoldItemIds: [...inv.onHoldItemIds],
    overrides,
    price: {
      priceSheet: 'list',
      warehouseId: 'MAIN',
      markupBasisPoints: inv.markupBasisPoints,
      rounding: inv.rounding,
      ...(inv.minPriceMinor === undefined ? {} : { minMinor: inv.minPriceMinor }),
      ...(inv.maxPriceMinor === undefined ? {} : { maxMinor: inv.maxPriceMinor }),
      maxChangePercent: inv.maxPriceChangePercent,
    },
  };
  return {
    sellerId: config.amazon.sellerId ?? 'UNKNOWN-SELLER',
    marketplaceIds: [...config.amazon.marketplaceIds],
    rules,
    priceFor: (marketplaceId) => {
      const p = inv.prices[marketplaceId];
      return {
        priceSheet: p?.priceSheet ?? 'list',
        currency: p?.currency ?? 'USD',
        warehouseId: p?.warehouseId ?? 'MAIN',
      };
    },
    customFieldMap: inv.customFieldMap.map((row) => ({ ...row, source: row.source as SageItemField })),
    languageTag: inv.languageTag,
    fbaSkus: new Set(inv.fbaSkus),
    fastLaneMax: inv.fastLaneMax,
    readBackSample: inv.readBackSample,
    feedsPer5Min: inv.feedsPer5Min,
    feedPollMs: inv.feedPollMs,
    feedTracking: inv.feedTracking,
  };
}

export interface InventoryDepsInput {
  readonly store: Store;
  readonly sage: Pick<Sage500Gateway, 'getStock' | 'getPrices'> &
    Partial<Pick<Sage500Gateway, 'resolveItems' | 'readItemFields'>>;
  readonly channel: ListingsChannel;
  readonly clock: Clock;
  readonly queue: JobScheduler;
  readonly settingsFor: (connectionId: string) => InventorySettings;
  /** The settings with the connection's stored edits, read when a run is planned (see InventoryFlowDeps). */
  readonly currentSettings?: (connectionId: string) => Promise<InventorySettings>;
  /** The stored custom-field map of a connection (the queue's deps; the CLI reads the configured map only). */
  readonly storedCustomFields?: (connectionId: string) => Promise<CustomFieldMap>;
  readonly onProgress?: (step: string, done: number, total: number) => void;
  readonly problems?: ListingProblems;
  readonly sightings?: WorkSightings;
}

/** Builds the deps of the inventory and price flows from the store and the two connectors. */
export function createInventoryDeps(input: InventoryDepsInput): InventoryFlowDeps {
  return {
    sage: input.sage,
    ...(input.sage.readItemFields || input.sage.resolveItems
      ? { items: (ids: readonly string[]) => itemFieldsVia(input.sage, ids) }
      : {}),
    channel: input.channel,
    state: storeListingState(input.store, input.clock),
    watermarks: storeWatermarks(input.store, input.clock),
    jobs: input.queue,
    clock: input.clock,
    settingsFor: input.settingsFor,
    ...(input.currentSettings ? { currentSettings: input.currentSettings } : {}),
    ...(input.storedCustomFields ? { storedCustomFields: input.storedCustomFields } : {}),
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    ...(input.problems ? { problems: input.problems } : {}),
    ...(input.sightings ? { sightings: input.sightings } : {}),
    // What the FBA availability notifications stored (notification-handlers.ts): reconciliation reads it.
    notifiedFbaStock: (connectionId, marketplaceId) => listFbaStock(input.store, connectionId, marketplaceId),
  };
}

/** The recurring work of `inventory` (for the runtime scheduler): full quantity sync, price sync, stock watch. */
export function inventorySchedules(
  inv: InventoryConfig,
): { name: string; queue: string; key: string; payload: unknown; everyMs: number; priority?: number }[] {
  if (!inv.enabled) return [];
  const c = inv.connectionId;
  return [
    {
      name: 'inventory.sync',
      queue: INVENTORY_SYNC_QUEUE,
      key: inventorySyncKey(c, 'quantity'),
      payload: { connectionId: c, scope: 'quantity' },
      everyMs: inv.syncEveryMs,
    },
    {
      name: 'prices.sync',
      queue: INVENTORY_SYNC_QUEUE,
      key: inventorySyncKey(c, 'price'),
      payload: { connectionId: c, scope: 'price' },
      everyMs: inv.priceSyncEveryMs,
    },
    {
      name: 'inventory.watch',
      queue: INVENTORY_WATCH_QUEUE,
      key: inventoryWatchKey(c),
      payload: { connectionId: c },
      everyMs: inv.stockWatchEveryMs,
    },
    ...(inv.feedTracking === 'notification'
      ? [
          {
            name: 'listing.feed.sweep',
            queue: FEED_SWEEP_QUEUE,
            key: feedSweepKey(c),
            payload: { connectionId: c },
            everyMs: inv.feedSafetyNetMs,
          },
        ]
      : []),
  ];
}

/**
 * Item fields through the gateway's readItemFields: short and long description, UPC, weight and UserFld1..4 (those
 * where the Sage database has them). A gateway without it (an older agent) falls back to resolveItems: short
 * description, UPC and weight only, so map rows on the other fields find no value.
 */
async function itemFieldsVia(sage: InventoryDepsInput['sage'], itemIds: readonly string[]): Promise<ItemFields[]> {
  if (sage.readItemFields) return [...(await sage.readItemFields(itemIds))];
  const { items } = await sage.resolveItems!(itemIds);
  return items
    .filter((i) => i.matchedBy === 'item-id')
    .map((i) => ({
      itemId: i.itemId,
      shortDesc: i.description,
      ...(i.upc ? { upc: i.upc } : {}),
      ...(i.weight !== undefined ? { weight: i.weight } : {}),
    }));
}
