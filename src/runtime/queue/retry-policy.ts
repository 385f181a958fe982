import type { SellbridgeError } from '../../core/errors.ts';

export interface RetrySettings {
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

/** What happens to a job after a failed attempt. Pure: the random source is passed in. */
export type FailureDecision =
  | { readonly action: 'retry'; readonly delayMs: number }
  | { readonly action: 'defer'; readonly delayMs: number }
  | { readonly action: 'dead' };

/** When a throttled/unavailable error names no wait, wait this long. */
export const DEFAULT_DEFER_MS = 1000;

/**
 * Error kinds decide (STYLE.md §8.5): validation/mapping/config -> dead letter now; throttled/unavailable ->
 * wait `retryAfterMs` without spending an attempt; transient/internal -> retry with backoff until attempts
 * run out, then dead letter.
 */
export function decideAfterFailure(
  error: SellbridgeError,
  attempt: number,
  maxAttempts: number,
  settings: RetrySettings,
  random: () => number = Math.random,
): FailureDecision {
  switch (error.kind) {
    case 'validation':
    case 'mapping':
    case 'config':
      return { action: 'dead' };
    case 'throttled':
    case 'unavailable':
      return { action: 'defer', delayMs: Math.max(0, error.retryAfterMs ?? DEFAULT_DEFER_MS) };
    case 'transient':
    case 'internal':
      return attempt >= maxAttempts
        ? { action: 'dead' }
        : { action: 'retry', delayMs: backoffMs(attempt, settings, random) };
  }
}

/**
 * Capped exponential backoff with "equal jitter": half the exponential step is fixed, half random, so retries
 * of many jobs that failed together spread out, yet each waits at least half its step.
 * attempt 1 -> base..., attempt 2 -> 2*base..., capped at backoffMaxMs.
 */
export function backoffMs(attempt: number, settings: RetrySettings, random: () => number = Math.random): number {
  const exponential = settings.backoffBaseMs * 2 ** Math.min(30, Math.max(0, attempt - 1));
  const capped = Math.min(settings.backoffMaxMs, exponential);
  return Math.round(capped / 2 + (capped / 2) * random());
}
