import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInventoryDeps, inventorySettingsFromConfig } from '../../../src/bootstrap/inventory.ts';
import { registerInventoryFlows } from '../../../src/flows/index.ts';
import { configSchema } from '../../../src/config/schema.ts';
import { listingsFeedProblems } from '../../../src/connectors/amazon/listings-channel.ts';
import type { ListingsChannel } from '../../../src/core/ports/listings-channel.ts';
import { INVENTORY_SYNC_QUEUE, LISTING_BLOCK_QUEUE, type InventoryFlowDeps } from '../../../src/flows/inventory.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { createDeadLetterService } from '../../../src/runtime/queue/dead-letters.ts';
import type { JobQueue } from '../../../src/runtime/queue/job-queue.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore, makeQueue, waitForEvent, waitUntil } from '../../helpers/queue-env.ts';

// A price jump through the real job queue: inventory.sync holds it, listing.block puts it in the dead-letter queue
// (SB_LIST_PRICE_HELD with the reason), `dlq replay` approves it and the next sync sends exactly that price.
const US = 'ATVPDKIKX0DER';
let store: Store;
let queue: JobQueue;
let deps: InventoryFlowDeps;
const patched: { sku: string; patches: unknown }[] = [];
const submittedFeeds: unknown[] = [];
let sheetMinor = 2500;

const channel: ListingsChannel = {
  validateFeed: (d) => listingsFeedProblems(d),
  submitFeed: async (_m, d) => (submittedFeeds.push(d), { feedId: `F${submittedFeeds.length}`, feedDocumentId: 'D' }),
  readFeed: async (feedId) => ({ status: 'DONE', report: { feedId, feedIssues: [], messages: [] } }),
  patchListing: async (r) => (
    patched.push({ sku: r.sku, patches: r.patches }),
    { status: 'ACCEPTED', issues: [], hasErrors: false }
  ),
  readListing: async () => undefined,
  fbaQuantities: async () => new Map(),
};

beforeAll(async () => {
  store = await freshStore('sqlite', 'inventory-approval-queue');
  queue = await makeQueue(store);
  const settings = inventorySettingsFromConfig(
    configSchema.parse({
      amazon: { sellerId: 'S1' },
      inventory: { maxPriceChangePercent: 20, readBackSample: 0, feedPollMs: 10 },
    }) as never,
  );
  deps = createInventoryDeps({
    store,
    sage: {
      getStock: async () => [{ itemId: 'I-1', warehouseId: 'MAIN', onHand: 5, available: 5 }],
      getPrices: async () => [
        {
          itemId: 'I-1',
          warehouseId: 'MAIN',
          priceSheet: 'list',
          price: { currency: 'USD', minor: sheetMinor },
          effectiveDate: '2026-01-01',
        },
      ],
    },
    channel,
    clock: systemClock,
    queue,
    settingsFor: () => settings,
  });
  registerInventoryFlows(queue, deps);
  await deps.state.upsertLinks('c', [
    { sku: 'S-1', itemId: 'I-1', marketplaceId: US, productType: 'PRODUCT', fulfillment: 'MFN' },
  ]);
  await deps.state.saveSent('c', [
    { state: { sku: 'S-1', marketplaceId: US, quantity: 5, price: { currency: 'USD', minor: 1000 } }, itemId: 'I-1' },
  ]);
  await queue.start();
});
afterAll(async () => {
  await queue?.stop();
  await store?.close();
});

describe('price approval through the dead-letter queue', () => {
  it('a +150% price waits in the DLQ with the reason; replaying it approves and sends that price', async () => {
    const deadLetters = createDeadLetterService(store, queue, systemClock);
    const dead = waitForEvent(queue, (e) => e.type === 'dead' && e.job.queue === LISTING_BLOCK_QUEUE);
    await queue.enqueue(INVENTORY_SYNC_QUEUE, { connectionId: 'c', scope: 'price' });
    await dead;
    const [letter] = await deadLetters.list({ queue: LISTING_BLOCK_QUEUE });
    expect(letter!.error.code).toBe('SB_LIST_PRICE_HELD');
    expect(letter!.error.message).toBe(
      `SKU S-1 in ${US}: price 10.00 USD -> 25.00 USD changes by more than 20%; waits for approval`,
    );
    expect(letter!.payload).toMatchObject({ sku: 'S-1', kind: 'price-held' });
    expect(submittedFeeds).toEqual([]);

    await deadLetters.replay(letter!.id, { actor: 'test' });
    // The replay releases the hold and queues a price sync, which sends 25.00 in a feed and tracks it to DONE.
    await waitUntil(
      async () => (await deps.state.lastSent('c'))[0]?.price?.minor === 2500,
      30_000,
      'approved price accepted',
    );
    expect(submittedFeeds).toHaveLength(1);
    const doc = submittedFeeds[0] as {
      messages: {
        sku: string;
        patches: { path: string; value: { our_price: { schedule: { value_with_tax: number }[] }[] }[] }[];
      }[];
    };
    expect(
      doc.messages.map((m) => [
        m.sku,
        m.patches[0]!.path,
        m.patches[0]!.value[0]!.our_price[0]!.schedule[0]!.value_with_tax,
      ]),
    ).toEqual([['S-1', '/attributes/purchasable_offer', 25]]);
    expect(await deadLetters.list({ queue: LISTING_BLOCK_QUEUE })).toEqual([]);

    // A different jump later is held again (the approval was for 25.00 only).
    sheetMinor = 9900;
    const again = waitForEvent(queue, (e) => e.type === 'dead' && e.job.queue === LISTING_BLOCK_QUEUE);
    await queue.enqueue(INVENTORY_SYNC_QUEUE, { connectionId: 'c', scope: 'price' });
    await again;
    expect((await deadLetters.list({ queue: LISTING_BLOCK_QUEUE }))[0]!.error.message).toMatch(
      /25\.00 USD -> 99\.00 USD/,
    );
  }, 60_000);
});
