import type { ItemPrice, PriceSheet, StockLevel } from '../core/model/inventory.ts';
import type { ItemFields, ListingLink, ListingSyncRules, SentListingState } from '../core/model/listing.ts';
import type { CustomFieldMap } from '../core/rules/custom-field-map.ts';
import { attributeResultFromCustomFields } from '../core/transform/custom-field-attributes.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { JobScheduler } from '../core/ports/job-scheduler.ts';
import type { ListingsChannel } from '../core/ports/listings-channel.ts';
import type { ListingStateStore } from '../core/ports/listing-state.ts';
import type { ListingProblems } from '../core/ports/listing-problems.ts';
import type { WorkSightings } from '../core/ports/work-sightings.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import type { Watermarks } from '../core/ports/watermarks.ts';
import { chunks } from '../core/transform/chunks.ts';
import {
  applyBlocks,
  listingDeltaFromSage,
  type BlockedChange,
  type FieldChange,
  type HeldChange,
  type ListingChange,
  type ListingDelta,
} from '../core/transform/listing-delta.ts';

/**
 * The inventory and price flows' shared parts: queue names and keys, settings, deps, and the plan of a listing
 * sync that `inventory.sync` runs and the CLI previews. One file per job beside it; the queues are listed in
 * flows/README.md.
 */
export const INVENTORY_SYNC_QUEUE = 'inventory.sync';
export const LISTING_FEED_QUEUE = 'listing.feed';
export const LISTING_BLOCK_QUEUE = 'listing.block';
export const INVENTORY_WATCH_QUEUE = 'inventory.watch';
export const LISTING_ISSUES_QUEUE = 'listing.issues';
export const FEED_SWEEP_QUEUE = 'listing.feed.sweep';
export const STOCK_WATERMARK = 'sage.stock.digest';
/** The last SQL Server change-tracking version the stock watch read changes up to. */
export const STOCK_CT_WATERMARK = 'sage.stock.ct-version';
/** How many times the stock watch read every item because change tracking had no usable version. */
export const STOCK_CT_FULL_READS = 'sage.stock.ct-full-reads';
/** Drops to zero and feed tracking go before bulk work; orders (10) still go first. */
export const FAST_LANE_PRIORITY = 8;
export const FEED_PRIORITY = 5;

export type SyncScope = 'quantity' | 'price' | 'all';
export const inventorySyncKey = (connectionId: string, scope: SyncScope): string =>
  `${INVENTORY_SYNC_QUEUE}:${connectionId}:${scope}`;
export const listingFeedKey = (feedRowId: string): string => `${LISTING_FEED_QUEUE}:${feedRowId}`;
export const listingBlockKey = (blockId: string): string => `${LISTING_BLOCK_QUEUE}:${blockId}`;
export const inventoryWatchKey = (connectionId: string): string => `${INVENTORY_WATCH_QUEUE}:${connectionId}`;
export const listingIssuesKey = (connectionId: string, marketplaceId: string, sku: string): string =>
  `${LISTING_ISSUES_QUEUE}:${connectionId}:${marketplaceId}:${sku}`;
export const feedSweepKey = (connectionId: string): string => `${FEED_SWEEP_QUEUE}:${connectionId}`;

/** The inventory settings of one connection, in core terms (config section `inventory`). */
export interface InventorySettings {
  readonly sellerId: string;
  readonly marketplaceIds: readonly string[];
  readonly rules: ListingSyncRules;
  /** Price source per marketplace. */
  readonly priceFor: (marketplaceId: string) => {
    readonly priceSheet: PriceSheet;
    readonly currency: string;
    readonly warehouseId: string;
  };
  /** Sage item fields -> Amazon attributes; empty = attributes are not managed. */
  readonly customFieldMap: CustomFieldMap;
  readonly languageTag: string;
  /** SKUs fulfilled by Amazon whatever their link says: their quantity is never pushed from Sage. */
  readonly fbaSkus?: ReadonlySet<string>;
  readonly fastLaneMax: number;
  readonly readBackSample: number;
  readonly feedsPer5Min: number;
  readonly feedPollMs: number;
  /**
   * How a submitted feed learns it finished: `poll` (getFeed every `feedPollMs`) or `notification`
   * (FEED_PROCESSING_FINISHED queues the feed's job; the `listing.feed.sweep` safety net polls what is left).
   */
  readonly feedTracking?: 'poll' | 'notification';
  readonly issueLocale?: string;
}

export interface InventoryFlowDeps {
  readonly sage: Pick<Sage500Gateway, 'getStock' | 'getPrices'> & Partial<Pick<Sage500Gateway, 'stockChangesSince'>>;
  /** Sage item fields of the custom-field map (descriptions, UPC, weight, UserFld); needed only when the map is set. */
  readonly items?: (itemIds: readonly string[]) => Promise<readonly ItemFields[]>;
  readonly channel: ListingsChannel;
  readonly state: ListingStateStore;
  readonly watermarks: Watermarks;
  readonly jobs: JobScheduler;
  readonly clock: Clock;
  readonly settingsFor: (connectionId: string) => InventorySettings;
  /**
   * The settings with what an operator stored for the connection laid over them (inventory rules and price sheets,
   * issue 21: `/api/v1/connections/:id/mappings/inventory|price-sheets`), read from the store each time a sync,
   * a stock watch or a reconciliation is planned, so an edit applies on the next run without a restart. Absent:
   * `settingsFor` alone (the CLI's configured settings, tests).
   */
  readonly currentSettings?: (connectionId: string) => Promise<InventorySettings>;
  /**
   * The custom-field map an operator stored for the connection (mapping_rules, admin API), read when a sync is
   * planned so an edit needs no restart; when not empty it replaces `settings.customFieldMap` as a whole.
   */
  readonly storedCustomFields?: (connectionId: string) => Promise<CustomFieldMap>;
  /** Where listing issues read back after a listing notification are kept (the listing.issues job). */
  readonly problems?: ListingProblems;
  /** Which path found a finished feed first (event or poll), for the push-miss figure. */
  readonly sightings?: WorkSightings;
  /**
   * FBA availability as FBA_INVENTORY_AVAILABILITY_CHANGES last reported it (fulfillable units per SKU of a
   * marketplace); reconciliation uses it instead of reading FBA inventory from Amazon when there is any.
   */
  readonly notifiedFbaStock?: (
    connectionId: string,
    marketplaceId: string,
  ) => Promise<readonly { readonly sku: string; readonly fulfillable: number }[]>;
  /** Progress of long reads (CLI progress bars); optional. */
  readonly onProgress?: (step: string, done: number, total: number) => void;
}

/** The settings a run plans with: the stored edits over the configuration when the deps read them. */
export async function settingsNow(deps: InventoryFlowDeps, connectionId: string): Promise<InventorySettings> {
  return deps.currentSettings ? await deps.currentSettings(connectionId) : deps.settingsFor(connectionId);
}

export const SAGE_CHUNK = 2_000;
export const FIVE_MINUTES = 5 * 60_000;

export function parseScope(value: unknown): SyncScope {
  return value === 'price' || value === 'all' ? value : 'quantity';
}

/** Links with the currency of their marketplace's price source. */
export async function linksOf(
  connectionId: string,
  deps: InventoryFlowDeps,
  given?: InventorySettings,
): Promise<ListingLink[]> {
  const settings = given ?? (await settingsNow(deps, connectionId));
  const stored = await deps.state.links(connectionId);
  return stored.map((l) => ({
    ...l,
    currency: settings.priceFor(l.marketplaceId).currency,
    ...(settings.fbaSkus?.has(l.sku) ? { fulfillment: 'FBA' as const } : {}),
  }));
}

export async function readStock(
  itemIds: readonly string[],
  deps: InventoryFlowDeps,
  rules: ListingSyncRules,
): Promise<StockLevel[]> {
  const out: StockLevel[] = [];
  const parts = chunks(itemIds, SAGE_CHUNK);
  for (const [i, part] of parts.entries()) {
    out.push(...(await deps.sage.getStock(part, rules.warehouseIds)));
    deps.onProgress?.('sage stock', Math.min((i + 1) * SAGE_CHUNK, itemIds.length), itemIds.length);
  }
  return out;
}

export async function readPrices(
  links: readonly ListingLink[],
  deps: InventoryFlowDeps,
  settings: InventorySettings,
): Promise<ItemPrice[]> {
  const out: ItemPrice[] = [];
  const byMarketplace = new Map<string, Set<string>>();
  for (const l of links)
    byMarketplace.set(l.marketplaceId, (byMarketplace.get(l.marketplaceId) ?? new Set()).add(l.itemId));
  for (const [marketplaceId, items] of byMarketplace) {
    const source = settings.priceFor(marketplaceId);
    const ids = [...items];
    for (const [i, part] of chunks(ids, SAGE_CHUNK).entries()) {
      const rows = await deps.sage.getPrices({
        itemIds: part,
        warehouseId: source.warehouseId,
        priceSheet: source.priceSheet,
        currency: source.currency,
        asOf: deps.clock.now().toISOString(),
      });
      // The delta reads the rule's sheet and warehouse; per-marketplace sources are normalised to them.
      out.push(
        ...rows.map((r) => ({
          ...r,
          priceSheet: settings.rules.price.priceSheet,
          warehouseId: settings.rules.price.warehouseId,
        })),
      );
      deps.onProgress?.(`sage prices ${marketplaceId}`, Math.min((i + 1) * SAGE_CHUNK, ids.length), ids.length);
    }
  }
  return out;
}

export const inScope = (c: FieldChange, scope: SyncScope): boolean =>
  scope === 'all' || c.kind === scope || (scope === 'quantity' && c.kind === 'attribute');

/** What a sync would do: the delta restricted to the scope, minus changes held back by open blocks. */
export interface SyncPlan {
  readonly delta: ListingDelta;
  readonly changes: readonly ListingChange[];
  readonly held: readonly HeldChange[];
  /** Changes left out because a block (rejected before, or a held price) is still open. */
  readonly blocked: readonly BlockedChange[];
  readonly lastSent: readonly SentListingState[];
  readonly links: readonly ListingLink[];
  readonly stock: readonly StockLevel[];
  /** SKUs whose Sage item fields cannot become attributes (each issue names the Sage field and the attribute). */
  readonly attributeIssues: readonly {
    readonly sku: string;
    readonly marketplaceId: string;
    readonly itemId: string;
    readonly reason: string;
  }[];
}

/** The custom-field map in force: the stored one when not empty, else the configured one. */
export async function customFieldMapOf(connectionId: string, deps: InventoryFlowDeps): Promise<CustomFieldMap> {
  const stored = (await deps.storedCustomFields?.(connectionId)) ?? [];
  return stored.length ? stored : deps.settingsFor(connectionId).customFieldMap;
}

/** Attaches the mapped attributes to the links (quantity/all scope, when the map is set). */
export async function withAttributes(
  links: ListingLink[],
  deps: InventoryFlowDeps,
  settings: InventorySettings,
  customFieldMap: CustomFieldMap,
): Promise<{ links: ListingLink[]; issues: SyncPlan['attributeIssues'] }> {
  if (customFieldMap.length === 0 || !deps.items) return { links, issues: [] };
  const ids = [...new Set(links.map((l) => l.itemId))];
  const fields = new Map<string, ItemFields>();
  for (const part of chunks(ids, SAGE_CHUNK)) for (const f of await deps.items(part)) fields.set(f.itemId, f);
  const issues: { sku: string; marketplaceId: string; itemId: string; reason: string }[] = [];
  const out: ListingLink[] = [];
  for (const l of links) {
    const item = fields.get(l.itemId);
    if (!item) {
      out.push(l);
      continue;
    }
    const r = attributeResultFromCustomFields(item, customFieldMap, {
      marketplaceId: l.marketplaceId,
      languageTag: settings.languageTag,
    });
    const problems = r.issues.map((i) => `${i.field}: ${i.problem}`);
    let attributes = r.attributes;
    // Checked against the product type's schema before anything is sent: an attribute the schema refuses is kept
    // back (and dead-lettered with the others), the rest go.
    if (Object.keys(attributes).length > 0 && deps.channel.checkAttributes) {
      const refused = await deps.channel.checkAttributes({
        marketplaceId: l.marketplaceId,
        productType: l.productType,
        attributes,
      });
      if (refused.length > 0) {
        const names = new Set(refused.map((p) => p.attribute));
        attributes = Object.fromEntries(Object.entries(attributes).filter(([name]) => !names.has(name)));
        problems.push(...refused.map((p) => `${p.attribute}: ${p.problem} (product type ${l.productType})`));
      }
    }
    if (problems.length)
      issues.push({
        sku: l.sku,
        marketplaceId: l.marketplaceId,
        itemId: l.itemId,
        reason: `Sage item ${l.itemId}: ${problems.join('; ')}`,
      });
    out.push(Object.keys(attributes).length ? { ...l, attributes } : l);
  }
  return { links: out, issues };
}

/**
 * The plan of a sync; `onlyItems` restricts it to the links of those Sage items (a sync of the items change
 * tracking saw change: only their stock is read).
 */
export async function planListingSync(
  connectionId: string,
  scope: SyncScope,
  deps: InventoryFlowDeps,
  onlyItems?: ReadonlySet<string>,
): Promise<SyncPlan> {
  const settings = await settingsNow(deps, connectionId);
  const all = await linksOf(connectionId, deps, settings);
  const wanted = onlyItems ? all.filter((l) => onlyItems.has(l.itemId)) : all;
  const mapped =
    scope === 'price'
      ? { links: wanted, issues: [] }
      : await withAttributes(wanted, deps, settings, await customFieldMapOf(connectionId, deps));
  const links = mapped.links;
  const itemIds = [...new Set(links.map((l) => l.itemId))];
  const stock = await readStock(itemIds, deps, settings.rules);
  const prices = scope === 'quantity' ? [] : await readPrices(links, deps, settings);
  const lastSent = await deps.state.lastSent(connectionId);
  const approvedPrices = await deps.state.approvedPrices(connectionId);
  const delta = listingDeltaFromSage({ links, stock, prices, lastSent, rules: settings.rules, approvedPrices });
  const blocks = await deps.state.activeBlocks(connectionId);
  const { changes, blocked } = applyBlocks(delta.changes, blocks, (c) => inScope(c, scope));
  const held = scope === 'quantity' ? [] : delta.held;
  return { delta, changes, held, blocked, lastSent, links, stock, attributeIssues: mapped.issues };
}
