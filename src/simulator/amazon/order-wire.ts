import type { SimOrder, SimOrderItem } from './scenario.ts';
import { itemTotalMinor } from './scenario.ts';
import { marketplaceById } from './marketplaces.ts';

/**
 * Renders a simulated order in the Orders API 2026-01-01 shape (`definitions.Order` of orders_2026-01-01.json).
 * Sections appear only when `includedData` asks for them, as on Amazon; amounts are decimal strings.
 * While an order is PENDING it carries no prices, proceeds, taxes or promotions.
 */

export const INCLUDED_DATA = [
  'BUYER',
  'RECIPIENT',
  'PROCEEDS',
  'EXPENSE',
  'PROMOTION',
  'CANCELLATION',
  'FULFILLMENT',
  'PACKAGES',
  'TAX',
  'PAYMENT',
  'FULFILLMENT_ORDERS',
] as const;
export type IncludedData = (typeof INCLUDED_DATA)[number];

export function decimal(minor: number, fractionDigits = 2): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  const scale = 10 ** fractionDigits;
  return `${sign}${Math.floor(abs / scale)}.${String(abs % scale).padStart(fractionDigits, '0')}`;
}

type Json = Record<string, unknown>;

function money(minor: number, currency: string): Json {
  return { amount: decimal(minor), currencyCode: currency };
}

function hasPrices(order: SimOrder): boolean {
  return order.status !== 'PENDING' && order.status !== 'PENDING_AVAILABILITY';
}

function itemProceeds(item: SimOrderItem, currency: string): Json {
  const breakdowns: Json[] = [{ type: 'ITEM', subtotal: money(item.unitPriceMinor * item.quantity, currency) }];
  if (item.shippingMinor) breakdowns.push({ type: 'SHIPPING', subtotal: money(item.shippingMinor, currency) });
  if (item.giftWrapMinor) breakdowns.push({ type: 'GIFT_WRAP', subtotal: money(item.giftWrapMinor, currency) });
  const tax = item.itemTaxMinor + item.shippingTaxMinor + item.giftWrapTaxMinor;
  if (tax) {
    const detailed: Json[] = [];
    if (item.itemTaxMinor) detailed.push({ subtype: 'ITEM', value: money(item.itemTaxMinor, currency) });
    if (item.shippingTaxMinor) detailed.push({ subtype: 'SHIPPING', value: money(item.shippingTaxMinor, currency) });
    if (item.giftWrapTaxMinor) detailed.push({ subtype: 'GIFT_WRAP', value: money(item.giftWrapTaxMinor, currency) });
    breakdowns.push({ type: 'TAX', subtotal: money(tax, currency), detailedBreakdowns: detailed });
  }
  const discount = item.promotionDiscountMinor + item.shippingDiscountMinor;
  if (discount) {
    const detailed: Json[] = [];
    if (item.promotionDiscountMinor)
      detailed.push({ subtype: 'ITEM', value: money(-item.promotionDiscountMinor, currency) });
    if (item.shippingDiscountMinor)
      detailed.push({ subtype: 'SHIPPING', value: money(-item.shippingDiscountMinor, currency) });
    breakdowns.push({ type: 'DISCOUNT', subtotal: money(-discount, currency), detailedBreakdowns: detailed });
  }
  return { proceedsTotal: money(itemTotalMinor(item), currency), breakdowns };
}

function orderItemWire(order: SimOrder, item: SimOrderItem, included: ReadonlySet<string>): Json {
  const priced = hasPrices(order);
  const wire: Json = {
    orderItemId: item.orderItemId,
    quantityOrdered: item.quantity,
    product: {
      asin: item.asin,
      title: item.title,
      sellerSku: item.sku,
      condition: { conditionType: 'NEW', conditionSubtype: 'NEW' },
      ...(priced
        ? {
            price: {
              unitPrice: money(item.unitPriceMinor, order.currency),
              ...(order.business ? { priceDesignation: 'BUSINESS_PRICE' } : {}),
            },
          }
        : {}),
    },
  };
  if (priced && included.has('PROCEEDS')) wire.proceeds = itemProceeds(item, order.currency);
  if (priced && included.has('PROMOTION') && item.promotionIds.length)
    wire.promotion = { breakdowns: item.promotionIds.map((promotionId) => ({ promotionId })) };
  if (included.has('CANCELLATION') && (order.status === 'CANCELLED' || order.buyerCancelRequest)) {
    const requested =
      order.buyerCancelRequest ??
      (order.cancelReason === 'BUYER_CANCELED' ? 'Buyer requested cancellation' : undefined);
    wire.cancellation = {
      ...(requested ? { cancellationRequest: { requester: 'BUYER', cancelReason: requested } } : {}),
      ...(order.status === 'CANCELLED'
        ? {
            cancellationExecution: {
              cancelledBy: requested ? 'MERCHANT' : 'AMAZON',
              cancelReason: order.cancelReason ?? 'CANCELLED',
            },
          }
        : {}),
    };
  }
  if (included.has('FULFILLMENT')) {
    const fulfillment: Json = {
      quantityFulfilled: item.quantityShipped,
      quantityUnfulfilled: order.status === 'CANCELLED' ? 0 : item.quantity - item.quantityShipped,
    };
    if (priced && item.giftWrapLevel) {
      fulfillment.packing = {
        giftOption: {
          giftWrapLevel: item.giftWrapLevel,
          ...(included.has('BUYER') && item.giftMessage ? { giftMessage: item.giftMessage } : {}),
        },
      };
    }
    wire.fulfillment = fulfillment;
  }
  if (priced && included.has('TAX') && order.marketplaceFacilitator) {
    wire.tax = {
      taxCollections: [
        {
          model: 'MARKETPLACE_FACILITATOR',
          responsibleParty: order.currency === 'USD' ? 'Amazon Services LLC' : 'Amazon Services Europe S.a.r.L.',
        },
      ],
    };
  }
  return wire;
}

export function orderToWire(order: SimOrder, includedData: readonly string[] = []): Json {
  const included = new Set(includedData);
  const wire: Json = {
    orderId: order.orderId,
    ...(order.sellerOrderId ? { orderAliases: [{ aliasId: order.sellerOrderId, aliasType: 'SELLER_ORDER_ID' }] } : {}),
    createdTime: order.createdTime,
    lastUpdatedTime: order.lastUpdatedTime,
    programs: [...(order.prime ? ['PRIME'] : []), ...(order.business ? ['AMAZON_BUSINESS'] : [])],
    salesChannel: {
      channelName: 'AMAZON',
      marketplaceId: order.marketplaceId,
      marketplaceName: marketplaceName(order.marketplaceId),
    },
  };
  const shippable = order.status === 'UNSHIPPED' || order.status === 'PARTIALLY_SHIPPED' || order.status === 'SHIPPED';
  if (included.has('BUYER')) {
    // Buyer name and e-mail come only for orders that are being or were shipped (e-mail: MFN only), sp-api-facts.md §3.
    wire.buyer = {
      ...(shippable ? { buyerName: order.buyer.name } : {}),
      ...(shippable && order.fulfilledBy === 'MERCHANT' ? { buyerEmail: order.buyer.email } : {}),
      ...(order.buyer.companyName ? { buyerCompanyName: order.buyer.companyName } : {}),
      ...(order.buyer.purchaseOrderNumber ? { buyerPurchaseOrderNumber: order.buyer.purchaseOrderNumber } : {}),
    };
  }
  // Amazon withholds the address of pending and cancelled orders.
  if (included.has('RECIPIENT') && order.status !== 'PENDING' && order.status !== 'CANCELLED')
    wire.recipient = { deliveryAddress: { ...order.address } };
  if (included.has('PROCEEDS') && hasPrices(order)) {
    const byType = new Map<string, number>();
    for (const item of order.items) {
      const add = (type: string, minor: number): void => {
        if (minor) byType.set(type, (byType.get(type) ?? 0) + minor);
      };
      add('ITEM', item.unitPriceMinor * item.quantity);
      add('SHIPPING', item.shippingMinor);
      add('GIFT_WRAP', item.giftWrapMinor);
      add('TAX', item.itemTaxMinor + item.shippingTaxMinor + item.giftWrapTaxMinor);
      add('DISCOUNT', -(item.promotionDiscountMinor + item.shippingDiscountMinor));
    }
    wire.proceeds = {
      grandTotal: money(
        order.items.reduce((sum, i) => sum + itemTotalMinor(i), 0),
        order.currency,
      ),
      breakdowns: [...byType].map(([type, minor]) => ({ type, subtotal: money(minor, order.currency) })),
    };
  }
  if (included.has('FULFILLMENT')) {
    const created = Date.parse(order.createdTime);
    const day = 86_400_000;
    wire.fulfillment = {
      fulfillmentStatus: order.status,
      fulfilledBy: order.fulfilledBy,
      fulfillmentServiceLevel: order.serviceLevel,
      shipByWindow: { earliestDateTime: iso(created), latestDateTime: iso(created + 2 * day) },
      deliverByWindow: { earliestDateTime: iso(created + 3 * day), latestDateTime: iso(created + 7 * day) },
    };
  }
  if (included.has('TAX') && order.business) {
    wire.tax = { taxInvoicing: { buyerInvoicePreference: 'BUSINESS' } };
  }
  wire.orderItems = order.items.map((item) => orderItemWire(order, item, included));
  if (included.has('PACKAGES') && order.fulfilledBy === 'MERCHANT' && order.packages.length) {
    wire.packages = order.packages.map((pkg) => ({
      packageReferenceId: pkg.packageReferenceId,
      createdTime: pkg.shipTime,
      packageStatus: { status: 'SHIPPED' },
      carrier: pkg.carrier === 'Other' && pkg.carrierName ? pkg.carrierName : pkg.carrier,
      shipTime: pkg.shipTime,
      ...(pkg.shippingService ? { shippingService: pkg.shippingService } : {}),
      trackingNumber: pkg.trackingNumber,
      packageItems: pkg.items.map((i) => ({ orderItemId: i.orderItemId, quantity: i.quantity })),
    }));
  }
  return wire;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function marketplaceName(id: string): string {
  return marketplaceById(id)?.name ?? 'Amazon';
}
