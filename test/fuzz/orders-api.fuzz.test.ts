import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderFromWire } from '../../src/connectors/amazon/order-from-wire.ts';
import { parseWire } from '../../src/connectors/amazon/sp-api/client.ts';
import { amazonGetOrderResponse, amazonSearchOrdersResponse } from '../../src/connectors/amazon/wire.ts';
import { makeAmazonOrder } from '../unit/amazon/make-amazon-order.ts';
import { expectNamedRefusal, fuzzParams, fuzzTimeout, mutated } from './fuzz-settings.ts';

/**
 * Orders API answers as the client reads them (getOrder / searchOrders through parseWire, then orderFromWire):
 * an order, or a refusal with an SB_ code that names the field by path and never carries buyer data.
 */
const PII = 'Pii-Marker-Zoë';
const base = makeAmazonOrder({
  buyer: { buyerName: `${PII} Name`, buyerEmail: `${PII.toLowerCase()}@marketplace.amazon.com` },
  recipient: {
    deliveryAddress: {
      name: `${PII} Name`,
      addressLine1: `${PII} Street 1`,
      city: 'Seattle',
      stateOrRegion: 'WA',
      postalCode: '98101',
      countryCode: 'US',
      addressType: 'RESIDENTIAL',
    },
  },
});

function read(body: unknown): void {
  const response = parseWire(
    amazonGetOrderResponse,
    { status: 200, body, headers: {}, requestId: 'req-1' } as never,
    'getOrder',
  );
  orderFromWire(response.order);
}

describe('fuzz: Orders API answers -> canonical order', () => {
  it(
    'getOrder: an order, or SB_AMZ_RESPONSE_INVALID / SB_AMZ_ORDER_INVALID naming the field, bounded, without buyer data',
    () => {
      fc.assert(
        fc.property(mutated({ order: base }), (body) => {
          try {
            read(body);
          } catch (err) {
            expectNamedRefusal(err, { code: /^SB_AMZ_(RESPONSE|ORDER)_INVALID$/, maxMessage: 4_000 });
            expect(String((err as Error).message)).not.toContain(PII);
            expect(JSON.stringify(err)).not.toContain(PII);
          }
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout(5),
  );

  it(
    'searchOrders pages: every order either maps or is refused alone',
    () => {
      fc.assert(
        fc.property(
          mutated({
            orders: [base, makeAmazonOrder({ orderId: '113-0000000-0000002' })],
            pagination: { nextToken: 't' },
          }),
          (body) => {
            let page;
            try {
              page = parseWire(
                amazonSearchOrdersResponse,
                { status: 200, body, headers: {}, requestId: 'req-2' } as never,
                'searchOrders',
              );
            } catch (err) {
              expectNamedRefusal(err, { code: /^SB_AMZ_RESPONSE_INVALID$/, maxMessage: 4_000 });
              return;
            }
            for (const order of page.orders) {
              try {
                orderFromWire(order);
              } catch (err) {
                expectNamedRefusal(err, { code: /^SB_AMZ_ORDER_INVALID$/, maxMessage: 4_000 });
                expect(String((err as Error).message)).not.toContain(PII);
              }
            }
          },
        ),
        fuzzParams(),
      );
    },
    fuzzTimeout(5),
  );
});
