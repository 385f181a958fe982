import { describe, expect, it } from 'vitest';
import type { JournalBatch } from '../../../src/core/model/journal.ts';
import { money } from '../../../src/core/model/money.ts';
import { planCashApplication } from '../../../src/core/transform/cash-application.ts';
import { reversalOf } from '../../../src/core/transform/journal-from-settlement.ts';
import {
  convertMinor,
  journalInHomeCurrency,
  rateFromAmounts,
  rateFromDecimal,
  rateToDecimal,
} from '../../../src/core/transform/exchange-rate.ts';

const eur = (minor: number) => money('EUR', minor);

describe('exchange rates, exact', () => {
  it('reads a decimal rate and a deposit rate as fractions, never a float', () => {
    expect(rateFromDecimal('1.0825')).toEqual({ numerator: 10825n, denominator: 10000n });
    expect(() => rateFromDecimal('0')).toThrow(/above 0/);
    expect(() => rateFromDecimal('1,08')).toThrow(/not a positive decimal/);
    // 50.19 EUR paid out as 54.33 USD: 5433/5019
    const r = rateFromAmounts(eur(5019), money('USD', 5433));
    expect(convertMinor(eur(5019), 'USD', r)).toEqual({ home: money('USD', 5433), exact: true });
    expect(rateToDecimal(r)).toBe('1.082486551');
    // JPY has no decimals: 1000 JPY at 0.0067 USD -> 6.70 USD
    expect(convertMinor(money('JPY', 1000), 'USD', rateFromDecimal('0.0067')).home).toEqual(money('USD', 670));
    expect(convertMinor(eur(-1), 'USD', rateFromDecimal('1.5')).home).toEqual(money('USD', -2));
  });

  it('gives every line its home amount, netting to zero, the deposit line exact under the deposit rate', () => {
    const journal: JournalBatch = {
      reference: 'settlement:1:EUR',
      postDate: '2026-10-17',
      currency: 'EUR',
      lines: [
        { account: '1050-00', amount: eur(5019), comment: 'deposit' },
        { account: '1200-00', amount: eur(-10840), comment: 'receivable' },
        { account: '6100-00', amount: eur(1500), comment: 'fees' },
        { account: '6110-00', amount: eur(322), comment: 'fba' },
        { account: '6130-00', amount: eur(3999), comment: 'subscription' },
      ],
    };
    const rate = rateFromAmounts(eur(5019), money('USD', 5433));
    const out = journalInHomeCurrency(journal, 'USD', rate, 'deposit', 'group G');
    expect(out.exchange).toEqual({ homeCurrency: 'USD', rate: '1.082486551', source: 'deposit', detail: 'group G' });
    expect(out.lines[0]!.home).toEqual(money('USD', 5433));
    expect(out.lines.reduce((s, l) => s + l.home!.minor, 0)).toBe(0);
    for (const l of out.lines.slice(1)) {
      const plain = convertMinor(l.amount, 'USD', rate).home.minor;
      expect(Math.abs(l.home!.minor - plain)).toBeLessThanOrEqual(2);
    }
    // A correction undoes it at its own rate: every home amount turned.
    const rev = reversalOf(out, 'settlement:1:EUR:R2', '2026-10-20');
    expect(rev.exchange).toEqual(out.exchange);
    expect(rev.lines.map((l) => l.home!.minor)).toEqual(out.lines.map((l) => -l.home!.minor));
    // The same journal in the home currency is left alone.
    expect(journalInHomeCurrency({ ...journal, currency: 'USD' }, 'USD', rate, 'deposit', '')).toEqual({
      ...journal,
      currency: 'USD',
    });
  });
});

describe('cash application plan', () => {
  const usd = (minor: number) => money('USD', minor);
  it('applies each order to its invoices oldest first, never past a balance, and names what stays unapplied', () => {
    const plan = planCashApplication(
      [
        { amazonOrderId: 'A', amount: usd(10840) },
        { amazonOrderId: 'B', amount: usd(5000) },
        { amazonOrderId: 'C', amount: usd(2000) },
        { amazonOrderId: 'D', amount: usd(-300) },
      ],
      [
        { amazonOrderId: 'A', invoiceKey: 1, invoice: 'INV1', tranDate: '2026-10-02', balanceMinor: 10840 },
        { amazonOrderId: 'B', invoiceKey: 2, invoice: 'INV2', tranDate: '2026-10-03', balanceMinor: 4000 },
      ],
    );
    expect(plan.applied.map((a) => [a.amazonOrderId, a.invoice, a.amount.minor])).toEqual([
      ['A', 'INV1', 10840],
      ['B', 'INV2', 4000],
    ]);
    expect(plan.unapplied.map((u) => [u.amazonOrderId, u.amount.minor, u.reason])).toEqual([
      ['B', 1000, 'over invoice balance'],
      ['C', 2000, 'no invoice'],
      ['D', -300, 'negative'],
    ]);
  });

  it('spends an invoice that bills two orders once', () => {
    const shared = { invoiceKey: 9, invoice: 'INV9', tranDate: '2026-10-02', balanceMinor: 1500 };
    const plan = planCashApplication(
      [
        { amazonOrderId: 'A', amount: usd(1000) },
        { amazonOrderId: 'B', amount: usd(1000) },
      ],
      [
        { amazonOrderId: 'A', ...shared },
        { amazonOrderId: 'B', ...shared },
      ],
    );
    expect(plan.applied.reduce((s, a) => s + a.amount.minor, 0)).toBe(1500);
    expect(plan.unapplied).toEqual([{ amazonOrderId: 'B', amount: usd(500), reason: 'over invoice balance' }]);
  });
});
