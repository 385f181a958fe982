import type { ChargeLineRule, ChargeLineRules } from './gl-accounts.ts';
import type { AddressPolicy, MappingRules, MarketplaceCustomer } from './mapping-rules.ts';
import type { PricingRules } from './pricing.ts';
import { orderPolicyPathOf, overlayOrderPolicies, type OrderPolicyEdit } from './order-policies.ts';

/**
 * A connection's order mapping as edited through the admin API or the dashboard (issue 21), kept in the store per
 * kind and laid over the configured rules by `overlayMappingEdits`. Each stored kind replaces what it covers as a
 * whole (the configured customers table, ship method table...), so what the editor shows is what applies.
 */
export const MAPPING_EDIT_KINDS = [
  'customers',
  'warehouses',
  'ship-methods',
  'charge-items',
  'policies',
  'order-policies',
] as const;
export type MappingEditKind = (typeof MAPPING_EDIT_KINDS)[number];

/** The marketplace id that stands for "every other marketplace" (warehouses) or "no level matched" (ship methods). */
export const ANY = '*';

export interface CustomerEdit {
  readonly marketplaceId: string;
  readonly customerId: string;
  readonly currency: string;
}

/** `marketplaceId` `*` is the connection's warehouse (orders.warehouseId); others are one marketplace's. */
export interface WarehouseEdit {
  readonly marketplaceId: string;
  readonly warehouseId: string;
}

/** `serviceLevel` `*` is the fallback (orders.shipMethods.fallback). */
export interface ShipMethodEdit {
  readonly serviceLevel: string;
  readonly shipMethodId: string;
}

export const CHARGE_LINES = [
  'freight',
  'giftWrap',
  'otherCharges',
  'marketplaceTax',
  'sellerTax',
  'promotions',
  'rounding',
] as const satisfies readonly (keyof ChargeLineRules)[];
export type ChargeLineName = (typeof CHARGE_LINES)[number];

export interface ChargeItemEdit {
  readonly line: ChargeLineName;
  readonly itemId: string;
  readonly description: string;
  readonly glAccountNo?: string | undefined;
}

/** Tax, promotion and address policy; a field left out keeps the configured value. */
export interface PolicyEdit {
  readonly promotions?: PricingRules['promotions'] | undefined;
  readonly marketplaceTax?: PricingRules['marketplaceTax'] | undefined;
  readonly sellerTax?: PricingRules['sellerTax'] | undefined;
  readonly addressLines?: number | undefined;
  readonly addressPolicy?: AddressPolicy | undefined;
}

export interface MappingEdits {
  readonly customers?: readonly CustomerEdit[];
  readonly warehouses?: readonly WarehouseEdit[];
  readonly 'ship-methods'?: readonly ShipMethodEdit[];
  readonly 'charge-items'?: readonly ChargeItemEdit[];
  /** At most one row. */
  readonly policies?: readonly PolicyEdit[];
  /** At most one row (core/rules/order-policies.ts). */
  readonly 'order-policies'?: readonly OrderPolicyEdit[];
}

/**
 * The effective rules: `base` (sellbridge.yaml or defaults) with each stored kind laid over it. Customers and the
 * per-marketplace warehouses replace the configured tables whole; the `*` rows replace the connection's warehouse
 * and ship-method fallback; the service-level table is replaced whole when any level row is stored; each stored
 * charge line replaces that line; policies and order policies replace the fields they name. An empty or missing kind
 * leaves `base`.
 */
export function overlayMappingEdits(base: MappingRules, edits: MappingEdits): MappingRules {
  let rules = base;
  const customers = edits.customers;
  if (customers?.length)
    rules = {
      ...rules,
      customers: Object.fromEntries(
        customers.map((c): [string, MarketplaceCustomer] => [
          c.marketplaceId,
          { customerId: c.customerId, currency: c.currency },
        ]),
      ),
    };
  const warehouses = edits.warehouses;
  if (warehouses?.length) {
    const any = warehouses.find((w) => w.marketplaceId === ANY);
    rules = {
      ...rules,
      warehouseId: any?.warehouseId ?? rules.warehouseId,
      warehouseByMarketplace: Object.fromEntries(
        warehouses.filter((w) => w.marketplaceId !== ANY).map((w) => [w.marketplaceId, w.warehouseId]),
      ),
    };
  }
  const shipMethods = edits['ship-methods'];
  if (shipMethods?.length) {
    const fallback = shipMethods.find((s) => s.serviceLevel === ANY);
    const levels = shipMethods.filter((s) => s.serviceLevel !== ANY);
    rules = {
      ...rules,
      shipMethods: {
        byServiceLevel: levels.length
          ? Object.fromEntries(levels.map((s) => [s.serviceLevel, s.shipMethodId]))
          : rules.shipMethods.byServiceLevel,
        ...(fallback
          ? { fallback: fallback.shipMethodId }
          : rules.shipMethods.fallback
            ? { fallback: rules.shipMethods.fallback }
            : {}),
      },
    };
  }
  const charges = edits['charge-items'];
  if (charges?.length) {
    const lines: Record<string, ChargeLineRule> = { ...rules.pricing.lines };
    for (const c of charges)
      lines[c.line] = {
        itemId: c.itemId,
        description: c.description,
        ...(c.glAccountNo ? { glAccountNo: c.glAccountNo } : {}),
      };
    rules = { ...rules, pricing: { ...rules.pricing, lines: lines as unknown as ChargeLineRules } };
  }
  const policy = edits.policies?.[0];
  if (policy)
    rules = {
      ...rules,
      pricing: {
        ...rules.pricing,
        ...(policy.promotions ? { promotions: policy.promotions } : {}),
        ...(policy.marketplaceTax ? { marketplaceTax: policy.marketplaceTax } : {}),
        ...(policy.sellerTax ? { sellerTax: policy.sellerTax } : {}),
      },
      ...(policy.addressLines !== undefined ? { addressLines: policy.addressLines } : {}),
      ...(policy.addressPolicy ? { addressPolicy: policy.addressPolicy } : {}),
    };
  rules = overlayOrderPolicies(rules, edits['order-policies']?.[0]);
  return rules;
}

/**
 * The rows of an edited kind that produced a `connections check` problem at `configPath` (its sellbridge.yaml path,
 * src/flows/check-mapping.ts), as `rows[i].field`; undefined when the value is not from these rows (it is the
 * configuration's).
 */
export function editPathOf(kind: MappingEditKind, rows: readonly object[], configPath: string): string | undefined {
  const at = (pred: (r: Record<string, unknown>) => boolean, field: string) => {
    const i = (rows as ReadonlyArray<Record<string, unknown>>).findIndex(pred);
    return i < 0 ? undefined : `rows[${i}].${field}`;
  };
  const parts = configPath.split('.');
  if (kind === 'customers' && parts[1] === 'customers' && (parts[3] === 'customerId' || parts[3] === 'currency'))
    return at((r) => r['marketplaceId'] === parts[2], parts[3]);
  if (kind === 'warehouses') {
    if (configPath === 'orders.warehouseId') return at((r) => r['marketplaceId'] === ANY, 'warehouseId');
    if (parts[1] === 'customers' && parts[3] === 'warehouseId')
      return at((r) => r['marketplaceId'] === parts[2], 'warehouseId');
  }
  if (kind === 'ship-methods' && parts[1] === 'shipMethods') {
    if (parts[2] === 'fallback') return at((r) => r['serviceLevel'] === ANY, 'shipMethodId');
    if (parts[2] === 'byServiceLevel') return at((r) => r['serviceLevel'] === parts.slice(3).join('.'), 'shipMethodId');
  }
  if (kind === 'charge-items' && parts[1] === 'chargeLines')
    return at((r) => r['line'] === parts[2], parts[3] ?? 'itemId');
  if (kind === 'order-policies') return orderPolicyPathOf(rows, configPath);
  return undefined;
}
