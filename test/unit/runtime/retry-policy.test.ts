import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SellbridgeError } from '../../../src/core/errors.ts';
import { backoffMs, decideAfterFailure, DEFAULT_DEFER_MS } from '../../../src/runtime/queue/retry-policy.ts';

const settings = { backoffBaseMs: 1000, backoffMaxMs: 60_000 };

describe('retry policy', () => {
  it('dead-letters validation errors on the first attempt', () => {
    expect(decideAfterFailure(new SellbridgeError('SB_JOB_PAYLOAD_INVALID', 'x'), 1, 8, settings)).toEqual({
      action: 'dead',
    });
  });

  it('waits retryAfterMs on throttled/unavailable errors, whatever the attempt', () => {
    const err = new SellbridgeError('SB_STORE_UNAVAILABLE', 'down', { retryAfterMs: 4200 });
    expect(decideAfterFailure(err, 8, 8, settings)).toEqual({ action: 'defer', delayMs: 4200 });
    expect(decideAfterFailure(new SellbridgeError('SB_STORE_UNAVAILABLE', 'down'), 1, 8, settings)).toEqual({
      action: 'defer',
      delayMs: DEFAULT_DEFER_MS,
    });
  });

  it('retries transient errors until the last attempt, then dead-letters', () => {
    const err = new SellbridgeError('SB_JOB_HANDLER_CRASHED', 'x');
    expect(decideAfterFailure(err, 7, 8, settings, () => 0).action).toBe('retry');
    expect(decideAfterFailure(err, 8, 8, settings)).toEqual({ action: 'dead' });
  });

  it('backs off exponentially with jitter, never below half the step nor above the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const step = Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** (attempt - 1));
          const d = backoffMs(attempt, settings, () => r);
          expect(d).toBeGreaterThanOrEqual(Math.floor(step / 2));
          expect(d).toBeLessThanOrEqual(settings.backoffMaxMs);
        },
      ),
    );
    expect([1, 2, 3, 4].map((a) => backoffMs(a, settings, () => 1))).toEqual([1000, 2000, 4000, 8000]);
  });
});
