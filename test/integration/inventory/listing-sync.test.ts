import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInventoryDeps, inventorySettingsFromConfig } from '../../../src/bootstrap/inventory.ts';
import { storeListingState } from '../../../src/connectors/store/listing-state.ts';
import { createListingsChannel } from '../../../src/connectors/amazon/listings-channel.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { configSchema } from '../../../src/config/schema.ts';
import type { ListingStateStore, StoredLink } from '../../../src/core/ports/listing-state.ts';
import { SellbridgeError } from '../../../src/core/errors.ts';
import { releaseListingBlock } from '../../../src/flows/release-listing-block.ts';
import {
  LISTING_BLOCK_QUEUE,
  LISTING_FEED_QUEUE,
  type InventoryFlowDeps,
  type InventorySettings,
} from '../../../src/flows/inventory.ts';
import { previewAttributeChanges } from '../../../src/flows/preview-attributes.ts';
import { syncListings } from '../../../src/flows/sync-listings.ts';
import { trackListingFeed } from '../../../src/flows/track-listing-feed.ts';
import { storeWatermarks } from '../../../src/connectors/store/watermarks.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { createAmazonSimulator, DEFAULT_SELLER, type AmazonSimulator } from '../../../src/simulator/amazon/index.ts';
import { freshStore } from '../../helpers/queue-env.ts';
import { connectToSimulator } from '../../helpers/simulator-connection.ts';
import { addSandboxItems, setSandboxPrice, setSandboxQty } from './sandbox-items.ts';

// Issue 7 "must show", against the SP-API simulator over HTTP and the Sage 500 sandbox: 10,000 SKUs with 3%
// changed -> one feed with exactly those messages; per-message errors -> only those SKUs blocked and
// dead-lettered; a read-back mismatch flagged; a price jump held for approval.
const US = DEFAULT_SELLER.marketplaceIds[0]!;
const N = 10_000;
const CONN = 'c1';

interface Enqueued {
  queue: string;
  payload: Record<string, unknown>;
  options?: { key?: string; delayMs?: number };
}

let sim: AmazonSimulator;
let sage: SandboxGateway;
let store: Store;
let state: ListingStateStore;
let skus: string[];
const jobs: Enqueued[] = [];

function settings(overrides: Record<string, unknown> = {}): InventorySettings {
  const config = configSchema.parse({
    amazon: { sellerId: DEFAULT_SELLER.sellerId },
    inventory: { maxPriceChangePercent: 20, readBackSample: 20, ...overrides },
  });
  return inventorySettingsFromConfig(config as never);
}

function deps(s: InventorySettings = settings()): InventoryFlowDeps {
  const conn = connectToSimulator(sim.url);
  return {
    sage,
    channel: createListingsChannel({ client: conn.client, sellerId: DEFAULT_SELLER.sellerId }),
    state,
    watermarks: storeWatermarks(store, { now: () => new Date() }),
    jobs: {
      async enqueue(queue, payload, options) {
        jobs.push({ queue, payload: payload as Record<string, unknown>, ...(options ? { options } : {}) });
        return { id: String(jobs.length), deduplicated: false };
      },
    },
    clock: { now: () => new Date() },
    settingsFor: () => s,
  };
}

/** Runs queued listing.feed jobs until none is left, finishing the simulator's feeds as they are submitted. */
async function drainFeeds(d: InventoryFlowDeps): Promise<unknown[]> {
  const results: unknown[] = [];
  for (;;) {
    const i = jobs.findIndex((j) => j.queue === LISTING_FEED_QUEUE);
    if (i < 0) return results;
    const [job] = jobs.splice(i, 1);
    const step = await trackListingFeed(job!.payload, d);
    if (step.kind === 'submitted') {
      sim.control.processFeeds();
      await sim.control.waitForFeed(step.feedId);
    }
    results.push(step);
  }
}

const link = (sku: string, itemId = sku): StoredLink => ({
  sku,
  marketplaceId: US,
  itemId,
  productType: 'PRODUCT',
  fulfillment: 'MFN',
});

beforeAll(async () => {
  skus = Array.from({ length: N }, (_, i) => `SB-${String(i).padStart(5, '0')}`);
  sim = await createAmazonSimulator({
    seed: 7,
    orders: 0,
    limits: false,
    scenario: { skus: [...skus, 'AMZ-RED-ATTR', 'GADGET-PRO'] },
  });
  sage = await createSandboxGateway({ path: ':memory:' });
  await addSandboxItems(sage, N);
  store = await freshStore('sqlite', 'inventory-listing-sync');
  state = storeListingState(store, { now: () => new Date() });
  await state.upsertLinks(
    CONN,
    skus.map((s) => link(s)),
  );
  // Baseline: what was sent before (10 units at 10.00 each) — so only real changes go out.
  await state.saveSent(
    CONN,
    skus.map((sku) => ({
      state: { sku, marketplaceId: US, quantity: 10, price: { currency: 'USD', minor: 1000 } },
      itemId: sku,
    })),
  );
}, 120_000);
afterAll(async () => {
  await sim?.close();
  await sage?.close();
  await store?.close();
});

describe('inventory sync: Sage sandbox -> JSON_LISTINGS_FEED -> simulator', () => {
  it('10,000 SKUs with 3% changed make one feed with exactly those messages, all accepted and applied', async () => {
    const changed = skus.filter((_, i) => i % 33 === 0).slice(0, 300);
    await setSandboxQty(sage, changed, 7);
    const d = deps();
    const outcome = await syncListings({ connectionId: CONN, scope: 'quantity' }, d);
    expect(outcome.links).toBe(N);
    expect(outcome.changes).toBe(300);
    expect(outcome.feeds).toHaveLength(1);
    expect(outcome.feeds[0]!.messages).toBe(300);
    const feed = await state.feed(outcome.feeds[0]!.feedRowId);
    expect(feed!.sent.map((s) => s.sku).sort()).toEqual([...changed].sort());
    expect(
      feed!.sent.every(
        (s) =>
          s.change.changes.length === 1 && s.change.changes[0]!.kind === 'quantity' && s.change.changes[0]!.to === 7,
      ),
    ).toBe(true);

    const steps = await drainFeeds(d);
    expect(steps.at(-1)).toMatchObject({
      kind: 'finished',
      status: 'DONE',
      counts: { accepted: 300, warnings: 0, rejected: 0, retry: 0 },
      notApplied: 0,
      readBack: 20,
    });
    const after = new Map((await state.lastSent(CONN)).map((s) => [s.sku, s.quantity]));
    expect(changed.every((s) => after.get(s) === 7)).toBe(true);
    expect(after.get(skus[1]!)).toBe(10);
    // Nothing left to send.
    const again = await syncListings({ connectionId: CONN, scope: 'quantity' }, d);
    expect(again).toMatchObject({ changes: 0, feeds: [] });
  }, 120_000);

  it("a report with per-message errors: only those SKUs are blocked and dead-lettered with Amazon's message; the rest move the baseline", async () => {
    // Two SKUs Amazon does not have (linked to Sage items that exist), plus two good ones; nothing sent before.
    const C = 'c2';
    await state.upsertLinks(C, [
      link('GHOST-1', 'SB-00001'),
      link('GHOST-2', 'SB-00002'),
      link('SB-00004'),
      link('SB-00005'),
    ]);
    await setSandboxQty(sage, ['SB-00004', 'SB-00005'], 3);
    jobs.length = 0;
    const d = deps(settings({ fastLaneMax: 0 }));
    const outcome = await syncListings({ connectionId: C, scope: 'quantity' }, d);
    const feed = await state.feed(outcome.feeds[0]!.feedRowId);
    expect(feed!.sent.map((s) => s.sku).sort()).toEqual(['GHOST-1', 'GHOST-2', 'SB-00004', 'SB-00005']);
    const steps = await drainFeeds(d);
    expect(steps.at(-1)).toMatchObject({
      kind: 'finished',
      status: 'DONE',
      counts: { accepted: 2, rejected: 2, retry: 0 },
    });

    const blocks = jobs.filter((j) => j.queue === LISTING_BLOCK_QUEUE);
    expect(blocks.map((b) => b.payload['sku']).sort()).toEqual(['GHOST-1', 'GHOST-2']);
    // The dead letter: SB_LIST_MESSAGE_REJECTED naming the SKU and Amazon's words.
    const err = await releaseListingBlock(blocks[0]!.payload, d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SellbridgeError);
    expect((err as SellbridgeError).code).toBe('SB_LIST_MESSAGE_REJECTED');
    expect((err as SellbridgeError).message).toMatch(
      new RegExp(`SKU ${String(blocks[0]!.payload['sku'])} .*SIM_SKU_NOT_FOUND`),
    );
    const last = new Map((await state.lastSent(C)).map((s) => [s.sku, s.quantity]));
    expect(last.get('SB-00004')).toBe(3);
    expect(last.has('GHOST-1')).toBe(false);
    // Not sent again while the block is open: the next sync has nothing to send.
    jobs.length = 0;
    const again = await syncListings({ connectionId: C, scope: 'quantity' }, d);
    expect(again).toMatchObject({ changes: 0, blocked: 2, feeds: [] });
    // Replaying the dead letter releases the block and queues a sync that sends it again.
    const released = await releaseListingBlock(blocks[0]!.payload, d);
    expect(released).toEqual({ released: true });
    expect(jobs.at(-1)).toMatchObject({ queue: 'inventory.sync', payload: { connectionId: C, scope: 'quantity' } });
    const resend = await syncListings({ connectionId: C, scope: 'quantity' }, d);
    expect(resend).toMatchObject({ changes: 1, blocked: 1 });
  }, 60_000);

  it('read-back after DONE flags a SKU Amazon accepted but does not show ("accepted but not applied")', async () => {
    const C = 'c3';
    await state.upsertLinks(C, [link('SB-00100'), link('SB-00101')]);
    await state.saveSent(
      C,
      ['SB-00100', 'SB-00101'].map((sku) => ({ state: { sku, marketplaceId: US, quantity: 10 }, itemId: sku })),
    );
    await setSandboxQty(sage, ['SB-00100', 'SB-00101'], 4);
    jobs.length = 0;
    const d = deps(settings({ fastLaneMax: 0 }));
    const outcome = await syncListings({ connectionId: C, scope: 'quantity' }, d);
    expect(outcome.feeds[0]!.messages).toBe(2);
    const job = jobs.splice(
      jobs.findIndex((j) => j.queue === LISTING_FEED_QUEUE),
      1,
    )[0]!;
    const submitted = await trackListingFeed(job.payload, d);
    if (submitted.kind !== 'submitted') throw new Error('expected submitted');
    sim.control.processFeeds();
    await sim.control.waitForFeed(submitted.feedId);
    // Amazon shows something else for SB-00101 (e.g. edited in Seller Central after processing).
    sim.control.listing('SB-00101')!.attributes['fulfillment_availability'] = [
      { fulfillment_channel_code: 'DEFAULT', quantity: 9 },
    ];
    const steps = await drainFeeds(d);
    expect(steps.at(-1)).toMatchObject({ kind: 'finished', status: 'DONE', notApplied: 1 });
    const flags = await state.flags(C);
    expect(flags).toEqual([
      {
        marketplaceId: US,
        sku: 'SB-00101',
        kind: 'not-applied',
        feedId: submitted.feedId,
        detail: 'accepted but not applied: quantity sent 4, Amazon shows 9',
      },
    ]);
  }, 60_000);

  it('a price jump above the guard is held for approval; the approval sends it', async () => {
    const C = 'c4';
    await state.upsertLinks(C, [link('SB-00200'), link('SB-00201')]);
    await state.saveSent(
      C,
      ['SB-00200', 'SB-00201'].map((sku) => ({
        state: { sku, marketplaceId: US, quantity: 10, price: { currency: 'USD', minor: 1000 } },
        itemId: sku,
      })),
    );
    await setSandboxPrice(sage, 'SB-00200', 2500); // 10.00 -> 25.00: +150% > 20%
    await setSandboxPrice(sage, 'SB-00201', 1100); // +10%: goes out
    jobs.length = 0;
    const d = deps();
    const outcome = await syncListings({ connectionId: C, scope: 'price' }, d);
    expect(outcome).toMatchObject({ changes: 1, held: 1 });
    const block = jobs.find((j) => j.queue === LISTING_BLOCK_QUEUE)!;
    expect(block.payload).toMatchObject({ sku: 'SB-00200', kind: 'price-held' });
    const err = (await releaseListingBlock(block.payload, d).catch((e: unknown) => e)) as SellbridgeError;
    expect(err.code).toBe('SB_LIST_PRICE_HELD');
    expect(err.message).toBe(
      `SKU SB-00200 in ${US}: price 10.00 USD -> 25.00 USD changes by more than 20%; waits for approval`,
    );
    const feed = await state.feed(outcome.feeds[0]!.feedRowId);
    expect(feed!.sent.map((s) => s.sku)).toEqual(['SB-00201']);
    await drainFeeds(d);
    // Still held on the next run (no second dead letter), then approved by the replay.
    jobs.length = 0;
    expect(await syncListings({ connectionId: C, scope: 'price' }, d)).toMatchObject({ changes: 0, held: 1 });
    expect(jobs.filter((j) => j.queue === LISTING_BLOCK_QUEUE)).toEqual([]);
    await releaseListingBlock(block.payload, d);
    const approved = await syncListings({ connectionId: C, scope: 'price' }, d);
    expect(approved).toMatchObject({ changes: 1, held: 0 });
    await drainFeeds(d);
    const offer = sim.control.listing('SB-00200')!.attributes['purchasable_offer']![0] as {
      our_price: { schedule: { value_with_tax: number }[] }[];
    };
    expect(offer.our_price[0]!.schedule[0]!.value_with_tax).toBe(25);
  }, 60_000);

  it('drops to zero go out on the fast lane (patchListingsItem) ahead of any feed', async () => {
    const C = 'c5';
    await state.upsertLinks(C, [link('SB-00300')]);
    await state.saveSent(C, [{ state: { sku: 'SB-00300', marketplaceId: US, quantity: 10 }, itemId: 'SB-00300' }]);
    await setSandboxQty(sage, ['SB-00300'], 0);
    jobs.length = 0;
    const d = deps();
    const outcome = await syncListings({ connectionId: C, scope: 'quantity' }, d);
    expect(outcome).toMatchObject({ changes: 1, fastLane: { sent: 1, rejected: 0 }, feeds: [] });
    const qty = sim.control
      .listing('SB-00300')!
      .attributes['fulfillment_availability']!.find((v) => v['fulfillment_channel_code'] === 'DEFAULT')!['quantity'];
    expect(qty).toBe(0);
    expect(new Map((await state.lastSent(C)).map((s) => [s.sku, s.quantity])).get('SB-00300')).toBe(0);
  }, 60_000);

  it('custom fields become attribute PATCH messages; Amazon previews them (VALIDATION_PREVIEW); an unmappable field is dead-lettered', async () => {
    const C = 'c6';
    await state.upsertLinks(C, [link('AMZ-RED-ATTR', 'WIDGET-RED'), link('GADGET-PRO', 'GADGET-PRO')]);
    await state.saveSent(C, [
      { state: { sku: 'AMZ-RED-ATTR', marketplaceId: US, quantity: 120 }, itemId: 'WIDGET-RED' },
      { state: { sku: 'GADGET-PRO', marketplaceId: US, quantity: 8 }, itemId: 'GADGET-PRO' },
    ]);
    const s = settings({
      fastLaneMax: 0,
      customFieldMap: [
        { source: 'ShortDesc', attribute: 'item_name', kind: 'text', maxLength: 200 },
        { source: 'Weight', attribute: 'item_weight', kind: 'weight', unit: 'pounds', max: 1 },
      ],
    });
    const d = createInventoryDeps({
      store,
      sage,
      channel: deps(s).channel,
      clock: { now: () => new Date() },
      queue: deps(s).jobs,
      settingsFor: () => s,
    });
    const preview = await previewAttributeChanges(C, d);
    expect(preview.previews.map((p) => [p.sku, p.attributes, p.issues])).toEqual([
      ['AMZ-RED-ATTR', ['item_name', 'item_weight'], []],
      ['GADGET-PRO', ['item_name'], []],
    ]);
    expect(preview.previews.every((p) => p.status === 'VALID')).toBe(true);
    expect(preview.issues).toEqual([
      {
        sku: 'GADGET-PRO',
        marketplaceId: US,
        itemId: 'GADGET-PRO',
        reason: 'Sage item GADGET-PRO: Weight -> item_weight: 2.25 is above 1',
      },
    ]);
    expect(sim.control.listing('GADGET-PRO')!.attributes['item_name']![0]!['value']).not.toBe('Gadget Pro'); // preview saved nothing

    jobs.length = 0;
    const outcome = await syncListings({ connectionId: C, scope: 'quantity' }, d);
    expect(outcome).toMatchObject({ changes: 2, attributeIssues: 1 });
    const feed = await state.feed(outcome.feeds[0]!.feedRowId);
    const red = feed!.sent.find((m) => m.sku === 'AMZ-RED-ATTR')!;
    expect(red.change.changes.map((c) => (c.kind === 'attribute' ? c.name : c.kind))).toEqual([
      'item_name',
      'item_weight',
    ]);
    await drainFeeds(d);
    expect(sim.control.listing('AMZ-RED-ATTR')!.attributes['item_weight']).toEqual([
      { value: 0.5, unit: 'pounds', marketplace_id: US },
    ]);
    expect(sim.control.listing('GADGET-PRO')!.attributes['item_name']![0]!['value']).toBe('Gadget Pro');
    const block = jobs.find((j) => j.queue === LISTING_BLOCK_QUEUE)!;
    const err = (await releaseListingBlock(block.payload, d).catch((e: unknown) => e)) as SellbridgeError;
    expect(err.code).toBe('SB_LIST_ATTRIBUTE_INVALID');
    expect(err.message).toBe(`SKU GADGET-PRO in ${US}: Sage item GADGET-PRO: Weight -> item_weight: 2.25 is above 1`);
    // Sent once: the next sync has nothing left to send for these SKUs.
    jobs.length = 0;
    expect(await syncListings({ connectionId: C, scope: 'quantity' }, d)).toMatchObject({ changes: 0, feeds: [] });
  }, 60_000);
});
