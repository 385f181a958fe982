import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mappingRulesFromConfig } from '../../../src/bootstrap/mapping.ts';
import { ConfigError, loadConfig } from '../../../src/config/load.ts';
import { DEFAULT_MAPPING_RULES, merchantWarehouseOf } from '../../../src/core/rules/mapping-rules.ts';

function yamlFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-mapping-'));
  const path = join(dir, 'sellbridge.yaml');
  writeFileSync(path, text);
  return path;
}

const FULL = `
orders:
  customers:
    ATVPDKIKX0DER: { customerId: SHOP-US, currency: USD, warehouseId: DALLAS }
    A1PA6795UKMFR9: { customerId: SHOP-DE, currency: EUR }
  warehouseId: CENTRL
  shipMethods:
    byServiceLevel: { STANDARD: GROUND, NEXT_DAY: OVERNIGHT }
    fallback: GROUND
  carriers:
    GROUND: { carrierCode: UPS, shippingMethod: UPS Ground }
    OVERNIGHT: { carrierCode: Other, carrierName: MDX Courier }
  pricing: { promotions: discount-line, marketplaceTax: liability-line, sellerTax: exclude }
  chargeLines:
    freight: { itemId: FREIGHT, glAccountNo: 4100-00 }
    giftWrap: { itemId: GIFTWRAP, description: Gift wrap, glAccountNo: 4200-00 }
    marketplaceTax: { glAccountNo: 2315-00 }
    promotions: { itemId: PROMO }
  skuAliases: { OLD-SKU: WIDGET-RED }
  addressLines: 3
sage500:
  tranNoPrefix: SB
`;

describe('order mapping in sellbridge.yaml (issue 21)', () => {
  it('without settings the rules are DEFAULT_MAPPING_RULES, so an existing sellbridge.yaml means what it meant', () => {
    const rules = mappingRulesFromConfig(loadConfig({ file: undefined, env: {} }).orders);
    expect({ ...rules, warehouseByMarketplace: undefined }).toEqual({
      ...DEFAULT_MAPPING_RULES,
      warehouseByMarketplace: undefined,
    });
    expect(rules.warehouseByMarketplace).toEqual({});
  });

  it('every mapping field is read from the file', () => {
    const config = loadConfig({ file: yamlFile(FULL), env: {} });
    const rules = mappingRulesFromConfig(config.orders);
    expect(rules.customers).toEqual({
      ATVPDKIKX0DER: { customerId: 'SHOP-US', currency: 'USD' },
      A1PA6795UKMFR9: { customerId: 'SHOP-DE', currency: 'EUR' },
    });
    expect(rules.warehouseId).toBe('CENTRL');
    expect(merchantWarehouseOf(rules, 'ATVPDKIKX0DER')).toBe('DALLAS');
    expect(merchantWarehouseOf(rules, 'A1PA6795UKMFR9')).toBe('CENTRL');
    expect(rules.shipMethods).toEqual({
      byServiceLevel: { STANDARD: 'GROUND', NEXT_DAY: 'OVERNIGHT' },
      fallback: 'GROUND',
    });
    expect(rules.carriers).toEqual({
      GROUND: { carrierCode: 'UPS', shippingMethod: 'UPS Ground' },
      OVERNIGHT: { carrierCode: 'Other', carrierName: 'MDX Courier' },
    });
    expect(rules.pricing.promotions).toBe('discount-line');
    expect(rules.pricing.marketplaceTax).toBe('liability-line');
    expect(rules.pricing.sellerTax).toBe('exclude');
    expect(rules.pricing.lines.freight).toEqual({
      itemId: 'FREIGHT',
      description: 'Amazon shipping',
      glAccountNo: '4100-00',
    });
    expect(rules.pricing.lines.giftWrap).toEqual({
      itemId: 'GIFTWRAP',
      description: 'Gift wrap',
      glAccountNo: '4200-00',
    });
    // A partly set line keeps the defaults of the rest.
    expect(rules.pricing.lines.marketplaceTax).toEqual({
      ...DEFAULT_MAPPING_RULES.pricing.lines.marketplaceTax,
      glAccountNo: '2315-00',
    });
    expect(rules.pricing.lines.promotions).toEqual({
      ...DEFAULT_MAPPING_RULES.pricing.lines.promotions,
      itemId: 'PROMO',
    });
    expect(rules.pricing.lines.sellerTax).toEqual(DEFAULT_MAPPING_RULES.pricing.lines.sellerTax);
    expect(rules.skuAliases).toEqual({ 'OLD-SKU': 'WIDGET-RED' });
    expect(rules.addressLines).toBe(3);
    expect(config.sage500.tranNoPrefix).toBe('SB');
  });

  it('an empty fallback leaves the ship method to the Sage customer', () => {
    const config = loadConfig({ file: yamlFile('orders:\n  shipMethods:\n    fallback: ""\n'), env: {} });
    expect(mappingRulesFromConfig(config.orders).shipMethods.fallback).toBeUndefined();
  });

  it('a table setting can come from the environment as JSON', () => {
    const config = loadConfig({
      file: undefined,
      env: { SELLBRIDGE_ORDERS_CUSTOMERS: '{"ATVPDKIKX0DER":{"customerId":"SHOP-US","currency":"USD"}}' },
    });
    expect(mappingRulesFromConfig(config.orders).customers).toEqual({
      ATVPDKIKX0DER: { customerId: 'SHOP-US', currency: 'USD' },
    });
  });

  it('bad values are refused, each named by its path', () => {
    let err: unknown;
    try {
      loadConfig({
        file: yamlFile(`
orders:
  customers:
    ATVPDKIKX0DER: { customerId: THIS-ID-IS-TOO-LONG, currency: usd }
  warehouseId: TOOLONGWH
  shipMethods:
    byServiceLevel: { STANDARD: A-SHIP-METHOD-ID-LONGER-THAN-15 }
  chargeLines:
    giftWrap: { glAccountNo: "not an account" }
`),
        env: { SELLBRIDGE_ORDERS_CARRIERS: '{not json' },
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const paths = (err as ConfigError).problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'orders.customers.ATVPDKIKX0DER.customerId',
        'orders.customers.ATVPDKIKX0DER.currency',
        'orders.warehouseId',
        'orders.shipMethods.byServiceLevel.STANDARD',
        'orders.chargeLines.giftWrap.glAccountNo',
        'orders.carriers',
      ]),
    );
  });
});
