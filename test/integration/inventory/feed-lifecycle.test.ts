import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventorySettingsFromConfig } from '../../../src/bootstrap/inventory.ts';
import { storeListingState } from '../../../src/connectors/store/listing-state.ts';
import { storeWatermarks } from '../../../src/connectors/store/watermarks.ts';
import { configSchema } from '../../../src/config/schema.ts';
import { listingsFeedProblems } from '../../../src/connectors/amazon/listings-channel.ts';
import type { SellbridgeError } from '../../../src/core/errors.ts';
import type { StockLevel } from '../../../src/core/model/inventory.ts';
import type { FeedStatus, ListingsChannel } from '../../../src/core/ports/listings-channel.ts';
import type { ListingStateStore } from '../../../src/core/ports/listing-state.ts';
import { INVENTORY_SYNC_QUEUE, LISTING_FEED_QUEUE, type InventoryFlowDeps } from '../../../src/flows/inventory.ts';
import { syncListings } from '../../../src/flows/sync-listings.ts';
import { trackListingFeed } from '../../../src/flows/track-listing-feed.ts';
import { watchStock } from '../../../src/flows/watch-stock.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore } from '../../helpers/queue-env.ts';

// The feed life cycle on the real store with a scripted channel: a feed that ends FATAL moves no baseline and
// queues a sync (nothing dead-lettered); the 5-feeds-per-5-minutes budget makes the sixth feed wait (throttled,
// no attempt spent); a Sage stock change is detected by the watermark digest.
const US = 'ATVPDKIKX0DER';
let store: Store;
let state: ListingStateStore;
let stock: StockLevel[] = [];
const queued: { queue: string; payload: Record<string, unknown>; delayMs?: number }[] = [];
let nextStatus: FeedStatus = 'FATAL';
let submitted = 0;

const channel: ListingsChannel = {
  validateFeed: (d) => listingsFeedProblems(d),
  submitFeed: async () => ({ feedId: `F${++submitted}`, feedDocumentId: `D${submitted}` }),
  readFeed: async (feedId) =>
    nextStatus === 'DONE'
      ? { status: 'DONE', report: { feedId, feedIssues: [], messages: [] } }
      : { status: nextStatus },
  patchListing: async () => ({ status: 'ACCEPTED', issues: [], hasErrors: false }),
  readListing: async () => undefined,
  fbaQuantities: async () => new Map(),
};

function deps(inventory: Record<string, unknown> = {}): InventoryFlowDeps {
  const settings = inventorySettingsFromConfig(
    configSchema.parse({
      amazon: { sellerId: 'S1' },
      inventory: { readBackSample: 0, fastLaneMax: 0, ...inventory },
    }) as never,
  );
  return {
    sage: { getStock: async () => stock, getPrices: async () => [] },
    channel,
    state,
    watermarks: storeWatermarks(store, { now: () => new Date() }),
    jobs: {
      enqueue: async (queue, payload, o) => (
        queued.push({
          queue,
          payload: payload as Record<string, unknown>,
          ...(o?.delayMs !== undefined ? { delayMs: o.delayMs } : {}),
        }),
        { id: String(queued.length), deduplicated: false }
      ),
    },
    clock: { now: () => new Date() },
    settingsFor: () => settings,
  };
}

beforeAll(async () => {
  store = await freshStore('sqlite', 'inventory-feed-lifecycle');
  state = storeListingState(store, { now: () => new Date() });
  await state.upsertLinks('c', [
    { sku: 'S-1', itemId: 'I-1', marketplaceId: US, productType: 'PRODUCT', fulfillment: 'MFN' },
  ]);
});
afterAll(async () => {
  await store?.close();
});

describe('listing.feed life cycle', () => {
  it('a FATAL feed changes no baseline, dead-letters nothing and queues a sync to send it all again', async () => {
    stock = [{ itemId: 'I-1', warehouseId: 'MAIN', onHand: 5, available: 5 }];
    const d = deps();
    const out = await syncListings({ connectionId: 'c', scope: 'quantity' }, d);
    const feedJob = queued.find((j) => j.queue === LISTING_FEED_QUEUE)!;
    expect(await trackListingFeed(feedJob.payload, d)).toEqual({ kind: 'submitted', feedId: 'F1' });
    expect(queued.at(-1)).toMatchObject({ queue: LISTING_FEED_QUEUE, delayMs: 60_000 }); // polls again later
    nextStatus = 'IN_PROGRESS';
    expect(await trackListingFeed(feedJob.payload, d)).toEqual({ kind: 'waiting', status: 'IN_PROGRESS' });
    nextStatus = 'FATAL';
    queued.length = 0;
    const done = await trackListingFeed(feedJob.payload, d);
    expect(done).toMatchObject({ kind: 'finished', status: 'FATAL', counts: { accepted: 0, rejected: 0, retry: 1 } });
    expect(queued.map((j) => j.queue)).toEqual([INVENTORY_SYNC_QUEUE]);
    expect(await state.lastSent('c')).toEqual([]);
    expect((await state.feed(out.feeds[0]!.feedRowId))!.status).toBe('FATAL');
    // A later run of the finished feed's job does nothing.
    expect(await trackListingFeed(feedJob.payload, d)).toMatchObject({ kind: 'finished', status: 'FATAL' });
  });

  it('the sixth feed within 5 minutes waits: SB_LIST_FEED_BUDGET, throttled, with the wait until the oldest leaves the window', async () => {
    const d = deps();
    nextStatus = 'IN_QUEUE';
    for (let i = 0; i < 5; i++) {
      stock = [{ itemId: 'I-1', warehouseId: 'MAIN', onHand: 10 + i, available: 10 + i }];
      queued.length = 0;
      await syncListings({ connectionId: 'c', scope: 'quantity' }, d);
      const job = queued.find((j) => j.queue === LISTING_FEED_QUEUE)!;
      if (i < 4) expect((await trackListingFeed(job.payload, d)).kind).toBe('submitted');
      else {
        const err = (await trackListingFeed(job.payload, d).catch((e: unknown) => e)) as SellbridgeError;
        expect(err.code).toBe('SB_LIST_FEED_BUDGET');
        expect(err.kind).toBe('throttled');
        expect(err.retryAfterMs).toBeGreaterThan(0);
        expect(err.retryAfterMs).toBeLessThanOrEqual(5 * 60_000);
      }
    }
  });

  it('inventory.watch queues a sync only when Sage available stock changed', async () => {
    const d = deps();
    queued.length = 0;
    expect(await watchStock({ connectionId: 'c' }, d)).toEqual({ changed: true, via: 'digest', itemsRead: 1 });
    expect(await watchStock({ connectionId: 'c' }, d)).toEqual({ changed: false, via: 'digest', itemsRead: 1 });
    stock = [{ itemId: 'I-1', warehouseId: 'MAIN', onHand: 1, available: 0 }];
    expect(await watchStock({ connectionId: 'c' }, d)).toEqual({ changed: true, via: 'digest', itemsRead: 1 });
    expect(queued.map((j) => [j.queue, j.payload['scope']])).toEqual([
      [INVENTORY_SYNC_QUEUE, 'quantity'],
      [INVENTORY_SYNC_QUEUE, 'quantity'],
    ]);
  });

  it('a SKU listed in inventory.fbaSkus never gets a quantity from Sage, whatever its link says', async () => {
    await state.upsertLinks('f', [
      { sku: 'S-FBA', itemId: 'I-1', marketplaceId: US, productType: 'PRODUCT', fulfillment: 'MFN' },
    ]);
    stock = [{ itemId: 'I-1', warehouseId: 'MAIN', onHand: 50, available: 50 }];
    expect(await syncListings({ connectionId: 'f', scope: 'quantity' }, deps({ fbaSkus: ['S-FBA'] }))).toMatchObject({
      changes: 0,
      feeds: [],
    });
    expect(await syncListings({ connectionId: 'f', scope: 'quantity' }, deps())).toMatchObject({ changes: 1 });
  });
});
