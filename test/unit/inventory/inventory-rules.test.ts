import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { inventorySchedules, inventorySettingsFromConfig } from '../../../src/bootstrap/inventory.ts';
import { registerInventoryFlows } from '../../../src/flows/index.ts';
import { configSchema } from '../../../src/config/schema.ts';
import { listingsFeedProblems, readBackFromItem } from '../../../src/connectors/amazon/listings-channel.ts';
import { DEFAULT_LISTING_SYNC_RULES, type ListingLink } from '../../../src/core/model/listing.ts';
import { feedMessagesFromDeltas } from '../../../src/core/transform/feed-messages-from-deltas.ts';
import { reconcileInventory } from '../../../src/core/transform/inventory-reconcile.ts';
import { listingDeltaFromSage } from '../../../src/core/transform/listing-delta.ts';
import { stockDigest } from '../../../src/core/transform/fingerprint.ts';
import { SHARED_PRESENT, sharedPath } from '../../helpers/shared.ts';

const US = 'ATVPDKIKX0DER';
const link = (sku: string, itemId: string, fulfillment: 'MFN' | 'FBA' = 'MFN'): ListingLink => ({
  sku,
  itemId,
  marketplaceId: US,
  currency: 'USD',
  productType: 'PRODUCT',
  fulfillment,
});
const stock = (itemId: string, available: number) => ({ itemId, warehouseId: 'MAIN', onHand: available, available });

describe('availability and price rules (additions of issue 7)', () => {
  it('an item on hold lists 0 for every SKU drawing on it, whatever the stock', () => {
    const delta = listingDeltaFromSage({
      links: [link('A-1', 'A'), link('A-2', 'A'), link('B-1', 'B')],
      stock: [stock('A', 50), stock('B', 5)],
      prices: [],
      lastSent: [{ sku: 'A-1', marketplaceId: US, quantity: 25 }],
      rules: { ...DEFAULT_LISTING_SYNC_RULES, onHoldItemIds: ['A'] },
    });
    expect(delta.targets.map((t) => [t.sku, t.quantity])).toEqual([
      ['A-1', 0],
      ['A-2', 0],
      ['B-1', 5],
    ]);
    expect(delta.changes.find((c) => c.sku === 'A-1')).toMatchObject({
      toZero: true,
      changes: [{ kind: 'quantity', from: 25, to: 0, why: 'item A is on hold: 0' }],
    });
  });

  it('an approved price skips the guard rails; another price for the same SKU is still held', () => {
    const input = {
      links: [link('P-1', 'P')],
      stock: [stock('P', 1)],
      prices: [
        {
          itemId: 'P',
          warehouseId: 'MAIN',
          priceSheet: 'list' as const,
          price: { currency: 'USD', minor: 5000 },
          effectiveDate: '2026-01-01',
        },
      ],
      lastSent: [{ sku: 'P-1', marketplaceId: US, quantity: 1, price: { currency: 'USD', minor: 1000 } }],
      rules: { ...DEFAULT_LISTING_SYNC_RULES, price: { ...DEFAULT_LISTING_SYNC_RULES.price, maxChangePercent: 20 } },
    };
    expect(listingDeltaFromSage(input).held.map((h) => h.reason)).toEqual(['price-jump']);
    const approved = listingDeltaFromSage({
      ...input,
      approvedPrices: [{ sku: 'P-1', marketplaceId: US, price: { currency: 'USD', minor: 5000 } }],
    });
    expect(approved.held).toEqual([]);
    expect(approved.changes[0]!.changes[0]).toMatchObject({
      kind: 'price',
      to: { minor: 5000 },
      why: expect.stringMatching(/approved$/),
    });
    const other = listingDeltaFromSage({
      ...input,
      approvedPrices: [{ sku: 'P-1', marketplaceId: US, price: { currency: 'USD', minor: 4000 } }],
    });
    expect(other.held).toHaveLength(1);
  });

  it('config -> rules: warehouses, buffers, overrides, guard rails, price source per marketplace; schedules only when enabled', () => {
    const config = configSchema.parse({
      amazon: { sellerId: 'S1', marketplaceIds: [US, 'A2EUQ1WTGCTBG2'] },
      inventory: {
        warehouseIds: ['MAIN', 'EAST'],
        safetyStock: 2,
        safetyStockPercent: 10,
        exposePercent: 80,
        maxQuantity: 99,
        zeroBelow: 3,
        overrides: { X: { optOut: 'price' } },
        minPriceMinor: 100,
        prices: { A2EUQ1WTGCTBG2: { currency: 'CAD', priceSheet: 'sheet1' } },
      },
    });
    const s = inventorySettingsFromConfig(config as never);
    expect(s.rules).toMatchObject({
      warehouseIds: ['MAIN', 'EAST'],
      safetyStock: 2,
      safetyStockPercent: 10,
      exposePercent: 80,
      maxQuantity: 99,
      zeroBelow: 3,
      skipFbaQuantity: true,
      overrides: { X: { optOut: 'price' } },
      price: { minMinor: 100, maxChangePercent: 20 },
    });
    expect(s.priceFor('A2EUQ1WTGCTBG2')).toEqual({ currency: 'CAD', priceSheet: 'sheet1', warehouseId: 'MAIN' });
    expect(s.priceFor(US)).toEqual({ currency: 'USD', priceSheet: 'list', warehouseId: 'MAIN' });
    expect([
      ...inventorySettingsFromConfig(configSchema.parse({ inventory: { fbaSkus: ['F-1'] } }) as never).fbaSkus!,
    ]).toEqual(['F-1']);
    expect(inventorySchedules(config.inventory as never)).toEqual([]);
    const on = configSchema.parse({ inventory: { enabled: true } });
    expect(inventorySchedules(on.inventory as never).map((x) => [x.name, x.queue, x.key, x.everyMs])).toEqual([
      ['inventory.sync', 'inventory.sync', 'inventory.sync:default:quantity', 900_000],
      ['prices.sync', 'inventory.sync', 'inventory.sync:default:price', 3_600_000],
      ['inventory.watch', 'inventory.watch', 'inventory.watch:default', 120_000],
    ]);
    // Feed tracking by notification adds the slow safety net.
    const events = configSchema.parse({ inventory: { enabled: true, feedTracking: 'notification' } });
    expect(
      inventorySchedules(events.inventory as never)
        .map((x) => [x.name, x.key, x.everyMs])
        .at(-1),
    ).toEqual(['listing.feed.sweep', 'listing.feed.sweep:default', 900_000]);
    const queues: string[] = [];
    registerInventoryFlows({ register: (q) => void queues.push(q) }, {} as never);
    expect(queues).toEqual([
      'inventory.sync',
      'listing.feed',
      'listing.block',
      'inventory.watch',
      'listing.feed.sweep',
      'listing.issues',
    ]);
  });

  it('stock digest moves with any available quantity and ignores row order', () => {
    const a = [stock('A', 1), stock('B', 2)];
    expect(stockDigest(a)).toBe(stockDigest([...a].reverse()));
    expect(stockDigest(a)).not.toBe(stockDigest([stock('A', 1), stock('B', 3)]));
  });
});

describe('feed validation before upload', () => {
  const [batch] = feedMessagesFromDeltas(
    [
      {
        sku: 'S-1',
        marketplaceId: US,
        itemId: 'I',
        productType: 'PRODUCT',
        currency: 'USD',
        toZero: false,
        changes: [
          { kind: 'quantity', to: 3, why: 't' },
          { kind: 'price', to: { currency: 'USD', minor: 1999 }, why: 't' },
        ],
      },
    ],
    { sellerId: 'S1' },
  );
  it('the structural twin accepts what we build and names what is wrong otherwise', () => {
    expect(listingsFeedProblems(batch!.document)).toEqual([]);
    const m = batch!.document.messages[0]!;
    expect(listingsFeedProblems({ ...batch!.document, messages: [m, m] })).toEqual([
      'messages.1.messageId: message id 1 is used twice',
    ]);
    expect(
      listingsFeedProblems({
        ...batch!.document,
        messages: [{ ...m, patches: [{ op: 'replace', path: '/attributes/a/b', value: [] }] }],
      }),
    ).toEqual(['messages.0.patches.0.path: a top-level /attributes/<name> path']);
  });
  it.skipIf(!SHARED_PRESENT)('with the official schema loaded, its verdict is added', () => {
    const schema = JSON.parse(
      readFileSync(sharedPath('sp-api-models', 'schemas', 'feeds', 'listings-feed-schema-v2.json'), 'utf8'),
    ) as Record<string, unknown>;
    delete schema['$schema'];
    const ajv = new Ajv({ strict: false, allErrors: true });
    (addFormatsModule as unknown as (a: Ajv) => Ajv)(ajv);
    const official = ajv.compile(schema);
    expect(listingsFeedProblems(batch!.document, official)).toEqual([]);
    const noHeader = { messages: batch!.document.messages } as never;
    expect(listingsFeedProblems(noHeader, official).some((p) => p.startsWith('official schema:'))).toBe(true);
  });
  it('read-back reads the DEFAULT quantity and the marketplace price exactly', () => {
    const seen = readBackFromItem(
      {
        sku: 'S-1',
        attributes: {
          fulfillment_availability: [
            { fulfillment_channel_code: 'AMAZON_NA', quantity: 9 },
            { fulfillment_channel_code: 'DEFAULT', quantity: 3 },
          ],
          purchasable_offer: [
            { marketplace_id: US, currency: 'USD', our_price: [{ schedule: [{ value_with_tax: 19.99 }] }] },
          ],
        },
      },
      US,
    );
    expect([seen.quantity, seen.price]).toEqual([3, { currency: 'USD', minor: 1999 }]);
  });
});

describe('reconcileInventory (pure)', () => {
  it('a FBA SKU is compared with FBA inventory; an unknown FBA SKU is unmapped; matches are not reported', () => {
    const r = reconcileInventory({
      links: [link('M', 'I1'), link('F', 'I2', 'FBA')],
      sageAvailable: new Map([
        ['I1', 4],
        ['I2', 9],
      ]),
      targets: [
        {
          sku: 'M',
          itemId: 'I1',
          marketplaceId: US,
          productType: 'PRODUCT',
          fulfillment: 'MFN',
          quantity: 4,
          attributes: {},
        },
      ],
      lastSent: [{ sku: 'M', marketplaceId: US, quantity: 4 }],
      amazon: [
        { sku: 'M', marketplaceId: US, channel: 'MFN', quantity: 4 },
        { sku: 'F', marketplaceId: US, channel: 'FBA', quantity: 9 },
        { sku: 'Z', marketplaceId: US, channel: 'FBA', quantity: 1 },
      ],
    });
    expect(r).toMatchObject({ checked: 3, matching: 2, byCause: { 'unmapped-sku': 1 } });
  });
});
