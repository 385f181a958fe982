import { MappingError, type FieldIssue } from '../../core/errors.ts';
import { moneyFromDecimal, type Money } from '../../core/model/money.ts';
import type {
  Address,
  BuyerInfo,
  LineAmounts,
  Order,
  OrderLine,
  OrderPackage,
  OrderStatus,
} from '../../core/model/order.ts';
import type { AmazonCustomerAddress, AmazonOrder, AmazonOrderItem } from './wire.ts';

/**
 * Orders 2026-01-01 `Order` -> canonical `Order`. Pure. Collects every bad field first and throws one
 * MappingError (SB_AMZ_ORDER_INVALID) that lists them by path, never by value (values may be PII).
 *
 * Traps handled here: `unitPrice` is per unit (v0's ItemPrice was the line total); proceeds breakdowns are
 * line totals; discounts become positive amounts; a pending order has no prices, so `amounts` stay absent.
 */
export function orderFromWire(wire: AmazonOrder): Order {
  const issues: FieldIssue[] = [];
  const status = statusFromWire(wire.fulfillment?.fulfillmentStatus, issues);
  const fulfilledBy = wire.fulfillment?.fulfilledBy;
  if (fulfilledBy !== 'AMAZON' && fulfilledBy !== 'MERCHANT') {
    issues.push({
      field: 'fulfillment.fulfilledBy',
      problem:
        fulfilledBy === undefined ? 'missing (request includedData FULFILLMENT)' : `unknown value ${fulfilledBy}`,
    });
  }
  const moneyAt = moneyReader(issues);
  const lines = wire.orderItems.map((item, i) => lineFromWire(item, `orderItems[${i}]`, moneyAt));
  const total = wire.proceeds?.grandTotal ? moneyAt(wire.proceeds.grandTotal, 'proceeds.grandTotal') : undefined;

  const currencies = new Set<string>();
  if (total) currencies.add(total.currency);
  for (const line of lines) {
    if (line.unitPrice) currencies.add(line.unitPrice.currency);
    for (const m of Object.values(line.amounts ?? {})) currencies.add((m as Money).currency);
  }
  if (currencies.size > 1)
    issues.push({ field: 'proceeds', problem: `amounts in several currencies (${[...currencies].join(', ')})` });
  if (wire.orderItems.length === 0 && status !== 'cancelled') issues.push({ field: 'orderItems', problem: 'no lines' });
  if (issues.length > 0)
    throw new MappingError('SB_AMZ_ORDER_INVALID', `order ${wire.orderId}`, issues, {
      context: { orderId: wire.orderId },
    });

  const programs = new Set(wire.programs ?? []);
  const replaced = wire.associatedOrders?.find((a) => a.associationType === 'REPLACEMENT_ORIGINAL_ID')?.orderId;
  const shipTo = wire.recipient?.deliveryAddress ? addressFromWire(wire.recipient.deliveryAddress) : undefined;
  const buyer = buyerFromWire(wire.buyer);
  const currency = [...currencies][0];
  return {
    id: wire.orderId,
    ...(wire.salesChannel.marketplaceId ? { marketplaceId: wire.salesChannel.marketplaceId } : {}),
    salesChannel: wire.salesChannel.channelName,
    status: status!,
    fulfilledBy: fulfilledBy === 'AMAZON' ? 'marketplace' : 'merchant',
    createdAt: wire.createdTime,
    lastUpdatedAt: wire.lastUpdatedTime,
    isBusinessOrder: programs.has('AMAZON_BUSINESS'),
    isPrime: programs.has('PRIME'),
    isPreorder: programs.has('PREORDER'),
    ...(currency ? { currency } : {}),
    ...(total ? { total } : {}),
    lines,
    ...(shipTo ? { shipTo } : {}),
    ...(buyer ? { buyer } : {}),
    ...(wire.fulfillment?.fulfillmentServiceLevel
      ? { shipServiceLevel: wire.fulfillment.fulfillmentServiceLevel }
      : {}),
    ...(wire.fulfillment?.shipByWindow?.latestDateTime
      ? { latestShipDate: wire.fulfillment.shipByWindow.latestDateTime }
      : {}),
    ...(wire.fulfillment?.deliverByWindow?.latestDateTime
      ? { latestDeliveryDate: wire.fulfillment.deliverByWindow.latestDateTime }
      : {}),
    packages: (wire.packages ?? []).map((p): OrderPackage => ({
      packageReferenceId: p.packageReferenceId,
      ...(p.carrier ? { carrier: p.carrier } : {}),
      ...(p.trackingNumber ? { trackingNumber: p.trackingNumber } : {}),
      ...(p.shipTime ? { shipTime: p.shipTime } : {}),
      ...(p.packageStatus?.status ? { status: p.packageStatus.status } : {}),
      items: (p.packageItems ?? []).map((i) => ({ lineId: i.orderItemId, quantity: i.quantity })),
    })),
    ...(replaced ? { replacesOrderId: replaced } : {}),
  };
}

const STATUS: Readonly<Record<string, OrderStatus>> = {
  PENDING_AVAILABILITY: 'pending-availability',
  PENDING: 'pending',
  UNSHIPPED: 'unshipped',
  PARTIALLY_SHIPPED: 'partially-shipped',
  SHIPPED: 'shipped',
  CANCELLED: 'cancelled',
  UNFULFILLABLE: 'unfulfillable',
};

export const ORDER_STATUS_TO_WIRE: Readonly<Record<OrderStatus, string>> = Object.fromEntries(
  Object.entries(STATUS).map(([w, c]) => [c, w]),
) as Record<OrderStatus, string>;

function statusFromWire(value: string | undefined, issues: FieldIssue[]): OrderStatus | undefined {
  if (value === undefined) {
    issues.push({ field: 'fulfillment.fulfillmentStatus', problem: 'missing (request includedData FULFILLMENT)' });
    return undefined;
  }
  const status = STATUS[value];
  if (!status) issues.push({ field: 'fulfillment.fulfillmentStatus', problem: `unknown value ${value}` });
  return status;
}

type MoneyAt = (m: { amount: string; currencyCode: string }, field: string) => Money | undefined;

function moneyReader(issues: FieldIssue[]): MoneyAt {
  return (m, field) => {
    try {
      return moneyFromDecimal(m.amount, m.currencyCode);
    } catch (err) {
      issues.push({ field, problem: (err as Error).message });
      return undefined;
    }
  };
}

function abs(m: Money | undefined): Money | undefined {
  return m && { currency: m.currency, minor: Math.abs(m.minor) };
}

function add(a: Money | undefined, b: Money | undefined): Money | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.currency === b.currency ? { currency: a.currency, minor: a.minor + b.minor } : a;
}

function lineFromWire(item: AmazonOrderItem, path: string, moneyAt: MoneyAt): OrderLine {
  const unitPrice = item.product.price?.unitPrice
    ? moneyAt(item.product.price.unitPrice, `${path}.product.price.unitPrice`)
    : undefined;
  const sums: Partial<Record<keyof LineAmounts, Money>> = {};
  const put = (key: keyof LineAmounts, value: Money | undefined) => {
    if (value) sums[key] = add(sums[key], value)!;
  };
  (item.proceeds?.breakdowns ?? []).forEach((b, i) => {
    const at = `${path}.proceeds.breakdowns[${i}]`;
    const subtotal = moneyAt(b.subtotal, `${at}.subtotal`);
    const details = b.detailedBreakdowns ?? [];
    switch (b.type) {
      case 'ITEM':
        put('item', subtotal);
        break;
      case 'SHIPPING':
        put('shipping', subtotal);
        break;
      case 'GIFT_WRAP':
        put('giftWrap', subtotal);
        break;
      case 'COD_FEE':
        put('codFee', subtotal);
        break;
      case 'TAX':
      case 'DISCOUNT': {
        const keys: Record<string, keyof LineAmounts> =
          b.type === 'TAX'
            ? { ITEM: 'itemTax', SHIPPING: 'shippingTax', GIFT_WRAP: 'giftWrapTax' }
            : { ITEM: 'itemDiscount', SHIPPING: 'shippingDiscount' };
        const fallback = b.type === 'TAX' ? 'itemTax' : 'itemDiscount';
        if (details.length === 0) {
          put(fallback, b.type === 'TAX' ? subtotal : abs(subtotal));
        } else {
          details.forEach((d, j) => {
            if (!d.value) return;
            const v = moneyAt(d.value, `${at}.detailedBreakdowns[${j}].value`);
            put(keys[d.subtype ?? ''] ?? fallback, b.type === 'TAX' ? v : abs(v));
          });
        }
        break;
      }
      default:
        put('other', subtotal);
    }
  });
  // Priced lines without an ITEM breakdown (proceeds not requested) still get the item total from the unit price.
  if (!sums.item && unitPrice && Object.keys(sums).length === 0 && item.proceeds) {
    sums.item = { currency: unitPrice.currency, minor: unitPrice.minor * item.quantityOrdered };
  }
  const amounts = sums.item ? ({ ...sums, item: sums.item } as LineAmounts) : undefined;
  const gift = item.fulfillment?.packing?.giftOption;
  const taxCollected = (item.tax?.taxCollections ?? []).some((t) => t.model === 'MARKETPLACE_FACILITATOR');
  const condition = item.product.condition?.conditionType;
  return {
    lineId: item.orderItemId,
    ...(item.product.sellerSku ? { sku: item.product.sellerSku } : {}),
    ...(item.product.asin ? { asin: item.product.asin } : {}),
    ...(item.product.title ? { title: item.product.title } : {}),
    quantityOrdered: item.quantityOrdered,
    quantityShipped: item.fulfillment?.quantityFulfilled ?? 0,
    ...(unitPrice ? { unitPrice } : {}),
    ...(amounts ? { amounts } : {}),
    promotionIds: (item.promotion?.breakdowns ?? []).flatMap((p) => (p.promotionId ? [p.promotionId] : [])),
    taxCollectedByMarketplace: taxCollected,
    isGift: gift !== undefined,
    ...(gift?.giftMessage ? { giftMessage: gift.giftMessage } : {}),
    buyerRequestedCancel: item.cancellation?.cancellationRequest !== undefined,
    ...(condition ? { condition } : {}),
  };
}

function addressFromWire(a: AmazonCustomerAddress): Address {
  const type = a.addressType?.toUpperCase();
  return {
    ...(a.name ? { name: a.name } : {}),
    ...(a.companyName ? { companyName: a.companyName } : {}),
    lines: [a.addressLine1, a.addressLine2, a.addressLine3].filter((l): l is string => !!l && l.trim() !== ''),
    ...(a.city ? { city: a.city } : {}),
    ...(a.districtOrCounty ? { district: a.districtOrCounty } : {}),
    ...(a.stateOrRegion ? { stateOrRegion: a.stateOrRegion } : {}),
    ...(a.postalCode ? { postalCode: a.postalCode } : {}),
    ...(a.countryCode ? { countryCode: a.countryCode } : {}),
    ...(a.phone ? { phone: a.phone } : {}),
    ...(type === 'RESIDENTIAL'
      ? { addressType: 'residential' as const }
      : type === 'COMMERCIAL'
        ? { addressType: 'commercial' as const }
        : {}),
  };
}

function buyerFromWire(b: AmazonOrder['buyer']): BuyerInfo | undefined {
  if (!b) return undefined;
  const info: BuyerInfo = {
    ...(b.buyerName ? { name: b.buyerName } : {}),
    ...(b.buyerEmail ? { email: b.buyerEmail } : {}),
    ...(b.buyerCompanyName ? { companyName: b.buyerCompanyName } : {}),
    ...(b.buyerPurchaseOrderNumber ? { purchaseOrderNumber: b.buyerPurchaseOrderNumber } : {}),
  };
  return Object.keys(info).length > 0 ? info : undefined;
}
