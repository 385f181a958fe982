import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateMoney, money, moneyFromDecimal, moneyToDecimal, sumMoney } from '../../../src/core/model/money.ts';

describe('money in minor units', () => {
  it('parses decimal strings exactly', () => {
    expect(moneyFromDecimal('12.34', 'USD')).toEqual({ currency: 'USD', minor: 1234 });
    expect(moneyFromDecimal('0.1', 'usd')).toEqual({ currency: 'USD', minor: 10 });
    expect(moneyFromDecimal('-0.05', 'EUR')).toEqual({ currency: 'EUR', minor: -5 });
    expect(moneyFromDecimal('1500', 'JPY')).toEqual({ currency: 'JPY', minor: 1500 });
    expect(moneyFromDecimal('19.990', 'USD').minor).toBe(1999);
    expect(() => moneyFromDecimal('1.005', 'USD')).toThrow(/more than 2 decimals/);
    expect(() => moneyFromDecimal('1,50', 'EUR')).toThrow(/not a decimal/);
    expect(() => money('USD', 0.5)).toThrow(RangeError);
  });

  it('round-trips every amount through its decimal text', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.constantFrom('USD', 'EUR', 'JPY', 'KWD'), (minor, cur) => {
        expect(moneyFromDecimal(moneyToDecimal(money(cur, minor)), cur).minor).toBe(minor);
      }),
    );
  });

  it('0.1 + 0.2 is exactly 0.3', () => {
    expect(moneyToDecimal(sumMoney('USD', [moneyFromDecimal('0.1', 'USD'), moneyFromDecimal('0.2', 'USD')]))).toBe(
      '0.30',
    );
  });

  it('allocates an amount into shares that add up to the cent', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e9, max: 1e9 }),
        fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 20 }),
        (minor, weights) => {
          const shares = allocateMoney(money('USD', minor), weights);
          expect(shares.reduce((a, s) => a + s.minor, 0)).toBe(minor);
          expect(shares.every((s) => Number.isInteger(s.minor))).toBe(true);
        },
      ),
    );
  });
});
