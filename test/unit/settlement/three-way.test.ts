import { describe, expect, it } from 'vitest';
import { money } from '../../../src/core/model/money.ts';
import type { SettlementTransaction } from '../../../src/core/model/settlement.ts';
import {
  emptyKinds,
  reconcileOrder,
  reconcileSettlement,
  settledKindOf,
  threeWayCsv,
  type OrderFacts,
} from '../../../src/core/transform/three-way-reconciliation.ts';

/**
 * Three-way reconciliation on cases whose cause is hidden in the numbers: each must come out named as what it
 * is. Settlement rows are classified as Amazon writes them; the Sage side is given per order.
 */
const row = (transactionType: string, amountType: string, amountDescription: string, minor: number, orderId?: string) =>
  ({
    row: 0,
    transactionType,
    amountType,
    amountDescription,
    amount: money('USD', minor),
    ...(orderId ? { orderId } : {}),
  }) satisfies SettlementTransaction;

function facts(orderId: string, rows: readonly SettlementTransaction[], sage?: OrderFacts['sage']): OrderFacts {
  const settled = emptyKinds();
  for (const r of rows) settled[settledKindOf(r)] += r.amount.minor;
  return { amazonOrderId: orderId, currency: 'USD', settled, ...(sage ? { sage } : {}) };
}

const sale = (id: string, principal: number, tax: number, commission: number) => [
  row('Order', 'ItemPrice', 'Principal', principal, id),
  row('Order', 'ItemPrice', 'Tax', tax, id),
  row('Order', 'ItemFees', 'Commission', -commission, id),
];

describe('three-way reconciliation: hidden causes named', () => {
  it('classifies the settlement rows', () => {
    expect(settledKindOf(row('Order', 'ItemPrice', 'Principal', 1))).toBe('charged');
    expect(settledKindOf(row('Refund', 'ItemPrice', 'Principal', 1))).toBe('refund');
    expect(settledKindOf(row('Refund', 'ItemFees', 'Commission', 1))).toBe('fee');
    expect(settledKindOf(row('other-transaction', 'FBA Inventory Reimbursement', 'WAREHOUSE_DAMAGE', 1))).toBe(
      'reimbursement',
    );
    expect(settledKindOf(row('Order', 'Promotion', 'Principal', 1))).toBe('promotion');
    expect(settledKindOf(row('Order', 'ItemWithheldTax', 'MarketplaceFacilitatorTax-Principal', 1))).toBe(
      'withheldTax',
    );
  });

  it('a refund: the order paid less than charged because of a refund (and its fee), nothing to act on', () => {
    const rows = [
      ...sale('A', 10_000, 800, 1_500),
      row('Refund', 'ItemPrice', 'Principal', -10_000, 'A'),
      row('Refund', 'ItemPrice', 'Tax', -800, 'A'),
      row('Refund', 'ItemFees', 'Commission', 1_500, 'A'),
      row('Refund', 'ItemFees', 'RefundCommission', -300, 'A'),
    ];
    const r = reconcileOrder(facts('A', rows, { tranNo: 'AZ1', invoiced: 10_800, invoiceKnown: true }));
    expect(r.differences.map((d) => [d.between, d.minor, d.cause])).toEqual([
      ['charged/paid', -300, 'fee'],
      ['charged/paid', -10_800, 'refund'],
    ]);
    expect(r.paid).toBe(-300);
    expect(r.unreconciled).toBe(0);
  });

  it('an order missing in Sage: charged and paid, but Sage has no sales order for it', () => {
    const r = reconcileOrder(facts('B', sale('B', 5_000, 400, 750)));
    expect(r.differences[0]).toEqual({ between: 'charged/invoiced', minor: -5_400, cause: 'order missing in Sage' });
    expect(r.unreconciled).toBe(5_400);
  });

  it('an invoice missing: the Sage order exists but was never invoiced', () => {
    const r = reconcileOrder(facts('E', sale('E', 5_000, 400, 750), { tranNo: 'AZ5', invoiceKnown: true }));
    expect(r.differences[0]).toEqual({ between: 'charged/invoiced', minor: -5_400, cause: 'invoice missing' });
  });

  it('a reimbursement: Amazon paid for an order it charged in an earlier settlement', () => {
    const rows = [row('Adjustment', 'FBA Inventory Reimbursement', 'CustomerReturn', 2_599, 'C')];
    const r = reconcileOrder(facts('C', rows, { tranNo: 'AZ3', invoiced: 2_599, invoiceKnown: true }));
    expect(r.differences).toEqual([{ between: 'charged/paid', minor: 2_599, cause: 'reimbursement' }]);
    expect(r.unreconciled).toBe(0);
  });

  it('a rounding cent: Sage invoiced one cent more than Amazon charged (tax rounded per line)', () => {
    const r = reconcileOrder(
      facts('D', sale('D', 3_333, 267, 500), { tranNo: 'AZ4', invoiced: 3_601, invoiceKnown: true }),
    );
    expect(r.differences.map((d) => [d.between, d.minor, d.cause])).toEqual([
      ['charged/invoiced', 1, 'rounding'],
      ['charged/paid', -500, 'fee'],
    ]);
    expect(r.unreconciled).toBe(1);
  });

  it('a promotion on the Sage order is not a difference; per settlement the account-level fees and a bank gap are named', () => {
    const rows = [...sale('F', 2_000, 0, 300), row('Order', 'Promotion', 'Principal', -200, 'F')];
    const f = facts('F', rows, { tranNo: 'AZ6', invoiced: 1_800, invoiceKnown: true });
    expect(reconcileOrder(f).differences.map((d) => d.cause)).toEqual(['promotion', 'fee']);
    const s = reconcileSettlement({
      settlementId: 'S1',
      currency: 'USD',
      deposit: money('USD', 1_500 - 3_999),
      bank: money('USD', 1_500 - 3_999 - 1),
      orders: [f],
    });
    expect(s.differences).toEqual([
      { between: 'paid/deposit', minor: -3_999, cause: 'fee' },
      { between: 'deposit/bank', minor: -1, cause: 'rounding' },
    ]);
    expect(s.unreconciled).toBe(1);
    const csv = threeWayCsv(s, (m) => (m / 100).toFixed(2));
    expect(csv.split('\r\n')[1]).toBe(
      'S1,F,AZ6,USD,20.00,18.00,15.00,0.00,charged/paid -2.00 promotion; charged/paid -3.00 fee',
    );
  });
});
