import type { FieldIssue } from '../errors.ts';
import type { Address } from '../model/order.ts';
import type { PostalAddress } from '../model/sales-order.ts';
import { transliterate as libTransliterate } from 'transliteration';
import { REGION_CODES, SAGE_COUNTRY_IDS } from '../rules/countries.ts';

/** Sage column lengths of an address (tciAddress / StgSalesOrder ship-to, sage500-facts §2.1 and §4.2). */
export const SAGE_ADDRESS_LIMITS = { name: 40, line: 40, city: 20, region: 3, postalCode: 10, countryId: 3 } as const;

export type SageAddressResult =
  | { readonly ok: true; readonly address: PostalAddress }
  | { readonly ok: false; readonly issues: readonly FieldIssue[] };

export interface SageAddressOptions {
  /** How many address lines Sage takes (AddrLine1..5). */
  readonly maxLines?: number;
  /** Overrides/additions to the ISO alpha-2 -> Sage CountryID table. */
  readonly countryIds?: Readonly<Record<string, string>>;
  /** Prefix of field names in issues, e.g. `shipTo`. */
  readonly field?: string;
}

/**
 * Amazon address -> Sage ship-to, strictly: the `dead-letter` address policy (`fitSageAddress` is the default
 * `fit`). Pure. Latin text is transliterated to ASCII for Sage's varchar columns (other scripts are an issue); a name or line longer than 40 characters overflows onto the next line at a word boundary (the
 * company name, when given, is a line of its own after the name); US and Canadian state names become their
 * codes, and elsewhere a region name longer than StateID becomes the last address line (after the district,
 * when Amazon sends one); ISO alpha-2 countries become Sage CountryIDs. The phone is not part of a Sage
 * ship-to and is deliberately not copied (buyer PII). Nothing is cut off:
 * whatever does not fit (a sixth line, a 21-character city, an unknown country) is returned as a field issue.
 */
export function sageAddressFromAddress(address: Address, options: SageAddressOptions = {}): SageAddressResult {
  const maxLines = options.maxLines ?? 5;
  const at = (f: string): string => (options.field ? `${options.field}.${f}` : f);
  const issues: FieldIssue[] = [];
  const L = SAGE_ADDRESS_LIMITS;

  const country = (address.countryCode ?? '').trim().toUpperCase();
  const countryId = options.countryIds?.[country] ?? SAGE_COUNTRY_IDS[country];
  if (country === '') issues.push({ field: at('countryCode'), problem: 'missing' });
  else if (!countryId)
    issues.push({ field: at('countryCode'), problem: `no Sage CountryID for ${country}; add it to the country table` });

  // The name fills AddrName; what does not fit starts the address lines, followed by the company and the lines.
  const nameText = clean(address.name ?? '', true);
  const [first, ...nameRest] = nameText === '' ? [''] : wrap(nameText, L.name);
  const name = first ?? '';
  const regionText = clean(address.stateOrRegion ?? '', true);
  let region = regionCode(country, regionText);
  // Outside the US and Canada a region name longer than Sage's StateID goes on the last address line instead.
  const regionLine = region.length > L.region && !REGION_CODES[country] ? region : undefined;
  if (regionLine !== undefined) region = '';
  const sources = [
    ...nameRest,
    ...(address.companyName ? [clean(address.companyName, true)] : []),
    ...address.lines.map((l) => clean(l, true)),
    clean(address.district ?? '', true),
    ...(regionLine ? [regionLine] : []),
  ].filter((l) => l !== '');
  const lines = sources.flatMap((l) => wrap(l, L.line));
  if (lines.length > maxLines)
    issues.push({
      field: at('lines'),
      problem: `needs ${lines.length} lines of ${L.line} characters; Sage takes ${maxLines}`,
    });
  if (lines.length === 0) issues.push({ field: at('lines'), problem: 'missing' });

  const city = clean(address.city ?? '', true);
  if (city === '') issues.push({ field: at('city'), problem: 'missing' });
  else if (city.length > L.city)
    issues.push({ field: at('city'), problem: `${city.length} characters; Sage City holds ${L.city}` });

  if (region.length > L.region)
    issues.push({
      field: at('stateOrRegion'),
      problem: `no ${country} code for the region (${region.length} characters; Sage StateID holds ${L.region})`,
    });
  else if ((country === 'US' || country === 'CA') && region === '')
    issues.push({ field: at('stateOrRegion'), problem: 'missing' });

  const postalCode = clean(address.postalCode ?? '', true).toUpperCase();
  if (postalCode.length > L.postalCode)
    issues.push({
      field: at('postalCode'),
      problem: `${postalCode.length} characters; Sage PostalCode holds ${L.postalCode}`,
    });

  const texts: [string, string][] = [
    ['name', name],
    ...lines.map((l, i): [string, string] => [`lines[${i}]`, l]),
    ['city', city],
    ['stateOrRegion', region],
    ['postalCode', postalCode],
  ];
  for (const [field, value] of texts) {
    const bad = [...new Set([...value].filter((c) => !isAscii(c)))];
    if (bad.length > 0)
      issues.push({
        field: at(field),
        problem: `${bad.length} character(s) with no ASCII form for Sage's varchar column (e.g. U+${bad[0]!.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`,
      });
  }

  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, address: { name, lines, city, region, postalCode, countryId: countryId! } };
}

export function regionCode(country: string, text: string): string {
  if (text === '') return '';
  const table = REGION_CODES[country];
  if (!table) return text;
  const upper = text.toUpperCase().replace(/\./g, '');
  if (Object.values(table).includes(upper)) return upper;
  return table[upper] ?? text;
}

/**
 * ASCII for a varchar column, by the `transliteration` library (every script: accents dropped, `ß` -> `ss`,
 * Cyrillic, Greek, CJK syllable by syllable, separated by spaces). With `latinOnly`, characters of other scripts
 * are returned unchanged so the strict check (`sageAddressFromAddress`) can report them rather than letting SQL
 * Server turn them into `?`.
 */
export function transliterate(text: string, latinOnly = false): string {
  if (!latinOnly) return toAscii(text);
  let out = '';
  let run = '';
  for (const ch of text) {
    if (NON_LATIN.test(ch)) {
      out += (run ? toAscii(run) : '') + ch;
      run = '';
    } else run += ch;
  }
  return out + (run ? toAscii(run) : '');
}

/** A letter of a script other than Latin (Common and Inherited characters, digits and punctuation, are fine). */
const NON_LATIN = /[^\p{Script=Latin}\p{Script=Common}\p{Script=Inherited}]/u;

function toAscii(text: string): string {
  // The library keeps what it has no form for; `?` would be Sage's answer, so those become a space instead.
  return libTransliterate(text, { unknown: ' ', trim: false }).replace(/[^\x20-\x7e\s]/g, ' ');
}

export function isAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

/** Transliterated, control characters gone, whitespace collapsed, trimmed. */
export function clean(text: string, latinOnly = false): string {
  const visible = [...transliterate(text, latinOnly)]
    .map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c))
    .join('');
  return visible.replace(/\s+/g, ' ').trim();
}

/**
 * Splits text into pieces of at most `width` characters at spaces (or after `,` `-` `/`), hard-splitting a
 * word longer than `width`. Joining the pieces with single spaces gives the text back, character for
 * character (minus the spaces it broke at).
 */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const head = rest.slice(0, width + 1);
    const space = head.lastIndexOf(' ');
    if (space > 0) {
      out.push(rest.slice(0, space).trimEnd());
      rest = rest.slice(space + 1).trimStart();
      continue;
    }
    const punct = Math.max(
      head.lastIndexOf(',', width - 1),
      head.lastIndexOf('-', width - 1),
      head.lastIndexOf('/', width - 1),
    );
    const cut = punct >= 0 ? punct + 1 : width;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest !== '') out.push(rest);
  return out;
}
