import { DEFAULT_CARRIERS, type CarrierRules } from './carriers.ts';
import { DEFAULT_PRICING, type PricingRules } from './pricing.ts';
import { DEFAULT_SHIP_METHODS, type ShipMethodRules } from './shipping.ts';
import { DEFAULT_SKU_ALIASES, type SkuAliases } from './sku-aliases.ts';
import { DEFAULT_STATUS_POLICY, type StatusPolicy } from './status-policy.ts';

/** The Sage customer that receives a marketplace's orders (one customer per marketplace, sage500-facts §4.4). */
export interface MarketplaceCustomer {
  /** Sage CustID (varchar(12)). */
  readonly customerId: string;
  /** The customer's currency in Sage; an order in another currency is a mapping issue. */
  readonly currency: string;
}

/** Everything the order transforms read, per connection. Plain data: load it from config or the store. */
export interface MappingRules {
  /** Keyed by Amazon marketplace id. */
  readonly customers: Readonly<Record<string, MarketplaceCustomer>>;
  /** Sage WhseID (varchar(6)) for merchant-fulfilled orders of a marketplace not in `warehouseByMarketplace`. */
  readonly warehouseId: string;
  /** Sage WhseID of a marketplace's merchant-fulfilled orders, keyed by Amazon marketplace id (config `orders.customers.<id>.warehouseId`). */
  readonly warehouseByMarketplace?: Readonly<Record<string, string>>;
  readonly skuAliases: SkuAliases;
  readonly pricing: PricingRules;
  readonly shipMethods: ShipMethodRules;
  readonly carriers: CarrierRules;
  readonly status: StatusPolicy;
  /** How many address lines the Sage ship-to takes (AddrLine1..5, sage500-facts §2.1). */
  readonly addressLines: number;
  /**
   * What happens to a ship-to that does not fit Sage's columns as it is: `fit` (abbreviate, overflow, transliterate,
   * truncate at a word boundary, and record what changed) or `dead-letter` (the order waits for an operator).
   */
  readonly addressPolicy: AddressPolicy;
  /**
   * The Sage warehouse that holds the stock at Amazon (orders.fba.warehouseId) whatever the FBA policy: the shipment
   * poll never confirms its shipments. Unset: the flows' configured one.
   */
  readonly fbaWarehouseId?: string;
  /** Prefix of the TranNos reserved for new Sage orders (sage500.tranNoPrefix). Unset: the flows' configured one. */
  readonly tranNoPrefix?: string;
  /** Amazon refunds as Sage customer returns (orders.refunds). Unset: the configuration's. */
  readonly refunds?: OrderReturnMode;
  /** The FBA customer returns report (orders.fbaReturns). Unset: the configuration's. */
  readonly fbaReturns?: OrderReturnMode;
}

export type OrderReturnMode = 'off' | 'customer-return';

export type AddressPolicy = 'fit' | 'dead-letter';

/** Defaults that match the Sage sandbox's demo company (customers AMAZON-US/CA/UK, warehouse MAIN). */
export const DEFAULT_MAPPING_RULES: MappingRules = {
  customers: {
    ATVPDKIKX0DER: { customerId: 'AMAZON-US', currency: 'USD' },
    A2EUQ1WTGCTBG2: { customerId: 'AMAZON-CA', currency: 'CAD' },
    A1F83G8C2ARO7P: { customerId: 'AMAZON-UK', currency: 'GBP' },
  },
  warehouseId: 'MAIN',
  skuAliases: DEFAULT_SKU_ALIASES,
  pricing: DEFAULT_PRICING,
  shipMethods: DEFAULT_SHIP_METHODS,
  carriers: DEFAULT_CARRIERS,
  status: DEFAULT_STATUS_POLICY,
  addressLines: 5,
  addressPolicy: 'fit',
};

/** The Sage warehouse of a merchant-fulfilled order of this marketplace: its own, else the connection's. */
export function merchantWarehouseOf(rules: MappingRules, marketplaceId: string | undefined): string {
  return (marketplaceId && rules.warehouseByMarketplace?.[marketplaceId]) || rules.warehouseId;
}

/** The rules with every order booked to one warehouse (the FBA warehouse of an order Amazon fulfilled). */
export function withWarehouse(rules: MappingRules, warehouseId: string): MappingRules {
  return { ...rules, warehouseId, warehouseByMarketplace: {} };
}
