import {
  assertValidFeed,
  feedMessageFromChange,
  feedMessagesFromDeltas,
} from '../core/transform/feed-messages-from-deltas.ts';
import {
  canonicalJson,
  fieldOf,
  listingKey,
  sentStateAfter,
  type FieldChange,
  type ListingChange,
} from '../core/transform/listing-delta.ts';
import { parsePayload } from './job-payload.ts';
import {
  FAST_LANE_PRIORITY,
  FEED_PRIORITY,
  INVENTORY_SYNC_QUEUE,
  type InventoryFlowDeps,
  LISTING_BLOCK_QUEUE,
  LISTING_FEED_QUEUE,
  listingBlockKey,
  listingFeedKey,
  planListingSync,
} from './inventory.ts';
import { parseScope } from './inventory.ts';
import { SellbridgeError } from '../core/errors.ts';

export interface SyncOutcome {
  readonly links: number;
  readonly changes: number;
  readonly fastLane: { readonly sent: number; readonly rejected: number };
  readonly feeds: readonly {
    readonly feedRowId: string;
    readonly marketplaceId: string;
    readonly messages: number;
    readonly bytes: number;
  }[];
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
  const plan = await planListingSync(connectionId, scope, deps, itemsOf(payload));

  for (const held of plan.held)
    await blockChange(connectionId, 'price-held', held.marketplaceId, held.sku, held.change, held.why, deps);
  for (const bad of plan.attributeIssues) {
    const { block, created } = await deps.state.addBlock({
      connectionId,
      marketplaceId: bad.marketplaceId,
      sku: bad.sku,
      kind: 'attribute-invalid',
      field: 'attributes',
      target: bad.reason,
      reason: bad.reason,
    });
    if (created)
      await deps.jobs.enqueue(
        LISTING_BLOCK_QUEUE,
        {
          connectionId,
          blockId: block.id,
          sku: bad.sku,
          marketplaceId: bad.marketplaceId,
          kind: block.kind,
          reason: bad.reason,
        },
        { key: listingBlockKey(block.id), dedupe: true },
      );
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
      const result = await deps.channel.patchListing({
        marketplaceId: change.marketplaceId,
        sku: change.sku,
        productType: change.productType,
        patches: message.patches,
      });
      if (result.hasErrors) {
        fastLane.rejected += 1;
        await blockChange(
          connectionId,
          'rejected',
          change.marketplaceId,
          change.sku,
          quantityOnly.changes[0]!,
          result.issues.join('; ') || `patchListingsItem answered ${result.status}`,
          deps,
        );
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

  const batches = feedMessagesFromDeltas(bulk, {
    sellerId: settings.sellerId,
    ...(settings.issueLocale ? { issueLocale: settings.issueLocale } : {}),
  });
  const feeds: { feedRowId: string; marketplaceId: string; messages: number; bytes: number }[] = [];
  for (const batch of batches) {
    assertValidFeed(batch.document, batch.marketplaceId, deps.channel);
    const fast = batch.sent.some((s) => s.change.toZero);
    const feedRowId = await deps.state.createFeed(connectionId, batch, fast);
    await deps.jobs.enqueue(
      LISTING_FEED_QUEUE,
      { connectionId, feedRowId },
      { key: listingFeedKey(feedRowId), dedupe: true, priority: fast ? FAST_LANE_PRIORITY : FEED_PRIORITY },
    );
    feeds.push({
      feedRowId,
      marketplaceId: batch.marketplaceId,
      messages: batch.document.messages.length,
      bytes: batch.bytes,
    });
  }
  return {
    links: plan.links.length,
    changes: plan.changes.length,
    fastLane,
    feeds,
    held: plan.held.length,
    blocked: plan.blocked.length,
    attributeIssues: plan.attributeIssues.length,
  };
}

/** `itemIds` of a payload (a sync of the items change tracking saw change), or undefined for every link. */
function itemsOf(payload: unknown): ReadonlySet<string> | undefined {
  const ids = (payload as Record<string, unknown>)['itemIds'];
  if (ids === undefined) return undefined;
  if (!Array.isArray(ids) || ids.some((i) => typeof i !== 'string'))
    throw new SellbridgeError(
      'SB_JOB_PAYLOAD_INVALID',
      `${INVENTORY_SYNC_QUEUE} job payload: itemIds must be a list of strings`,
      {
        context: { queue: INVENTORY_SYNC_QUEUE, fields: ['itemIds'] },
      },
    );
  return new Set(ids as string[]);
}

export async function saveAccepted(
  connectionId: string,
  changes: readonly ListingChange[],
  feedId: string | undefined,
  deps: InventoryFlowDeps,
): Promise<void> {
  if (changes.length === 0) return;
  const last = new Map((await deps.state.lastSent(connectionId)).map((s) => [listingKey(s.marketplaceId, s.sku), s]));
  await deps.state.saveSent(
    connectionId,
    changes.map((c) => ({
      state: sentStateAfter(last.get(listingKey(c.marketplaceId, c.sku)), c),
      itemId: c.itemId,
      ...(feedId ? { feedId } : {}),
    })),
  );
}

export async function blockChange(
  connectionId: string,
  kind: 'rejected' | 'price-held',
  marketplaceId: string,
  sku: string,
  change: FieldChange,
  reason: string,
  deps: InventoryFlowDeps,
): Promise<void> {
  const { block, created } = await deps.state.addBlock({
    connectionId,
    marketplaceId,
    sku,
    kind,
    field: fieldOf(change),
    target: canonicalJson(change.to),
    reason,
  });
  if (created)
    await deps.jobs.enqueue(
      LISTING_BLOCK_QUEUE,
      { connectionId, blockId: block.id, sku, marketplaceId, kind, reason },
      { key: listingBlockKey(block.id), dedupe: true },
    );
}
