/**
 * Money is never a float. Amounts are integers in the currency's minor unit (cents for USD/EUR, yen for JPY),
 * checked to be safe integers. Amazon sends decimal strings ("12.34"); `moneyFromDecimal` parses them exactly.
 */
export interface Money {
  /** ISO 4217, e.g. USD. */
  readonly currency: string;
  /** Integer amount in minor units; may be negative (refunds, fees). */
  readonly minor: number;
}

/** Minor-unit exponent per currency; ISO 4217. Currencies not listed use 2. */
const EXPONENTS: Readonly<Record<string, number>> = {
  JPY: 0,
  KRW: 0,
  CLP: 0,
  ISK: 0,
  HUF: 2,
  BHD: 3,
  KWD: 3,
  OMR: 3,
  TND: 3,
  JOD: 3,
};

export function currencyExponent(currency: string): number {
  return EXPONENTS[currency.toUpperCase()] ?? 2;
}

export function money(currency: string, minor: number): Money {
  if (!Number.isSafeInteger(minor))
    throw new RangeError(`money amount must be a safe integer of minor units, got ${minor}`);
  return { currency: currency.toUpperCase(), minor };
}

/**
 * Parses a decimal amount exactly: "12.3" -> 1230 cents, "-0.05" -> -5, "1,234.50" is rejected (callers
 * normalise locale formats first). Throws RangeError naming the value when it has more decimals than the
 * currency allows or is not a number.
 */
export function moneyFromDecimal(amount: string, currency: string): Money {
  const exp = currencyExponent(currency);
  const m = /^\s*([+-])?(\d+)(?:\.(\d*))?\s*$/.exec(amount);
  if (!m) throw new RangeError(`"${amount}" is not a decimal amount`);
  const [, sign, whole, frac = ''] = m;
  if (frac.replace(/0+$/, '').length > exp)
    throw new RangeError(`"${amount}" has more than ${exp} decimals for ${currency}`);
  const minor = Number(whole) * 10 ** exp + Number((frac + '0'.repeat(exp)).slice(0, exp) || '0');
  return money(currency, sign === '-' ? -minor : minor);
}

/** "12.30" for 1230 USD cents; exact, no floating point. */
export function moneyToDecimal(value: Money): string {
  const exp = currencyExponent(value.currency);
  const abs = Math.abs(value.minor);
  const text = exp === 0 ? String(abs) : `${Math.floor(abs / 10 ** exp)}.${String(abs % 10 ** exp).padStart(exp, '0')}`;
  return value.minor < 0 ? `-${text}` : text;
}

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new RangeError(`cannot combine ${a.currency} and ${b.currency}`);
}

export function addMoney(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return money(a.currency, a.minor + b.minor);
}

export function sumMoney(currency: string, values: readonly Money[]): Money {
  return values.reduce((acc, v) => addMoney(acc, v), money(currency, 0));
}

/**
 * Splits an amount into `parts` integer shares that add up exactly to the whole (largest remainder goes to the
 * first shares), e.g. a promotion spread over units.
 */
export function allocateMoney(total: Money, weights: readonly number[]): Money[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (weights.length === 0 || sum <= 0) throw new RangeError('allocation needs positive weights');
  const shares = weights.map((w) => Math.trunc((total.minor * w) / sum));
  let rest = total.minor - shares.reduce((a, b) => a + b, 0);
  const step = rest >= 0 ? 1 : -1;
  for (let i = 0; rest !== 0; i = (i + 1) % shares.length) {
    shares[i] = shares[i]! + step;
    rest -= step;
  }
  return shares.map((s) => money(total.currency, s));
}
