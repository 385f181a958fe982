import { describe, expect, it } from 'vitest';
import { money, moneyToDecimal } from '../../../src/core/model/money.ts';
import type { Settlement } from '../../../src/core/model/settlement.ts';
import { DEFAULT_SETTLEMENT_ACCOUNT_RULES, invoicedOrderRules } from '../../../src/core/rules/settlement-accounts.ts';
import { journalFromSettlement } from '../../../src/core/transform/journal-from-settlement.ts';

/** The worked example of docs/settlements.md, one table per accounting model, as the code builds it. */
const O = '111-0000001-0000001';
const row = (
  transactionType: string,
  amountType: string,
  amountDescription: string,
  minor: number,
  orderId?: string,
) => ({
  row: 0,
  transactionType,
  amountType,
  amountDescription,
  amount: money('USD', minor),
  ...(orderId ? { orderId } : {}),
});
const settlement: Settlement = {
  settlementId: '12345678901',
  periodStart: '2026-10-01T00:00:00Z',
  periodEnd: '2026-10-15T00:00:00Z',
  depositDate: '2026-10-17T00:00:00Z',
  currency: 'USD',
  total: money('USD', 5019),
  extraColumns: [],
  layout: 'v2',
  transactions: [
    row('Order', 'ItemPrice', 'Principal', 10000, O),
    row('Order', 'ItemPrice', 'Shipping', 500, O),
    row('Order', 'ItemPrice', 'Tax', 840, O),
    row('Order', 'Promotion', 'Shipping', -500, O),
    row('Order', 'ItemFees', 'Commission', -1500, O),
    row('Order', 'ItemFees', 'FBAPerUnitFulfillmentFee', -322, O),
    row('other-transaction', 'other-transaction', 'Subscription Fee', -3999),
  ],
};
const table = (rules: typeof DEFAULT_SETTLEMENT_ACCOUNT_RULES) =>
  journalFromSettlement(settlement, { bankAccount: '1050-00', rules })[0]!.lines.map((l) => [
    l.account,
    l.amount.minor > 0 ? moneyToDecimal(l.amount) : '',
    l.amount.minor < 0 ? moneyToDecimal(money('USD', -l.amount.minor)) : '',
    l.comment,
  ]);

describe('docs/settlements.md worked example', () => {
  it('invoiced-orders: the order amounts clear the receivable', () => {
    expect(table([...invoicedOrderRules('1200-00'), ...DEFAULT_SETTLEMENT_ACCOUNT_RULES])).toEqual([
      ['1050-00', '50.19', '', '12345678901 Amazon deposit'],
      ['1200-00', '', '108.40', '12345678901 Marketplace receivable'],
      ['6100-00', '15.00', '', '12345678901 Amazon selling fees'],
      ['6110-00', '3.22', '', '12345678901 FBA fees'],
      ['6130-00', '39.99', '', '12345678901 Amazon subscription'],
    ]);
  });

  it('settlement-revenue: the settlement books the sale', () => {
    expect(table(DEFAULT_SETTLEMENT_ACCOUNT_RULES)).toEqual([
      ['1050-00', '50.19', '', '12345678901 Amazon deposit'],
      ['2300-00', '', '8.40', '12345678901 Sales tax'],
      ['4000-00', '', '100.00', '12345678901 Sales'],
      ['4010-00', '', '5.00', '12345678901 Shipping income'],
      ['4050-00', '5.00', '', '12345678901 Promotions'],
      ['6100-00', '15.00', '', '12345678901 Amazon selling fees'],
      ['6110-00', '3.22', '', '12345678901 FBA fees'],
      ['6130-00', '39.99', '', '12345678901 Amazon subscription'],
    ]);
  });
});
