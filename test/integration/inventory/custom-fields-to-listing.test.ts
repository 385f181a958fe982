import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInventoryDeps, inventorySettingsFromConfig } from '../../../src/bootstrap/inventory.ts';
import { storeListingState } from '../../../src/connectors/store/listing-state.ts';
import { createListingsChannel } from '../../../src/connectors/amazon/listings-channel.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { configSchema } from '../../../src/config/schema.ts';
import type { ListingStateStore } from '../../../src/core/ports/listing-state.ts';
import type { SellbridgeError } from '../../../src/core/errors.ts';
import { releaseListingBlock } from '../../../src/flows/release-listing-block.ts';
import { LISTING_BLOCK_QUEUE, LISTING_FEED_QUEUE, type InventoryFlowDeps } from '../../../src/flows/inventory.ts';
import { syncListings } from '../../../src/flows/sync-listings.ts';
import { trackListingFeed } from '../../../src/flows/track-listing-feed.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { createAmazonSimulator, DEFAULT_SELLER, type AmazonSimulator } from '../../../src/simulator/amazon/index.ts';
import { freshStore } from '../../helpers/queue-env.ts';
import { connectToSimulator } from '../../helpers/simulator-connection.ts';

/**
 * Issue 17 "must show": a Sage custom field reaches a listing attribute in the simulator. The Sage sandbox's item
 * WIDGET-RED carries its brand in timItem.UserFld1 and its colour in UserFld2 (and a long description); the default
 * `UserFld1 -> brand` row and two more are read through the gateway (readItemFields), checked against the product
 * type's schema (Product Type Definitions API, served by the simulator) and sent in a JSON_LISTINGS_FEED; the
 * simulator's listing then shows them. An attribute the product type does not define is kept back and dead-lettered.
 */
const US = DEFAULT_SELLER.marketplaceIds[0]!;
const CONN = 'cf';
let sim: AmazonSimulator;
let sage: SandboxGateway;
let store: Store;
let state: ListingStateStore;
const jobs: { queue: string; payload: Record<string, unknown> }[] = [];
const definitionCalls: string[] = [];

beforeAll(async () => {
  sim = await createAmazonSimulator({
    seed: 17,
    orders: 0,
    limits: false,
    scenario: { skus: ['AMZ-RED-WIDGET', 'AMZ-CABLE'] },
    onExchange: (e) => {
      if (e.operation === 'definitions.getDefinitionsProductType') definitionCalls.push(e.path);
    },
  });
  sage = await createSandboxGateway({ path: ':memory:' });
  store = await freshStore('sqlite', 'custom-fields-to-listing');
  state = storeListingState(store, { now: () => new Date() });
  await state.upsertLinks(CONN, [
    { sku: 'AMZ-RED-WIDGET', marketplaceId: US, itemId: 'WIDGET-RED', productType: 'PRODUCT', fulfillment: 'MFN' },
    { sku: 'AMZ-CABLE', marketplaceId: US, itemId: 'CABLE-USB-C', productType: 'PRODUCT', fulfillment: 'MFN' },
  ]);
}, 60_000);
afterAll(async () => {
  await sim?.close();
  await sage?.close();
  await store?.close();
});

function deps(): InventoryFlowDeps {
  const config = configSchema.parse({
    amazon: { sellerId: DEFAULT_SELLER.sellerId },
    inventory: {
      fastLaneMax: 0,
      customFieldMap: [
        { source: 'ShortDesc', attribute: 'item_name', kind: 'text', maxLength: 200 },
        { source: 'UserFld1', attribute: 'brand', kind: 'text', maxLength: 100 },
        { source: 'LongDesc', attribute: 'product_description', kind: 'text', maxLength: 2000 },
        // Not an attribute of the product type: kept back by the schema check.
        { source: 'UserFld2', attribute: 'colour_name', kind: 'text', maxLength: 50 },
      ],
    },
  });
  const settings = inventorySettingsFromConfig(config as never);
  const conn = connectToSimulator(sim.url);
  return createInventoryDeps({
    store,
    sage,
    channel: createListingsChannel({ client: conn.client, sellerId: DEFAULT_SELLER.sellerId }),
    clock: { now: () => new Date() },
    queue: {
      async enqueue(queue, payload) {
        jobs.push({ queue, payload: payload as Record<string, unknown> });
        return { id: String(jobs.length), deduplicated: false };
      },
    },
    settingsFor: () => settings,
  });
}

describe('Sage custom fields -> listing attributes, checked against the product type schema', () => {
  it('UserFld1 (brand) and the long description reach the listing in the simulator; an unknown attribute is dead-lettered', async () => {
    const d = deps();
    const outcome = await syncListings({ connectionId: CONN, scope: 'quantity' }, d);
    expect(outcome).toMatchObject({ attributeIssues: 1 });
    // One definition read for the product type in the marketplace, whatever the number of SKUs.
    expect(definitionCalls).toHaveLength(1);
    for (;;) {
      const i = jobs.findIndex((j) => j.queue === LISTING_FEED_QUEUE);
      if (i < 0) break;
      const [job] = jobs.splice(i, 1);
      const step = await trackListingFeed(job!.payload, d);
      if (step.kind === 'submitted') {
        sim.control.processFeeds();
        await sim.control.waitForFeed(step.feedId);
      }
    }
    const red = sim.control.listing('AMZ-RED-WIDGET')!.attributes;
    expect(red['brand']).toEqual([{ value: 'Acme', language_tag: 'en_US', marketplace_id: US }]);
    expect(red['product_description']).toEqual([
      { value: 'A sturdy red widget for everyday use.', language_tag: 'en_US', marketplace_id: US },
    ]);
    expect(red['item_name']?.[0]?.['value']).toBe('Widget, red');
    expect(red['colour_name']).toBeUndefined();
    // The cable has no brand in Sage: nothing is sent for it, and nothing is wrong with it.
    expect(sim.control.listing('AMZ-CABLE')!.attributes['brand']).toBeUndefined();

    const block = jobs.find((j) => j.queue === LISTING_BLOCK_QUEUE)!;
    const err = (await releaseListingBlock(block.payload, d).catch((e: unknown) => e)) as SellbridgeError;
    expect(err.code).toBe('SB_LIST_ATTRIBUTE_INVALID');
    expect(err.message).toBe(
      `SKU AMZ-RED-WIDGET in ${US}: Sage item WIDGET-RED: colour_name: not an attribute of this product type (product type PRODUCT)`,
    );
  }, 60_000);

  it('a value the schema refuses is kept back too (the brand longer than the product type allows)', async () => {
    const d = deps();
    const check = await d.channel.checkAttributes!({
      marketplaceId: US,
      productType: 'PRODUCT',
      attributes: {
        brand: [{ value: 'x'.repeat(101), language_tag: 'en_US', marketplace_id: US }],
        item_weight: [{ value: 1, unit: 'stone', marketplace_id: US }],
      },
    });
    expect(check.map((c) => c.attribute)).toEqual(['brand', 'item_weight']);
    expect(check[0]!.problem).toContain('must NOT have more than 100 characters');
    expect(check[1]!.problem).toContain('grams, kilograms, ounces, pounds');
  });
});
