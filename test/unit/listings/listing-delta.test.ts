import { describe, expect, it } from 'vitest';
import { DEFAULT_LISTING_SYNC_RULES, type ListingLink } from '../../../src/core/model/listing.ts';
import { feedMessagesFromDeltas } from '../../../src/core/transform/feed-messages-from-deltas.ts';
import { errorFromHeld, listingDeltaFromSage, priceFromSheet } from '../../../src/core/transform/listing-delta.ts';

const US = 'ATVPDKIKX0DER';
const link = (sku: string, itemId: string): ListingLink => ({
  sku,
  itemId,
  marketplaceId: US,
  currency: 'USD',
  productType: 'PRODUCT',
  fulfillment: 'MFN',
});
const stock = (itemId: string, available: number, warehouseId = 'MAIN') => ({
  itemId,
  warehouseId,
  onHand: available,
  available,
});

describe('listingDeltaFromSage', () => {
  it('explains each quantity step in the change', () => {
    const d = listingDeltaFromSage({
      links: [link('A', 'I')],
      stock: [stock('I', 40), stock('I', 2, 'EAST')],
      prices: [],
      lastSent: [],
      rules: {
        ...DEFAULT_LISTING_SYNC_RULES,
        warehouseIds: ['MAIN', 'EAST'],
        safetyStock: 2,
        safetyStockPercent: 5,
        exposePercent: 50,
        maxQuantity: 15,
        zeroBelow: 2,
      },
    });
    // 42 - 2 = 40; - ceil(2.1) = 3 -> 37; x 50% -> 18; cap 15.
    expect(d.changes[0]!.changes[0]).toEqual({
      kind: 'quantity',
      to: 15,
      why: 'available 42 in EAST+MAIN - safety 2 - 5% (3) x 50% = 18 capped at 15',
    });
  });

  it("'first' gives a shared item's pool to the first SKU; a SKU linked twice is noted and counted once", () => {
    const d = listingDeltaFromSage({
      links: [link('B', 'I'), link('A', 'I'), link('A', 'I')],
      stock: [stock('I', 9)],
      prices: [],
      lastSent: [],
      rules: { ...DEFAULT_LISTING_SYNC_RULES, sharedItem: 'first' },
    });
    expect(d.targets.map((t) => [t.sku, t.quantity])).toEqual([
      ['B', 0],
      ['A', 9],
    ]);
    expect(d.notes).toContainEqual({
      sku: 'A',
      marketplaceId: US,
      note: 'listed twice in the SKU links; the first link is used',
    });
  });

  it('a held price becomes an SB_LIST_PRICE_HELD error with ids only', () => {
    const d = listingDeltaFromSage({
      links: [link('A', 'I')],
      stock: [],
      prices: [
        {
          itemId: 'I',
          warehouseId: 'MAIN',
          priceSheet: 'list',
          price: { currency: 'USD', minor: 3000 },
          effectiveDate: '2026-01-01',
        },
      ],
      lastSent: [{ sku: 'A', marketplaceId: US, quantity: 0, price: { currency: 'USD', minor: 1000 } }],
      rules: { ...DEFAULT_LISTING_SYNC_RULES, price: { ...DEFAULT_LISTING_SYNC_RULES.price, maxChangePercent: 50 } },
    });
    expect(d.changes).toEqual([]);
    const e = errorFromHeld(d.held[0]!);
    expect(e.code).toBe('SB_LIST_PRICE_HELD');
    expect(e.message).toBe(
      'SKU A in ATVPDKIKX0DER: price 10.00 USD -> 30.00 USD changes by more than 50%; waits for approval',
    );
    expect(e.context).toEqual({ sku: 'A', marketplaceId: US, reason: 'price-jump' });
  });

  it('priceFromSheet: rounding modes and endings in integer minor units', () => {
    const rules = DEFAULT_LISTING_SYNC_RULES.price;
    const usd = (minor: number) => ({ currency: 'USD', minor });
    expect(priceFromSheet(usd(1001), { ...rules, markupBasisPoints: 50 }).minor).toBe(1006); // 1006.005 half-up
    expect(priceFromSheet(usd(1001), { ...rules, markupBasisPoints: 50, rounding: 'down' }).minor).toBe(1006);
    expect(priceFromSheet(usd(1001), { ...rules, markupBasisPoints: 40, rounding: 'up' }).minor).toBe(1006); // 1005.004 up
    expect(priceFromSheet(usd(1099), { ...rules, endingMinor: 99 }).minor).toBe(1099); // already ends in .99
    expect(priceFromSheet(usd(1100), { ...rules, endingMinor: 95 }).minor).toBe(1195);
    expect(priceFromSheet({ currency: 'JPY', minor: 1234 }, { ...rules, endingMinor: 80 }).minor).toBe(1280);
  });
});

describe('issue 7 must-show, pure part', () => {
  it('10,000 SKUs with 3% changed -> one feed with exactly those 300 messages', () => {
    const links = Array.from({ length: 10_000 }, (_, i) => link(`SKU-${String(i).padStart(5, '0')}`, `I${i}`));
    const changed = new Set(Array.from({ length: 300 }, (_, k) => k * 33 + 7)); // 300 distinct SKUs spread over the range
    const d = listingDeltaFromSage({
      links,
      stock: links.map((l, i) => stock(l.itemId, i % 40)),
      prices: [],
      lastSent: links.map((l, i) => ({
        sku: l.sku,
        marketplaceId: US,
        quantity: changed.has(i) ? (i % 40) + 1 : i % 40,
      })),
      rules: DEFAULT_LISTING_SYNC_RULES,
    });
    const batches = feedMessagesFromDeltas(d.changes, { sellerId: 'A1SELLER' });
    expect(batches).toHaveLength(1);
    expect(batches[0]!.sent.map((s) => s.sku).sort()).toEqual(
      [...changed].map((i) => `SKU-${String(i).padStart(5, '0')}`).sort(),
    );
    expect(batches[0]!.document.messages.map((m) => m.messageId)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });
});
