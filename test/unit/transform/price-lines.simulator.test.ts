import { describe, expect, it } from 'vitest';
import { orderFromWire } from '../../../src/connectors/amazon/order-from-wire.ts';
import type { AmazonOrder } from '../../../src/connectors/amazon/wire.ts';
import { DEFAULT_PRICING, type PricingRules } from '../../../src/core/rules/pricing.ts';
import { priceLinesFromOrder } from '../../../src/core/transform/price-lines.ts';
import { INCLUDED_DATA, orderToWire } from '../../../src/simulator/amazon/order-wire.ts';
import { createPrng } from '../../../src/simulator/amazon/prng.ts';
import { OrderGenerator } from '../../../src/simulator/amazon/scenario.ts';

const POLICIES: PricingRules[] = [
  DEFAULT_PRICING,
  { ...DEFAULT_PRICING, promotions: 'net-unit-price', marketplaceTax: 'liability-line', sellerTax: 'exclude' },
  {
    ...DEFAULT_PRICING,
    promotions: 'discount-line',
    lines: {
      ...DEFAULT_PRICING.lines,
      freight: { itemId: 'AMZ-FREIGHT', description: 'Freight', glAccountNo: '4100-00' },
    },
  },
];

// Orders as the SP-API simulator serves them (the same wire shape as Amazon), read by the Amazon connector.
describe('price lines on simulator orders (wire -> canonical -> Sage amounts)', () => {
  it('balance against proceeds.grandTotal for 300 generated orders under three policies', () => {
    const generator = new OrderGenerator(createPrng(5), {
      sellerId: 'S1',
      promotionRate: 0.5,
      giftRate: 0.3,
      businessRate: 0.3,
      pendingRate: 0,
      cancelledRate: 0,
    });
    let priced = 0;
    for (let i = 0; i < 300; i++) {
      const order = orderFromWire(
        orderToWire(generator.generate(Date.UTC(2026, 10, 20)), [...INCLUDED_DATA]) as unknown as AmazonOrder,
      );
      if (!order.total) continue;
      priced++;
      for (const rules of POLICIES) {
        const r = priceLinesFromOrder(order, rules);
        if (!r.ok) throw new Error(`${order.id}: ${JSON.stringify(r.issues)}`);
        expect(r.value.amazonTotal).toEqual(order.total);
        expect(r.value.sageTotal.minor + r.value.excluded.marketplaceTax.minor + r.value.excluded.sellerTax.minor).toBe(
          order.total.minor,
        );
      }
    }
    expect(priced).toBeGreaterThan(200);
  });
});
