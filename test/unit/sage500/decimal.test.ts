import { describe, expect, it } from 'vitest';
import {
  decimalFromScaled,
  isoFromSage,
  moneyFromSageDecimal,
  sageDate,
  scaledInteger,
  wholeQuantity,
} from '../../../src/connectors/sage500/decimal.ts';

describe('Sage decimals', () => {
  it('reads driver numbers and strings exactly, rounding half away from zero', () => {
    expect(moneyFromSageDecimal(19.99, 'USD')).toEqual({ currency: 'USD', minor: 1999 });
    expect(moneyFromSageDecimal('12.34500', 'USD').minor).toBe(1235);
    expect(moneyFromSageDecimal(-0.005, 'USD').minor).toBe(-1);
    expect(moneyFromSageDecimal(1234567890.12345, 'USD').minor).toBe(123456789012);
    expect(moneyFromSageDecimal(500, 'JPY')).toEqual({ currency: 'JPY', minor: 500 });
    expect(scaledInteger('4.99', 3)).toBe(4990);
    expect(decimalFromScaled(-12340, 3)).toBe('-12.340');
  });

  it('refuses fractional quantities where whole units are required', () => {
    expect(wholeQuantity(2, 'x')).toBe(2);
    expect(wholeQuantity('3.00000000', 'x')).toBe(3);
    expect(() => wholeQuantity(2.5, 'line 1')).toThrow(/line 1/);
  });

  it('turns datetimes into UTC ISO-8601 and back into Sage business dates', () => {
    expect(isoFromSage(new Date('2026-11-20T00:00:00Z'))).toBe('2026-11-20T00:00:00.000Z');
    expect(isoFromSage('2026-11-20T00:00:00')).toBe('2026-11-20T00:00:00.000Z');
    expect(isoFromSage('2026-11-20 10:30:00')).toBe('2026-11-20T10:30:00.000Z');
    expect(sageDate('2026-11-20T23:59:59.999Z')).toBe('2026-11-20T00:00:00');
  });
});
