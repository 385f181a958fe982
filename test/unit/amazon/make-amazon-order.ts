import type { AmazonOrder } from '../../../src/connectors/amazon/wire.ts';

const m = (amount: string, currencyCode = 'USD') => ({ amount, currencyCode });

/** An Orders 2026-01-01 order: MFN, two lines (one with quantity 3 and a promotion), tax by marketplace facilitator. */
export function makeAmazonOrder(overrides: Partial<AmazonOrder> = {}): AmazonOrder {
  return {
    orderId: '113-1234567-1234567',
    createdTime: '2026-11-20T10:00:00Z',
    lastUpdatedTime: '2026-11-20T10:05:00Z',
    programs: ['PRIME'],
    salesChannel: { channelName: 'Amazon.com', marketplaceId: 'ATVPDKIKX0DER' },
    buyer: { buyerName: 'Zoë Ångström', buyerEmail: 'abc@marketplace.amazon.com' },
    recipient: {
      deliveryAddress: {
        name: 'Zoë Ångström',
        addressLine1: '1 Main St',
        addressLine2: '',
        city: 'Seattle',
        stateOrRegion: 'WA',
        postalCode: '98101',
        countryCode: 'US',
        addressType: 'RESIDENTIAL',
      },
    },
    proceeds: { grandTotal: m('61.47') },
    fulfillment: {
      fulfillmentStatus: 'UNSHIPPED',
      fulfilledBy: 'MERCHANT',
      fulfillmentServiceLevel: 'Std',
      shipByWindow: { latestDateTime: '2026-11-22T10:00:00Z' },
    },
    orderItems: [
      {
        orderItemId: '10001',
        quantityOrdered: 3,
        product: { asin: 'B000000001', sellerSku: 'SKU-1', title: 'Widget', price: { unitPrice: m('10.00') } },
        proceeds: {
          proceedsTotal: m('34.47'),
          breakdowns: [
            { type: 'ITEM', subtotal: m('30.00') },
            { type: 'SHIPPING', subtotal: m('4.99') },
            {
              type: 'TAX',
              subtotal: m('2.98'),
              detailedBreakdowns: [
                { subtype: 'ITEM', value: m('2.48') },
                { subtype: 'SHIPPING', value: m('0.50') },
              ],
            },
            {
              type: 'DISCOUNT',
              subtotal: m('-3.50'),
              detailedBreakdowns: [
                { subtype: 'ITEM', value: m('-3.00') },
                { subtype: 'SHIPPING', value: m('-0.50') },
              ],
            },
          ],
        },
        promotion: { breakdowns: [{ promotionId: 'PROMO-1' }] },
        fulfillment: { quantityFulfilled: 0, quantityUnfulfilled: 3 },
        tax: { taxCollections: [{ model: 'MARKETPLACE_FACILITATOR', responsibleParty: 'Amazon Services, Inc.' }] },
      },
      {
        orderItemId: '10002',
        quantityOrdered: 1,
        product: { asin: 'B000000002', sellerSku: 'SKU-2', price: { unitPrice: m('25.00') } },
        proceeds: {
          breakdowns: [
            { type: 'ITEM', subtotal: m('25.00') },
            { type: 'GIFT_WRAP', subtotal: m('2.00') },
          ],
        },
        fulfillment: { quantityFulfilled: 0, packing: { giftOption: { giftMessage: 'Happy birthday' } } },
      },
    ],
    packages: [],
    ...overrides,
  };
}
