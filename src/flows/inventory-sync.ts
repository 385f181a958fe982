import { SellbridgeError } from '../core/errors.ts';
import type { ItemPrice, PriceSheet, StockLevel } from '../core/model/inventory.ts';
import type { ItemFields, ListingLink, ListingSyncRules, SentListingState } from '../core/model/listing.ts';
import type { CustomFieldMap } from '../core/rules/custom-field-map.ts';
import { attributeResultFromCustomFields } from '../core/transform/custom-field-attributes.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { ListingsChannel } from '../core/ports/listings-channel.ts';
import type { ListingBlock, ListingStateStore } from '../core/ports/listing-state.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import type { Watermarks } from '../core/ports/watermarks.ts';
import { feedMessageFromChange, feedMessagesFromDeltas, type ListingsFeedBatch } from '../core/transform/feed-messages-from-deltas.ts';
import {
  canonicalJson,
  errorFromHeld,
  listingDeltaFromSage,
  listingKey,
  sentStateAfter,
  type FieldChange,
  type HeldChange,
  type ListingChange,
  type ListingDelta,
} from '../core/transform/listing-delta.ts';
import { errorFromOutcome, resultsFromProcessingReport, type FeedResults } from '../core/transform/results-from-processing-report.ts';
import { parsePayload } from './job-payload.ts';

/**
 * Inventory and price sync (issue 7) as job handlers; each reads as a straight line.
 *
 * | queue | key | what it does |
 * | --- | --- | --- |
 * | `inventory.sync` | `inventory.sync:<conn>:<scope>` | Sage stock/prices + rules + last sent -> changes; drops to zero on the fast lane (patchListingsItem); the rest as JSON_LISTINGS_FEEDs (validated), one `listing.feed` job each; held prices -> `listing.block` |
 * | `listing.feed` | `listing.feed:<feedRowId>` | submit within the 5-per-5-minutes budget, poll getFeed until final, read the report per message: accepted -> new baseline, rejected -> `listing.block` (dead letter with SKU and Amazon's words), feed failure -> sync again; then read back a sample through getListingsItem and flag "accepted but not applied" |
 * | `listing.block` | `listing.block:<blockId>` | first run: dead-letters the held price / rejected SKU (the change is not sent again meanwhile); a replay of that dead letter releases it (approves the price / resends) |
 * | `inventory.watch` | `inventory.watch:<conn>` | digest of Sage available stock of the linked items vs the stored watermark; a change queues `inventory.sync` |
 */

export const INVENTORY_SYNC_QUEUE = 'inventory.sync';
export const LISTING_FEED_QUEUE = 'listing.feed';
export const LISTING_BLOCK_QUEUE = 'listing.block';
export const INVENTORY_WATCH_QUEUE = 'inventory.watch';
export const STOCK_WATERMARK = 'sage.stock.digest';
/** Drops to zero and feed tracking go before bulk work; orders (10) still go first. */
export const FAST_LANE_PRIORITY = 8;
export const FEED_PRIORITY = 5;

export type SyncScope = 'quantity' | 'price' | 'all';
export const inventorySyncKey = (connectionId: string, scope: SyncScope): string => `${INVENTORY_SYNC_QUEUE}:${connectionId}:${scope}`;
export const listingFeedKey = (feedRowId: string): string => `${LISTING_FEED_QUEUE}:${feedRowId}`;
export const listingBlockKey = (blockId: string): string => `${LISTING_BLOCK_QUEUE}:${blockId}`;
export const inventoryWatchKey = (connectionId: string): string => `${INVENTORY_WATCH_QUEUE}:${connectionId}`;

/** The inventory settings of one connection, in core terms (config section `inventory`). */
export interface InventorySettings {
  readonly sellerId: string;
  readonly marketplaceIds: readonly string[];
  readonly rules: ListingSyncRules;
  /** Price source per marketplace. */
  readonly priceFor: (marketplaceId: string) => { readonly priceSheet: PriceSheet; readonly currency: string; readonly warehouseId: string };
  /** Sage item fields -> Amazon attributes; empty = attributes are not managed. */
  readonly customFieldMap: CustomFieldMap;
  readonly languageTag: string;
  /** SKUs fulfilled by Amazon whatever their link says: their quantity is never pushed from Sage. */
  readonly fbaSkus?: ReadonlySet<string>;
  readonly fastLaneMax: number;
  readonly readBackSample: number;
  readonly feedsPer5Min: number;
  readonly feedPollMs: number;
  readonly issueLocale?: string;
}

/** The job queue as these flows use it (structural subset of runtime's JobQueue): keyed, de-duplicated, delayed. */
export interface DelayedJobScheduler {
  enqueue(
    queue: string,
    payload: unknown,
    options?: { readonly key?: string; readonly dedupe?: boolean; readonly priority?: number; readonly delayMs?: number },
  ): Promise<{ readonly id: string; readonly deduplicated: boolean }>;
}

export interface InventoryFlowDeps {
  readonly sage: Pick<Sage500Gateway, 'getStock' | 'getPrices'>;
  /** Sage item fields of the custom-field map (descriptions, UPC, weight, UserFld); needed only when the map is set. */
  readonly items?: (itemIds: readonly string[]) => Promise<readonly ItemFields[]>;
  readonly channel: ListingsChannel;
  readonly state: ListingStateStore;
  readonly watermarks: Watermarks;
  readonly jobs: DelayedJobScheduler;
  readonly clock: Clock;
  readonly settingsFor: (connectionId: string) => InventorySettings;
  /** Progress of long reads (CLI progress bars); optional. */
  readonly onProgress?: (step: string, done: number, total: number) => void;
}

const SAGE_CHUNK = 2_000;
const FIVE_MINUTES = 5 * 60_000;

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function parseScope(value: unknown): SyncScope {
  return value === 'price' || value === 'all' ? value : 'quantity';
}

/** Links with the currency of their marketplace's price source. */
async function linksOf(connectionId: string, deps: InventoryFlowDeps): Promise<ListingLink[]> {
  const settings = deps.settingsFor(connectionId);
  const stored = await deps.state.links(connectionId);
  return stored.map((l) => ({ ...l, currency: settings.priceFor(l.marketplaceId).currency, ...(settings.fbaSkus?.has(l.sku) ? { fulfillment: 'FBA' as const } : {}) }));
}

async function readStock(itemIds: readonly string[], deps: InventoryFlowDeps, rules: ListingSyncRules): Promise<StockLevel[]> {
  const out: StockLevel[] = [];
  const parts = chunks(itemIds, SAGE_CHUNK);
  for (const [i, part] of parts.entries()) {
    out.push(...(await deps.sage.getStock(part, rules.warehouseIds)));
    deps.onProgress?.('sage stock', Math.min((i + 1) * SAGE_CHUNK, itemIds.length), itemIds.length);
  }
  return out;
}

async function readPrices(links: readonly ListingLink[], deps: InventoryFlowDeps, settings: InventorySettings): Promise<ItemPrice[]> {
  const out: ItemPrice[] = [];
  const byMarketplace = new Map<string, Set<string>>();
  for (const l of links) byMarketplace.set(l.marketplaceId, (byMarketplace.get(l.marketplaceId) ?? new Set()).add(l.itemId));
  for (const [marketplaceId, items] of byMarketplace) {
    const source = settings.priceFor(marketplaceId);
    const ids = [...items];
    for (const [i, part] of chunks(ids, SAGE_CHUNK).entries()) {
      const rows = await deps.sage.getPrices({ itemIds: part, warehouseId: source.warehouseId, priceSheet: source.priceSheet, currency: source.currency, asOf: deps.clock.now().toISOString() });
      // The delta reads the rule's sheet and warehouse; per-marketplace sources are normalised to them.
      out.push(...rows.map((r) => ({ ...r, priceSheet: settings.rules.price.priceSheet, warehouseId: settings.rules.price.warehouseId })));
      deps.onProgress?.(`sage prices ${marketplaceId}`, Math.min((i + 1) * SAGE_CHUNK, ids.length), ids.length);
    }
  }
  return out;
}

const fieldOf = (c: FieldChange): string => (c.kind === 'attribute' ? `attribute:${c.name}` : c.kind);
const inScope = (c: FieldChange, scope: SyncScope): boolean => scope === 'all' || c.kind === scope || (scope === 'quantity' && c.kind === 'attribute');

/** What a sync would do: the delta restricted to the scope, minus changes held back by open blocks. */
export interface SyncPlan {
  readonly delta: ListingDelta;
  readonly changes: readonly ListingChange[];
  readonly held: readonly HeldChange[];
  /** Changes left out because a block (rejected before, or a held price) is still open. */
  readonly blocked: readonly { readonly sku: string; readonly marketplaceId: string; readonly field: string; readonly reason: string }[];
  readonly lastSent: readonly SentListingState[];
  readonly links: readonly ListingLink[];
  readonly stock: readonly StockLevel[];
  /** SKUs whose Sage item fields cannot become attributes (each issue names the Sage field and the attribute). */
  readonly attributeIssues: readonly { readonly sku: string; readonly marketplaceId: string; readonly itemId: string; readonly reason: string }[];
}

/** Attaches the mapped attributes to the links (quantity/all scope, when the map is set). */
async function withAttributes(links: ListingLink[], deps: InventoryFlowDeps, settings: InventorySettings): Promise<{ links: ListingLink[]; issues: SyncPlan['attributeIssues'] }> {
  if (settings.customFieldMap.length === 0 || !deps.items) return { links, issues: [] };
  const ids = [...new Set(links.map((l) => l.itemId))];
  const fields = new Map<string, ItemFields>();
  for (const part of chunks(ids, SAGE_CHUNK)) for (const f of await deps.items(part)) fields.set(f.itemId, f);
  const issues: { sku: string; marketplaceId: string; itemId: string; reason: string }[] = [];
  const out = links.map((l) => {
    const item = fields.get(l.itemId);
    if (!item) return l;
    const r = attributeResultFromCustomFields(item, settings.customFieldMap, { marketplaceId: l.marketplaceId, languageTag: settings.languageTag });
    if (r.issues.length) issues.push({ sku: l.sku, marketplaceId: l.marketplaceId, itemId: l.itemId, reason: `Sage item ${l.itemId}: ${r.issues.map((i) => `${i.field}: ${i.problem}`).join('; ')}` });
    return Object.keys(r.attributes).length ? { ...l, attributes: r.attributes } : l;
  });
  return { links: out, issues };
}

export async function planListingSync(connectionId: string, scope: SyncScope, deps: InventoryFlowDeps): Promise<SyncPlan> {
  const settings = deps.settingsFor(connectionId);
  const mapped = scope === 'price' ? { links: await linksOf(connectionId, deps), issues: [] } : await withAttributes(await linksOf(connectionId, deps), deps, settings);
  const links = mapped.links;
  const itemIds = [...new Set(links.map((l) => l.itemId))];
  const stock = await readStock(itemIds, deps, settings.rules);
  const prices = scope === 'quantity' ? [] : await readPrices(links, deps, settings);
  const lastSent = await deps.state.lastSent(connectionId);
  const approvedPrices = await deps.state.approvedPrices(connectionId);
  const delta = listingDeltaFromSage({ links, stock, prices, lastSent, rules: settings.rules, approvedPrices });
  const blocks = await deps.state.activeBlocks(connectionId);
  const blockByField = new Map<string, ListingBlock>(blocks.map((b) => [`${listingKey(b.marketplaceId, b.sku)}\u0000${b.field}`, b]));
  const blocked: { sku: string; marketplaceId: string; field: string; reason: string }[] = [];
  const changes: ListingChange[] = [];
  for (const change of delta.changes) {
    const kept = change.changes.filter((c) => {
      if (!inScope(c, scope)) return false;
      const block = blockByField.get(`${listingKey(change.marketplaceId, change.sku)}\u0000${fieldOf(c)}`);
      if (block && block.target === canonicalJson(c.to)) {
        blocked.push({ sku: change.sku, marketplaceId: change.marketplaceId, field: block.field, reason: block.reason });
        return false;
      }
      return true;
    });
    if (kept.length === 0) continue;
    const q = kept.find((c) => c.kind === 'quantity');
    changes.push({ ...change, changes: kept, toZero: change.toZero && q !== undefined });
  }
  const held = scope === 'quantity' ? [] : delta.held;
  return { delta, changes, held, blocked, lastSent, links, stock, attributeIssues: mapped.issues };
}

export interface SyncOutcome {
  readonly links: number;
  readonly changes: number;
  readonly fastLane: { readonly sent: number; readonly rejected: number };
  readonly feeds: readonly { readonly feedRowId: string; readonly marketplaceId: string; readonly messages: number; readonly bytes: number }[];
  readonly held: number;
  readonly blocked: number;
  /** SKUs whose item fields could not be mapped (dead-lettered once as SB_LIST_ATTRIBUTE_INVALID). */
  readonly attributeIssues: number;
}

/** `inventory.sync` / `prices sync`: plan, fast lane, feeds (validated), held prices to approval. */
export async function syncListings(payload: unknown, deps: InventoryFlowDeps): Promise<SyncOutcome> {
  const { connectionId } = parsePayload(INVENTORY_SYNC_QUEUE, payload, ['connectionId'] as const);
  const scope = parseScope((payload as Record<string, unknown>)['scope']);
  const settings = deps.settingsFor(connectionId);
  const plan = await planListingSync(connectionId, scope, deps);

  for (const held of plan.held) await blockChange(connectionId, 'price-held', held.marketplaceId, held.sku, held.change, held.why, deps);
  for (const bad of plan.attributeIssues) {
    const { block, created } = await deps.state.addBlock({ connectionId, marketplaceId: bad.marketplaceId, sku: bad.sku, kind: 'attribute-invalid', field: 'attributes', target: bad.reason, reason: bad.reason });
    if (created) await deps.jobs.enqueue(LISTING_BLOCK_QUEUE, { connectionId, blockId: block.id, sku: bad.sku, marketplaceId: bad.marketplaceId, kind: block.kind, reason: bad.reason }, { key: listingBlockKey(block.id), dedupe: true });
  }

  // Fast lane: a few drops to zero go out at once, one patchListingsItem each; more than that go first in the feed.
  const toZero = plan.changes.filter((c) => c.toZero);
  const fastLane = { sent: 0, rejected: 0 };
  let bulk = plan.changes;
  if (toZero.length > 0 && toZero.length <= settings.fastLaneMax) {
    const sent = new Set<ListingChange>();
    const acceptedFast: ListingChange[] = [];
    for (const change of toZero) {
      const quantityOnly: ListingChange = { ...change, changes: change.changes.filter((c) => c.kind === 'quantity') };
      const message = feedMessageFromChange(quantityOnly, 1);
      const result = await deps.channel.patchListing({ marketplaceId: change.marketplaceId, sku: change.sku, productType: change.productType, patches: message.patches });
      if (result.hasErrors) {
        fastLane.rejected += 1;
        await blockChange(connectionId, 'rejected', change.marketplaceId, change.sku, quantityOnly.changes[0]!, result.issues.join('; ') || `patchListingsItem answered ${result.status}`, deps);
      } else {
        fastLane.sent += 1;
        acceptedFast.push(quantityOnly);
      }
      sent.add(change);
      const rest = change.changes.filter((c) => c.kind !== 'quantity');
      if (rest.length) bulk = [...bulk, { ...change, changes: rest, toZero: false }];
    }
    bulk = bulk.filter((c) => !sent.has(c));
    await saveAccepted(connectionId, acceptedFast, undefined, deps);
  }

  const batches = feedMessagesFromDeltas(bulk, { sellerId: settings.sellerId, ...(settings.issueLocale ? { issueLocale: settings.issueLocale } : {}) });
  const feeds: { feedRowId: string; marketplaceId: string; messages: number; bytes: number }[] = [];
  for (const batch of batches) {
    assertValidFeed(batch, deps.channel);
    const fast = batch.sent.some((s) => s.change.toZero);
    const feedRowId = await deps.state.createFeed(connectionId, batch, fast);
    await deps.jobs.enqueue(LISTING_FEED_QUEUE, { connectionId, feedRowId }, { key: listingFeedKey(feedRowId), dedupe: true, priority: fast ? FAST_LANE_PRIORITY : FEED_PRIORITY });
    feeds.push({ feedRowId, marketplaceId: batch.marketplaceId, messages: batch.document.messages.length, bytes: batch.bytes });
  }
  return { links: plan.links.length, changes: plan.changes.length, fastLane, feeds, held: plan.held.length, blocked: plan.blocked.length, attributeIssues: plan.attributeIssues.length };
}

/** @throws SellbridgeError SB_LIST_FEED_INVALID (internal: our builder broke the schema) — nothing is uploaded. */
export function assertValidFeed(batch: ListingsFeedBatch, channel: Pick<ListingsChannel, 'validateFeed'>): void {
  const problems = channel.validateFeed(batch.document);
  if (problems.length)
    throw new SellbridgeError('SB_LIST_FEED_INVALID', `JSON_LISTINGS_FEED for ${batch.marketplaceId} (${batch.document.messages.length} messages) does not match the feed schema: ${problems.slice(0, 5).join('; ')}`, {
      context: { marketplaceId: batch.marketplaceId, messages: batch.document.messages.length },
    });
}

async function saveAccepted(connectionId: string, changes: readonly ListingChange[], feedId: string | undefined, deps: InventoryFlowDeps): Promise<void> {
  if (changes.length === 0) return;
  const last = new Map((await deps.state.lastSent(connectionId)).map((s) => [listingKey(s.marketplaceId, s.sku), s]));
  await deps.state.saveSent(
    connectionId,
    changes.map((c) => ({ state: sentStateAfter(last.get(listingKey(c.marketplaceId, c.sku)), c), itemId: c.itemId, ...(feedId ? { feedId } : {}) })),
  );
}

async function blockChange(connectionId: string, kind: 'rejected' | 'price-held', marketplaceId: string, sku: string, change: FieldChange, reason: string, deps: InventoryFlowDeps): Promise<void> {
  const { block, created } = await deps.state.addBlock({ connectionId, marketplaceId, sku, kind, field: fieldOf(change), target: canonicalJson(change.to), reason });
  if (created) await deps.jobs.enqueue(LISTING_BLOCK_QUEUE, { connectionId, blockId: block.id, sku, marketplaceId, kind, reason }, { key: listingBlockKey(block.id), dedupe: true });
}

export type FeedStep =
  | { readonly kind: 'submitted'; readonly feedId: string }
  | { readonly kind: 'waiting'; readonly status: string }
  | { readonly kind: 'finished'; readonly status: string; readonly counts: FeedResults['counts']; readonly notApplied: number; readonly readBack: number };

/** `listing.feed`: one step of a feed's life per run; re-queues itself (delayed) until the feed is final. */
export async function trackListingFeed(payload: unknown, deps: InventoryFlowDeps): Promise<FeedStep> {
  const { connectionId, feedRowId } = parsePayload(LISTING_FEED_QUEUE, payload, ['connectionId', 'feedRowId'] as const);
  const settings = deps.settingsFor(connectionId);
  const feed = await deps.state.feed(feedRowId);
  if (!feed) throw new SellbridgeError('SB_JOB_PAYLOAD_INVALID', `${LISTING_FEED_QUEUE}: feed row ${feedRowId} does not exist`, { context: { queue: LISTING_FEED_QUEUE, fields: ['feedRowId'] } });
  const again = (delayMs: number) =>
    deps.jobs.enqueue(LISTING_FEED_QUEUE, { connectionId, feedRowId }, { key: listingFeedKey(feedRowId), priority: feed.fastLane ? FAST_LANE_PRIORITY : FEED_PRIORITY, delayMs });

  if (feed.status === 'built') {
    const now = deps.clock.now().getTime();
    const since = new Date(now - FIVE_MINUTES).toISOString();
    if ((await deps.state.submittedSince(connectionId, since)) >= settings.feedsPer5Min) {
      const oldest = await deps.state.oldestSubmittedSince(connectionId, since);
      const waitMs = Math.max(1_000, (oldest ? Date.parse(oldest) + FIVE_MINUTES : now + FIVE_MINUTES) - now);
      throw new SellbridgeError('SB_LIST_FEED_BUDGET', `JSON_LISTINGS_FEED budget of ${settings.feedsPer5Min} feeds per 5 minutes is spent; feed ${feedRowId} waits ${Math.ceil(waitMs / 1000)} s`, {
        context: { connectionId, feedRowId },
        retryAfterMs: waitMs,
      });
    }
    const document = { header: { sellerId: settings.sellerId, version: '2.0' as const, ...(settings.issueLocale ? { issueLocale: settings.issueLocale } : {}) }, messages: feed.sent.map((s) => feedMessageFromChange(s.change, s.messageId)) };
    const problems = deps.channel.validateFeed(document);
    if (problems.length) throw new SellbridgeError('SB_LIST_FEED_INVALID', `feed row ${feedRowId}: ${problems.slice(0, 5).join('; ')}`, { context: { marketplaceId: feed.marketplaceId, messages: feed.messageCount } });
    const { feedId, feedDocumentId } = await deps.channel.submitFeed(feed.marketplaceId, document);
    await deps.state.markFeed(feedRowId, { status: 'submitted', feedId, feedDocumentId });
    await again(settings.feedPollMs);
    return { kind: 'submitted', feedId };
  }

  if (feed.status === 'submitted' || feed.status === 'IN_QUEUE' || feed.status === 'IN_PROGRESS') {
    const read = await deps.channel.readFeed(feed.feedId!, feed.sent);
    if (read.status === 'IN_QUEUE' || read.status === 'IN_PROGRESS' || (read.status === 'DONE' && !read.report)) {
      if (read.status !== feed.status) await deps.state.markFeed(feedRowId, { status: read.status });
      await again(settings.feedPollMs);
      return { kind: 'waiting', status: read.status };
    }
    const results = resultsFromProcessingReport(read.report, { marketplaceId: feed.marketplaceId, sent: feed.sent }, read.status);
    await deps.state.recordOutcomes(feedRowId, results.outcomes);
    const accepted = results.outcomes.filter((o) => o.next === 'done').map((o) => o.change);
    await saveAccepted(connectionId, accepted, feed.feedId, deps);
    for (const o of results.outcomes.filter((x) => x.next === 'dead-letter')) {
      const error = errorFromOutcome(o, feed.feedId!);
      for (const c of o.change.changes) await blockChange(connectionId, 'rejected', o.marketplaceId, o.sku, c, error.message, deps);
    }
    // A feed that failed as a whole changed nothing: the baseline did not move, the next sync sends it all again.
    if (results.counts.retry > 0) await deps.jobs.enqueue(INVENTORY_SYNC_QUEUE, { connectionId, scope: 'all' }, { key: inventorySyncKey(connectionId, 'all'), dedupe: true, delayMs: settings.feedPollMs });
    await deps.state.markFeed(feedRowId, { status: read.status, counts: { accepted: results.counts.accepted, warnings: results.counts.warnings, rejected: results.counts.rejected } });
    const check = read.status === 'DONE' ? await readBack(connectionId, feed.feedId!, accepted, settings.readBackSample, deps) : { checked: 0, notApplied: 0 };
    return { kind: 'finished', status: read.status, counts: results.counts, notApplied: check.notApplied, readBack: check.checked };
  }
  return { kind: 'finished', status: feed.status, counts: { accepted: 0, warnings: 0, rejected: 0, retry: 0 }, notApplied: 0, readBack: 0 };
}

/**
 * Read-back verification: getListingsItem for up to `sample` accepted SKUs (drops to zero and price changes
 * first); a quantity or price that differs from what was accepted is flagged `not-applied`.
 */
export async function readBack(connectionId: string, feedId: string, accepted: readonly ListingChange[], sample: number, deps: InventoryFlowDeps): Promise<{ checked: number; notApplied: number }> {
  const order = [...accepted].sort((a, b) => Number(b.toZero) - Number(a.toZero) || Number(b.changes.some((c) => c.kind === 'price')) - Number(a.changes.some((c) => c.kind === 'price')));
  let notApplied = 0;
  const picked = order.slice(0, sample);
  for (const change of picked) {
    const seen = await deps.channel.readListing(change.marketplaceId, change.sku);
    const problems: string[] = [];
    for (const c of change.changes) {
      if (c.kind === 'quantity' && seen?.quantity !== c.to) problems.push(`quantity sent ${c.to}, Amazon shows ${seen?.quantity ?? 'none'}`);
      if (c.kind === 'price' && (seen?.price?.minor !== c.to.minor || seen?.price?.currency !== c.to.currency))
        problems.push(`price sent ${c.to.minor} ${c.to.currency} (minor units), Amazon shows ${seen?.price ? `${seen.price.minor} ${seen.price.currency}` : 'none'}`);
    }
    if (problems.length) {
      notApplied += 1;
      await deps.state.addFlag({ connectionId, marketplaceId: change.marketplaceId, sku: change.sku, kind: 'not-applied', feedId, detail: `accepted but not applied: ${problems.join('; ')}` });
    }
  }
  return { checked: picked.length, notApplied };
}

/**
 * `listing.block`: the first run dead-letters the block (SB_LIST_PRICE_HELD / SB_LIST_MESSAGE_REJECTED) so a person
 * sees it; a replay of that dead letter releases it: the price is approved, or the rejected change is sent again.
 */
export async function handleListingBlock(payload: unknown, deps: InventoryFlowDeps): Promise<{ readonly released: boolean }> {
  const { connectionId, blockId } = parsePayload(LISTING_BLOCK_QUEUE, payload, ['connectionId', 'blockId'] as const);
  const block = await deps.state.block(blockId);
  if (!block || block.state === 'released') return { released: false };
  if (block.state === 'new') {
    await deps.state.setBlockState(blockId, 'open');
    if (block.kind === 'price-held') {
      const held: HeldChange = { sku: block.sku, marketplaceId: block.marketplaceId, reason: 'price-jump', change: { kind: 'quantity', to: 0, why: '' }, why: block.reason };
      throw errorFromHeld(held);
    }
    if (block.kind === 'attribute-invalid') throw new SellbridgeError('SB_LIST_ATTRIBUTE_INVALID', `SKU ${block.sku} in ${block.marketplaceId}: ${block.reason}`, { context: { sku: block.sku, marketplaceId: block.marketplaceId, blockId } });
    throw new SellbridgeError('SB_LIST_MESSAGE_REJECTED', block.reason, { context: { sku: block.sku, marketplaceId: block.marketplaceId, blockId } });
  }
  await deps.state.setBlockState(blockId, 'released');
  const scope: SyncScope = block.field === 'price' ? 'price' : 'quantity';
  await deps.jobs.enqueue(INVENTORY_SYNC_QUEUE, { connectionId, scope }, { key: inventorySyncKey(connectionId, scope), dedupe: true });
  return { released: true };
}

/** FNV-1a over the sorted stock rows: a cheap digest of what Sage has available for the linked items. */
export function stockDigest(stock: readonly StockLevel[]): string {
  const rows = stock.map((s) => `${s.itemId}\u0000${s.warehouseId}\u0000${s.available}`).sort();
  let h = 0x811c9dc5;
  for (const row of rows) for (let i = 0; i < row.length; i++) h = Math.imul(h ^ row.charCodeAt(i), 0x01000193) >>> 0;
  return `${rows.length}:${h.toString(16)}`;
}

/** `inventory.watch`: Sage stock change detection; queues a quantity sync when the digest moved. */
export async function watchStock(payload: unknown, deps: InventoryFlowDeps): Promise<{ readonly changed: boolean }> {
  const { connectionId } = parsePayload(INVENTORY_WATCH_QUEUE, payload, ['connectionId'] as const);
  const settings = deps.settingsFor(connectionId);
  const links = await deps.state.links(connectionId);
  const stock = await readStock([...new Set(links.map((l) => l.itemId))], deps, settings.rules);
  const digest = stockDigest(stock);
  const before = await deps.watermarks.get(connectionId, STOCK_WATERMARK);
  if (before === digest) return { changed: false };
  await deps.jobs.enqueue(INVENTORY_SYNC_QUEUE, { connectionId, scope: 'quantity' }, { key: inventorySyncKey(connectionId, 'quantity'), dedupe: true, priority: FAST_LANE_PRIORITY });
  await deps.watermarks.set(connectionId, STOCK_WATERMARK, digest);
  return { changed: true };
}

export interface AttributePreview {
  readonly sku: string;
  readonly marketplaceId: string;
  readonly attributes: readonly string[];
  /** Amazon's verdict in VALIDATION_PREVIEW mode (nothing saved). */
  readonly status: 'ACCEPTED' | 'INVALID' | 'VALID';
  readonly issues: readonly string[];
}

/**
 * `inventory attributes --preview`: the attribute changes the next sync would send, each checked by Amazon with
 * patchListingsItem in VALIDATION_PREVIEW mode (nothing is saved); at most `limit` SKUs (5 requests per second).
 */
export async function previewAttributeChanges(connectionId: string, deps: InventoryFlowDeps, limit = 20): Promise<{ readonly previews: readonly AttributePreview[]; readonly issues: SyncPlan['attributeIssues']; readonly more: number }> {
  const plan = await planListingSync(connectionId, 'quantity', deps);
  const withAttrs = plan.changes.map((c) => ({ ...c, changes: c.changes.filter((f) => f.kind === 'attribute') })).filter((c) => c.changes.length > 0);
  const previews: AttributePreview[] = [];
  for (const change of withAttrs.slice(0, limit)) {
    const message = feedMessageFromChange(change, 1);
    const result = await deps.channel.patchListing({ marketplaceId: change.marketplaceId, sku: change.sku, productType: change.productType, patches: message.patches, preview: true });
    previews.push({ sku: change.sku, marketplaceId: change.marketplaceId, attributes: change.changes.map((c) => (c.kind === 'attribute' ? c.name : c.kind)), status: result.status, issues: result.issues });
  }
  return { previews, issues: plan.attributeIssues, more: Math.max(0, withAttrs.length - limit) };
}
