import { describe, expect, it } from 'vitest';
import {
  normalizeAmount,
  numberFormatOf,
  parseAmazonDateTime,
  parseShortDate,
} from '../../../src/connectors/amazon/settlement/index.ts';

describe('settlement number formats', () => {
  it.each([
    ['1,234.56', 'us'],
    ['1.234,56', 'eu'],
    ['95,00', 'eu'],
    ['-3.22', 'us'],
    ['1,234,567', 'us'],
    ['1.234.567', 'eu'],
    ['1,234', undefined],
    ['1.234', undefined],
    ['1234', undefined],
    ['', undefined],
    ['abc', undefined],
  ] as const)('%s reads as %s only', (text, format) => {
    expect(numberFormatOf(text)).toBe(format);
  });

  it.each([
    ['1,234.56', 'us', '1234.56'],
    ['-1,234.56', 'us', '-1234.56'],
    ['1234.5', 'us', '1234.5'],
    ['12', 'us', '12'],
    ['1.234,56', 'eu', '1234.56'],
    ['95,00', 'eu', '95.00'],
    ['-0,05', 'eu', '-0.05'],
    ['1.234', 'eu', '1234'],
    ['1.234,56', 'us', undefined],
    ['1,234.56', 'eu', undefined],
    ['12,34', 'us', undefined],
    ['1,23,456.00', 'us', undefined],
    ['', 'us', undefined],
    ['1 234,56', 'eu', undefined],
  ] as const)('%s in %s -> %s', (text, format, normalized) => {
    expect(normalizeAmount(text, format)).toBe(normalized);
  });
});

describe('settlement dates -> UTC ISO-8601', () => {
  it.each([
    ['2026-11-01 07:00:00 UTC', '2026-11-01T07:00:00.000Z'],
    ['2026-11-01 07:00:00 GMT', '2026-11-01T07:00:00.000Z'],
    ['2026-11-01T07:00:00+00:00', '2026-11-01T07:00:00.000Z'],
    ['2026-11-01T09:30:00+02:30', '2026-11-01T07:00:00.000Z'],
    ['2026-11-01T00:00:00-08:00', '2026-11-01T08:00:00.000Z'],
    ['2026-11-01T07:00:00.123Z', '2026-11-01T07:00:00.123Z'],
    ['2026-11-01 00:00:00 PST', '2026-11-01T08:00:00.000Z'],
    ['01.11.2026 07:00:00 UTC', '2026-11-01T07:00:00.000Z'],
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
  ])('%s', (text, iso) => {
    expect(parseAmazonDateTime(text)).toBe(iso);
  });

  it.each([
    '2026-11-01 07:00:00',
    '2026-02-30 07:00:00 UTC',
    '2026-13-01',
    '2026-11-01 25:00:00 UTC',
    '11/01/26',
    'soon',
    '2026-11-01 07:00:00 XYZ',
  ])('refuses %s', (text) => {
    expect(parseAmazonDateTime(text)).toBeUndefined();
  });

  it('reads posted-date in the file order, with day-first dotted dates always day first', () => {
    expect(parseShortDate('09/06/25', 'mdy')).toBe('2025-09-06T00:00:00.000Z');
    expect(parseShortDate('09/06/25', 'dmy')).toBe('2025-06-09T00:00:00.000Z');
    expect(parseShortDate('03.10.26', 'mdy')).toBe('2026-10-03T00:00:00.000Z');
    expect(parseShortDate('12/31/2026', 'mdy')).toBe('2026-12-31T00:00:00.000Z');
    expect(parseShortDate('2026-10-03 15:30:00 UTC', 'mdy')).toBe('2026-10-03T15:30:00.000Z');
    expect(parseShortDate('13/31/26', 'mdy')).toBeUndefined();
  });
});
