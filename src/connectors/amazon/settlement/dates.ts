/**
 * Dates in settlement files (sp-api-facts.md §9.4): `YYYY-MM-DD HH:MM:SS UTC`, ISO-8601 with an offset
 * (`2026-11-01T07:00:00+00:00`), day-first dotted date-times of European files (`01.11.2026 07:00:00 UTC`),
 * bare dates, and the short `posted-date` (`MM/DD/YY` in US files, `DD.MM.YY` in European ones). Everything
 * becomes a UTC ISO-8601 instant (`2026-11-01T07:00:00.000Z`); undefined when the text is none of these.
 */
const ZONES: Readonly<Record<string, number>> = {
  UTC: 0,
  GMT: 0,
  Z: 0,
  PST: -480,
  PDT: -420,
  MST: -420,
  MDT: -360,
  CST: -360,
  CDT: -300,
  EST: -300,
  EDT: -240,
  CET: 60,
  CEST: 120,
  BST: 60,
  JST: 540,
};

function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === '') return undefined;
  const named = ZONES[zone.toUpperCase()];
  if (named !== undefined) return named;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

function instant(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
  offsetMinutes: number,
): string | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const local = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const check = new Date(local);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return undefined;
  return new Date(local - offsetMinutes * 60_000).toISOString();
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|UTC|GMT|[A-Z]{3,4}|[+-]\d{2}:?\d{2})?)?$/i;
const DOTTED =
  /^(\d{2})\.(\d{2})\.(\d{4})(?:\s+(\d{2}):(\d{2})(?::(\d{2}))?\s*(Z|UTC|GMT|[A-Z]{3,4}|[+-]\d{2}:?\d{2})?)?$/i;

/** A date-time (or a bare date, read as midnight UTC). A time without a zone is refused: it cannot be placed. */
export function parseAmazonDateTime(text: string): string | undefined {
  const t = text.trim();
  let m = ISO.exec(t);
  if (m) {
    const [, y, mo, d, h, mi, s, frac, zone] = m;
    if (h === undefined) return instant(Number(y), Number(mo), Number(d), 0, 0, 0, 0, 0);
    const offset = zoneOffsetMinutes(zone);
    if (offset === undefined) return undefined;
    return instant(
      Number(y),
      Number(mo),
      Number(d),
      Number(h),
      Number(mi),
      Number(s ?? 0),
      Number((frac ?? '0').padEnd(3, '0').slice(0, 3)),
      offset,
    );
  }
  m = DOTTED.exec(t);
  if (m) {
    const [, d, mo, y, h, mi, s, zone] = m;
    if (h === undefined) return instant(Number(y), Number(mo), Number(d), 0, 0, 0, 0, 0);
    const offset = zoneOffsetMinutes(zone);
    if (offset === undefined) return undefined;
    return instant(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s ?? 0), 0, offset);
  }
  return undefined;
}

export type ShortDateOrder = 'mdy' | 'dmy';

/** `posted-date`: `MM/DD/YY` (or `DD/MM/YY` with order dmy), `DD.MM.YY`, 4-digit years too, or any form above. */
export function parseShortDate(text: string, order: ShortDateOrder): string | undefined {
  const t = text.trim();
  const slash = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(t);
  const dot = /^(\d{1,2})\.(\d{1,2})\.(\d{2})$/.exec(t);
  const year = (y: string): number => (y.length === 2 ? 2000 + Number(y) : Number(y));
  if (slash) {
    const [, a, b, y] = slash;
    const [mo, d] = order === 'mdy' ? [a, b] : [b, a];
    return instant(year(y!), Number(mo), Number(d), 0, 0, 0, 0, 0);
  }
  if (dot) return instant(year(dot[3]!), Number(dot[2]), Number(dot[1]), 0, 0, 0, 0, 0);
  return parseAmazonDateTime(t);
}
