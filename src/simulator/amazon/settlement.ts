import type { Prng } from './prng.ts';
import { marketplaceById } from './marketplaces.ts';
import type { SimOrder } from './scenario.ts';

/**
 * Settlement reports in the Flat File V2 layout (`GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2`, tab-separated;
 * columns from Amazon's settlement attribute list, sp-api-facts.md §9.4), optionally with the `promotion-id`
 * column real files often carry. The first data row is the settlement summary; every other row is one amount.
 * Amounts are written in the marketplace's number format (`1234.56` US, `1234,56` EU) and are derived from the
 * simulated orders (shipped lines only, as Amazon settles on shipment), so a parser can reconcile them with
 * the orders it imported.
 */
export const SETTLEMENT_COLUMNS = [
  'settlement-id',
  'settlement-start-date',
  'settlement-end-date',
  'deposit-date',
  'total-amount',
  'currency',
  'transaction-type',
  'order-id',
  'merchant-order-id',
  'adjustment-id',
  'shipment-id',
  'marketplace-name',
  'amount-type',
  'amount-description',
  'amount',
  'fulfillment-id',
  'posted-date',
  'posted-date-time',
  'order-item-code',
  'merchant-order-item-id',
  'merchant-adjustment-item-id',
  'sku',
  'quantity-purchased',
] as const;

export interface SettlementOptions {
  readonly settlementId?: string;
  /** Defaults to the marketplace's convention. */
  readonly numberFormat?: 'us' | 'eu';
  /** Add the `promotion-id` column (default true). */
  readonly withPromotionId?: boolean;
  readonly startMs: number;
  readonly endMs: number;
  /** Orders refunded in this settlement: `Refund` rows mirror the order rows with the sign reversed, plus RefundCommission. */
  readonly refundOrderIds?: readonly string[];
}

/** One amount of a settlement as data (the file's rows are written from these; Finances transactions too). */
export interface SettlementEntry {
  readonly transactionType: string;
  readonly amountType: string;
  readonly amountDescription: string;
  readonly minor: number;
  readonly postedMs: number;
  readonly orderId?: string;
  readonly merchantOrderId?: string;
  readonly adjustmentId?: string;
  readonly shipmentId?: string;
  readonly fulfillmentId?: string;
  readonly orderItemCode?: string;
  readonly sku?: string;
  readonly quantity?: number;
  readonly promotionId?: string;
}

export interface SettlementFile {
  readonly settlementId: string;
  readonly currency: string;
  readonly marketplaceId: string;
  readonly marketplaceName: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly depositMs: number;
  /** Every amount row of the file, in file order. */
  readonly entries: readonly SettlementEntry[];
  /** Sum of every amount row, minor units. */
  readonly totalMinor: number;
  readonly text: string;
  readonly rows: number;
}

function amount(minor: number, format: 'us' | 'eu'): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  const text = `${Math.floor(abs / 100)}${format === 'eu' ? ',' : '.'}${String(abs % 100).padStart(2, '0')}`;
  return `${sign}${text}`;
}

function utc(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, ' UTC');
}

/**
 * `posted-date`: Amazon's V2 announcement documents `MM/DD/YY`; EU files write the day first. Parsers should
 * prefer `posted-date-time` (sp-api-facts.md §9.4), which is unambiguous.
 */
function shortDate(ms: number, format: 'us' | 'eu'): string {
  const d = new Date(ms);
  const dd = String(d.getUTCDate()).padStart(2, '0');
  const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
  const yy = String(d.getUTCFullYear() % 100).padStart(2, '0');
  return format === 'eu' ? `${dd}.${mm}.${yy}` : `${mm}/${dd}/${yy}`;
}

/** Commission 15% of the principal, FBA per-unit fee for AFN lines (simulated fee schedule). */
const COMMISSION_BP = 1500;
const FBA_FEE_PER_UNIT_MINOR = 322;

export function settlementFromOrders(
  orders: readonly SimOrder[],
  prng: Prng,
  options: SettlementOptions,
): SettlementFile {
  const first = orders[0];
  const marketplace = marketplaceById(first?.marketplaceId ?? 'ATVPDKIKX0DER') ?? marketplaceById('ATVPDKIKX0DER')!;
  const format = options.numberFormat ?? marketplace.numberFormat;
  const withPromotion = options.withPromotionId ?? true;
  const columns: string[] = [...SETTLEMENT_COLUMNS, ...(withPromotion ? ['promotion-id'] : [])];
  const settlementId = options.settlementId ?? prng.digits(11);
  const rows: Record<string, string>[] = [];
  const entries: SettlementEntry[] = [];
  let total = 0;
  let transactionType = 'Order';
  let adjustmentId = '';
  const add = (
    order: SimOrder,
    postedMs: number,
    shipmentId: string,
    fields: {
      itemCode: string;
      sku: string;
      qty: number;
      type: string;
      description: string;
      minor: number;
      promotionId?: string;
    },
  ): void => {
    if (fields.minor === 0) return;
    total += fields.minor;
    entries.push({
      transactionType,
      amountType: fields.type,
      amountDescription: fields.description,
      minor: fields.minor,
      postedMs,
      orderId: order.orderId,
      ...(order.sellerOrderId ? { merchantOrderId: order.sellerOrderId } : {}),
      ...(adjustmentId ? { adjustmentId } : {}),
      ...(transactionType === 'Order' && shipmentId ? { shipmentId } : {}),
      fulfillmentId: order.fulfilledBy === 'AMAZON' ? 'AFN' : 'MFN',
      orderItemCode: fields.itemCode,
      sku: fields.sku,
      quantity: fields.qty,
      ...(fields.promotionId ? { promotionId: fields.promotionId } : {}),
    });
    rows.push({
      'settlement-id': settlementId,
      'transaction-type': transactionType,
      'adjustment-id': adjustmentId,
      'order-id': order.orderId,
      'merchant-order-id': order.sellerOrderId ?? '',
      'shipment-id': transactionType === 'Order' ? shipmentId : '',
      'marketplace-name': marketplace.name,
      'amount-type': fields.type,
      'amount-description': fields.description,
      amount: amount(fields.minor, format),
      'fulfillment-id': order.fulfilledBy === 'AMAZON' ? 'AFN' : 'MFN',
      'posted-date': shortDate(postedMs, format),
      'posted-date-time': utc(postedMs),
      'order-item-code': fields.itemCode,
      ...(transactionType === 'Refund' ? { 'merchant-adjustment-item-id': `ADJ-${fields.itemCode.slice(-6)}` } : {}),
      sku: fields.sku,
      'quantity-purchased': String(fields.qty),
      ...(withPromotion && fields.promotionId ? { 'promotion-id': fields.promotionId } : {}),
    });
  };
  for (const order of orders) {
    // Amazon charges the buyer, and settles with the seller, when items ship: only shipped lines appear.
    if (order.status !== 'SHIPPED' && order.status !== 'PARTIALLY_SHIPPED') continue;
    const postedMs = Math.min(Math.max(Date.parse(order.lastUpdatedTime), options.startMs), options.endMs);
    const shipmentId = prng.alnum(9);
    for (const item of order.items) {
      if (item.quantityShipped < item.quantity) continue;
      const base = { itemCode: item.orderItemId, sku: item.sku, qty: item.quantity };
      const principal = item.unitPriceMinor * item.quantity;
      add(order, postedMs, shipmentId, { ...base, type: 'ItemPrice', description: 'Principal', minor: principal });
      add(order, postedMs, shipmentId, { ...base, type: 'ItemPrice', description: 'Tax', minor: item.itemTaxMinor });
      add(order, postedMs, shipmentId, {
        ...base,
        type: 'ItemPrice',
        description: 'Shipping',
        minor: item.shippingMinor,
      });
      add(order, postedMs, shipmentId, {
        ...base,
        type: 'ItemPrice',
        description: 'ShippingTax',
        minor: item.shippingTaxMinor,
      });
      add(order, postedMs, shipmentId, {
        ...base,
        type: 'ItemPrice',
        description: 'GiftWrap',
        minor: item.giftWrapMinor,
      });
      add(order, postedMs, shipmentId, {
        ...base,
        type: 'ItemPrice',
        description: 'GiftWrapTax',
        minor: item.giftWrapTaxMinor,
      });
      const promoId = item.promotionIds.find((p) => p !== 'SIM-FREE-SHIPPING');
      add(order, postedMs, shipmentId, {
        ...base,
        type: 'Promotion',
        description: 'Principal',
        minor: -item.promotionDiscountMinor,
        ...(promoId ? { promotionId: promoId } : {}),
      });
      add(order, postedMs, shipmentId, {
        ...base,
        type: 'Promotion',
        description: 'Shipping',
        minor: -item.shippingDiscountMinor,
        promotionId: 'SIM-FREE-SHIPPING',
      });
      if (order.marketplaceFacilitator) {
        const kind = marketplace.country === 'US' ? 'MarketplaceFacilitatorTax' : 'MarketplaceFacilitatorVAT';
        add(order, postedMs, shipmentId, {
          ...base,
          type: 'ItemWithheldTax',
          description: `${kind}-Principal`,
          minor: -item.itemTaxMinor,
        });
        add(order, postedMs, shipmentId, {
          ...base,
          type: 'ItemWithheldTax',
          description: `${kind}-Shipping`,
          minor: -item.shippingTaxMinor,
        });
      }
      add(order, postedMs, shipmentId, {
        ...base,
        type: 'ItemFees',
        description: 'Commission',
        minor: -Math.round((principal * COMMISSION_BP) / 10_000),
      });
      if (order.fulfilledBy === 'AMAZON')
        add(order, postedMs, shipmentId, {
          ...base,
          type: 'ItemFees',
          description: 'FBAPerUnitFulfillmentFee',
          minor: -FBA_FEE_PER_UNIT_MINOR * item.quantity,
        });
    }
  }
  for (const orderId of options.refundOrderIds ?? []) {
    const order = orders.find((o) => o.orderId === orderId);
    if (!order) continue;
    transactionType = 'Refund';
    adjustmentId = prng.digits(14);
    const postedMs = options.endMs;
    for (const item of order.items) {
      const base = { itemCode: item.orderItemId, sku: item.sku, qty: item.quantity };
      const principal = item.unitPriceMinor * item.quantity;
      add(order, postedMs, '', { ...base, type: 'ItemPrice', description: 'Principal', minor: -principal });
      add(order, postedMs, '', { ...base, type: 'ItemPrice', description: 'Tax', minor: -item.itemTaxMinor });
      add(order, postedMs, '', { ...base, type: 'ItemPrice', description: 'Shipping', minor: -item.shippingMinor });
      if (order.marketplaceFacilitator) {
        const kind = marketplace.country === 'US' ? 'MarketplaceFacilitatorTax' : 'MarketplaceFacilitatorVAT';
        add(order, postedMs, '', {
          ...base,
          type: 'ItemWithheldTax',
          description: `${kind}-Principal`,
          minor: item.itemTaxMinor,
        });
      }
      const commission = Math.round((principal * COMMISSION_BP) / 10_000);
      // Amazon returns the commission but keeps a refund administration fee (20% of it, at most 5.00).
      add(order, postedMs, '', { ...base, type: 'ItemFees', description: 'Commission', minor: commission });
      add(order, postedMs, '', {
        ...base,
        type: 'ItemFees',
        description: 'RefundCommission',
        minor: -Math.min(500, Math.round(commission * 0.2)),
      });
    }
  }
  transactionType = 'Order';
  adjustmentId = '';
  // One account-level fee, as real settlements carry.
  const subscription = -3999;
  total += subscription;
  entries.push({
    transactionType: 'other-transaction',
    amountType: 'other-transaction',
    amountDescription: 'Subscription Fee',
    minor: subscription,
    postedMs: options.endMs,
  });
  rows.push({
    'settlement-id': settlementId,
    'transaction-type': 'other-transaction',
    'amount-type': 'other-transaction',
    'amount-description': 'Subscription Fee',
    amount: amount(subscription, format),
    'marketplace-name': marketplace.name,
    'posted-date': shortDate(options.endMs, format),
    'posted-date-time': utc(options.endMs),
  });
  const summary: Record<string, string> = {
    'settlement-id': settlementId,
    'settlement-start-date': utc(options.startMs),
    'settlement-end-date': utc(options.endMs),
    'deposit-date': utc(options.endMs + 2 * 86_400_000),
    'total-amount': amount(total, format),
    currency: marketplace.currency,
  };
  const line = (row: Record<string, string>): string => columns.map((c) => row[c] ?? '').join('\t');
  const text = [columns.join('\t'), line(summary), ...rows.map(line)].join('\n') + '\n';
  return {
    settlementId,
    currency: marketplace.currency,
    marketplaceId: marketplace.id,
    marketplaceName: marketplace.name,
    startMs: options.startMs,
    endMs: options.endMs,
    depositMs: options.endMs + 2 * 86_400_000,
    entries,
    totalMinor: total,
    text,
    rows: rows.length,
  };
}
