import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSettlementParser, parseSettlementReport } from '../../src/connectors/amazon/settlement/index.ts';
import { MappingError } from '../../src/core/errors.ts';
import type { Settlement } from '../../src/core/model/settlement.ts';
import { amountRow, summary, tsv, V2_COLUMNS } from '../unit/settlement/tsv.ts';
import { expectNamedRefusal, fuzzParams, fuzzTimeout } from './fuzz-settings.ts';

/**
 * Settlement rows and whole files through the parser: a settlement, or one SB_SETTLE_FILE_INVALID whose every
 * problem names its row (and column) and whose size is bounded, whatever the bytes; and chunking never matters.
 */
const ID = '12345678901';
const cell = fc.oneof(
  { weight: 5, arbitrary: fc.string({ maxLength: 12 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      '0',
      '-0.00',
      '1,234.56',
      '1.234,56',
      '12.345',
      '1e5',
      'USD',
      'EUR',
      'Order',
      'ItemPrice',
      '2026-10-01 07:00:00 UTC',
      '01.10.2026',
      '10/01/2026',
      ID,
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 5_000 }).map((n) => 'C'.repeat(n)) },
);
const row = fc
  .dictionary(fc.constantFrom(...V2_COLUMNS), cell, { maxKeys: 6 })
  .map((over) => ({ ...amountRow(ID, 'Order', 'ItemPrice', 'Principal', '10.00'), ...over }));

/** Mostly-valid files with odd rows, odd headers, odd line ends, and raw text. */
const file: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(fc.array(row, { maxLength: 6 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
      .map(([rows, eol, bom]) => (bom ? '\uFEFF' : '') + tsv([...V2_COLUMNS], [summary(ID, '10.00'), ...rows], eol)),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.shuffledSubarray([...V2_COLUMNS, 'promotion-id', 'extra'], { minLength: 1 }),
        fc.array(row, { maxLength: 3 }),
      )
      .map(([cols, rows]) => tsv(cols, [summary(ID, '10.00'), ...rows])),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.array(row, { maxLength: 4 }), fc.nat({ max: 400 })).map(([rows, cut]) => {
      const t = tsv([...V2_COLUMNS], [summary(ID, '40.00'), ...rows]);
      return t.slice(0, Math.max(0, t.length - cut));
    }),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  {
    weight: 1,
    arbitrary: fc
      .array(
        fc.array(cell, { maxLength: 30 }).map((c) => c.join('\t')),
        { maxLength: 8 },
      )
      .map((lines) => lines.join('\n')),
  },
);

function outcome(run: () => Settlement): Settlement | MappingError {
  try {
    return run();
  } catch (err) {
    expect(err).toBeInstanceOf(MappingError);
    return err as MappingError;
  }
}

describe('fuzz: settlement files', () => {
  it(
    'a settlement, or one SB_SETTLE_FILE_INVALID naming row/column of every problem, bounded',
    () => {
      fc.assert(
        fc.property(file, (text) => {
          const r = outcome(() => parseSettlementReport(text));
          if (r instanceof MappingError) {
            expectNamedRefusal(r, { code: /^SB_SETTLE_FILE_INVALID$/ });
            for (const i of r.issues) expect(i.field).toMatch(/^(row \d+|file)/);
            expect(JSON.stringify(r.toJSON()).length).toBeLessThan(400_000);
          } else {
            expect(r.settlementId).toBe(ID);
          }
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout(10),
  );

  it(
    'reading in chunks of any size gives the same answer as reading whole',
    () => {
      fc.assert(
        fc.property(file, fc.integer({ min: 1, max: 97 }), (text, size) => {
          const whole = outcome(() => parseSettlementReport(text));
          const chunked = outcome(() => {
            const p = createSettlementParser();
            for (let i = 0; i < text.length; i += size) p.write(text.slice(i, i + size));
            return p.end();
          });
          expect(chunked instanceof MappingError ? chunked.toJSON() : chunked).toEqual(
            whole instanceof MappingError ? whole.toJSON() : whole,
          );
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout(20),
  );
});
