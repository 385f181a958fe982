import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Address } from '../../../src/core/model/order.ts';
import {
  isAscii,
  SAGE_ADDRESS_LIMITS,
  sageAddressFromAddress,
  transliterate,
  wrap,
} from '../../../src/core/transform/sage-address-from-address.ts';

const RUNS = 1000;

/** Words of ASCII, accented Latin, ß/æ/ø/ł, the odd CJK character and punctuation, so both outcomes occur. */
const charArb = fc.constantFrom(
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split(''),
  'é',
  'ü',
  'Ö',
  'ß',
  'æ',
  'ø',
  'Ł',
  'ñ',
  'ç',
  '-',
  ',',
  '.',
  '/',
  '#',
  '’',
);
const wordArb = (maxLength = 12) => fc.array(charArb, { minLength: 1, maxLength }).map((c) => c.join(''));
const textArb = (maxWords: number, maxWordLength?: number) =>
  fc.array(wordArb(maxWordLength), { minLength: 1, maxLength: maxWords }).map((w) => w.join(' '));

const addressArb = fc.record(
  {
    // One name in ten carries a character with no ASCII form.
    name: fc.tuple(textArb(7), fc.integer({ min: 0, max: 9 })).map(([t, n]) => (n === 0 ? `${t} 東` : t)),
    companyName: textArb(4),
    lines: fc.array(textArb(6), { minLength: 1, maxLength: 3 }),
    city: textArb(3, 8),
    stateOrRegion: fc.constantFrom('WA', 'Texas', 'new york', 'Ontario', 'Bayern', 'Île-de-France', 'XX'),
    postalCode: fc.constantFrom('98109', '98109-1234', 'M5J 0A8', '80331', 'EC2A 2FA', '150-0002', '123456789012'),
    countryCode: fc.constantFrom('US', 'CA', 'DE', 'GB', 'FR', 'JP', 'ZZ'),
  },
  { requiredKeys: ['lines'] },
) as fc.Arbitrary<Address>;

const squeeze = (s: string): string => transliterate(s).replace(/\s+/g, '');

describe('Sage address (fast-check)', () => {
  it(`never exceeds Sage lengths and never loses a character silently (${RUNS} addresses)`, () => {
    let ok = 0;
    let rejected = 0;
    fc.assert(
      fc.property(addressArb, fc.integer({ min: 2, max: 5 }), (address, maxLines) => {
        const r = sageAddressFromAddress(address, { maxLines });
        if (!r.ok) {
          rejected++;
          expect(r.issues.length).toBeGreaterThan(0);
          return;
        }
        ok++;
        const a = r.address;
        const L = SAGE_ADDRESS_LIMITS;
        expect(a.name.length).toBeLessThanOrEqual(L.name);
        expect(a.lines.length).toBeLessThanOrEqual(maxLines);
        for (const line of a.lines) expect(line.length).toBeLessThanOrEqual(L.line);
        expect(a.city.length).toBeLessThanOrEqual(L.city);
        expect(a.region.length).toBeLessThanOrEqual(L.region);
        expect(a.postalCode.length).toBeLessThanOrEqual(L.postalCode);
        expect(a.countryId.length).toBeLessThanOrEqual(L.countryId);
        for (const text of [a.name, ...a.lines, a.city, a.region, a.postalCode]) expect(isAscii(text)).toBe(true);
        // Every non-space character of name, company, lines (and a region that became a line) is still there, in order.
        const regionMoved = a.region === '' && (address.stateOrRegion ?? '') !== '';
        const before = squeeze(
          [
            address.name ?? '',
            address.companyName ?? '',
            ...address.lines,
            regionMoved ? (address.stateOrRegion ?? '') : '',
          ].join(''),
        );
        expect(squeeze(a.name + a.lines.join(''))).toBe(before);
        expect(squeeze(a.city)).toBe(squeeze(address.city ?? ''));
      }),
      { numRuns: RUNS },
    );
    // Both outcomes must actually be exercised, or the property proves little.
    expect(ok).toBeGreaterThan(RUNS / 10);
    expect(rejected).toBeGreaterThan(RUNS / 10);
  });

  it('wrap keeps every character and respects the width', () => {
    fc.assert(
      fc.property(textArb(12), fc.integer({ min: 1, max: 40 }), (text, width) => {
        const pieces = wrap(text, width);
        for (const p of pieces) expect(p.length).toBeLessThanOrEqual(width);
        expect(pieces.join('').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
      }),
      { numRuns: RUNS },
    );
  });
});
