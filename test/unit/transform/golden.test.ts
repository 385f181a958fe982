import { describe, expect, it } from 'vitest';
import type { SalesOrderDraft } from '../../../src/core/model/sales-order.ts';
import { goldenCases, readCase, runCase } from './golden-case.ts';

const cases = goldenCases();

describe('golden order cases (test/fixtures/golden/<case>/{input,expected}.json)', () => {
  it('has at least ten cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  it.each(cases)('%s', (name) => {
    const { input, expected } = readCase(name);
    const actual = runCase(input);
    expect(JSON.parse(JSON.stringify(actual))).toEqual(expected);
    // Cross-check every draft against its totals: the Sage lines and freight add up to the Sage total.
    if (actual.draft && actual.totals) {
      const draft = actual.draft as SalesOrderDraft;
      const lines = draft.lines.reduce((s, l) => s + l.unitPrice.minor * l.quantity - (l.tradeDiscount?.minor ?? 0), 0);
      expect(lines + (draft.freight?.minor ?? 0)).toBe(actual.totals.sageTotal);
      expect(actual.totals.sageTotal + actual.totals.excludedMarketplaceTax + actual.totals.excludedSellerTax).toBe(
        actual.totals.amazonTotal,
      );
    }
  });
});
