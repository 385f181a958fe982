/**
 * Token buckets per (seller or application, operation), as Amazon describes its usage plans: the bucket holds
 * `burst` tokens, refills at `rate` per second, every call takes one, an empty bucket answers 429.
 *
 * `timeScale` is how many simulated seconds pass per real second, so tests and benchmarks run fast: the real
 * refill rate is `rate * timeScale`. The clock is injected so unit tests can drive it.
 */
export interface RateLimitDecision {
  readonly allowed: boolean;
  /** The effective rate in requests per real second (what `x-amzn-RateLimit-Limit` reports). */
  readonly effectiveRate: number;
}

export interface BucketPlan {
  readonly rate: number;
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;
  timeScale: number;
  enabled: boolean;

  constructor(options: { timeScale: number; enabled: boolean; now?: () => number }) {
    this.timeScale = options.timeScale;
    this.enabled = options.enabled;
    this.#now = options.now ?? Date.now;
  }

  effectiveRate(plan: BucketPlan): number {
    return plan.rate * this.timeScale;
  }

  take(key: string, plan: BucketPlan): RateLimitDecision {
    const effectiveRate = this.effectiveRate(plan);
    if (!this.enabled) return { allowed: true, effectiveRate };
    const now = this.#now();
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { tokens: plan.burst, updatedAtMs: now };
      this.#buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(plan.burst, bucket.tokens + ((now - bucket.updatedAtMs) / 1000) * effectiveRate);
    bucket.updatedAtMs = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, effectiveRate };
    }
    return { allowed: false, effectiveRate };
  }

  /** Empties the buckets whose key starts with `prefix` (and ends with `suffix`), e.g. to provoke a 429 in a test. */
  drain(prefix = '', suffix = ''): void {
    const now = this.#now();
    for (const [key, bucket] of this.#buckets)
      if (key.startsWith(prefix) && key.endsWith(suffix)) Object.assign(bucket, { tokens: 0, updatedAtMs: now });
  }

  reset(): void {
    this.#buckets.clear();
  }
}
