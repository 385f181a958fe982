import { describe, expect, it } from 'vitest';
import { orderFromWire } from '../../../src/connectors/amazon/order-from-wire.ts';
import { MappingError } from '../../../src/core/errors.ts';
import { amazonOrder } from '../../../src/connectors/amazon/wire.ts';
import { makeAmazonOrder } from './make-amazon-order.ts';

const usd = (minor: number) => ({ currency: 'USD', minor });

describe('orderFromWire', () => {
  it('maps an MFN order with promotions, shipping, tax and gift wrap into minor units', () => {
    const wire = amazonOrder.parse(makeAmazonOrder());
    const order = orderFromWire(wire);
    expect(order).toMatchObject({
      id: '113-1234567-1234567',
      marketplaceId: 'ATVPDKIKX0DER',
      status: 'unshipped',
      fulfilledBy: 'merchant',
      isPrime: true,
      isBusinessOrder: false,
      currency: 'USD',
      total: usd(6147),
      shipServiceLevel: 'Std',
      latestShipDate: '2026-11-22T10:00:00Z',
      shipTo: {
        name: 'Zoë Ångström',
        lines: ['1 Main St'],
        city: 'Seattle',
        countryCode: 'US',
        addressType: 'residential',
      },
      buyer: { name: 'Zoë Ångström', email: 'abc@marketplace.amazon.com' },
    });
    const [a, b] = order.lines;
    expect(a).toEqual({
      lineId: '10001',
      sku: 'SKU-1',
      asin: 'B000000001',
      title: 'Widget',
      quantityOrdered: 3,
      quantityShipped: 0,
      unitPrice: usd(1000),
      amounts: {
        item: usd(3000),
        shipping: usd(499),
        itemTax: usd(248),
        shippingTax: usd(50),
        itemDiscount: usd(300),
        shippingDiscount: usd(50),
      },
      promotionIds: ['PROMO-1'],
      taxCollectedByMarketplace: true,
      isGift: false,
      buyerRequestedCancel: false,
    });
    expect(b).toMatchObject({
      lineId: '10002',
      amounts: { item: usd(2500), giftWrap: usd(200) },
      isGift: true,
      giftMessage: 'Happy birthday',
    });
  });

  it('keeps a pending order without prices', () => {
    const base = makeAmazonOrder();
    const order = orderFromWire(
      makeAmazonOrder({
        proceeds: undefined,
        fulfillment: { fulfillmentStatus: 'PENDING', fulfilledBy: 'AMAZON' },
        recipient: undefined,
        buyer: undefined,
        orderItems: base.orderItems.map((i) => ({
          orderItemId: i.orderItemId,
          quantityOrdered: i.quantityOrdered,
          product: { sellerSku: i.product.sellerSku },
        })),
      }),
    );
    expect(order.status).toBe('pending');
    expect(order.fulfilledBy).toBe('marketplace');
    expect(order.total).toBeUndefined();
    expect(order.currency).toBeUndefined();
    expect(order.lines.every((l) => l.amounts === undefined && l.unitPrice === undefined)).toBe(true);
    expect(order.shipTo).toBeUndefined();
  });

  it('maps programs, packages and replacement orders', () => {
    const order = orderFromWire(
      makeAmazonOrder({
        programs: ['AMAZON_BUSINESS', 'PREORDER'],
        associatedOrders: [{ orderId: '113-0000000-0000001', associationType: 'REPLACEMENT_ORIGINAL_ID' }],
        fulfillment: { fulfillmentStatus: 'SHIPPED', fulfilledBy: 'MERCHANT' },
        packages: [
          {
            packageReferenceId: '1',
            carrier: 'UPS',
            trackingNumber: '1Z',
            packageItems: [{ orderItemId: '10001', quantity: 3 }],
          },
        ],
      }),
    );
    expect(order).toMatchObject({
      isBusinessOrder: true,
      isPrime: false,
      isPreorder: true,
      status: 'shipped',
      replacesOrderId: '113-0000000-0000001',
    });
    expect(order.packages).toEqual([
      { packageReferenceId: '1', carrier: 'UPS', trackingNumber: '1Z', items: [{ lineId: '10001', quantity: 3 }] },
    ]);
  });

  it('handles currencies without minor units (JPY)', () => {
    const order = orderFromWire(
      makeAmazonOrder({
        proceeds: { grandTotal: { amount: '1500', currencyCode: 'JPY' } },
        orderItems: [
          {
            orderItemId: '1',
            quantityOrdered: 1,
            product: { price: { unitPrice: { amount: '1500', currencyCode: 'JPY' } } },
            proceeds: { breakdowns: [{ type: 'ITEM', subtotal: { amount: '1500', currencyCode: 'JPY' } }] },
          },
        ],
      }),
    );
    expect(order.total).toEqual({ currency: 'JPY', minor: 1500 });
  });

  it('lists every bad field at once, without values that could be PII', () => {
    const wire = makeAmazonOrder({
      fulfillment: undefined,
      proceeds: { grandTotal: { amount: '1,00', currencyCode: 'USD' } },
    });
    wire.orderItems[1]!.product.price = { unitPrice: { amount: '1.005', currencyCode: 'USD' } };
    let err: unknown;
    try {
      orderFromWire(wire);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MappingError);
    const mapping = err as MappingError;
    expect(mapping.code).toBe('SB_AMZ_ORDER_INVALID');
    expect(mapping.issues.map((i) => i.field)).toEqual([
      'fulfillment.fulfillmentStatus',
      'fulfillment.fulfilledBy',
      'orderItems[1].product.price.unitPrice',
      'proceeds.grandTotal',
    ]);
    expect(mapping.message).not.toContain('Zoë');
  });

  it('rejects mixed currencies', () => {
    const wire = makeAmazonOrder({ proceeds: { grandTotal: { amount: '1.00', currencyCode: 'EUR' } } });
    expect(() => orderFromWire(wire)).toThrow(/several currencies/);
  });
});
