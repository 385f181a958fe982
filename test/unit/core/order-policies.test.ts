import { describe, expect, it } from 'vitest';
import { validateEditRows } from '../../../src/connectors/store/connection-mappings.ts';
import { editPathOf, overlayMappingEdits } from '../../../src/core/rules/mapping-edits.ts';
import { DEFAULT_MAPPING_RULES } from '../../../src/core/rules/mapping-rules.ts';
import { orderPolicyRow, tranNoPrefixProblem } from '../../../src/core/rules/order-policies.ts';

/** The `order-policies` edit laid over a connection's configured rules (issue 21). */
const configured = {
  ...DEFAULT_MAPPING_RULES,
  fbaWarehouseId: 'FBA',
  tranNoPrefix: 'AZ',
  refunds: 'off' as const,
  fbaReturns: 'off' as const,
};

describe('order-policies edits', () => {
  it('no row or an empty one leaves the configured rules', () => {
    expect(overlayMappingEdits(configured, {})).toBe(configured);
    expect(overlayMappingEdits(configured, { 'order-policies': [] })).toBe(configured);
    expect(overlayMappingEdits(configured, { 'order-policies': [{}] })).toBe(configured);
  });

  it('replaces the fields it names and keeps the others', () => {
    const r = overlayMappingEdits(configured, {
      'order-policies': [{ fbaPolicy: 'record-shipped', tranNoPrefix: 'SB', refunds: 'customer-return' }],
    });
    expect(r.status.fba).toEqual({ mode: 'record-shipped', warehouseId: 'FBA' });
    expect(r.tranNoPrefix).toBe('SB');
    expect(r.refunds).toBe('customer-return');
    expect(r.fbaReturns).toBe('off');
    expect(orderPolicyRow(r)).toEqual({
      fbaPolicy: 'record-shipped',
      fbaWarehouseId: 'FBA',
      tranNoPrefix: 'SB',
      refunds: 'customer-return',
      fbaReturns: 'off',
    });
    const moved = overlayMappingEdits(r, { 'order-policies': [{ fbaWarehouseId: 'EAST' }] });
    expect(moved.status.fba).toEqual({ mode: 'record-shipped', warehouseId: 'EAST' });
    expect(moved.fbaWarehouseId).toBe('EAST');
    const skipped = overlayMappingEdits(moved, { 'order-policies': [{ fbaPolicy: 'skip' }] });
    expect(skipped.status.fba).toEqual({ mode: 'skip' });
    expect(skipped.fbaWarehouseId).toBe('EAST'); // the shipment poll still leaves its shipments alone
  });

  it('shapes: one row, known modes, a WhseID of at most 6; the prefix is judged by the check', () => {
    expect(validateEditRows('order-policies', [{ fbaPolicy: 'record-shipped', fbaWarehouseId: 'EAST' }])).toEqual({
      ok: true,
      rows: [{ fbaPolicy: 'record-shipped', fbaWarehouseId: 'EAST' }],
    });
    const bad = validateEditRows('order-policies', [{ fbaPolicy: 'never', fbaWarehouseId: 'TOOLONGWH' }, {}]);
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.issues.map((i) => `${i.row}:${i.field}`)).toEqual(['1:fbaPolicy', '1:fbaWarehouseId', '2:(row)']);
    expect(tranNoPrefixProblem('SB')).toBeUndefined();
    expect(tranNoPrefixProblem('ABCD')).toMatch(/TranNo/);
    expect(tranNoPrefixProblem('s1')).toMatch(/capital letters/);
  });

  it("names the row's field behind a connections check problem", () => {
    const rows = [{ fbaWarehouseId: 'NOWH', tranNoPrefix: 'ABCD' }];
    expect(editPathOf('order-policies', rows, 'orders.fba.warehouseId')).toBe('rows[0].fbaWarehouseId');
    expect(editPathOf('order-policies', rows, 'sage500.tranNoPrefix')).toBe('rows[0].tranNoPrefix');
    expect(editPathOf('order-policies', [{ fbaPolicy: 'record-shipped' }], 'orders.fba.warehouseId')).toBe(
      'rows[0].fbaPolicy',
    );
    expect(editPathOf('order-policies', [{ refunds: 'off' }], 'orders.fba.warehouseId')).toBeUndefined();
    expect(editPathOf('order-policies', rows, 'orders.warehouseId')).toBeUndefined();
  });
});
