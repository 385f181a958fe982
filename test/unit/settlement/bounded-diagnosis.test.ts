import { describe, expect, it } from 'vitest';
import { createSettlementParser, parseSettlementReport } from '../../../src/connectors/amazon/settlement/index.ts';
import { MappingError } from '../../../src/core/errors.ts';
import { amountRow, summary, tsv, V2_COLUMNS } from './tsv.ts';

/**
 * Issue 13 finding 4: a malformed settlement file was echoed whole (a 50 MB one-line file gave a 52 MB error).
 * Generated at test time: 4 MB is enough to prove the bounds.
 */
const BIG = 4 * 1024 * 1024;

function refusal(run: () => unknown): MappingError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(MappingError);
    return err as MappingError;
  }
  throw new Error('expected the file to be refused');
}

describe('settlement diagnoses are bounded (issue 13)', () => {
  it('a 4 MB one-line file (no newline, tabs and junk) is refused with a short diagnosis naming row 1', () => {
    const line = Array.from({ length: BIG / 16 }, (_, i) => `junk-col-${i % 1000}`.padEnd(15, 'x')).join('\t');
    const err = refusal(() => parseSettlementReport(line));
    expect(err.code).toBe('SB_SETTLE_FILE_INVALID');
    const serialized = JSON.stringify(err.toJSON());
    expect(serialized.length).toBeLessThan(20_000);
    expect(err.message.length).toBeLessThan(10_000);
    expect(err.issues[0]!.field).toMatch(/^row 1/);
    expect(err.issues.some((i) => /longer than/.test(i.problem))).toBe(true);
  });

  it('the same file written in chunks: the parser does not buffer the over-long line', () => {
    const parser = createSettlementParser();
    const chunk = 'y'.repeat(64 * 1024);
    for (let written = 0; written < BIG; written += chunk.length) parser.write(chunk);
    const err = refusal(() => parser.end());
    expect(JSON.stringify(err.toJSON()).length).toBeLessThan(20_000);
  });

  it('an over-long data row is one diagnosis at its line; the other rows are still checked', () => {
    const header = [...V2_COLUMNS];
    const text = tsv(header, [
      summary('12345678901', '10.00'),
      amountRow('12345678901', 'Order', 'ItemPrice', 'Principal', '10.00'),
    ]);
    const long = `${'z'.repeat(BIG)}\n`;
    const badRow = tsv(header, [amountRow('12345678901', 'Order', 'ItemPrice', 'Principal', 'not-a-number')]).split(
      '\n',
    )[1]!;
    const bad = `${text.endsWith('\n') ? text : `${text}\n`}${long}${badRow}\n`;
    const err = refusal(() => parseSettlementReport(bad));
    expect(JSON.stringify(err.toJSON()).length).toBeLessThan(20_000);
    const fields = err.issues.map((i) => i.field);
    expect(fields).toContain('row 4');
    expect(fields.some((f) => f.startsWith('row 5'))).toBe(true);
  });

  it('a long excerpt in any one problem is cut (an undocumented column name of 100 KB)', () => {
    const header = [...V2_COLUMNS.slice(1), 'q'.repeat(60_000)];
    const err = refusal(() => parseSettlementReport(`${header.join('\t')}\n`));
    expect(JSON.stringify(err.toJSON()).length).toBeLessThan(20_000);
  });
});
