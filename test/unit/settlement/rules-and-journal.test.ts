import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSettlementReport } from '../../../src/connectors/amazon/settlement/index.ts';
import { MappingError } from '../../../src/core/errors.ts';
import { money } from '../../../src/core/model/money.ts';
import type { Settlement, SettlementTransaction } from '../../../src/core/model/settlement.ts';
import {
  bankAccountFor,
  DEFAULT_SETTLEMENT_ACCOUNT_RULES,
  DEFAULT_SETTLEMENT_ACCOUNTS,
  SETTLEMENT_ACCOUNTS,
  settlementAccountRuleFor,
  type SettlementAccountRules,
} from '../../../src/core/rules/settlement-accounts.ts';
import {
  createSettlementJournalBuilder,
  journalFromSettlement,
  settlementJournalReference,
} from '../../../src/core/transform/journal-from-settlement.ts';

const where = { currency: 'USD', marketplace: 'Amazon.com' };
const account = (
  transactionType: string,
  amountType: string,
  amountDescription: string,
  rules: SettlementAccountRules = DEFAULT_SETTLEMENT_ACCOUNTS,
  at = where,
) => settlementAccountRuleFor(rules, { transactionType, amountType, amountDescription }, at)?.account;

function settlement(
  rows: readonly [string, string, string, number, string?][],
  extra: Partial<Settlement> = {},
): Settlement {
  const transactions: SettlementTransaction[] = rows.map(
    ([transactionType, amountType, amountDescription, minor, currency], i) => ({
      row: i + 3,
      transactionType,
      amountType,
      amountDescription,
      amount: money(currency ?? 'USD', minor),
    }),
  );
  const total = transactions.filter((t) => t.amount.currency === 'USD').reduce((s, t) => s + t.amount.minor, 0);
  return {
    settlementId: '77700000001',
    periodStart: '2026-10-01T07:00:00.000Z',
    periodEnd: '2026-10-15T07:00:00.000Z',
    depositDate: '2026-10-17T07:00:00.000Z',
    currency: 'USD',
    total: money('USD', total),
    transactions,
    extraColumns: [],
    layout: 'v2',
    ...extra,
  };
}

describe('settlement account rules', () => {
  it('map the common categories by default', () => {
    const A = SETTLEMENT_ACCOUNTS;
    expect(account('Order', 'ItemPrice', 'Principal')).toBe(A.sales);
    expect(account('Order', 'ItemPrice', 'Shipping')).toBe(A.shippingIncome);
    expect(account('Order', 'ItemPrice', 'Tax')).toBe(A.salesTax);
    expect(account('Refund', 'ItemPrice', 'Tax')).toBe(A.salesTax);
    expect(account('Refund', 'ItemPrice', 'Principal')).toBe(A.refunds);
    expect(account('A-to-z Guarantee Refund', 'ItemPrice', 'Shipping')).toBe(A.refunds);
    expect(account('Order', 'ItemFees', 'Commission')).toBe(A.sellingFees);
    expect(account('Refund', 'ItemFees', 'RefundCommission')).toBe(A.sellingFees);
    expect(account('Order', 'ItemFees', 'FBAPerUnitFulfillmentFee')).toBe(A.fbaFees);
    expect(account('Order', 'ItemFees', 'ShippingChargeback')).toBe(A.shippingFees);
    expect(account('Order', 'Promotion', 'Shipping')).toBe(A.promotions);
    expect(account('Order', 'ItemWithheldTax', 'MarketplaceFacilitatorVAT-Principal')).toBe(A.salesTax);
    expect(account('other-transaction', 'other-transaction', 'Current Reserve Amount')).toBe(A.reserve);
    expect(account('other-transaction', 'other-transaction', 'Previous Reserve Amount Balance')).toBe(A.reserve);
    expect(account('other-transaction', 'other-transaction', 'Successful charge')).toBe(A.cardCharges);
    expect(account('other-transaction', 'other-transaction', 'Subscription Fee')).toBe(A.subscription);
    expect(account('Service Fee', 'Cost of Advertising', 'TransactionTotalAmount')).toBe(A.advertising);
    expect(account('other-transaction', 'FBA Inventory Reimbursement', 'WAREHOUSE_LOST')).toBe(A.reimbursements);
    expect(account('Order', 'Mystery', 'Thing')).toBeUndefined();
  });

  it('compare without case, spaces, hyphens or underscores', () => {
    expect(account('ORDER', 'item price', 'principal')).toBe(SETTLEMENT_ACCOUNTS.sales);
    expect(account('Other Transaction', 'other_transaction', 'subscription-fee')).toBe(
      SETTLEMENT_ACCOUNTS.subscription,
    );
  });

  it('take the first matching rule, so custom rules before the defaults win; filters by marketplace and currency', () => {
    const rules: SettlementAccountRules = {
      ...DEFAULT_SETTLEMENT_ACCOUNTS,
      bankAccountByCurrency: { EUR: '1051-00' },
      rules: [
        {
          transactionType: '*',
          amountType: 'ItemPrice',
          amountDescription: 'Principal',
          account: '4001-00',
          label: 'Sales DE',
          marketplace: 'Amazon.de',
        },
        {
          transactionType: '*',
          amountType: 'ItemFees',
          amountDescription: '*',
          account: '6199-00',
          label: 'Fees EUR',
          currency: 'EUR',
        },
        ...DEFAULT_SETTLEMENT_ACCOUNT_RULES,
      ],
    };
    expect(account('Order', 'ItemPrice', 'Principal', rules, { currency: 'EUR', marketplace: 'Amazon.de' })).toBe(
      '4001-00',
    );
    expect(account('Order', 'ItemPrice', 'Principal', rules)).toBe(SETTLEMENT_ACCOUNTS.sales);
    expect(
      account('Order', 'ItemFees', 'FBAPerUnitFulfillmentFee', rules, { currency: 'EUR', marketplace: 'Amazon.de' }),
    ).toBe('6199-00');
    expect(account('Order', 'ItemFees', 'FBAPerUnitFulfillmentFee', rules)).toBe(SETTLEMENT_ACCOUNTS.fbaFees);
    expect(bankAccountFor(rules, 'eur')).toBe('1051-00');
    expect(bankAccountFor(rules, 'USD')).toBe(SETTLEMENT_ACCOUNTS.clearing);
  });
});

describe('journalFromSettlement', () => {
  it('uses the settlement end date when told, and the idempotency key settlement:<id>:<currency>', () => {
    const s = settlement([['Order', 'ItemPrice', 'Principal', 1000]]);
    expect(journalFromSettlement(s)[0]!.postDate).toBe('2026-10-17');
    expect(journalFromSettlement(s, undefined, { postDate: 'settlement-end-date' })[0]!.postDate).toBe('2026-10-15');
    expect(journalFromSettlement(s)[0]!.reference).toBe(settlementJournalReference('77700000001', 'usd'));
    expect(settlementJournalReference('77700000001', 'usd')).toBe('settlement:77700000001:USD');
  });

  it('makes one balanced journal per currency when rows carry another currency', () => {
    const rules = { ...DEFAULT_SETTLEMENT_ACCOUNTS, bankAccountByCurrency: { CAD: '1052-00' } };
    const journals = journalFromSettlement(
      settlement([
        ['Order', 'ItemPrice', 'Principal', 1000],
        ['Order', 'ItemPrice', 'Principal', 700, 'CAD'],
        ['Order', 'ItemFees', 'Commission', -105, 'CAD'],
      ]),
      rules,
    );
    expect(journals.map((j) => [j.reference, j.currency, j.lines.map((l) => [l.account, l.amount.minor])])).toEqual([
      [
        'settlement:77700000001:USD',
        'USD',
        [
          ['1050-00', 1000],
          ['4000-00', -1000],
        ],
      ],
      [
        'settlement:77700000001:CAD',
        'CAD',
        [
          ['1052-00', 595],
          ['4000-00', -700],
          ['6100-00', 105],
        ],
      ],
    ]);
  });

  it('keeps the bank line of an empty or all-zero settlement and drops accounts that net to zero', () => {
    const [journal] = journalFromSettlement(
      settlement([
        ['Order', 'ItemPrice', 'Tax', 825],
        ['Order', 'ItemWithheldTax', 'MarketplaceFacilitatorTax-Principal', -825],
      ]),
    );
    expect(journal!.lines).toEqual([
      { account: '1050-00', amount: money('USD', 0), comment: '77700000001 Amazon deposit' },
    ]);
  });

  it('names the unmapped categories with their rows and totals, ids only in the context', () => {
    const s = settlement([
      ['Order', 'Mystery', 'A', -100],
      ['Order', 'Mystery', 'A', -250],
      ['Order', 'ItemPrice', 'Principal', 1000],
    ]);
    try {
      journalFromSettlement(s);
      expect.unreachable();
    } catch (err) {
      const e = err as MappingError;
      expect(e).toBeInstanceOf(MappingError);
      expect(e.code).toBe('SB_SETTLE_UNMAPPED');
      expect(e.kind).toBe('mapping');
      expect(e.issues).toEqual([
        {
          field: 'category Order / Mystery / A',
          problem: 'no settlement account rule maps it (2 rows: 3, 4; total -3.50 USD)',
        },
      ]);
      expect(e.context).toEqual({ settlementId: '77700000001', currency: 'USD', unmappedCategories: 1 });
      expect(e.message).toBe(
        'settlement 77700000001: category Order / Mystery / A: no settlement account rule maps it (2 rows: 3, 4; total -3.50 USD)',
      );
    }
  });

  it('refuses a total that differs from the rows with SB_SETTLE_TOTAL_MISMATCH when everything is mapped', () => {
    const s = settlement([['Order', 'ItemPrice', 'Principal', 1000]], { total: money('USD', 999) });
    expect(() => journalFromSettlement(s)).toThrow(
      expect.objectContaining({
        code: 'SB_SETTLE_TOTAL_MISMATCH',
        issues: [
          {
            field: 'total-amount',
            problem: 'the rows add up to 10.00 USD but total-amount is 9.99 USD (rows minus total: 0.01)',
          },
        ],
      }),
    );
  });
});

describe('createSettlementJournalBuilder (row by row, for streaming)', () => {
  it('gives the same journals as journalFromSettlement when fed by the parser without keeping rows', () => {
    const text = readFileSync(
      new URL('../../fixtures/golden-settlement/05-eu-format-reserve-advertising/input.tsv', import.meta.url),
      'utf8',
    );
    for (const detail of ['account', 'order'] as const) {
      const builder = createSettlementJournalBuilder(DEFAULT_SETTLEMENT_ACCOUNTS, { detail });
      const header = parseSettlementReport(text, { keepTransactions: false, onTransaction: (t) => builder.add(t) });
      expect(header.transactions).toEqual([]);
      expect(builder.finish(header)).toEqual(
        journalFromSettlement(parseSettlementReport(text), DEFAULT_SETTLEMENT_ACCOUNTS, { detail }),
      );
    }
  });

  it('lists the first ten rows of an unmapped category and counts the rest', () => {
    const rows = Array.from({ length: 13 }, () => ['Order', 'Mystery', 'A', -1] as [string, string, string, number]);
    expect(() => journalFromSettlement(settlement(rows))).toThrow(
      'no settlement account rule maps it (13 rows: 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 and 3 more; total -0.13 USD)',
    );
  });
});
