import { currencyExponent, money, moneyToDecimal, type Money } from '../../core/model/money.ts';

/**
 * Sage stores amounts as decimal(15,3), prices decimal(15,5), quantities decimal(16,8). We send them as exact
 * decimal strings (SQL Server converts varchar to decimal exactly; SQLite keeps NUMERIC). Drivers hand them
 * back as JS numbers: at most 15 significant digits fit these columns, so `String(n)` (shortest round-trip)
 * gives back the stored decimal exactly, and the rest is string arithmetic.
 */
export function decimalText(value: unknown): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite decimal: ${value}`);
    // toString may answer in exponent form for tiny or huge values; Sage columns never hold those.
    const s = String(value);
    if (/e/i.test(s)) return value.toFixed(8).replace(/\.?0+$/, '');
    return s;
  }
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return value.trim();
  if (typeof value === 'bigint') return value.toString();
  throw new RangeError(`not a decimal: ${String(value)}`);
}

/** A Sage decimal as an integer of 10^-scale units, rounded half away from zero; string arithmetic only. */
export function scaledInteger(value: unknown, scale: number): number {
  const text = decimalText(value);
  const negative = text.startsWith('-');
  const [whole = '0', frac = ''] = text.replace(/^-/, '').split('.');
  const kept = (frac + '0'.repeat(scale)).slice(0, scale);
  let n = Number(whole) * 10 ** scale + Number(kept || '0');
  if ((frac[scale] ?? '0') >= '5') n += 1;
  return negative && n !== 0 ? -n : n;
}

/** The exact decimal text of an integer of 10^-scale units: (12340, 3) -> "12.340". */
export function decimalFromScaled(n: number, scale: number): string {
  const abs = Math.abs(n);
  const text =
    scale === 0 ? String(abs) : `${Math.floor(abs / 10 ** scale)}.${String(abs % 10 ** scale).padStart(scale, '0')}`;
  return n < 0 ? `-${text}` : text;
}

/** A Sage decimal as money, rounded half away from zero to the currency's minor unit. */
export function moneyFromSageDecimal(value: unknown, currency: string): Money {
  return money(currency, scaledInteger(value, currencyExponent(currency)));
}

/** Money as the exact decimal string Sage gets. */
export function sageDecimalFromMoney(value: Money): string {
  return moneyToDecimal(value);
}

/** A Sage quantity as whole units; throws when a fraction is stored (Amazon quantities are whole). */
export function wholeQuantity(value: unknown, what: string): number {
  const text = decimalText(value);
  const [whole = '0', frac = ''] = text.replace(/^-/, '').split('.');
  if (/[1-9]/.test(frac)) throw new RangeError(`${what}: quantity ${text} is not a whole number`);
  const n = Number(whole);
  return text.startsWith('-') ? -n : n;
}

/** datetime from a driver (Date from mssql, text from SQLite) as UTC ISO-8601. */
export function isoFromSage(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') {
    const withZone = /Z|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`;
    const d = new Date(withZone);
    if (!Number.isNaN(d.getTime())) return d.toISOString();
  }
  throw new RangeError(`not a datetime: ${String(value)}`);
}

/**
 * A UTC ISO instant as the datetime text we send: `YYYY-MM-DDTHH:mm:ss` (no zone, no fraction). SQL Server
 * converts this ISO 8601 form to datetime whatever the session's language or DATEFORMAT.
 */
export function sageDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not an ISO-8601 instant: ${iso}`);
  return d.toISOString().slice(0, 19);
}

/** The business date (midnight) of an instant, as Sage keeps TranDate and PostDate. */
export function sageDate(iso: string): string {
  return `${sageDateTime(iso).slice(0, 10)}T00:00:00`;
}
