import { SellbridgeError } from '../../../core/errors.ts';
import type { RateLimiter } from '../../../runtime/rate-limit/token-bucket.ts';
import { HttpError, type SpApiRequest, type SpApiTransport } from './http-client.ts';
import { OPERATION_PRIORITY, usagePlanFor, type UsagePlan } from './usage-plans.ts';

export interface RateLimitLayerOptions {
  readonly limiter: RateLimiter;
  /** Bucket key prefix: application, seller and region, e.g. `amzn1.sp.solution.x|A1SELLER|na`. */
  readonly scope: string;
  /** The caller's sleep (injected: tests pass a fake that advances a fake clock). */
  readonly sleep: (ms: number) => Promise<void>;
  /** Longer waits than this are not slept but thrown as SB_AMZ_THROTTLED, so the job queue reschedules. */
  readonly maxWaitMs?: number;
  readonly sandbox?: boolean;
  readonly usagePlanOverrides?: Readonly<Record<string, Partial<UsagePlan>>>;
  /** Take the rate from `x-amzn-RateLimit-Limit` when Amazon sends it. Default true. */
  readonly honourRateLimitHeader?: boolean;
}

export function bucketKey(scope: string, operation: string): string {
  return `${scope}|${operation}`;
}

/**
 * Rate limiting as a layer around the transport (STYLE.md §8.2): before each call it takes a token from the
 * shared bucket of (application, seller, region, operation), sleeping through the injected sleep while the
 * wait is short; a long wait becomes SB_AMZ_THROTTLED with retryAfterMs. A 429 drains the bucket (so every
 * worker backs off) and is rethrown; `x-amzn-RateLimit-Limit` updates the bucket's rate.
 */
export function withRateLimit(transport: SpApiTransport, options: RateLimitLayerOptions): SpApiTransport {
  const maxWaitMs = options.maxWaitMs ?? 5_000;
  return {
    async send(request: SpApiRequest) {
      const key = bucketKey(options.scope, request.operation);
      const plan = usagePlanFor(request.operation, {
        ...(options.sandbox ? { sandbox: true } : {}),
        ...(options.usagePlanOverrides ? { overrides: options.usagePlanOverrides } : {}),
      });
      if (!plan) return transport.send(request);
      const priority =
        request.priority ?? (OPERATION_PRIORITY as Record<string, 'high' | 'low'>)[request.operation] ?? 'low';
      for (;;) {
        const waitMs = await options.limiter.take(key, { plan, priority });
        if (waitMs === 0) break;
        if (waitMs > maxWaitMs) {
          throw new SellbridgeError(
            'SB_AMZ_THROTTLED',
            `${request.operation}: rate bucket empty, next token in ${waitMs} ms`,
            {
              context: { operation: request.operation, status: 0, amazonCode: null, requestId: null },
              retryAfterMs: waitMs,
            },
          );
        }
        await options.sleep(waitMs);
      }
      try {
        const response = await transport.send(request);
        if (response.rateLimit && options.honourRateLimitHeader !== false)
          await options.limiter.setRate(key, response.rateLimit);
        return response;
      } catch (err) {
        if (err instanceof HttpError && err.status === 429) await options.limiter.drain(key);
        throw err;
      }
    },
  };
}

/**
 * Marks every request through it with a priority (unless the request names one): build a client for
 * inventory/price work with `createSpApiClient(withPriority(transport, 'low'))` so it yields to order work that
 * shares the same operation bucket.
 */
export function withPriority(transport: SpApiTransport, priority: 'high' | 'low'): SpApiTransport {
  return { send: (request) => transport.send(request.priority ? request : { ...request, priority }) };
}
