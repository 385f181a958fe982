// Exact money text for the settlement and inventory pages: integer minor units formatted by string arithmetic
// (no floating point), with the currency's ISO 4217 exponent (JPY 0, KWD 3, most 2) as src/core/model/money.ts.

const EXPONENTS = { JPY: 0, KRW: 0, CLP: 0, ISK: 0, HUF: 2, BHD: 3, KWD: 3, OMR: 3, TND: 3, JOD: 3 };

export function exponentOf(currency) {
  return EXPONENTS[String(currency ?? '').toUpperCase()] ?? 2;
}

/** Minor units as a BigInt, or null when the value is not an integer (a string of digits, a safe integer or a BigInt). */
export function minorOf(value) {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : null;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return BigInt(value.trim());
  return null;
}

/** 123456n, 'USD' -> "1,234.56 USD"; -5n -> "−0.05"; not an integer -> "—" (never a rounded guess). */
export function exactMoney(value, currency = '', { sign = true } = {}) {
  const n = minorOf(value);
  if (n === null) return '—';
  const exp = exponentOf(currency);
  const neg = n < 0n;
  const digits = (neg ? -n : n).toString().padStart(exp + 1, '0');
  const whole = digits.slice(0, digits.length - exp).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = exp > 0 ? '.' + digits.slice(digits.length - exp) : '';
  return `${neg && sign ? '−' : ''}${whole}${frac}${currency ? ' ' + currency : ''}`;
}

/** Sum of minor units (BigInt); values that are not integers are skipped and counted. */
export function sumMinor(values) {
  let total = 0n;
  let skipped = 0;
  for (const v of values) {
    const n = minorOf(v);
    if (n === null) skipped++;
    else total += n;
  }
  return { total, skipped };
}

/** Tone of a settlement state for its badge. */
export function settlementTone(state) {
  switch (String(state ?? '').toLowerCase()) {
    case 'posted':
      return 'ok';
    case 'posting':
    case 'correcting':
      return 'warn';
    case 'failed':
      return 'bad';
    default:
      return '';
  }
}

/** What a settlement state means, in words (badge title and legend). */
export const STATE_MEANING = {
  posting: 'on its way to Sage (a batch may already exist; the next run completes it)',
  posted: 'in Sage as an unposted GL batch, waiting for accounting to review and post it',
  correcting: 'a corrected file arrived; the posted batch is being reversed and the new one posted',
  failed: 'posting failed, see the last error',
};
