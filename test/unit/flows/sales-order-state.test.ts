import { describe, expect, it } from 'vitest';
import { money } from '../../../src/core/model/money.ts';
import type { SalesOrder } from '../../../src/core/model/sales-order.ts';
import { sageOrderState } from '../../../src/core/transform/sales-order-state.ts';

const line = (itemId: string, quantity: number, quantityShipped: number, amazonOrderItemId?: string) => ({
  lineNo: 1,
  itemId,
  quantity,
  quantityShipped,
  unitPrice: money('USD', 100),
  warehouseId: 'MAIN',
  ...(amazonOrderItemId ? { amazonOrderItemId } : {}),
});
const order = (lines: SalesOrder['lines']): SalesOrder => ({
  key: '1',
  tranNo: 'AMZ0000001',
  tranId: 'X',
  status: 'open',
  customerId: 'AMAZON-US',
  orderDate: '2026-11-27',
  currency: 'USD',
  lines,
});

describe('sageOrderState', () => {
  it('counts the goods lines only: an unshipped gift-wrap charge line does not keep the order from being shipped', () => {
    expect(sageOrderState(order([line('WIDGET-RED', 2, 2, '1'), line('AMZ-GIFTWRAP', 1, 0)]))).toEqual({
      status: 'open',
      anyShipped: true,
      allShipped: true,
    });
    expect(sageOrderState(order([line('WIDGET-RED', 2, 1, '1'), line('MUG-LOGO', 1, 0, '2')]))).toEqual({
      status: 'open',
      anyShipped: true,
      allShipped: false,
    });
    expect(sageOrderState(order([line('WIDGET-RED', 2, 0)]))).toEqual({
      status: 'open',
      anyShipped: false,
      allShipped: false,
    });
    expect(sageOrderState(undefined)).toBeUndefined();
  });
});
