import type { FieldIssue } from '../errors.ts';
import type { Address } from '../model/order.ts';
import type { PostalAddress } from '../model/sales-order.ts';
import { abbreviationsFor } from '../rules/address-abbreviations.ts';
import { REGION_CODES, SAGE_COUNTRY_IDS } from '../rules/countries.ts';
import {
  clean,
  isAscii,
  regionCode,
  SAGE_ADDRESS_LIMITS,
  wrap,
  type SageAddressOptions,
} from './sage-address-from-address.ts';

/** How a field was changed to fit Sage. */
export const ADDRESS_CHANGE_KINDS = ['transliterated', 'abbreviated', 'overflowed', 'truncated', 'moved'] as const;
export type AddressChangeKind = (typeof ADDRESS_CHANGE_KINDS)[number];

/**
 * One change made to fit an address into Sage. Field names and lengths only, never the text (buyer PII): the
 * Amazon original is kept sealed beside the order, the fitted text is in Sage.
 */
export interface AddressChange {
  readonly field: 'name' | 'lines' | 'city' | 'stateOrRegion' | 'postalCode';
  readonly kind: AddressChangeKind;
  readonly detail: string;
}

export type FittedAddressResult =
  | { readonly ok: true; readonly address: PostalAddress; readonly changes: readonly AddressChange[] }
  | { readonly ok: false; readonly issues: readonly FieldIssue[] };

const L = SAGE_ADDRESS_LIMITS;

/**
 * Amazon address -> Sage ship-to, fitted rather than refused. Pure. Sage's columns are short varchars
 * (sage500-facts §2.1): name and lines 40, city 20, state 3, postal code 10. Each field is fitted in this order,
 * stopping as soon as it fits:
 * 1. transliteration of every script to ASCII (the `any-ascii` library; Sage's varchar would turn the rest into `?`);
 * 2. the country's abbreviations (USPS Publication 28 for the US, a small table per country: `abbreviationsFor`),
 *    applied from the last word backwards, one word at a time;
 * 3. overflow: a long name or line continues on the next address line (at a word boundary); when the lines are more
 *    than Sage takes, every line is abbreviated, then the lines are packed together (`, `-separated);
 * 4. truncation at a word boundary, the last resort: the city at 20, the lines after the last one Sage takes.
 * A US or Canadian region without a code moves to the last address line, as elsewhere a region name longer than
 * StateID does (not a change: that is where Sage keeps it). Every change is listed by field and kind.
 *
 * Still refused: a missing country, city or street line, and a country without a Sage CountryID: no fitting
 * makes those right, an operator does (replay with `--set`).
 */
export function fitSageAddress(address: Address, options: SageAddressOptions = {}): FittedAddressResult {
  const maxLines = options.maxLines ?? 5;
  const at = (f: string): string => (options.field ? `${options.field}.${f}` : f);
  const issues: FieldIssue[] = [];
  const changes: AddressChange[] = [];
  // One entry per field and kind; a later step of the same kind says how it ended.
  const change = (field: AddressChange['field'], kind: AddressChangeKind, detail: string): void => {
    const i = changes.findIndex((c) => c.field === field && c.kind === kind);
    if (i < 0) changes.push({ field, kind, detail });
    else changes[i] = { field, kind, detail };
  };

  const country = (address.countryCode ?? '').trim().toUpperCase();
  const countryId = options.countryIds?.[country] ?? SAGE_COUNTRY_IDS[country];
  if (country === '') issues.push({ field: at('countryCode'), problem: 'missing' });
  else if (!countryId)
    issues.push({ field: at('countryCode'), problem: `no Sage CountryID for ${country}; add it to the country table` });
  const table = abbreviationsFor(country);

  const text = (field: AddressChange['field'], raw: string | undefined): string => {
    if (raw && !isAscii(raw.replace(/\s/g, ' '))) change(field, 'transliterated', 'to ASCII');
    return clean(raw ?? '');
  };

  // Name: AddrName takes 40; the rest starts the address lines.
  const nameText = text('name', address.name);
  const [name = '', ...nameRest] = nameText === '' ? [''] : wrap(nameText, L.name);
  if (nameRest.length > 0)
    change('name', 'overflowed', `${nameText.length} characters; the rest starts the address lines`);

  // Region: a code, or a line of its own.
  const regionText = text('stateOrRegion', address.stateOrRegion);
  let region = regionCode(country, regionText);
  let regionLine: string | undefined;
  if (region.length > L.region) {
    regionLine = region;
    if (REGION_CODES[country])
      change('stateOrRegion', 'moved', `no ${country} code for the region; it is the last address line`);
    region = '';
  }

  const street = address.lines.map((l) => text('lines', l));
  const sources = [
    ...nameRest,
    ...(address.companyName ? [text('lines', address.companyName)] : []),
    ...street,
    text('lines', address.district),
    ...(regionLine ? [regionLine] : []),
  ].filter((l) => l !== '');
  const lines = fitLines(sources, maxLines, table.street, change);
  // The street itself must be there: a name's overflow or a region moved into the lines is no street.
  if (street.every((l) => l === '')) issues.push({ field: at('lines'), problem: 'missing' });

  // City: abbreviated, then cut at a word boundary.
  let city = text('city', address.city);
  if (city === '') issues.push({ field: at('city'), problem: 'missing' });
  else if (city.length > L.city) {
    const before = city.length;
    const short = abbreviate(city, table.place, L.city);
    if (short !== city) change('city', 'abbreviated', `${before} -> ${short.length} characters`);
    city = short;
    if (city.length > L.city) {
      city = truncate(city, L.city);
      change('city', 'truncated', `${before} -> ${city.length} characters`);
    }
  }

  // Postal code: without its spaces, then cut.
  let postalCode = text('postalCode', address.postalCode).toUpperCase();
  if (postalCode.length > L.postalCode) {
    const before = postalCode.length;
    postalCode = postalCode.replace(/\s+/g, '');
    if (postalCode.length > L.postalCode) postalCode = postalCode.slice(0, L.postalCode);
    change('postalCode', 'truncated', `${before} -> ${postalCode.length} characters`);
  }

  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, address: { name, lines, city, region, postalCode, countryId: countryId! }, changes };
}

/** Address lines of at most 40 characters, at most `maxLines` of them, each step recorded. */
function fitLines(
  sources: readonly string[],
  maxLines: number,
  words: Readonly<Record<string, string>>,
  change: (field: 'lines', kind: AddressChangeKind, detail: string) => void,
): string[] {
  const count = sources.length;
  // A line too long for Sage is abbreviated when that makes it fit (only as far as needed); otherwise it keeps its
  // words and continues on the next line.
  let current = sources.map((s) => {
    if (s.length <= L.line) return s;
    const short = abbreviate(s, words, L.line);
    return short.length <= L.line ? short : s;
  });
  if (current.some((s, i) => s !== sources[i])) change('lines', 'abbreviated', 'long lines abbreviated');
  let lines = current.flatMap((s) => wrap(s, L.line));
  if (lines.length > count) change('lines', 'overflowed', `${count} -> ${lines.length} lines`);
  if (lines.length <= maxLines) return lines;

  // More lines than Sage takes: abbreviate everything, then pack the lines together.
  const full = current.map((s) => abbreviate(s, words, 0));
  if (full.some((s, i) => s !== current[i])) change('lines', 'abbreviated', 'every line abbreviated');
  current = full;
  lines = current.flatMap((s) => wrap(s, L.line));
  if (lines.length <= maxLines) return lines;
  const packed = wrap(current.join(', '), L.line);
  if (packed.length < lines.length) {
    change('lines', 'overflowed', `${count} lines packed into ${Math.min(packed.length, maxLines)}`);
    lines = packed;
  }
  if (lines.length <= maxLines) return lines;

  const dropped = lines.slice(maxLines).join(' ').length;
  change('lines', 'truncated', `${dropped} characters after line ${maxLines} left out`);
  return lines.slice(0, maxLines).map((l, i) => (i === maxLines - 1 ? trimEnd(l) : l));
}

/**
 * Replaces words of `table` from the last word backwards until the text is at most `limit` characters (0: every
 * word). Matching is case-insensitive on whole words, and on the parts of a hyphenated word (`Saint-Jean` ->
 * `St-Jean`); a key `-suffix` matches a word ending (`Hauptstrasse` -> `Hauptstr.`). An all-capitals word gets a
 * capital abbreviation.
 */
export function abbreviate(text: string, table: Readonly<Record<string, string>>, limit: number): string {
  const suffixes = Object.keys(table).filter((k) => k.startsWith('-'));
  // Every word and every part of a hyphenated word, as [word index, part index]; parts rejoin with `-`.
  const words = text.split(' ').map((w) => (table[bare(w)] !== undefined ? [w] : w.split('-')));
  const fits = () => limit > 0 && words.map((parts) => parts.join('-')).join(' ').length <= limit;
  for (let i = words.length - 1; i >= 0; i--) {
    const parts = words[i]!;
    for (let j = parts.length - 1; j >= 0; j--) {
      if (fits()) return words.map((p) => p.join('-')).join(' ');
      parts[j] = abbreviateWord(parts[j]!, table, suffixes);
    }
  }
  return words.map((p) => p.join('-')).join(' ');
}

/** The lower-case letters of a word without surrounding punctuation (and a trailing dot). */
function bare(word: string): string {
  return word
    .replace(/^[^A-Za-z]+|[^A-Za-z.]+$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
}

function abbreviateWord(word: string, table: Readonly<Record<string, string>>, suffixes: readonly string[]): string {
  const m = /^([^A-Za-z]*)([A-Za-z][A-Za-z'.-]*?)([^A-Za-z]*)$/.exec(word);
  if (!m) return word;
  const [, lead, core, trail] = m as unknown as [string, string, string, string];
  const key = core.toLowerCase().replace(/\.$/, '');
  let short = table[key];
  if (short === undefined) {
    const suffix = suffixes.find((s) => key.endsWith(s.slice(1)) && key.length > s.length - 1);
    if (suffix) short = core.slice(0, core.length - (suffix.length - 1)) + table[suffix]!;
  }
  if (short === undefined || short.length >= core.length) return word;
  const upper = core === core.toUpperCase() && /[A-Z]/.test(core);
  return `${lead}${upper ? short.toUpperCase() : short}${trail}`;
}

/** At most `width` characters, cut at a word boundary (a hard cut only when the first word is longer). */
export function truncate(text: string, width: number): string {
  return trimEnd(wrap(text, width)[0] ?? '');
}

function trimEnd(text: string): string {
  return text.replace(/[\s,/-]+$/, '');
}
