import { describe, expect, it } from 'vitest';
import { createPrng } from '../../../src/simulator/amazon/prng.ts';
import { OrderGenerator, itemTotalMinor } from '../../../src/simulator/amazon/scenario.ts';
import { orderToWire } from '../../../src/simulator/amazon/order-wire.ts';
import { buildSimulatorApp, controlOf } from '../../../src/simulator/amazon/index.ts';

const NOW = Date.parse('2026-11-27T12:00:00Z');
const SKUS = ['ITEM-A', 'ITEM-B', 'ITEM-C'];

function generate(seed: number, count: number, options: Partial<ConstructorParameters<typeof OrderGenerator>[1]> = {}) {
  const generator = new OrderGenerator(createPrng(seed), { sellerId: 'S1', skus: SKUS, ...options });
  return Array.from({ length: count }, () => generator.generate(NOW));
}

describe('scenario generator', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    expect(generate(7, 20)).toEqual(generate(7, 20));
    expect(generate(7, 20)).not.toEqual(generate(8, 20));
  });

  it('covers the realistic cases: several items, quantities > 1, promotions, shipping discounts, gift wrap, taxes, AFN and MFN, pending, cancelled, business, non-ASCII names, long addresses', () => {
    const orders = generate(1, 400);
    const items = orders.flatMap((o) => o.items);
    expect(orders.some((o) => o.items.length > 1)).toBe(true);
    expect(items.some((i) => i.quantity > 1)).toBe(true);
    expect(items.some((i) => i.promotionDiscountMinor > 0 && i.promotionIds.length > 0)).toBe(true);
    expect(items.some((i) => i.shippingDiscountMinor > 0)).toBe(true);
    expect(items.some((i) => i.giftWrapMinor > 0 && i.giftMessage)).toBe(true);
    expect(items.some((i) => i.itemTaxMinor > 0)).toBe(true);
    expect(new Set(orders.map((o) => o.fulfilledBy))).toEqual(new Set(['AMAZON', 'MERCHANT']));
    for (const status of ['PENDING', 'CANCELLED', 'UNSHIPPED', 'SHIPPED'])
      expect(orders.some((o) => o.status === status)).toBe(true);
    expect(orders.some((o) => o.business && o.buyer.purchaseOrderNumber)).toBe(true);
    expect(orders.some((o) => /[^\x20-\x7e]/.test(o.address.name))).toBe(true);
    expect(orders.some((o) => o.address.addressLine1.length > 60 && o.address.addressLine3)).toBe(true);
    // Every line total is exact in minor units (no floats anywhere).
    for (const item of items) expect(Number.isInteger(itemTotalMinor(item))).toBe(true);
  });

  it('draws SKUs from the caller list, with unknown SKUs at the set rate', () => {
    const none = generate(2, 200, { unknownSkuRate: 0 }).flatMap((o) => o.items);
    expect(none.every((i) => SKUS.includes(i.sku) && !i.unknownSku)).toBe(true);
    const some = generate(2, 300, { unknownSkuRate: 0.2 }).flatMap((o) => o.items);
    const share = some.filter((i) => i.unknownSku).length / some.length;
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.3);
    expect(some.filter((i) => i.unknownSku).every((i) => !SKUS.includes(i.sku))).toBe(true);
  });

  it('renders pending orders without prices, and grandTotal equals the sum of item proceeds', () => {
    for (const order of generate(3, 100)) {
      const wire = orderToWire(order, ['PROCEEDS']) as {
        proceeds?: { grandTotal: { amount: string } };
        orderItems: { proceeds?: { proceedsTotal: { amount: string } } }[];
      };
      if (order.status === 'PENDING') {
        expect(wire.proceeds).toBeUndefined();
        continue;
      }
      const cents = (a: string): number => Math.round(Number(a) * 100);
      const sum = wire.orderItems.reduce((n, i) => n + cents(i.proceeds!.proceedsTotal.amount), 0);
      expect(cents(wire.proceeds!.grandTotal.amount)).toBe(sum);
    }
  });

  it('keeps usage plans per seller: one seller emptying its bucket does not throttle another', async () => {
    const app = buildSimulatorApp({
      seed: 1,
      timeScale: 0.000_001,
      sellers: [
        { sellerId: 'SELLER1', refreshToken: 'Atzr|one', marketplaceIds: ['ATVPDKIKX0DER'] },
        { sellerId: 'SELLER2', refreshToken: 'Atzr|two', marketplaceIds: ['ATVPDKIKX0DER'] },
      ],
      strictRefreshTokens: true,
    });
    const control = controlOf(app);
    const token = async (refresh: string): Promise<string> =>
      (
        await app.inject({
          method: 'POST',
          url: '/auth/o2/token',
          payload: { grant_type: 'refresh_token', refresh_token: refresh, client_id: 'a', client_secret: 'b' },
        })
      ).json().access_token;
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/auth/o2/token',
          payload: { grant_type: 'refresh_token', refresh_token: 'Atzr|unknown', client_id: 'a', client_secret: 'b' },
        })
      ).statusCode,
    ).toBe(400);
    const [one, two] = [await token('Atzr|one'), await token('Atzr|two')];
    const a = control.addOrder({ sellerId: 'SELLER1' });
    const b = control.addOrder({ sellerId: 'SELLER2' });
    const get = (t: string, id: string) =>
      app.inject({ method: 'GET', url: `/orders/2026-01-01/orders/${id}`, headers: { 'x-amz-access-token': t } });
    for (let i = 0; i < 30; i++) await get(one, a.orderId);
    expect((await get(one, a.orderId)).statusCode).toBe(429);
    expect((await get(two, b.orderId)).statusCode).toBe(200);
    // A seller cannot read another seller's order.
    expect((await get(two, a.orderId)).statusCode).toBe(404);
    await app.close();
  });
});
