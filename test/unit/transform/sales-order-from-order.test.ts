import { describe, expect, it } from 'vitest';
import { MappingError } from '../../../src/core/errors.ts';
import { DEFAULT_MAPPING_RULES } from '../../../src/core/rules/mapping-rules.ts';
import {
  salesOrderFromOrder,
  serviceLevelKey,
  shipMethodFromServiceLevel,
} from '../../../src/core/transform/sales-order-from-order.ts';
import { DEMO_CATALOGUE, orderOf, readCase } from './golden-case.ts';

function thrown(fn: () => unknown): MappingError {
  try {
    fn();
  } catch (err) {
    if (err instanceof MappingError) return err;
    throw err;
  }
  throw new Error('expected a MappingError');
}

describe('salesOrderFromOrder', () => {
  it('throws one permanent MappingError whose context holds ids only (unknown SKUs), never the address', () => {
    const { input } = readCase('14-many-issues-one-error');
    const rules = { ...DEFAULT_MAPPING_RULES, addressPolicy: 'dead-letter' as const };
    const err = thrown(() => salesOrderFromOrder(orderOf(input), { catalogue: DEMO_CATALOGUE }, rules));
    expect(err.code).toBe('SB_MAP_ORDER_INVALID');
    expect(err.kind).toBe('mapping');
    expect(err.retryable).toBe(false);
    expect(err.context).toEqual({ amazonOrderId: '111-0000014-0000014', unknownSkus: ['ZZZ-999'] });
    expect(err.message).toMatch(/^order 111-0000014-0000014: lines\[0\]\.sku: .*; shipTo\.city: .*; total: /);
    expect(err.message).not.toContain('Rancho');
    expect(err.message).not.toContain('Jane');
  });

  it('an order with only unknown SKUs is SB_MAP_SKU_UNKNOWN, and adding an alias maps it', () => {
    const { input } = readCase('13-unknown-sku-suggestions');
    const order = orderOf(input);
    expect(thrown(() => salesOrderFromOrder(order, { catalogue: DEMO_CATALOGUE }, DEFAULT_MAPPING_RULES)).code).toBe(
      'SB_MAP_SKU_UNKNOWN',
    );
    const fixed = salesOrderFromOrder(
      order,
      { catalogue: DEMO_CATALOGUE },
      { ...DEFAULT_MAPPING_RULES, skuAliases: { 'WIDGET-RD': 'WIDGET-RED' } },
    );
    expect(fixed.lines.map((l) => l.itemId)).toEqual(['WIDGET-RED', 'MUG-LOGO']);
  });

  it('refuses an order with nothing left to sell', () => {
    const { input } = readCase('01-multi-item-seller-tax');
    const order = orderOf(input);
    const empty = {
      ...order,
      total: { currency: 'USD', minor: 0 },
      lines: order.lines.map((l) => ({ ...l, quantityOrdered: 0, amounts: { item: { currency: 'USD', minor: 0 } } })),
    };
    const err = thrown(() => salesOrderFromOrder(empty, { catalogue: DEMO_CATALOGUE }, DEFAULT_MAPPING_RULES));
    expect(err.issues).toEqual([{ field: 'lines', problem: 'no line with a quantity left to sell' }]);
  });

  it('maps service levels in v0 and 2026 spellings, else the fallback', () => {
    expect(serviceLevelKey('SecondDay')).toBe('SECOND_DAY');
    expect(serviceLevelKey('FreeEconomy')).toBe('FREE_ECONOMY');
    expect(serviceLevelKey('next-day')).toBe('NEXT_DAY');
    expect(shipMethodFromServiceLevel('NextDay', DEFAULT_MAPPING_RULES.shipMethods)).toBe('FEDEX-2D');
    expect(shipMethodFromServiceLevel('Std US D2D Dom', DEFAULT_MAPPING_RULES.shipMethods)).toBe('UPS-GND');
    expect(shipMethodFromServiceLevel(undefined, { byServiceLevel: {} })).toBeUndefined();
  });
});
