import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { withPriority, withRateLimit } from '../../../src/connectors/amazon/sp-api/rate-limited-transport.ts';
import { HttpError, type SpApiTransport } from '../../../src/connectors/amazon/sp-api/http-client.ts';
import { createMemoryRateLimiter, reserveFor, takeToken } from '../../../src/runtime/rate-limit/token-bucket.ts';
import { fakeClock } from './fake-http.ts';

describe('token bucket', () => {
  it('starts full, then paces at the rate', () => {
    let s = { tokens: 2, updatedAtMs: 0, rate: 0.5, burst: 2 };
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = takeToken(s, 0, 'high');
      s = r.state;
      waits.push(r.waitMs);
    }
    expect(waits).toEqual([0, 0, 2000]);
    expect(takeToken(s, 2000, 'high').waitMs).toBe(0);
  });

  it('a clock reading older than the last update does not refill twice', () => {
    let s = { tokens: 0, updatedAtMs: 1000, rate: 10, burst: 5 };
    const late = takeToken(s, 900, 'high'); // a taker that read the clock before waiting for the row lock
    s = late.state;
    expect(s.updatedAtMs).toBe(1000);
    expect(takeToken(s, 1100, 'high').waitMs).toBe(0);
    expect(takeToken(takeToken(s, 1100, 'high').state, 1100, 'high').waitMs).toBe(100);
  });

  it('low priority leaves the reserve to high priority', () => {
    const s = { tokens: 2, updatedAtMs: 0, rate: 1, burst: 10 };
    expect(reserveFor(10)).toBe(2);
    expect(takeToken(s, 0, 'low').waitMs).toBe(1000);
    expect(takeToken(s, 0, 'high').waitMs).toBe(0);
  });

  it('never hands out more than burst + rate × elapsed tokens', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 0.01, max: 50, noNaN: true }),
        fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 200 }),
        (burst, rate, gaps) => {
          let s = { tokens: burst, updatedAtMs: 0, rate, burst };
          let now = 0;
          let taken = 0;
          for (const g of gaps) {
            now += g;
            const r = takeToken(s, now, 'high');
            s = r.state;
            if (r.waitMs === 0) taken++;
          }
          return taken <= burst + (rate * now) / 1000 + 1e-6;
        },
      ),
    );
  });
});

describe('rate-limit layer', () => {
  const okTransport = (rateLimit?: number): SpApiTransport & { calls: number } => {
    const t = {
      calls: 0,
      async send() {
        t.calls++;
        return { status: 200, body: {}, requestId: 'r', rateLimit };
      },
    };
    return t;
  };

  it('sleeps through the injected sleep until a token is there, then sends', async () => {
    const clock = fakeClock();
    const limiter = createMemoryRateLimiter(clock.ms);
    const slept: number[] = [];
    const inner = okTransport();
    const t = withRateLimit(inner, {
      limiter,
      scope: 'app|seller|na',
      sleep: async (ms) => {
        slept.push(ms);
        clock.advance(ms);
      },
      usagePlanOverrides: { 'orders.getOrder': { rate: 2, burst: 2 } },
    });
    for (let i = 0; i < 4; i++) await t.send({ operation: 'orders.getOrder', method: 'GET', path: '/' });
    expect(inner.calls).toBe(4);
    expect(slept).toEqual([500, 500]);
  });

  it('a wait longer than maxWaitMs is a throttled error carrying retryAfterMs', async () => {
    const clock = fakeClock();
    const t = withRateLimit(okTransport(), {
      limiter: createMemoryRateLimiter(clock.ms),
      scope: 's',
      sleep: async () => undefined,
      maxWaitMs: 1000,
      usagePlanOverrides: { 'orders.searchOrders': { burst: 1 } },
    });
    await t.send({ operation: 'orders.searchOrders', method: 'GET', path: '/' });
    const err = await t.send({ operation: 'orders.searchOrders', method: 'GET', path: '/' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SB_AMZ_THROTTLED', kind: 'throttled' });
    expect((err as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(170_000);
  });

  it('x-amzn-RateLimit-Limit updates the bucket rate; a 429 drains it', async () => {
    const clock = fakeClock();
    const limiter = createMemoryRateLimiter(clock.ms);
    const slept: number[] = [];
    let fail = false;
    const inner: SpApiTransport = {
      async send() {
        if (fail)
          throw new HttpError('SB_AMZ_THROTTLED', '429', {
            operation: 'orders.getOrder',
            status: 429,
            retryAfterMs: 100,
          });
        return { status: 200, body: {}, requestId: 'r', rateLimit: 10 };
      },
    };
    const t = withRateLimit(inner, {
      limiter,
      scope: 's',
      sleep: async (ms) => {
        slept.push(ms);
        clock.advance(ms);
      },
      usagePlanOverrides: { 'orders.getOrder': { rate: 1, burst: 1 } },
    });
    await t.send({ operation: 'orders.getOrder', method: 'GET', path: '/' });
    await t.send({ operation: 'orders.getOrder', method: 'GET', path: '/' });
    expect(slept).toEqual([100]); // 10 rps learnt from the header, not 1 rps from the plan
    fail = true;
    await expect(t.send({ operation: 'orders.getOrder', method: 'GET', path: '/' })).rejects.toMatchObject({
      status: 429,
    });
    fail = false;
    await t.send({ operation: 'orders.getOrder', method: 'GET', path: '/' });
    expect(slept.at(-1)).toBe(100);
  });
});

describe('priorities in a shared bucket', () => {
  it('low-priority calls leave the reserve to order work on the same operation', async () => {
    const clock = fakeClock();
    const limiter = createMemoryRateLimiter(clock.ms);
    const inner: SpApiTransport = {
      send: async () => ({ status: 200, body: {}, requestId: 'r', rateLimit: undefined }),
    };
    const layered = withRateLimit(inner, {
      limiter,
      scope: 's',
      sleep: async () => undefined,
      maxWaitMs: 0,
      usagePlanOverrides: { 'listings.patchListingsItem': { rate: 1, burst: 5 } }, // reserve 1
    });
    const low = withPriority(layered, 'low');
    const req = { operation: 'listings.patchListingsItem', method: 'PATCH' as const, path: '/' };
    for (let i = 0; i < 4; i++) await low.send(req);
    await expect(low.send(req)).rejects.toMatchObject({ code: 'SB_AMZ_THROTTLED' });
    await expect(layered.send({ ...req, priority: 'high' })).resolves.toMatchObject({ status: 200 });
  });
});
