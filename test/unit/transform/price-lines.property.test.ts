import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LineAmounts, Order, OrderLine } from '../../../src/core/model/order.ts';
import { DEFAULT_MAPPING_RULES, type MappingRules } from '../../../src/core/rules/mapping-rules.ts';
import type { PricingRules } from '../../../src/core/rules/pricing.ts';
import { priceLinesFromOrder } from '../../../src/core/transform/price-lines.ts';
import { salesOrderFromOrder } from '../../../src/core/transform/sales-order-from-order.ts';
import { DEMO_CATALOGUE } from './golden-case.ts';

const PROPERTY_RUNS = 500;

const CURRENCIES = ['USD', 'EUR', 'JPY', 'GBP'] as const;
const SKUS = DEMO_CATALOGUE.map((c) => c.itemId);

const amountArb = (max: number) => fc.integer({ min: 0, max });

/** A priced line: every component generated, discounts never above what they discount. */
const lineArb = (currency: string, index: number) =>
  fc
    .record({
      qty: fc.integer({ min: 1, max: 25 }),
      item: amountArb(2_000_000),
      discountShare: fc.double({ min: 0, max: 1, noNaN: true }),
      shipping: amountArb(5_000),
      // Up to 1.2: a free-shipping promotion may exceed the shipping charged (only a freight line can book that).
      shippingDiscountShare: fc.double({ min: 0, max: 1.2, noNaN: true }),
      other: fc.option(fc.integer({ min: -500, max: 500 }), { nil: undefined }),
      giftWrap: fc.option(amountArb(1_000), { nil: undefined }),
      codFee: fc.option(amountArb(500), { nil: undefined }),
      itemTax: amountArb(200_000),
      shippingTax: amountArb(1_000),
      giftWrapTax: amountArb(200),
      mf: fc.boolean(),
      sku: fc.constantFrom(...SKUS),
    })
    .map((g): OrderLine => {
      const m = (minor: number) => ({ currency, minor });
      const itemDiscount = Math.floor(g.item * g.discountShare);
      const shippingDiscount = Math.floor(g.shipping * g.shippingDiscountShare);
      const amounts: LineAmounts = {
        item: m(g.item),
        ...(g.shipping ? { shipping: m(g.shipping) } : {}),
        ...(shippingDiscount ? { shippingDiscount: m(shippingDiscount) } : {}),
        ...(itemDiscount ? { itemDiscount: m(itemDiscount) } : {}),
        ...(g.giftWrap !== undefined ? { giftWrap: m(g.giftWrap), giftWrapTax: m(g.giftWrapTax) } : {}),
        ...(g.codFee !== undefined ? { codFee: m(g.codFee) } : {}),
        ...(g.other !== undefined ? { other: m(g.other) } : {}),
        itemTax: m(g.itemTax),
        shippingTax: m(g.shippingTax),
      };
      return {
        lineId: String(10_000_000_000_000 + index),
        sku: g.sku,
        quantityOrdered: g.qty,
        quantityShipped: 0,
        amounts,
        promotionIds: [],
        taxCollectedByMarketplace: g.mf,
        isGift: g.giftWrap !== undefined,
        buyerRequestedCancel: false,
      };
    });

const orderArb = fc.constantFrom(...CURRENCIES).chain((currency) =>
  fc.integer({ min: 1, max: 6 }).chain((n) =>
    fc.tuple(...Array.from({ length: n }, (_, i) => lineArb(currency, i))).map((lines): Order => {
      const total = lines.reduce((s, l) => {
        const a = l.amounts!;
        const v = (x: { minor: number } | undefined) => x?.minor ?? 0;
        return (
          s +
          v(a.item) +
          v(a.shipping) +
          v(a.giftWrap) +
          v(a.codFee) +
          v(a.other) +
          v(a.itemTax) +
          v(a.shippingTax) +
          v(a.giftWrapTax) -
          v(a.itemDiscount) -
          v(a.shippingDiscount)
        );
      }, 0);
      return {
        id: '111-1234567-7654321',
        marketplaceId: 'ATVPDKIKX0DER',
        salesChannel: 'Amazon.com',
        status: 'unshipped',
        fulfilledBy: 'merchant',
        createdAt: '2026-11-20T15:04:05Z',
        lastUpdatedAt: '2026-11-20T15:04:05Z',
        isBusinessOrder: false,
        isPrime: false,
        isPreorder: false,
        currency,
        total: { currency, minor: total },
        lines,
        shipTo: {
          name: 'Jane Doe',
          lines: ['123 Main St'],
          city: 'Seattle',
          stateOrRegion: 'WA',
          postalCode: '98109',
          countryCode: 'US',
        },
        packages: [],
      };
    }),
  ),
);

const pricingArb = fc
  .record({
    promotions: fc.constantFrom('line-discount', 'net-unit-price', 'discount-line'),
    marketplaceTax: fc.constantFrom('exclude', 'liability-line'),
    sellerTax: fc.constantFrom('tax-line', 'exclude'),
    freightLine: fc.boolean(),
  })
  .map((p): PricingRules => ({
    promotions: p.promotions,
    marketplaceTax: p.marketplaceTax,
    sellerTax: p.sellerTax,
    lines: {
      ...DEFAULT_MAPPING_RULES.pricing.lines,
      ...(p.freightLine ? { freight: { itemId: 'AMZ-FREIGHT', description: 'Freight', glAccountNo: '4100-00' } } : {}),
    },
  }));

const taxOf = (order: Order, mf: boolean): number =>
  order.lines
    .filter((l) => l.taxCollectedByMarketplace === mf)
    .reduce(
      (s, l) =>
        s +
        (l.amounts?.itemTax?.minor ?? 0) +
        (l.amounts?.shippingTax?.minor ?? 0) +
        (l.amounts?.giftWrapTax?.minor ?? 0),
      0,
    );

describe('money always balances (fast-check)', () => {
  it(`price lines: Sage total + excluded taxes == Amazon's order total, to the minor unit (${PROPERTY_RUNS} orders)`, () => {
    fc.assert(
      fc.property(orderArb, pricingArb, (order, pricing) => {
        const r = priceLinesFromOrder(order, pricing);
        const netFreight = order.lines.reduce(
          (s, l) => s + (l.amounts?.shipping?.minor ?? 0) - (l.amounts?.shippingDiscount?.minor ?? 0),
          0,
        );
        if (!r.ok) {
          // The only refusal for such orders: more shipping discount than shipping, with freight on the header.
          expect(r.issues.map((i) => i.field)).toEqual(['amounts.shippingDiscount']);
          expect(netFreight < 0 && !pricing.lines.freight).toBe(true);
          return;
        }
        const p = r.value;
        expect(p.amazonTotal.minor).toBe(order.total!.minor);
        expect(p.sageTotal.minor + p.excluded.marketplaceTax.minor + p.excluded.sellerTax.minor).toBe(
          order.total!.minor,
        );
        // What is excluded is exactly the tax the policy says, nothing else.
        expect(p.excluded.marketplaceTax.minor).toBe(pricing.marketplaceTax === 'exclude' ? taxOf(order, true) : 0);
        expect(p.excluded.sellerTax.minor).toBe(pricing.sellerTax === 'exclude' ? taxOf(order, false) : 0);
        // Unit prices are never negative; every line keeps its quantity; rounding stays below one minor unit per unit.
        for (const [i, item] of p.items.entries()) {
          expect(item.unitPrice.minor).toBeGreaterThanOrEqual(0);
          expect(item.quantity).toBe(order.lines[i]!.quantityOrdered);
        }
        const rounding = p.charges.find((c) => c.charge === 'rounding')?.amount.minor ?? 0;
        expect(rounding).toBeGreaterThanOrEqual(0);
        expect(rounding).toBeLessThan(order.lines.reduce((s, l) => s + l.quantityOrdered, 0));
        expect(p.charges.every((c) => c.amount.minor !== 0 && c.amount.currency === order.currency)).toBe(true);
      }),
      { numRuns: PROPERTY_RUNS },
    );
  });

  it(`sales order draft: lines (unit price x qty - trade discount) + freight == Sage total (${PROPERTY_RUNS} orders)`, () => {
    fc.assert(
      fc.property(orderArb, pricingArb, (order, pricing) => {
        const rules: MappingRules = {
          ...DEFAULT_MAPPING_RULES,
          customers: { ATVPDKIKX0DER: { customerId: 'AMAZON-US', currency: order.currency! } },
          pricing,
        };
        const p = priceLinesFromOrder(order, pricing);
        fc.pre(p.ok);
        if (!p.ok) return;
        const draft = salesOrderFromOrder(order, { catalogue: DEMO_CATALOGUE }, rules);
        const lines = draft.lines.reduce(
          (s, l) => s + l.unitPrice.minor * l.quantity - (l.tradeDiscount?.minor ?? 0),
          0,
        );
        expect(lines + (draft.freight?.minor ?? 0)).toBe(p.value.sageTotal.minor);
        expect(
          lines +
            (draft.freight?.minor ?? 0) +
            p.value.excluded.marketplaceTax.minor +
            p.value.excluded.sellerTax.minor,
        ).toBe(order.total!.minor);
        expect(draft.lines.map((l) => l.lineNo)).toEqual(draft.lines.map((_, i) => i + 1));
        expect(draft.lines.filter((l) => !l.charge).map((l) => l.amazonOrderItemId)).toEqual(
          order.lines.map((l) => l.lineId),
        );
      }),
      { numRuns: PROPERTY_RUNS },
    );
  });
});
