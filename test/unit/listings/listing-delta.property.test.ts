import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ItemPrice, StockLevel } from '../../../src/core/model/inventory.ts';
import {
  DEFAULT_LISTING_SYNC_RULES,
  type ListingLink,
  type ListingSyncRules,
  type SentListingState,
} from '../../../src/core/model/listing.ts';
import { moneyFromDecimal } from '../../../src/core/model/money.ts';
import { feedMessagesFromDeltas } from '../../../src/core/transform/feed-messages-from-deltas.ts';
import {
  applyListingChanges,
  listingDeltaFromSage,
  listingKey,
  priceFromSheet,
  type ListingDeltaInput,
} from '../../../src/core/transform/listing-delta.ts';

const MARKETPLACES = [
  { id: 'ATVPDKIKX0DER', currency: 'USD' },
  { id: 'A2EUQ1WTGCTBG2', currency: 'CAD' },
  { id: 'A1VC38T7YXB528', currency: 'JPY' },
] as const;
const WAREHOUSES = ['MAIN', 'EAST', 'WEST'] as const;

const rulesArb: fc.Arbitrary<ListingSyncRules> = fc.record({
  warehouseIds: fc.subarray([...WAREHOUSES], { minLength: 1 }),
  safetyStock: fc.integer({ min: 0, max: 10 }),
  safetyStockPercent: fc.integer({ min: 0, max: 50 }),
  exposePercent: fc.integer({ min: 0, max: 100 }),
  maxQuantity: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
  zeroBelow: fc.integer({ min: 0, max: 5 }),
  sharedItem: fc.constantFrom('split' as const, 'first' as const),
  skipFbaQuantity: fc.constant(true),
  price: fc.record({
    priceSheet: fc.constantFrom('list' as const, 'sheet1' as const),
    warehouseId: fc.constant('MAIN'),
    markupBasisPoints: fc.integer({ min: -2_000, max: 5_000 }),
    rounding: fc.constantFrom('half-up' as const, 'up' as const, 'down' as const),
    endingMinor: fc.option(fc.integer({ min: 0, max: 99 }), { nil: undefined }),
    minMinor: fc.option(fc.integer({ min: 0, max: 500 }), { nil: undefined }),
    maxMinor: fc.option(fc.integer({ min: 50_000, max: 200_000 }), { nil: undefined }),
    maxChangePercent: fc.option(fc.integer({ min: 5, max: 80 }), { nil: undefined }),
  }),
  overrides: fc.dictionary(
    fc.constantFrom('I0-0', 'I1-0', 'I1-1', 'I2-0'),
    fc.record(
      {
        optOut: fc.option(fc.constantFrom('quantity' as const, 'price' as const, 'all' as const), { nil: undefined }),
        maxQuantity: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
        safetyStock: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
      },
      { requiredKeys: [] },
    ),
  ),
}) as fc.Arbitrary<ListingSyncRules>;

/** A catalogue of items, each with 1-3 SKUs in 1-3 marketplaces, stock, prices and a random last-sent state. */
const inputArb: fc.Arbitrary<ListingDeltaInput> = fc
  .integer({ min: 1, max: 6 })
  .chain((itemCount) =>
    fc.record({
      skus: fc.array(
        fc.record({
          count: fc.integer({ min: 1, max: 3 }),
          fba: fc.boolean(),
          markets: fc.subarray([0, 1, 2], { minLength: 1 }),
        }),
        { minLength: itemCount, maxLength: itemCount },
      ),
      stock: fc.array(
        fc.tuple(
          fc.integer({ min: 0, max: itemCount - 1 }),
          fc.constantFrom(...WAREHOUSES),
          fc.integer({ min: -80, max: 800 }),
        ),
        { maxLength: 12 },
      ),
      prices: fc.array(
        fc.tuple(
          fc.integer({ min: 0, max: itemCount - 1 }),
          fc.integer({ min: 0, max: 2 }),
          fc.constantFrom('list' as const, 'sheet1' as const),
          fc.integer({ min: 0, max: 150_000 }),
          fc.integer({ min: 1, max: 28 }),
        ),
        { maxLength: 12 },
      ),
      last: fc.array(
        fc.record({
          quantity: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
          price: fc.option(fc.integer({ min: 1, max: 150_000 }), { nil: undefined }),
        }),
        { minLength: 20, maxLength: 20 },
      ),
      rules: rulesArb,
    }),
  )
  .map(({ skus, stock, prices, last, rules }) => {
    const links: ListingLink[] = [];
    skus.forEach((s, item) => {
      for (let k = 0; k < s.count; k++)
        for (const m of s.markets) {
          const mp = MARKETPLACES[m]!;
          links.push({
            sku: `I${item}-${k}`,
            itemId: `ITEM${item}`,
            marketplaceId: mp.id,
            currency: mp.currency,
            productType: 'PRODUCT',
            fulfillment: s.fba && k === 0 ? 'FBA' : 'MFN',
          });
        }
    });
    const stockRows: StockLevel[] = [];
    for (const [item, wh, quarters] of stock) {
      if (stockRows.some((r) => r.itemId === `ITEM${item}` && r.warehouseId === wh)) continue;
      stockRows.push({
        itemId: `ITEM${item}`,
        warehouseId: wh,
        onHand: Math.max(0, quarters / 4),
        available: quarters / 4,
      });
    }
    const priceRows: ItemPrice[] = prices.map(([item, m, sheet, minor, day]) => ({
      itemId: `ITEM${item}`,
      warehouseId: 'MAIN',
      priceSheet: sheet,
      price: { currency: MARKETPLACES[m]!.currency, minor },
      effectiveDate: `2026-02-${String(day).padStart(2, '0')}`,
    }));
    const lastSent: SentListingState[] = links.slice(0, last.length).flatMap((l, i) => {
      const s = last[i]!;
      if (s.quantity === undefined && s.price === undefined) return [];
      return [
        {
          sku: l.sku,
          marketplaceId: l.marketplaceId,
          ...(s.quantity === undefined ? {} : { quantity: s.quantity }),
          ...(s.price === undefined ? {} : { price: { currency: l.currency, minor: s.price } }),
        },
      ];
    });
    return { links, stock: stockRows, prices: priceRows, lastSent, rules };
  });

describe('listingDeltaFromSage properties (fast-check)', () => {
  it('the delta of an unchanged state is empty (targets taken as last sent, or last sent + the changes)', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const first = listingDeltaFromSage(input);
        const asSent: SentListingState[] = first.targets.map((t) => ({
          sku: t.sku,
          marketplaceId: t.marketplaceId,
          ...(t.quantity === undefined ? {} : { quantity: t.quantity }),
          ...(t.price ? { price: t.price } : {}),
          attributes: t.attributes,
        }));
        expect(listingDeltaFromSage({ ...input, lastSent: asSent }).changes).toEqual([]);
        expect(
          listingDeltaFromSage({ ...input, lastSent: applyListingChanges(input.lastSent, first.changes) }).changes,
        ).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('applying the changes to the last-sent state gives the target', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const delta = listingDeltaFromSage(input);
        const after = new Map(
          applyListingChanges(input.lastSent, delta.changes).map((s) => [listingKey(s.marketplaceId, s.sku), s]),
        );
        for (const t of delta.targets) {
          const s = after.get(listingKey(t.marketplaceId, t.sku));
          if (t.quantity !== undefined) expect(s?.quantity).toBe(t.quantity);
          expect(s?.price).toEqual(t.price);
          for (const [name, values] of Object.entries(t.attributes)) expect(s?.attributes?.[name]).toEqual(values);
        }
        // Only what differs is sent.
        const before = new Map(input.lastSent.map((s) => [listingKey(s.marketplaceId, s.sku), s]));
        for (const c of delta.changes) {
          const b = before.get(listingKey(c.marketplaceId, c.sku));
          for (const f of c.changes) {
            if (f.kind === 'quantity') expect(f.to).not.toBe(b?.quantity);
            if (f.kind === 'price')
              expect(f.to.minor === b?.price?.minor && f.to.currency === b?.price?.currency).toBe(false);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('quantities are whole, never negative, never above the configured max, and never oversell a shared item', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const delta = listingDeltaFromSage(input);
        const perItem = new Map<string, Map<string, number>>();
        for (const t of delta.targets) {
          const link = input.links.find((l) => l.sku === t.sku && l.marketplaceId === t.marketplaceId)!;
          const optOut = input.rules.overrides[t.sku]?.optOut;
          if (link.fulfillment === 'FBA') expect(t.quantity).toBeUndefined();
          if (t.quantity === undefined || optOut === 'quantity' || optOut === 'all') continue;
          expect(Number.isInteger(t.quantity)).toBe(true);
          expect(t.quantity).toBeGreaterThanOrEqual(0);
          const cap = input.rules.overrides[t.sku]?.maxQuantity ?? input.rules.maxQuantity;
          if (cap !== undefined) expect(t.quantity).toBeLessThanOrEqual(cap);
          if (t.quantity > 0) expect(t.quantity).toBeGreaterThanOrEqual(input.rules.zeroBelow);
          const skus = perItem.get(t.itemId) ?? new Map<string, number>();
          skus.set(t.sku, t.quantity);
          perItem.set(t.itemId, skus);
        }
        for (const [itemId, skus] of perItem) {
          const available = input.stock
            .filter((s) => s.itemId === itemId && input.rules.warehouseIds.includes(s.warehouseId))
            .reduce((sum, s) => sum + Math.floor(s.available), 0);
          const listed = [...skus.values()].reduce((a, b) => a + b, 0);
          expect(listed).toBeLessThanOrEqual(Math.max(0, available));
        }
        for (const c of delta.changes)
          for (const f of c.changes) if (f.kind === 'quantity') expect(f.to).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('prices are exact to the minor unit: integer arithmetic matches a BigInt reference, and the feed number reads back to the same cents', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const delta = listingDeltaFromSage(input);
        const batches = feedMessagesFromDeltas(delta.changes, { sellerId: 'S' });
        for (const b of batches)
          for (const m of b.document.messages)
            for (const p of m.patches) {
              if (p.path !== '/attributes/purchasable_offer') continue;
              const offer = p.value[0] as { currency: string; our_price: { schedule: { value_with_tax: number }[] }[] };
              const sent = b.sent.find((s) => s.messageId === m.messageId)!;
              const change = sent.change.changes.find((f) => f.kind === 'price')!;
              const text = JSON.stringify(offer.our_price[0]!.schedule[0]!.value_with_tax);
              expect(moneyFromDecimal(text, offer.currency)).toEqual(change.to);
            }
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: -5_000, max: 20_000 }),
        fc.constantFrom('half-up' as const, 'up' as const, 'down' as const),
        (minor, bp, rounding) => {
          const got = priceFromSheet(
            { currency: 'USD', minor },
            { ...DEFAULT_LISTING_SYNC_RULES.price, markupBasisPoints: bp, rounding },
          ).minor;
          const n = BigInt(minor) * BigInt(10_000 + bp);
          const q = n / 10_000n;
          const r = n % 10_000n;
          const want = r > 0n && (rounding === 'up' || (rounding === 'half-up' && r * 2n >= 10_000n)) ? q + 1n : q;
          expect(BigInt(got)).toBe(want);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('feeds: one marketplace each, message ids 1..n, within the message and byte limits, every change exactly once, bytes as sent', () => {
    fc.assert(
      fc.property(
        inputArb,
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 600, max: 3_000 }),
        (input, maxMessages, maxBytes) => {
          const delta = listingDeltaFromSage(input);
          const batches = feedMessagesFromDeltas(delta.changes, { sellerId: 'A1SELLER', maxMessages, maxBytes });
          const seen: string[] = [];
          for (const b of batches) {
            expect(b.document.messages.map((m) => m.messageId)).toEqual(b.document.messages.map((_, i) => i + 1));
            expect(b.document.messages.length).toBeLessThanOrEqual(maxMessages);
            const bytes = new TextEncoder().encode(JSON.stringify(b.document)).length;
            expect(b.bytes).toBe(bytes);
            expect(bytes).toBeLessThanOrEqual(maxBytes);
            for (const s of b.sent) {
              expect(s.change.marketplaceId).toBe(b.marketplaceId);
              seen.push(listingKey(s.change.marketplaceId, s.sku));
            }
          }
          expect(seen.sort()).toEqual(delta.changes.map((c) => listingKey(c.marketplaceId, c.sku)).sort());
        },
      ),
      { numRuns: 200 },
    );
  });
});
