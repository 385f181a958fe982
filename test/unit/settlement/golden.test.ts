import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSettlementReport } from '../../../src/connectors/amazon/settlement/index.ts';
import { MappingError } from '../../../src/core/errors.ts';
import { DEFAULT_SETTLEMENT_ACCOUNTS } from '../../../src/core/rules/settlement-accounts.ts';
import {
  journalFromSettlement,
  type SettlementJournalOptions,
} from '../../../src/core/transform/journal-from-settlement.ts';

/**
 * Golden settlements: test/fixtures/golden-settlement/<case>/input.tsv (a synthetic Flat File V2), optional
 * options.json ({detail, postDate, suspenseAccount, numberFormat}) and expected.json (worked out by hand from
 * the default account rules: the parsed summary, then either the journals or the error; or the parse error of a
 * file that is refused as a whole).
 */
const ROOT = new URL('../../fixtures/golden-settlement/', import.meta.url);
const cases = readdirSync(ROOT)
  .filter((n) => existsSync(new URL(`${n}/expected.json`, ROOT)))
  .sort();

interface CaseOptions extends SettlementJournalOptions {
  readonly suspenseAccount?: string;
  readonly numberFormat?: 'us' | 'eu';
}

describe('golden settlement cases', () => {
  it('has at least six cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(6);
  });

  it.each(cases)('%s', (name) => {
    const text = readFileSync(new URL(`${name}/input.tsv`, ROOT), 'utf8');
    const optionsUrl = new URL(`${name}/options.json`, ROOT);
    const options = (existsSync(optionsUrl) ? JSON.parse(readFileSync(optionsUrl, 'utf8')) : {}) as CaseOptions;
    const expected = JSON.parse(readFileSync(new URL(`${name}/expected.json`, ROOT), 'utf8')) as {
      settlement?: Record<string, unknown>;
      parseError?: { code: string; issues: unknown };
      journals?: unknown;
      error?: { code: string; issues: unknown };
    };
    const parseOptions = options.numberFormat ? { numberFormat: options.numberFormat } : {};
    if (expected.parseError) {
      // Quarantined as a whole: the file yields no settlement, only the diagnosis.
      expect(() => parseSettlementReport(text, parseOptions)).toThrow(MappingError);
      try {
        parseSettlementReport(text, parseOptions);
      } catch (err) {
        expect({ code: (err as MappingError).code, issues: (err as MappingError).issues }).toEqual(expected.parseError);
      }
      return;
    }
    const settlement = parseSettlementReport(text, parseOptions);
    expect({
      settlementId: settlement.settlementId,
      currency: settlement.currency,
      totalMinor: settlement.total.minor,
      transactions: settlement.transactions.length,
      periodStart: settlement.periodStart,
      periodEnd: settlement.periodEnd,
      depositDate: settlement.depositDate,
    }).toEqual(expected.settlement);
    const rules = options.suspenseAccount
      ? { ...DEFAULT_SETTLEMENT_ACCOUNTS, suspenseAccount: options.suspenseAccount }
      : DEFAULT_SETTLEMENT_ACCOUNTS;
    const journalOptions: SettlementJournalOptions = {
      ...(options.detail ? { detail: options.detail } : {}),
      ...(options.postDate ? { postDate: options.postDate } : {}),
    };
    if (expected.error) {
      let error: unknown;
      try {
        journalFromSettlement(settlement, rules, journalOptions);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(MappingError);
      const mapping = error as MappingError;
      expect({ code: mapping.code, issues: mapping.issues }).toEqual(expected.error);
      return;
    }
    const journals = journalFromSettlement(settlement, rules, journalOptions);
    expect(JSON.parse(JSON.stringify(journals))).toEqual(expected.journals);
    // Cross-checks independent of the hand-written file: balanced to the cent, deposit = total-amount.
    for (const journal of journals) {
      expect(journal.lines.reduce((s, l) => s + l.amount.minor, 0)).toBe(0);
      expect(journal.lines.every((l) => l.comment.length <= 50)).toBe(true);
    }
    expect(journals[0]!.lines[0]!.amount.minor).toBe(settlement.total.minor);
  });
});
