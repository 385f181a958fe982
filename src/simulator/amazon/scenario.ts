import type { Prng } from './prng.ts';
import { DEFAULT_MARKETPLACE_ID, marketplaceById, type SimMarketplace } from './marketplaces.ts';

/**
 * The scenario generator: realistic, seeded orders. Amounts are integer minor units here and become Amazon's
 * decimal strings only when rendered on the wire (order-wire.ts). Buyer data is fake and never logged.
 */

export type FulfillmentStatus =
  'PENDING_AVAILABILITY' | 'PENDING' | 'UNSHIPPED' | 'PARTIALLY_SHIPPED' | 'SHIPPED' | 'CANCELLED' | 'UNFULFILLABLE';
export type FulfilledBy = 'MERCHANT' | 'AMAZON';

export interface CatalogItem {
  readonly sku: string;
  readonly asin?: string;
  readonly title?: string;
  /** Unit price in minor units (cents). */
  readonly priceMinor?: number;
}

export interface SimOrderItem {
  orderItemId: string;
  sku: string;
  asin: string;
  title: string;
  quantity: number;
  quantityShipped: number;
  /** All amounts in minor units; unitPriceMinor is per unit, the rest are line totals. */
  unitPriceMinor: number;
  itemTaxMinor: number;
  shippingMinor: number;
  shippingTaxMinor: number;
  shippingDiscountMinor: number;
  promotionDiscountMinor: number;
  giftWrapMinor: number;
  giftWrapTaxMinor: number;
  promotionIds: string[];
  giftMessage?: string;
  giftWrapLevel?: string;
  /** True when the SKU is not in the caller's catalogue (exercises unknown-SKU handling downstream). */
  unknownSku: boolean;
}

export interface SimAddress {
  name: string;
  companyName?: string;
  addressLine1: string;
  addressLine2?: string;
  addressLine3?: string;
  city: string;
  stateOrRegion: string;
  postalCode: string;
  countryCode: string;
  phone?: string;
  addressType: 'RESIDENTIAL' | 'COMMERCIAL';
}

export interface SimPackage {
  packageReferenceId: string;
  carrier: string;
  carrierName?: string;
  shippingService?: string;
  trackingNumber: string;
  shipTime: string;
  items: { orderItemId: string; quantity: number }[];
}

export interface SimOrder {
  orderId: string;
  sellerId: string;
  marketplaceId: string;
  currency: string;
  createdTime: string;
  lastUpdatedTime: string;
  status: FulfillmentStatus;
  fulfilledBy: FulfilledBy;
  serviceLevel: string;
  business: boolean;
  prime: boolean;
  sellerOrderId?: string;
  buyer: { name: string; email: string; companyName?: string; purchaseOrderNumber?: string };
  address: SimAddress;
  items: SimOrderItem[];
  packages: SimPackage[];
  cancelReason?: string;
  /** The buyer asked to cancel (BuyerRequestedChange); the seller still has to cancel or ship. */
  buyerCancelRequest?: string;
  /** Marketplace-facilitator tax: Amazon collects and remits the tax (US states, EU VAT on some sales). */
  marketplaceFacilitator: boolean;
}

export interface ScenarioOptions {
  /** SKUs to draw from (e.g. the Sage sandbox's item ids). Plain strings or catalogue items. */
  readonly skus?: readonly (string | CatalogItem)[];
  readonly sellerId: string;
  readonly marketplaceIds?: readonly string[];
  /** Share of items whose SKU is not in `skus` (default 0.05). */
  readonly unknownSkuRate?: number;
  readonly afnRate?: number;
  readonly businessRate?: number;
  readonly pendingRate?: number;
  readonly cancelledRate?: number;
  readonly giftRate?: number;
  readonly promotionRate?: number;
  readonly nonAsciiRate?: number;
  readonly longAddressRate?: number;
  /**
   * Share of orders shipped abroad to an address written in its own script (a Japanese or Chinese address on an
   * Amazon.com order, as AmazonGlobal buyers enter them); default 0.02.
   */
  readonly foreignScriptAddressRate?: number;
}

export interface OrderOverrides {
  readonly orderId?: string;
  readonly status?: FulfillmentStatus;
  readonly fulfilledBy?: FulfilledBy;
  readonly marketplaceId?: string;
  readonly createdTime?: string;
  readonly business?: boolean;
  /** Exact lines; amounts default from the catalogue. */
  readonly items?: readonly { sku: string; quantity: number; unitPriceMinor?: number }[];
}

export const DEFAULT_SKUS: readonly CatalogItem[] = [
  { sku: 'SB-WIDGET-001', title: 'Steel widget, 40 mm', priceMinor: 1299 },
  { sku: 'SB-WIDGET-002', title: 'Steel widget, 60 mm', priceMinor: 1799 },
  { sku: 'SB-GADGET-010', title: 'Gadget with USB-C cable', priceMinor: 4999 },
  { sku: 'SB-TOOL-100', title: 'Torque wrench 1/2"', priceMinor: 8950 },
  { sku: 'SB-KIT-200', title: 'Starter kit (12 pieces)', priceMinor: 2450 },
];

const ASCII_NAMES = ['John Smith', 'Mary Johnson', 'Robert Brown', 'Linda Davis', 'Michael Wilson', 'Sarah Taylor'];
const NON_ASCII_NAMES = [
  'José Müller',
  'Zoë Ångström',
  '李小龙',
  'Søren Kierkegård',
  'Ñandú Pérez',
  'Αλέξης Παπαδόπουλος',
  'Дмитрий Иванов',
  'Łukasz Żółć',
  '山田 太郎',
  'Renée Dubois-Lefèvre',
];
const STREETS = [
  'Main Street',
  'Oak Avenue',
  'Königsallee',
  'Rue de la Paix',
  'Calle Mayor',
  'Elm Road',
  'Hauptstraße',
  'North Cedar Ridge Boulevard',
];
/**
 * Cities per country, about one in seven longer than Sage's 20-character City (real places Sage cannot hold as
 * written), some regions spelled out rather than coded.
 */
const CITIES: Record<string, readonly [string, string, string][]> = {
  US: [
    ['Seattle', 'WA', '98101'],
    ['Austin', 'TX', '78701'],
    ['Brooklyn', 'NY', '11201'],
    ['Denver', 'CO', '80202'],
    ['Rancho Santa Margarita', 'CA', '92688'],
    ['Seattle', 'WA', '98109'],
    ['Chicago', 'IL', '60601'],
    ['Lauderdale-by-the-Sea', 'Florida', '33308'],
    ['Portland', 'OR', '97205'],
    ['Phoenix', 'AZ', '85004'],
    ['Columbus', 'Ohio', '43215'],
    ['Atlanta', 'GA', '30303'],
    ['Boston', 'MA', '02108'],
    ['Miami', 'FL', '33131'],
  ],
  CA: [
    ['Toronto', 'ON', 'M5V 2T6'],
    ['Montréal', 'QC', 'H2X 1Y4'],
    ['Vancouver', 'BC', 'V6B 1A1'],
    ['Calgary', 'Alberta', 'T2P 1J9'],
    ['Saint-Jean-sur-Richelieu', 'Québec', 'J3B 1M4'],
  ],
  GB: [
    ['London', 'Greater London', 'SW1A 1AA'],
    ['Manchester', 'Greater Manchester', 'M1 1AE'],
    ['Stratford-upon-Avon', 'Warwickshire', 'CV37 6AA'],
  ],
  DE: [
    ['München', 'Bayern', '80331'],
    ['Düsseldorf', 'Nordrhein-Westfalen', '40213'],
    ['Berlin', 'Berlin', '10117'],
    ['Hamburg', 'Hamburg', '20095'],
    ['Villingen-Schwenningen', 'Baden-Württemberg', '78050'],
  ],
  FR: [
    ['Paris', 'Île-de-France', '75001'],
    ['Lyon', 'Auvergne-Rhône-Alpes', '69002'],
    ['Marseille', "Provence-Alpes-Côte d'Azur", '13001'],
    ['Toulouse', 'Occitanie', '31000'],
    ['Saint-Rémy-de-Provence', "Provence-Alpes-Côte d'Azur", '13210'],
  ],
};
/** Addresses abroad written in their own script: [country, region, city, line, postal code]. */
const FOREIGN_SCRIPT_ADDRESSES: readonly [string, string, string, string, string][] = [
  ['JP', '東京都', '千代田区', '丸の内1丁目9-1 グラントウキョウノースタワー 12階', '100-0005'],
  ['JP', '大阪府', '大阪市北区', '梅田3丁目1番3号', '530-0001'],
  ['CN', '广东省', '深圳市', '南山区科技园南区深南大道10000号 腾讯大厦', '518057'],
  ['CN', '上海市', '上海市', '浦东新区世纪大道100号 上海环球金融中心 45楼', '200120'],
];
const COMPANIES = [
  'Acme Procurement LLC',
  'Müller & Söhne GmbH',
  'Northwind Traders',
  'Société Générale de Fournitures SARL',
];
const SERVICE_LEVELS = ['STANDARD', 'EXPEDITED', 'SECOND_DAY', 'NEXT_DAY', 'FREE_ECONOMY'];
const US_TAX_RATES_BP = [0, 600, 725, 825, 1025]; // basis points
const EU_VAT_BP: Record<string, number> = { GB: 2000, DE: 1900, FR: 2000 };

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

function catalogue(skus: ScenarioOptions['skus']): CatalogItem[] {
  const list = skus && skus.length > 0 ? skus : DEFAULT_SKUS;
  return list.map((s) => (typeof s === 'string' ? { sku: s } : s));
}

function asinFor(prng: Prng): string {
  return `B0${prng.alnum(8)}`;
}

function taxOf(amountMinor: number, basisPoints: number): number {
  return Math.round((amountMinor * basisPoints) / 10_000);
}

export class OrderGenerator {
  readonly #prng: Prng;
  readonly #options: ScenarioOptions;
  readonly #catalogue: CatalogItem[];
  readonly #asins = new Map<string, string>();
  #promotionSeq = 0;

  constructor(prng: Prng, options: ScenarioOptions) {
    this.#prng = prng;
    this.#options = options;
    this.#catalogue = catalogue(options.skus);
  }

  get catalogue(): readonly CatalogItem[] {
    return this.#catalogue;
  }

  asinOf(sku: string): string {
    let asin = this.#asins.get(sku) ?? this.#catalogue.find((c) => c.sku === sku)?.asin;
    if (!asin) {
      asin = asinFor(this.#prng);
      this.#asins.set(sku, asin);
    }
    return asin;
  }

  orderId(marketplace: SimMarketplace): string {
    const p = this.#prng;
    return `${marketplace.orderPrefix}${p.int(0, 9)}-${p.digits(7)}-${p.digits(7)}`;
  }

  /** One order created at `createdMs` (default: now minus up to three days, at least five minutes ago). */
  generate(nowMs: number, overrides: OrderOverrides = {}): SimOrder {
    const p = this.#prng;
    const o = this.#options;
    const marketplaceIds = o.marketplaceIds?.length ? o.marketplaceIds : [DEFAULT_MARKETPLACE_ID];
    const marketplace =
      marketplaceById(overrides.marketplaceId ?? p.pick(marketplaceIds)) ?? marketplaceById(DEFAULT_MARKETPLACE_ID)!;
    const createdMs = overrides.createdTime
      ? Date.parse(overrides.createdTime)
      : nowMs - 5 * MINUTE - p.int(0, 3 * DAY);
    const fulfilledBy: FulfilledBy = overrides.fulfilledBy ?? (p.chance(o.afnRate ?? 0.3) ? 'AMAZON' : 'MERCHANT');
    const business = overrides.business ?? p.chance(o.businessRate ?? 0.15);
    let status: FulfillmentStatus;
    if (overrides.status) status = overrides.status;
    else if (p.chance(o.pendingRate ?? 0.1)) status = 'PENDING';
    else if (p.chance(o.cancelledRate ?? 0.05)) status = 'CANCELLED';
    else status = fulfilledBy === 'AMAZON' ? p.pick(['UNSHIPPED', 'SHIPPED', 'SHIPPED'] as const) : 'UNSHIPPED';

    const nonAscii = p.chance(o.nonAsciiRate ?? 0.3);
    const name = p.pick(nonAscii ? NON_ASCII_NAMES : ASCII_NAMES);
    const [city, region, postalCode] = p.pick(CITIES[marketplace.country] ?? CITIES.US!);
    const long = p.chance(o.longAddressRate ?? 0.1);
    const address: SimAddress = {
      name,
      addressLine1: long
        ? `${p.int(1, 9999)} ${p.pick(STREETS)}, Building ${p.alnum(3)}, Industrial Park North-East Extension, Loading Dock ${p.int(1, 40)}`
        : `${p.int(1, 999)} ${p.pick(STREETS)}`,
      city,
      stateOrRegion: region,
      postalCode,
      countryCode: marketplace.country,
      addressType: business ? 'COMMERCIAL' : 'RESIDENTIAL',
    };
    if ((o.foreignScriptAddressRate ?? 0.02) > 0 && p.chance(o.foreignScriptAddressRate ?? 0.02)) {
      const [country, fRegion, fCity, fLine, fPostal] = p.pick(FOREIGN_SCRIPT_ADDRESSES);
      Object.assign(address, {
        name: p.pick(NON_ASCII_NAMES.filter((n) => /[\u3040-\u9fff]/.test(n))),
        addressLine1: fLine,
        city: fCity,
        stateOrRegion: fRegion,
        postalCode: fPostal,
        countryCode: country,
      });
    }
    if (long || p.chance(0.3))
      address.addressLine2 = long
        ? `Attn: Receiving Department — c/o ${name}, Suite ${p.int(100, 999)}, Floor ${p.int(1, 60)}`
        : `Apt ${p.int(1, 99)}`;
    if (long)
      address.addressLine3 = 'Deliver between 08:00 and 16:00, ring twice, leave with the concierge if nobody answers';
    if (fulfilledBy === 'MERCHANT') address.phone = `+1 206 555 ${p.digits(4)}`;
    if (business) address.companyName = p.pick(COMPANIES);

    const items = overrides.items
      ? overrides.items.map((line) => this.#item(line.sku, line.quantity, line.unitPriceMinor, false))
      : this.#randomItems();
    const marketplaceFacilitator = marketplace.country !== 'US' || p.chance(0.8);
    this.#price(items, marketplace, marketplaceFacilitator);
    if (status === 'SHIPPED') for (const item of items) item.quantityShipped = item.quantity;

    const updatedMs = Math.min(createdMs + p.int(1, 240) * MINUTE, nowMs - 3 * MINUTE);
    const order: SimOrder = {
      orderId: overrides.orderId ?? this.orderId(marketplace),
      sellerId: o.sellerId,
      marketplaceId: marketplace.id,
      currency: marketplace.currency,
      createdTime: new Date(createdMs).toISOString(),
      lastUpdatedTime: new Date(Math.max(updatedMs, createdMs)).toISOString(),
      status,
      fulfilledBy,
      serviceLevel: p.pick(SERVICE_LEVELS),
      business,
      prime: fulfilledBy === 'AMAZON' || p.chance(0.2),
      buyer: {
        name,
        email: `${p.alnum(12).toLowerCase()}@marketplace.amazon.com`,
        ...(business ? { companyName: address.companyName!, purchaseOrderNumber: `PO-${p.digits(6)}` } : {}),
      },
      address,
      items,
      packages: [],
      marketplaceFacilitator,
    };
    if (p.chance(0.2)) order.sellerOrderId = `WEB-${p.digits(8)}`;
    if (status === 'CANCELLED')
      order.cancelReason = p.pick(['BUYER_CANCELED', 'OUT_OF_STOCK', 'SHIPPING_ADDRESS_UNDELIVERABLE']);
    if (status === 'SHIPPED' && fulfilledBy === 'MERCHANT')
      order.packages.push(this.package(order, new Date(updatedMs).toISOString()));
    return order;
  }

  /** A package covering every unshipped unit (used for shipped MFN orders). */
  package(order: SimOrder, shipTime: string): SimPackage {
    const p = this.#prng;
    return {
      packageReferenceId: String(order.packages.length + 1),
      carrier: p.pick(['UPS', 'USPS', 'FedEx', 'DHL']),
      shippingService: 'Ground',
      trackingNumber: `1Z${p.alnum(16)}`,
      shipTime,
      items: order.items.map((i) => ({ orderItemId: i.orderItemId, quantity: i.quantity })),
    };
  }

  #randomItems(): SimOrderItem[] {
    const p = this.#prng;
    const count = p.chance(0.4) ? 1 : p.int(2, 4);
    const items: SimOrderItem[] = [];
    const used = new Set<string>();
    for (let i = 0; i < count; i++) {
      const unknown = p.chance(this.#options.unknownSkuRate ?? 0.05);
      const sku = unknown ? `UNKNOWN-${p.alnum(6)}` : p.pick(this.#catalogue).sku;
      if (used.has(sku)) continue;
      used.add(sku);
      const quantity = p.chance(0.6) ? 1 : p.int(2, 6);
      items.push(this.#item(sku, quantity, undefined, unknown));
    }
    return items;
  }

  #item(sku: string, quantity: number, unitPriceMinor: number | undefined, unknown: boolean): SimOrderItem {
    const p = this.#prng;
    const known = this.#catalogue.find((c) => c.sku === sku);
    return {
      orderItemId: p.digits(14),
      sku,
      asin: this.asinOf(sku),
      title: known?.title ?? `Item ${sku}`,
      quantity,
      quantityShipped: 0,
      unitPriceMinor: unitPriceMinor ?? known?.priceMinor ?? p.int(5, 150) * 100 + p.pick([0, 49, 95, 99]),
      itemTaxMinor: 0,
      shippingMinor: 0,
      shippingTaxMinor: 0,
      shippingDiscountMinor: 0,
      promotionDiscountMinor: 0,
      giftWrapMinor: 0,
      giftWrapTaxMinor: 0,
      promotionIds: [],
      unknownSku: unknown || known === undefined,
    };
  }

  /** Shipping, promotions, shipping discounts, gift wrap and taxes, all in minor units. */
  #price(items: SimOrderItem[], marketplace: SimMarketplace, facilitator: boolean): void {
    const p = this.#prng;
    const o = this.#options;
    const taxBp =
      marketplace.country === 'US'
        ? facilitator
          ? p.pick(US_TAX_RATES_BP)
          : 0
        : (EU_VAT_BP[marketplace.country] ?? 0);
    const freeShipping = p.chance(0.3);
    for (const item of items) {
      const line = item.unitPriceMinor * item.quantity;
      item.shippingMinor = p.pick([0, 499, 599, 899]) + (item.quantity - 1) * 100;
      if (freeShipping) item.shippingDiscountMinor = item.shippingMinor;
      if (p.chance(o.promotionRate ?? 0.3)) {
        item.promotionDiscountMinor = Math.round(line * p.pick([0.05, 0.1, 0.15]));
        item.promotionIds.push(`SIM-PROMO-${String(++this.#promotionSeq).padStart(4, '0')}`);
      }
      if (freeShipping) item.promotionIds.push('SIM-FREE-SHIPPING');
      if (p.chance(o.giftRate ?? 0.1)) {
        item.giftWrapMinor = p.pick([299, 499]);
        item.giftWrapLevel = p.pick(['STANDARD', 'PREMIUM']);
        item.giftMessage = p.pick(['Happy birthday!', 'Alles Gute zum Geburtstag! 🎉', 'Joyeux Noël']);
      }
      item.itemTaxMinor = taxOf(line - item.promotionDiscountMinor, taxBp);
      item.shippingTaxMinor = taxOf(item.shippingMinor - item.shippingDiscountMinor, taxBp);
      item.giftWrapTaxMinor = taxOf(item.giftWrapMinor, taxBp);
    }
  }
}

/** Orders 2026-01-01 status -> the v0 status that ORDER_CHANGE notifications carry. */
export const V0_STATUS: Readonly<Record<FulfillmentStatus, string>> = {
  PENDING_AVAILABILITY: 'PendingAvailability',
  PENDING: 'Pending',
  UNSHIPPED: 'Unshipped',
  PARTIALLY_SHIPPED: 'PartiallyShipped',
  SHIPPED: 'Shipped',
  CANCELLED: 'Canceled',
  UNFULFILLABLE: 'Unfulfillable',
};

/** Sum of what the buyer pays for a line, minor units. */
export function itemTotalMinor(item: SimOrderItem): number {
  return (
    item.unitPriceMinor * item.quantity +
    item.shippingMinor +
    item.giftWrapMinor +
    item.itemTaxMinor +
    item.shippingTaxMinor +
    item.giftWrapTaxMinor -
    item.shippingDiscountMinor -
    item.promotionDiscountMinor
  );
}
