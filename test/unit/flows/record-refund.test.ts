import { describe, expect, it } from 'vitest';
import { money } from '../../../src/core/model/money.ts';
import type { SettlementTransaction } from '../../../src/core/model/settlement.ts';
import { refundsFromSettlementRows } from '../../../src/core/transform/refunds-from-settlement.ts';
import { recordRefund, returnTranNo } from '../../../src/flows/record-refund.ts';
import { syncOrder } from '../../../src/flows/sync-order.ts';
import { anOrder, CONN, fakes } from './fakes.ts';

const row = (over: Partial<SettlementTransaction>): SettlementTransaction => ({
  row: 2,
  transactionType: 'Refund',
  amountType: 'ItemPrice',
  amountDescription: 'Principal',
  amount: money('USD', -1999),
  orderId: '111-0000001-0000001',
  adjustmentId: '55555555555555',
  orderItemCode: '10000000000001',
  sku: 'WIDGET-RED',
  quantity: 2,
  postedAt: '2026-11-28T10:00:00.000Z',
  fulfillmentId: 'AFN',
  ...over,
});

describe('refunds from settlement rows', () => {
  it('one refund per order and adjustment, items with the largest quantity their rows give; non-refund rows and rows without an item left out', () => {
    const refunds = refundsFromSettlementRows([
      row({}),
      row({ amountDescription: 'Tax', quantity: 0, amount: money('USD', -160) }),
      row({ orderItemCode: '10000000000002', sku: 'MUG-LOGO', quantity: 1 }),
      row({ adjustmentId: '66666666666666', quantity: 1 }),
      row({ transactionType: 'Order', amount: money('USD', 1999) }),
      row({ orderItemCode: undefined, amountType: 'other', amountDescription: 'Goodwill' }),
    ]);
    expect(refunds).toEqual([
      {
        amazonOrderId: '111-0000001-0000001',
        reference: '55555555555555',
        postedAt: '2026-11-28T10:00:00.000Z',
        fulfillment: 'AFN',
        lines: [
          { amazonOrderItemId: '10000000000001', sku: 'WIDGET-RED', quantity: 2 },
          { amazonOrderItemId: '10000000000002', sku: 'MUG-LOGO', quantity: 1 },
        ],
      },
      {
        amazonOrderId: '111-0000001-0000001',
        reference: '66666666666666',
        postedAt: '2026-11-28T10:00:00.000Z',
        fulfillment: 'AFN',
        lines: [{ amazonOrderItemId: '10000000000001', sku: 'WIDGET-RED', quantity: 1 }],
      },
    ]);
  });

  it('the return TranNo is 10 characters, the same for the same refund, different for another', () => {
    const a = returnTranNo('111-0000001-0000001', '55555555555555');
    expect(a).toMatch(/^R[0-9A-Z]{9}$/);
    expect(returnTranNo('111-0000001-0000001', '55555555555555')).toBe(a);
    expect(returnTranNo('111-0000001-0000001', '66666666666666')).not.toBe(a);
  });
});

describe('refund.record', () => {
  it('enters a refund of an order Sellbridge created as a customer return under its TranNo, once; skips an order Sage does not have', async () => {
    const f = fakes();
    f.amazon.orders.set('111-0000001-0000001', anOrder());
    await syncOrder({ connectionId: CONN, amazonOrderId: '111-0000001-0000001' }, f.deps);
    const [refund] = refundsFromSettlementRows([row({})]);
    const first = await recordRefund({ connectionId: CONN, refund }, f.deps);
    expect(first).toEqual({
      kind: 'created',
      tranNo: returnTranNo('111-0000001-0000001', '55555555555555'),
      returnKey: `RK-${returnTranNo('111-0000001-0000001', '55555555555555')}`,
    });
    expect(await recordRefund({ connectionId: CONN, refund }, f.deps)).toMatchObject({ kind: 'existing' });
    expect(f.sage.returns).toHaveLength(1);
    const other = { ...refund!, amazonOrderId: '111-0000009-0000009' };
    expect(await recordRefund({ connectionId: CONN, refund: other }, f.deps)).toMatchObject({ kind: 'skipped' });
    await expect(recordRefund({ connectionId: CONN }, f.deps)).rejects.toMatchObject({
      code: 'SB_JOB_PAYLOAD_INVALID',
    });
  });
});
