import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventorySettingsFromConfig } from '../../../src/bootstrap/inventory.ts';
import { createListingsChannel } from '../../../src/connectors/amazon/listings-channel.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { storeListingState } from '../../../src/connectors/store/listing-state.ts';
import { storeWatermarks } from '../../../src/connectors/store/watermarks.ts';
import { configSchema } from '../../../src/config/schema.ts';
import type { ListingStateStore } from '../../../src/core/ports/listing-state.ts';
import {
  INVENTORY_SYNC_QUEUE,
  LISTING_FEED_QUEUE,
  STOCK_CT_FULL_READS,
  type InventoryFlowDeps,
} from '../../../src/flows/inventory.ts';
import { syncListings } from '../../../src/flows/sync-listings.ts';
import { trackListingFeed } from '../../../src/flows/track-listing-feed.ts';
import { watchStock } from '../../../src/flows/watch-stock.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { createAmazonSimulator, DEFAULT_SELLER, type AmazonSimulator } from '../../../src/simulator/amazon/index.ts';
import { freshStore } from '../../helpers/queue-env.ts';
import { connectToSimulator } from '../../helpers/simulator-connection.ts';
import { addSandboxItems, setSandboxQty } from './sandbox-items.ts';

/**
 * The change-tracking mode end to end: a Sage user changes one item's bin in the sandbox (change tracking
 * emulated by triggers), `inventory.watch` reads only that item from Sage (statements counted), its quantity sync
 * reads only that item's stock, and the one-message feed reaches the simulator. A version older than the
 * retention falls back to one full read, counted.
 */
const US = DEFAULT_SELLER.marketplaceIds[0]!;
const N = 200;
const CONN = 'ct';
let sim: AmazonSimulator;
let sage: SandboxGateway;
let store: Store;
let state: ListingStateStore;
let skus: string[];
const jobs: { queue: string; payload: Record<string, unknown> }[] = [];

function deps(): InventoryFlowDeps {
  const settings = inventorySettingsFromConfig(
    configSchema.parse({
      amazon: { sellerId: DEFAULT_SELLER.sellerId },
      inventory: { readBackSample: 0, fastLaneMax: 0 },
    }) as never,
  );
  return {
    sage,
    channel: createListingsChannel({ client: connectToSimulator(sim.url).client, sellerId: DEFAULT_SELLER.sellerId }),
    state,
    watermarks: storeWatermarks(store, { now: () => new Date() }),
    jobs: {
      async enqueue(queue, payload) {
        jobs.push({ queue, payload: payload as Record<string, unknown> });
        return { id: String(jobs.length), deduplicated: false };
      },
    },
    clock: { now: () => new Date() },
    settingsFor: () => settings,
  };
}

/** Runs the queued inventory.sync and listing.feed jobs as the queue would, finishing the simulator's feeds. */
async function drain(d: InventoryFlowDeps): Promise<void> {
  for (let job = jobs.shift(); job; job = jobs.shift()) {
    if (job.queue === INVENTORY_SYNC_QUEUE) await syncListings(job.payload, d);
    if (job.queue === LISTING_FEED_QUEUE) {
      const step = await trackListingFeed(job.payload, d);
      if (step.kind === 'submitted') {
        sim.control.processFeeds();
        await sim.control.waitForFeed(step.feedId);
      }
    }
  }
}

/** The Sage statements sent since the last call: how many, and which read the stock view (with their item ids). */
function sageStatements() {
  const sent = sage.statements.splice(0);
  const stockReads = sent.filter((s) => s.sql.includes('"vdvStockStatus"'));
  return {
    count: sent.length,
    stockItemsRead: stockReads.flatMap((s) => s.parameters.filter((p) => typeof p === 'string' && p.startsWith('CT-'))),
  };
}

beforeAll(async () => {
  sage = await createSandboxGateway({
    path: ':memory:',
    changeTracking: { enabled: true, retentionDays: 2 },
    recordStatements: true,
  });
  skus = await addSandboxItems(sage, N, { prefix: 'CT-', qty: () => 10 });
  await sage.installExtensions();
  sim = await createAmazonSimulator({ seed: 20, orders: 0, limits: false, scenario: { skus } });
  store = await freshStore('sqlite', 'inventory-change-tracking');
  state = storeListingState(store, { now: () => new Date() });
  await state.upsertLinks(
    CONN,
    skus.map((sku) => ({ sku, itemId: sku, marketplaceId: US, productType: 'PRODUCT', fulfillment: 'MFN' as const })),
  );
}, 60_000);
afterAll(async () => {
  await sim?.close();
  await sage?.close();
  await store?.close();
});

describe('stock sync through SQL Server change tracking (sandbox emulation)', () => {
  it('first watch reads everything once; then a change to one bin reaches Amazon with only that item read', async () => {
    const d = deps();
    const first = await watchStock({ connectionId: CONN }, d);
    expect(first).toMatchObject({ via: 'digest', itemsRead: N, fullRead: 'first' });
    await drain(d); // the first full sync: every SKU gets its quantity
    expect(sim.control.listing(skus[7]!)!.attributes.fulfillment_availability?.[0]?.quantity).toBe(10);

    expect(await watchStock({ connectionId: CONN }, d)).toEqual({ changed: false, via: 'tracking', itemsRead: 0 });

    await setSandboxQty(sage, [skus[7]!], 4); // a Sage user adjusts one bin
    sageStatements(); // (the test's own statements)
    const watched = await watchStock({ connectionId: CONN }, d);
    expect(watched).toEqual({ changed: true, via: 'tracking', itemsRead: 0 });
    // The watch sent two statements (versions, CHANGETABLE) and read no stock.
    expect(sageStatements()).toEqual({ count: 2, stockItemsRead: [] });
    expect(jobs).toEqual([
      { queue: INVENTORY_SYNC_QUEUE, payload: { connectionId: CONN, scope: 'quantity', itemIds: [skus[7]] } },
    ]);
    await drain(d);
    // The quantity sync read the stock of that one item, in one statement.
    expect(sageStatements()).toEqual({ count: 1, stockItemsRead: [skus[7]] });
    expect(sim.control.listing(skus[7]!)!.attributes.fulfillment_availability?.[0]?.quantity).toBe(4);
    expect(sim.control.listing(skus[8]!)!.attributes.fulfillment_availability?.[0]?.quantity).toBe(10);
  });

  it('a version older than the retention falls back to one full read, counted, then tracking resumes', async () => {
    const d = deps();
    await setSandboxQty(sage, [skus[3]!], 6);
    sage.expireChangeTracking(); // the retention cleanup ran past the stored version
    sageStatements();
    const fallback = await watchStock({ connectionId: CONN }, d);
    expect(fallback).toMatchObject({ changed: true, via: 'digest', itemsRead: N, fullRead: 'expired' });
    expect(sageStatements().stockItemsRead).toHaveLength(N);
    expect(await d.watermarks.get(CONN, STOCK_CT_FULL_READS)).toBe('2'); // the first read and this one
    await drain(d);
    expect(sim.control.listing(skus[3]!)!.attributes.fulfillment_availability?.[0]?.quantity).toBe(6);
    sageStatements();
    expect(await watchStock({ connectionId: CONN }, d)).toEqual({ changed: false, via: 'tracking', itemsRead: 0 });
    expect(sageStatements()).toEqual({ count: 2, stockItemsRead: [] });
  });
});
