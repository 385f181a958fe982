import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSettlementReport } from '../../../src/connectors/amazon/settlement/index.ts';
import { MappingError } from '../../../src/core/errors.ts';
import { currencyExponent } from '../../../src/core/model/money.ts';
import { settlementRowsTotal } from '../../../src/core/model/settlement.ts';
import { DEFAULT_SETTLEMENT_ACCOUNTS, settlementAccountRuleFor } from '../../../src/core/rules/settlement-accounts.ts';
import { journalFromSettlement } from '../../../src/core/transform/journal-from-settlement.ts';
import { amountRow, summary, tsv, V2_COLUMNS } from './tsv.ts';

const RUNS = 300;

/** Categories the default rules map (sp-api-facts.md §9.5). */
const MAPPED: readonly (readonly [string, string, string])[] = [
  ['Order', 'ItemPrice', 'Principal'],
  ['Order', 'ItemPrice', 'Shipping'],
  ['Order', 'ItemPrice', 'Tax'],
  ['Order', 'ItemPrice', 'ShippingTax'],
  ['Order', 'ItemPrice', 'GiftWrap'],
  ['Order', 'ItemFees', 'Commission'],
  ['Order', 'ItemFees', 'FBAPerUnitFulfillmentFee'],
  ['Order', 'ItemFees', 'ShippingChargeback'],
  ['Order', 'Promotion', 'Principal'],
  ['Order', 'Promotion', 'Shipping'],
  ['Order', 'ItemWithheldTax', 'MarketplaceFacilitatorTax-Principal'],
  ['Refund', 'ItemPrice', 'Principal'],
  ['Refund', 'ItemFees', 'RefundCommission'],
  ['other-transaction', 'other-transaction', 'Subscription Fee'],
  ['other-transaction', 'other-transaction', 'Current Reserve Amount'],
  ['other-transaction', 'other-transaction', 'Previous Reserve Amount Balance'],
  ['other-transaction', 'other-transaction', 'Successful charge'],
  ['ServiceFee', 'Cost of Advertising', 'TransactionTotalAmount'],
  ['other-transaction', 'FBA Inventory Reimbursement', 'WAREHOUSE_DAMAGE'],
  ['Liquidations', 'other-transaction', 'LiquidationsProceeds'],
];

/** Writes minor units the way a marketplace would: US `1,234.56` / EU `1.234,56`, thousands groups or not. */
function render(minor: number, currency: string, format: 'us' | 'eu', group: boolean): string {
  const exp = currencyExponent(currency);
  const abs = Math.abs(minor);
  const whole = String(Math.floor(abs / 10 ** exp));
  const frac = exp === 0 ? '' : String(abs % 10 ** exp).padStart(exp, '0');
  const [thousands, decimal] = format === 'us' ? [',', '.'] : ['.', ','];
  const grouped = group ? whole.replace(/\B(?=(\d{3})+(?!\d))/g, thousands) : whole;
  return `${minor < 0 ? '-' : ''}${grouped}${frac ? `${decimal}${frac}` : ''}`;
}

const rowArb = (categories: readonly (readonly [string, string, string])[]) =>
  fc.record({
    category: fc.constantFrom(...categories),
    minor: fc.integer({ min: -5_000_000, max: 5_000_000 }),
    order: fc.integer({ min: 0, max: 4 }),
    group: fc.boolean(),
  });

const fileArb = (categories: readonly (readonly [string, string, string])[]) =>
  fc.record({
    currency: fc.constantFrom('USD', 'EUR', 'JPY', 'GBP'),
    format: fc.constantFrom('us' as const, 'eu' as const),
    withPromotionId: fc.boolean(),
    told: fc.boolean(),
    rows: fc.array(rowArb(categories), { minLength: 0, maxLength: 40 }),
  });

function fileText(f: {
  currency: string;
  format: 'us' | 'eu';
  withPromotionId: boolean;
  rows: readonly { category: readonly [string, string, string]; minor: number; order: number; group: boolean }[];
}): { text: string; total: number } {
  const total = f.rows.reduce((s, r) => s + r.minor, 0);
  const id = '55500000001';
  const rows = f.rows.map((r) =>
    amountRow(id, r.category[0], r.category[1], r.category[2], render(r.minor, f.currency, f.format, r.group), {
      'order-id': `111-000000${r.order}-0000000`,
      'marketplace-name': f.format === 'eu' ? 'Amazon.de' : 'Amazon.com',
      ...(f.withPromotionId && r.category[1] === 'Promotion' ? { 'promotion-id': 'PROMO-1' } : {}),
    }),
  );
  const columns = f.withPromotionId ? [...V2_COLUMNS, 'promotion-id'] : [...V2_COLUMNS];
  return { text: tsv(columns, [summary(id, render(total, f.currency, f.format, true), f.currency), ...rows]), total };
}

describe('settlement properties (fast-check)', () => {
  it('parsing then summing the rows gives the header total, in both number formats, with and without promotion-id', () => {
    fc.assert(
      fc.property(fileArb(MAPPED), (f) => {
        const { text, total } = fileText(f);
        const s = parseSettlementReport(text, f.told ? { numberFormat: f.format } : {});
        expect(s.transactions.map((t) => t.amount.minor)).toEqual(f.rows.map((r) => r.minor));
        expect(s.total.minor).toBe(total);
        expect(settlementRowsTotal(s).minor).toBe(s.total.minor);
      }),
      { numRuns: RUNS },
    );
  });

  it('the journal always balances to the minor unit and its bank line is the settlement total (per account and per order)', () => {
    fc.assert(
      fc.property(fileArb(MAPPED), fc.constantFrom('account' as const, 'order' as const), (f, detail) => {
        const { text, total } = fileText(f);
        const s = parseSettlementReport(text, f.told ? { numberFormat: f.format } : {});
        const journals = journalFromSettlement(s, DEFAULT_SETTLEMENT_ACCOUNTS, { detail });
        expect(journals).toHaveLength(1);
        const [journal] = journals;
        expect(journal!.lines.reduce((sum, l) => sum + l.amount.minor, 0)).toBe(0);
        expect(journal!.lines[0]).toMatchObject({
          account: DEFAULT_SETTLEMENT_ACCOUNTS.bankAccount,
          amount: { currency: f.currency, minor: total },
        });
        expect(journal!.lines.every((l) => l.amount.currency === f.currency && l.comment.length <= 50)).toBe(true);
        expect(journal!.lines.slice(1).every((l) => l.amount.minor !== 0)).toBe(true);
        // one line per account (per account and order with detail=order)
        const keys = journal!.lines
          .slice(1)
          .map((l) => `${l.account} ${detail === 'order' ? l.comment.split(' ')[0] : ''}`);
        expect(new Set(keys).size).toBe(keys.length);
      }),
      { numRuns: RUNS },
    );
  });

  it('unknown categories: each listed once in one MappingError, or all on the suspense account when one is configured', () => {
    const word = fc.stringMatching(/^[A-Z][a-z]{2,8}$/);
    const unknown = fc.tuple(
      word.map((w) => `Zz${w}`),
      word,
      word,
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(unknown, { minLength: 1, maxLength: 4, selector: (c) => c.join('|').toLowerCase() }),
        fileArb(MAPPED),
        (categories, f) => {
          const rows = [
            ...f.rows,
            ...categories.flatMap((category, i) => [
              { category, minor: 100 + i, order: 0, group: false },
              { category, minor: -7, order: i, group: false },
            ]),
          ];
          const { text } = fileText({ ...f, rows });
          const s = parseSettlementReport(text, { numberFormat: f.format });
          const unmapped = new Set(
            s.transactions
              .filter((t) => !settlementAccountRuleFor(DEFAULT_SETTLEMENT_ACCOUNTS, t, { currency: t.amount.currency }))
              .map((t) => `${t.transactionType} / ${t.amountType} / ${t.amountDescription}`),
          );
          expect(unmapped.size).toBe(categories.length);
          try {
            journalFromSettlement(s);
            expect.unreachable();
          } catch (err) {
            expect(err).toBeInstanceOf(MappingError);
            expect((err as MappingError).code).toBe('SB_SETTLE_UNMAPPED');
            expect((err as MappingError).issues.map((i) => i.field).sort()).toEqual(
              [...unmapped].map((c) => `category ${c}`).sort(),
            );
          }
          const [journal] = journalFromSettlement(s, { ...DEFAULT_SETTLEMENT_ACCOUNTS, suspenseAccount: '9999-00' });
          expect(journal!.lines.reduce((sum, l) => sum + l.amount.minor, 0)).toBe(0);
          const suspense = s.transactions
            .filter((t) => unmapped.has(`${t.transactionType} / ${t.amountType} / ${t.amountDescription}`))
            .reduce((sum, t) => sum - t.amount.minor, 0);
          expect(
            journal!.lines.filter((l) => l.account === '9999-00').reduce((sum, l) => sum + l.amount.minor, 0),
          ).toBe(suspense);
        },
      ),
      { numRuns: 150 },
    );
  });
});
