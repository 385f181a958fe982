import type { JournalBatch, JournalExchange } from '../model/journal.ts';
import { currencyExponent, money, moneyToDecimal, type Money } from '../model/money.ts';

/**
 * Home-currency amounts of a foreign-currency journal, in integer minor units, never through a float.
 *
 * An exchange rate is kept as an exact fraction (numerator/denominator, BigInt): a rate read from Sage's rate table
 * (decimal text such as "1.0825") is 10825/10000; a rate taken from the deposit is the deposit's converted total over
 * its original total (e.g. 5433 USD cents / 5019 EUR cents), so the deposit line converts to exactly the amount that
 * reached the bank. Sage's meaning of CurrExchRate, home = amount x rate, is the one public sources show (Net4Sage's
 * payment application: PmtAmtIC = PmtAmt x CurrExchRate; invtcommit's spglSetAPIInsertGLTrans: CurrExchRate =
 * PostAmtHC / PostAmt).
 */
export interface ExactRate {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/** "1.0825" -> 10825/10000. Throws RangeError naming the text when it is not a positive decimal. */
export function rateFromDecimal(text: string): ExactRate {
  const m = /^\s*(\d+)(?:\.(\d+))?\s*$/.exec(text);
  if (!m) throw new RangeError(`exchange rate "${text}" is not a positive decimal`);
  const frac = m[2] ?? '';
  const numerator = BigInt(`${m[1]}${frac}`);
  if (numerator <= 0n) throw new RangeError(`exchange rate "${text}" must be above 0`);
  return { numerator, denominator: 10n ** BigInt(frac.length) };
}

/**
 * The rate of a deposit: how many home minor units one foreign unit bought, as converted/original, each amount
 * scaled to whole units by its currency's exponent. Throws RangeError when either side is not positive or the
 * currencies are the same.
 */
export function rateFromAmounts(original: Money, converted: Money): ExactRate {
  if (original.minor === 0 || Math.sign(original.minor) !== Math.sign(converted.minor))
    throw new RangeError(
      `deposit ${moneyToDecimal(original)} ${original.currency} converted to ${moneyToDecimal(converted)} ${converted.currency}: no usable rate`,
    );
  // converted/10^e(home) over original/10^e(foreign)
  const numerator = BigInt(Math.abs(converted.minor)) * 10n ** BigInt(currencyExponent(original.currency));
  const denominator = BigInt(Math.abs(original.minor)) * 10n ** BigInt(currencyExponent(converted.currency));
  return { numerator, denominator };
}

/** The rate as decimal text with `places` decimals (half up), for Sage's CurrExchRate and for people. */
export function rateToDecimal(rate: ExactRate, places = 9): string {
  const scale = 10n ** BigInt(places);
  const scaled = (rate.numerator * scale * 2n + rate.denominator) / (rate.denominator * 2n);
  const whole = scaled / scale;
  const frac = (scaled % scale).toString().padStart(places, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : `${whole}`;
}

/**
 * One amount in the home currency: minor x rate, rescaled between the two currencies' exponents, rounded half away
 * from zero. Returns the rounded amount and whether rounding happened (the balancing step uses it).
 */
export function convertMinor(
  amount: Money,
  homeCurrency: string,
  rate: ExactRate,
): { readonly home: Money; readonly exact: boolean } {
  const num = BigInt(amount.minor) * rate.numerator * 10n ** BigInt(currencyExponent(homeCurrency));
  const den = rate.denominator * 10n ** BigInt(currencyExponent(amount.currency));
  const abs = num < 0n ? -num : num;
  const q = (abs * 2n + den) / (den * 2n);
  const exact = abs % den === 0n;
  return { home: money(homeCurrency, Number(num < 0n ? -q : q)), exact };
}

/**
 * The journal with each line's home-currency amount and the rate Sage needs (CurrID stays the journal's currency,
 * CurrExchRate the rate, PostAmtHC the home amounts). The home amounts net to zero like the lines do: rounding
 * left over (at most a few minor units) goes to the largest line whose conversion was rounded, never to a line
 * that converted exactly (the deposit line under the `deposit` source). A journal already in the home currency
 * is returned unchanged.
 */
export function journalInHomeCurrency(
  batch: JournalBatch,
  homeCurrency: string,
  rate: ExactRate,
  source: JournalExchange['source'],
  detail: string,
): JournalBatch {
  const home = homeCurrency.toUpperCase();
  if (batch.currency.toUpperCase() === home) return batch;
  const converted = batch.lines.map((l) => convertMinor(l.amount, home, rate));
  const residue = converted.reduce((sum, c) => sum + c.home.minor, 0);
  const amounts = converted.map((c) => c.home.minor);
  if (residue !== 0) {
    let target = -1;
    converted.forEach((c, i) => {
      if (!c.exact && (target < 0 || Math.abs(amounts[i]!) > Math.abs(amounts[target]!))) target = i;
    });
    if (target < 0) target = amounts.reduce((best, a, i) => (Math.abs(a) > Math.abs(amounts[best]!) ? i : best), 0);
    amounts[target] = amounts[target]! - residue;
  }
  return {
    ...batch,
    lines: batch.lines.map((l, i) => ({ ...l, home: money(home, amounts[i]!) })),
    exchange: { homeCurrency: home, rate: rateToDecimal(rate), source, detail },
  };
}
