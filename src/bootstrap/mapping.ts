import type { ResolvedConfig } from '../config/schema.ts';
import type { CarrierMapping } from '../core/rules/carriers.ts';
import type { ChargeLineRule, ChargeLineRules } from '../core/rules/gl-accounts.ts';
import { DEFAULT_MAPPING_RULES, type MappingRules } from '../core/rules/mapping-rules.ts';
import { fbaPolicyOf } from './orders.ts';

type OrdersConfig = ResolvedConfig['orders'];

const line = (l: { itemId: string; description: string; glAccountNo?: string | undefined }): ChargeLineRule => ({
  itemId: l.itemId,
  description: l.description,
  ...(l.glAccountNo ? { glAccountNo: l.glAccountNo } : {}),
});

/**
 * The connection's order mapping as `sellbridge.yaml` sets it (`orders.customers`, `orders.warehouseId`,
 * `orders.shipMethods`, `orders.carriers`, `orders.pricing`, `orders.chargeLines`, `orders.skuAliases`,
 * `orders.addressLines`, `orders.addressPolicy`, `orders.fba`). Unset settings are DEFAULT_MAPPING_RULES' values.
 */
export function mappingRulesFromConfig(orders: OrdersConfig): MappingRules {
  const customers = Object.fromEntries(
    Object.entries(orders.customers).map(([mp, c]) => [mp, { customerId: c.customerId, currency: c.currency }]),
  );
  const warehouseByMarketplace = Object.fromEntries(
    Object.entries(orders.customers).flatMap(([mp, c]) => (c.warehouseId ? [[mp, c.warehouseId]] : [])),
  );
  const cl = orders.chargeLines;
  const lines: ChargeLineRules = {
    ...(cl.freight.itemId ? { freight: line({ ...cl.freight, itemId: cl.freight.itemId }) } : {}),
    giftWrap: line(cl.giftWrap),
    otherCharges: line(cl.otherCharges),
    marketplaceTax: line(cl.marketplaceTax),
    sellerTax: line(cl.sellerTax),
    promotions: line(cl.promotions),
    rounding: line(cl.rounding),
  };
  const carriers: Record<string, CarrierMapping> = Object.fromEntries(
    Object.entries(orders.carriers).map(([id, c]) => [
      id,
      {
        carrierCode: c.carrierCode,
        ...(c.carrierName ? { carrierName: c.carrierName } : {}),
        ...(c.shippingMethod ? { shippingMethod: c.shippingMethod } : {}),
      },
    ]),
  );
  return {
    ...DEFAULT_MAPPING_RULES,
    customers,
    warehouseId: orders.warehouseId,
    warehouseByMarketplace,
    skuAliases: { ...orders.skuAliases },
    pricing: { ...orders.pricing, lines },
    shipMethods: {
      byServiceLevel: { ...orders.shipMethods.byServiceLevel },
      ...(orders.shipMethods.fallback ? { fallback: orders.shipMethods.fallback } : {}),
    },
    carriers,
    status: { ...DEFAULT_MAPPING_RULES.status, fba: fbaPolicyOf(orders.fba) },
    addressLines: orders.addressLines,
    addressPolicy: orders.addressPolicy,
  };
}
