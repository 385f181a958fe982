import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventorySettingsFromConfig } from '../../../src/bootstrap/inventory.ts';
import { storeListingState } from '../../../src/connectors/store/listing-state.ts';
import { storeWatermarks } from '../../../src/connectors/store/watermarks.ts';
import { listFbaStock, recordFbaStockIn } from '../../../src/connectors/store/fba-stock.ts';
import { configSchema } from '../../../src/config/schema.ts';
import { createListingsChannel } from '../../../src/connectors/amazon/listings-channel.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import type { ListingStateStore, StoredLink } from '../../../src/core/ports/listing-state.ts';
import { discrepanciesCsv } from '../../../src/core/transform/inventory-reconcile.ts';
import { feedMessagesFromDeltas } from '../../../src/core/transform/feed-messages-from-deltas.ts';
import { listingKey } from '../../../src/core/transform/listing-delta.ts';
import { reconcileListings } from '../../../src/flows/inventory-reconcile.ts';
import type { InventoryFlowDeps } from '../../../src/flows/inventory.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { createAmazonSimulator, DEFAULT_SELLER, type AmazonSimulator } from '../../../src/simulator/amazon/index.ts';
import { freshStore } from '../../helpers/queue-env.ts';
import { connectToSimulator } from '../../helpers/simulator-connection.ts';
import { addSandboxItems } from './sandbox-items.ts';

// Issue 7 "reconciliation finds the discrepancies planted in a fixture and explains each": Sage sandbox (demo
// company + three RC- items) vs the SP-API simulator's listings and FBA inventory.
const US = DEFAULT_SELLER.marketplaceIds[0]!;
const C = 'rc';
const MFN = ['AMZ-MATCH', 'AMZ-BUFFER', 'AMZ-NOTAPPLIED', 'AMZ-NOTSENT', 'AMZ-PENDING', 'AMZ-OPEN'];

let sim: AmazonSimulator;
let sage: SandboxGateway;
let store: Store;
let state: ListingStateStore;
const enqueued: { queue: string; payload: unknown }[] = [];

const link = (sku: string, itemId: string, fulfillment: 'MFN' | 'FBA' = 'MFN'): StoredLink => ({
  sku,
  itemId,
  marketplaceId: US,
  productType: 'PRODUCT',
  fulfillment,
});

function deps(): InventoryFlowDeps {
  const config = configSchema.parse({
    amazon: { sellerId: DEFAULT_SELLER.sellerId },
    inventory: { overrides: { 'AMZ-BUFFER': { maxQuantity: 30 } } },
  });
  const settings = inventorySettingsFromConfig(config as never);
  return {
    sage,
    channel: createListingsChannel({ client: connectToSimulator(sim.url).client, sellerId: DEFAULT_SELLER.sellerId }),
    state,
    watermarks: storeWatermarks(store, { now: () => new Date() }),
    jobs: {
      enqueue: async (queue, payload) => (
        enqueued.push({ queue, payload }),
        { id: String(enqueued.length), deduplicated: false }
      ),
    },
    clock: { now: () => new Date() },
    settingsFor: () => settings,
  };
}

function showOnAmazon(sku: string, quantity: number): void {
  sim.control.listing(sku)!.attributes['fulfillment_availability'] = [
    { fulfillment_channel_code: 'DEFAULT', quantity },
  ];
}

beforeAll(async () => {
  sim = await createAmazonSimulator({ seed: 11, orders: 0, limits: false, scenario: { skus: MFN } });
  sage = await createSandboxGateway({ path: ':memory:' });
  await addSandboxItems(sage, 3, { prefix: 'RC-', firstKey: 40_000 }); // RC-00000..2, 10 units each in MAIN
  store = await freshStore('sqlite', 'inventory-reconcile');
  state = storeListingState(store, { now: () => new Date() });
  await state.upsertLinks(C, [
    link('AMZ-MATCH', 'CABLE-USB-C'), // Sage 500, sent 500, Amazon 500: matches
    link('AMZ-BUFFER', 'WIDGET-BLUE'), // Sage 40, cap 30, Amazon 30: buffer rule
    link('AMZ-NOTAPPLIED', 'GADGET-PRO'), // Sage 8, sent 8, Amazon 25: accepted but not applied
    link('AMZ-NOTSENT', 'WIDGET-RED'), // Sage 120, sent 100, Amazon 100: not sent yet
    link('AMZ-PENDING', 'MUG-LOGO'), // Sage 0, sent 5, Amazon 5, in a feed still processing
    link('AMZ-OPEN', 'RC-00002'), // Sage 10, sent 10, Amazon 8, 2 units on Amazon orders not yet in Sage
    link('AMZ-MISSING', 'RC-00000'), // no listing on Amazon
    link('AMZ-FBA', 'RC-00001', 'FBA'), // Sage 10, FBA fulfillable 7
  ]);
  const sent = (sku: string, quantity: number, itemId: string) => ({
    state: { sku, marketplaceId: US, quantity },
    itemId,
  });
  await state.saveSent(C, [
    sent('AMZ-MATCH', 500, 'CABLE-USB-C'),
    sent('AMZ-BUFFER', 30, 'WIDGET-BLUE'),
    sent('AMZ-NOTAPPLIED', 8, 'GADGET-PRO'),
    sent('AMZ-NOTSENT', 100, 'WIDGET-RED'),
    sent('AMZ-PENDING', 5, 'MUG-LOGO'),
    sent('AMZ-OPEN', 10, 'RC-00002'),
  ]);
  showOnAmazon('AMZ-MATCH', 500);
  showOnAmazon('AMZ-BUFFER', 30);
  showOnAmazon('AMZ-NOTSENT', 100);
  showOnAmazon('AMZ-PENDING', 5);
  showOnAmazon('AMZ-OPEN', 8);
  // AMZ-NOTAPPLIED keeps the simulator's 25.
  sim.control.setFbaInventory('AMZ-FBA', 7);
  sim.control.setFbaInventory('FBA-ORPHAN', 12); // on Amazon, linked to nothing
  // A feed with AMZ-PENDING built and not final.
  const [batch] = feedMessagesFromDeltas(
    [
      {
        sku: 'AMZ-PENDING',
        marketplaceId: US,
        itemId: 'MUG-LOGO',
        productType: 'PRODUCT',
        currency: 'USD',
        toZero: true,
        changes: [{ kind: 'quantity', from: 5, to: 0, why: 'test' }],
      },
    ],
    { sellerId: DEFAULT_SELLER.sellerId },
  );
  await state.createFeed(C, batch!, true);
}, 60_000);
afterAll(async () => {
  await sim?.close();
  await sage?.close();
  await store?.close();
});

describe('inventory reconcile: Sage sandbox vs the simulator', () => {
  it('finds each planted discrepancy and explains it; --fix resends only the fixable ones', async () => {
    const d = deps();
    const report = await reconcileListings(
      { connectionId: C, openOrderUnits: new Map([[listingKey(US, 'AMZ-OPEN'), 2]]) },
      d,
    );
    const found = Object.fromEntries(report.discrepancies.map((x) => [x.sku, x.cause]));
    expect(found).toEqual({
      'AMZ-BUFFER': 'buffer-rule',
      'AMZ-NOTAPPLIED': 'not-applied',
      'AMZ-NOTSENT': 'not-sent-yet',
      'AMZ-PENDING': 'pending-feed',
      'AMZ-OPEN': 'open-orders',
      'AMZ-MISSING': 'missing-on-amazon',
      'AMZ-FBA': 'fba-owned',
      'FBA-ORPHAN': 'unmapped-sku',
    });
    expect(report.discrepancies.find((x) => x.sku === 'AMZ-MATCH')).toBeUndefined();
    const explain = (sku: string) => report.discrepancies.find((x) => x.sku === sku)!.explanation;
    expect(explain('AMZ-NOTAPPLIED')).toBe(
      'Amazon accepted 8 but shows 25 (accepted but not applied, or edited in Seller Central)',
    );
    expect(explain('AMZ-BUFFER')).toMatch(/^Sage 40 available, the rules list 30/);
    expect(explain('AMZ-OPEN')).toBe('Amazon shows 2 fewer: 2 units in Amazon orders not yet in Sage');
    expect(explain('FBA-ORPHAN')).toMatch(/no Sage item is linked/);
    const csv = discrepanciesCsv(report.discrepancies).split('\r\n');
    expect(csv[0]).toBe(
      'marketplaceId,sku,itemId,channel,sageAvailable,ruleQuantity,lastSent,amazon,cause,fixable,explanation',
    );
    expect(csv.find((l) => l.includes(',AMZ-NOTSENT,'))).toBe(
      `${US},AMZ-NOTSENT,WIDGET-RED,MFN,120,120,100,100,not-sent-yet,true,"the rule quantity is 120, the last accepted send was 100; the next sync sends it"`,
    );

    const fixed = await reconcileListings(
      { connectionId: C, fix: true, openOrderUnits: new Map([[listingKey(US, 'AMZ-OPEN'), 2]]) },
      d,
    );
    expect(fixed.fixed).toBe(2);
    expect(enqueued.at(-1)).toEqual({ queue: 'inventory.sync', payload: { connectionId: C, scope: 'quantity' } });
    const last = new Map((await state.lastSent(C)).map((s) => [s.sku, s.quantity]));
    expect([last.get('AMZ-NOTAPPLIED'), last.get('AMZ-NOTSENT'), last.get('AMZ-OPEN')]).toEqual([
      undefined,
      undefined,
      10,
    ]);
  }, 60_000);

  it('takes FBA quantities from what the FBA availability notifications stored, without reading Amazon', async () => {
    const live = deps();
    expect((await reconcileListings({ connectionId: C }, live)).fbaSources).toEqual({ [US]: 'live' });
    // FBA_INVENTORY_AVAILABILITY_CHANGES said 4 fulfillable for AMZ-FBA (the simulator's inventory says 7).
    await recordFbaStockIn(store.db, C, [
      {
        marketplaceId: US,
        sku: 'AMZ-FBA',
        fulfillable: 4,
        inbound: 0,
        reserved: 0,
        unfulfillable: 0,
        eventTime: '2026-12-07T04:00:00Z',
        at: '2026-12-07T04:00:01Z',
      },
    ]);
    let reads = 0;
    const channel = live.channel;
    const d: InventoryFlowDeps = {
      ...live,
      channel: { ...channel, fbaQuantities: async (m: string) => (reads++, channel.fbaQuantities(m)) },
      notifiedFbaStock: (connectionId, marketplaceId) => listFbaStock(store, connectionId, marketplaceId),
    };
    const report = await reconcileListings({ connectionId: C }, d);
    expect(report.fbaSources).toEqual({ [US]: 'notified' });
    expect(reads).toBe(0);
    const fba = report.discrepancies.find((x) => x.sku === 'AMZ-FBA')!;
    expect([fba.cause, fba.amazon]).toEqual(['fba-owned', 4]);
  }, 60_000);
});
