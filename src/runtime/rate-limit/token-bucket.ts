/**
 * Token-bucket arithmetic, pure (no clock, no I/O), shared by the in-memory and the store-backed limiter.
 * A bucket holds up to `burst` tokens and refills at `rate` tokens per second; a call takes one token.
 */

export interface BucketPlan {
  /** Tokens per second. */
  readonly rate: number;
  /** Bucket size. */
  readonly burst: number;
}

export type Priority = 'high' | 'low';

export interface TakeOptions {
  /** Seeds the bucket on first use; a rate learnt from the server (`setRate`) wins over `plan.rate` later. */
  readonly plan: BucketPlan;
  /** Low-priority work leaves `reserve` tokens for high-priority work. Default high. */
  readonly priority?: Priority;
}

/**
 * Answers "how long must I wait?" (0 = a token was taken, go now). It never sleeps: the caller does, through
 * an injected sleep, and asks again (Benthos `RateLimit.Access`).
 */
export interface RateLimiter {
  take(key: string, options: TakeOptions): Promise<number>;
  /** The server said the rate is `rate` (e.g. `x-amzn-RateLimit-Limit`): use it from now on. */
  setRate(key: string, rate: number): Promise<void>;
  /** The server throttled us although the bucket had a token: empty it so every worker backs off. */
  drain(key: string): Promise<void>;
}

export interface BucketState {
  tokens: number;
  /** Epoch milliseconds of the last refill. */
  updatedAtMs: number;
  rate: number;
  burst: number;
}

/** Tokens low-priority callers must leave in the bucket: a fifth of the burst, at least 1 when burst >= 2. */
export function reserveFor(burst: number): number {
  return burst >= 2 ? Math.max(1, Math.floor(burst / 5)) : 0;
}

/**
 * One take at `nowMs`: refills, then takes a token when enough are there (leaving the reserve for low
 * priority). Returns the new state and the wait (0 when taken). Rates are multiplied by `safety` (< 1) so a
 * bucket runs a hair slower than the server's, which absorbs clock and network jitter.
 */
export function takeToken(
  state: BucketState,
  nowMs: number,
  priority: Priority,
  safety = 1,
): { state: BucketState; waitMs: number } {
  const rate = state.rate * safety;
  // Never move the refill time backwards: a caller whose clock reading is older than the last update (it
  // waited for the row lock, or runs on a host whose clock is behind) would otherwise count a refill twice.
  const at = Math.max(nowMs, state.updatedAtMs);
  const tokens = Math.min(state.burst, state.tokens + ((at - state.updatedAtMs) * rate) / 1000);
  const need = 1 + (priority === 'low' ? reserveFor(state.burst) : 0);
  if (tokens >= need - 1e-9) {
    return { state: { ...state, tokens: tokens - 1, updatedAtMs: at }, waitMs: 0 };
  }
  const waitMs = rate > 0 ? Math.max(1, Math.ceil(((need - tokens) * 1000) / rate)) : 60_000;
  return { state: { ...state, tokens, updatedAtMs: at }, waitMs };
}

/**
 * A take that may lease several tokens at once (`max`), for a limiter that keeps the spare ones in process memory
 * and spends them without asking the store again. `returned` tokens (a lease that expired unused) go back into the
 * bucket first, capped at the burst as if they had never left. Only tokens beyond what the priority must leave
 * are granted: a low-priority lease never eats into the reserve. `granted` is 0 when the caller must wait.
 */
export function leaseTokens(
  state: BucketState,
  nowMs: number,
  priority: Priority,
  options: { readonly safety?: number; readonly max: number; readonly returned?: number },
): { state: BucketState; granted: number; waitMs: number } {
  const rate = state.rate * (options.safety ?? 1);
  const at = Math.max(nowMs, state.updatedAtMs);
  const tokens = Math.min(
    state.burst,
    state.tokens + ((at - state.updatedAtMs) * rate) / 1000 + (options.returned ?? 0),
  );
  const need = 1 + (priority === 'low' ? reserveFor(state.burst) : 0);
  if (tokens >= need - 1e-9) {
    const granted = Math.max(1, Math.min(Math.floor(options.max), Math.floor(tokens - need + 1 + 1e-9)));
    return { state: { ...state, tokens: tokens - granted, updatedAtMs: at }, granted, waitMs: 0 };
  }
  const waitMs = rate > 0 ? Math.max(1, Math.ceil(((need - tokens) * 1000) / rate)) : 60_000;
  return { state: { ...state, tokens, updatedAtMs: at }, granted: 0, waitMs };
}

/** A limiter in process memory: for tests and single-process tools. The store-backed one is shared. */
export function createMemoryRateLimiter(now: () => number, options: { readonly safety?: number } = {}): RateLimiter {
  const buckets = new Map<string, BucketState>();
  const get = (key: string, plan: BucketPlan): BucketState => {
    let b = buckets.get(key);
    if (!b) {
      b = { tokens: plan.burst, updatedAtMs: now(), rate: plan.rate, burst: plan.burst };
      buckets.set(key, b);
    }
    return b;
  };
  return {
    async take(key, opts) {
      const { state, waitMs } = takeToken(get(key, opts.plan), now(), opts.priority ?? 'high', options.safety);
      buckets.set(key, state);
      return waitMs;
    },
    async setRate(key, rate) {
      const b = buckets.get(key);
      if (b && rate > 0) buckets.set(key, { ...b, rate });
    },
    async drain(key) {
      const b = buckets.get(key);
      if (b) buckets.set(key, { ...b, tokens: Math.min(b.tokens, 0), updatedAtMs: now() });
    },
  };
}
