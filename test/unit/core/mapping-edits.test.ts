import { describe, expect, it } from 'vitest';
import { editPathOf, overlayMappingEdits } from '../../../src/core/rules/mapping-edits.ts';
import { DEFAULT_MAPPING_RULES } from '../../../src/core/rules/mapping-rules.ts';
import { validateEditRows } from '../../../src/connectors/store/connection-mappings.ts';

const US = 'ATVPDKIKX0DER';
const base = { ...DEFAULT_MAPPING_RULES, warehouseByMarketplace: { [US]: 'EAST' } };

/** The stored mapping edits laid over the configured rules (issue 21): what each kind replaces, what it leaves. */
describe('overlayMappingEdits', () => {
  it('no edits: the configured rules unchanged', () => {
    expect(overlayMappingEdits(base, {})).toBe(base);
    expect(overlayMappingEdits(base, { customers: [] })).toBe(base);
  });

  it('customers replace the table whole; warehouses * and per marketplace', () => {
    const r = overlayMappingEdits(base, {
      customers: [{ marketplaceId: US, customerId: 'SHOP-US', currency: 'USD' }],
      warehouses: [{ marketplaceId: '*', warehouseId: 'WEST' }],
    });
    expect(r.customers).toEqual({ [US]: { customerId: 'SHOP-US', currency: 'USD' } });
    expect(r.warehouseId).toBe('WEST');
    expect(r.warehouseByMarketplace).toEqual({});
    const only = overlayMappingEdits(base, { warehouses: [{ marketplaceId: US, warehouseId: 'NORTH' }] });
    expect(only.warehouseId).toBe('MAIN');
    expect(only.warehouseByMarketplace).toEqual({ [US]: 'NORTH' });
  });

  it('ship methods: levels replace the table, * the fallback; a * row alone keeps the levels', () => {
    const r = overlayMappingEdits(base, { 'ship-methods': [{ serviceLevel: 'STANDARD', shipMethodId: 'USPS-PRI' }] });
    expect(r.shipMethods).toEqual({ byServiceLevel: { STANDARD: 'USPS-PRI' }, fallback: 'UPS-GND' });
    const f = overlayMappingEdits(base, { 'ship-methods': [{ serviceLevel: '*', shipMethodId: 'FEDEX-2D' }] });
    expect(f.shipMethods.byServiceLevel).toBe(base.shipMethods.byServiceLevel);
    expect(f.shipMethods.fallback).toBe('FEDEX-2D');
  });

  it('charge items replace the lines they name; policies the fields they set', () => {
    const r = overlayMappingEdits(base, {
      'charge-items': [{ line: 'freight', itemId: 'AMZ-FREIGHT', description: 'Shipping' }],
      policies: [{ marketplaceTax: 'liability-line', addressLines: 3 }],
    });
    expect(r.pricing.lines.freight).toEqual({ itemId: 'AMZ-FREIGHT', description: 'Shipping' });
    expect(r.pricing.lines.giftWrap).toEqual(base.pricing.lines.giftWrap);
    expect(r.pricing.marketplaceTax).toBe('liability-line');
    expect(r.pricing.promotions).toBe(base.pricing.promotions);
    expect(r.addressLines).toBe(3);
    expect(r.addressPolicy).toBe('fit');
  });
});

describe('editPathOf', () => {
  it("names the edited row of a check problem, nothing for the configuration's values", () => {
    const rows = [
      { marketplaceId: 'A2EUQ1WTGCTBG2', customerId: 'X', currency: 'CAD' },
      { marketplaceId: US, customerId: 'Y', currency: 'USD' },
    ];
    expect(editPathOf('customers', rows, `orders.customers.${US}.currency`)).toBe('rows[1].currency');
    expect(editPathOf('customers', rows, 'orders.warehouseId')).toBeUndefined();
    expect(editPathOf('warehouses', [{ marketplaceId: '*', warehouseId: 'W' }], 'orders.warehouseId')).toBe(
      'rows[0].warehouseId',
    );
    expect(editPathOf('ship-methods', [{ serviceLevel: '*', shipMethodId: 'S' }], 'orders.shipMethods.fallback')).toBe(
      'rows[0].shipMethodId',
    );
    expect(editPathOf('charge-items', [{ line: 'promotions' }], 'orders.chargeLines.promotions.glAccountNo')).toBe(
      'rows[0].glAccountNo',
    );
  });
});

describe('validateEditRows', () => {
  it('names each bad field and duplicate; reads CSV text as numbers', () => {
    const bad = validateEditRows('customers', [
      { marketplaceId: US, customerId: 'TOO-LONG-CUSTOMER', currency: 'usd' },
      { marketplaceId: US, customerId: 'A', currency: 'USD' },
      { marketplaceId: US, customerId: 'B', currency: 'USD', extra: 1 },
      { marketplaceId: US, customerId: 'C', currency: 'USD' },
    ]);
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.issues.map((i) => `${i.row}:${i.field}`)).toEqual([
        '1:customerId',
        '1:currency',
        '3:extra',
        '4:marketplaceId',
      ]);
    const ok = validateEditRows('policies', [{ addressLines: '3', addressPolicy: '' }]);
    expect(ok).toEqual({ ok: true, rows: [{ addressLines: 3 }] });
    expect(validateEditRows('policies', [{}, {}]).ok).toBe(false);
  });
});
