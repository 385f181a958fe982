import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAmazonSimulator, type AmazonSimulator } from '../../../src/simulator/amazon/index.ts';

let sim: AmazonSimulator;
let token = '';
let orderId = '';

const getOrder = (signal?: AbortSignal): Promise<Response> =>
  fetch(`${sim.url}/orders/2026-01-01/orders/${orderId}`, {
    headers: { 'x-amz-access-token': token },
    ...(signal ? { signal } : {}),
  });

beforeAll(async () => {
  // A tiny time scale: buckets practically never refill during the test, so counts are exact.
  sim = await createAmazonSimulator({ seed: 3, orders: 1, timeScale: 0.000_001 });
  const res = await fetch(`${sim.url}/auth/o2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=refresh_token&refresh_token=r&client_id=a&client_secret=b',
  });
  token = ((await res.json()) as { access_token: string }).access_token;
  orderId = sim.control.orders()[0]!.orderId;
});
afterAll(async () => {
  await sim?.close();
});

describe('usage plans and fault injection', () => {
  it('allows the burst (30 for getOrder), then answers 429 QuotaExceeded; no limits when switched off', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await getOrder()).status);
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    const throttled = await getOrder();
    expect(throttled.status).toBe(429);
    expect(await throttled.json()).toEqual({
      errors: [{ code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.' }],
    });
    expect(throttled.headers.get('x-amzn-requestid')).toBeTruthy();
    sim.control.setLimits(false);
    expect((await getOrder()).status).toBe(200);
    sim.control.setLimits(true);
    sim.control.resetRateLimits();
  });

  it('applies usage-plan overrides (a seller with a raised plan)', async () => {
    const own = await createAmazonSimulator({
      seed: 1,
      orders: 1,
      timeScale: 0.000_001,
      usagePlans: { 'orders.getOrder': { burst: 3, rate: 2 } },
    });
    const t = await fetch(`${own.url}/auth/o2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&refresh_token=r&client_id=a&client_secret=b',
    });
    const access = ((await t.json()) as { access_token: string }).access_token;
    const id = own.control.orders()[0]!.orderId;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (await fetch(`${own.url}/orders/2026-01-01/orders/${id}`, { headers: { 'x-amz-access-token': access } }))
          .status,
      );
    expect(statuses).toEqual([200, 200, 200, 429]);
    await own.close();
  });

  it('reports the effective (time-scaled) rate in x-amzn-RateLimit-Limit', async () => {
    sim.control.setTimeScale(100);
    const res = await getOrder();
    expect(Number(res.headers.get('x-amzn-ratelimit-limit'))).toBe(50);
    sim.control.setTimeScale(0.000_001);
  });

  it('injects 500 and 503 in the SP-API error shape, then recovers', async () => {
    sim.control.injectFault({ kind: 'server-error', operation: 'orders.getOrder' });
    sim.control.injectFault({ kind: 'unavailable', operation: 'orders.getOrder' });
    const first = await getOrder();
    expect(first.status).toBe(500);
    expect(((await first.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe('InternalFailure');
    expect((await getOrder()).status).toBe(503);
    expect((await getOrder()).status).toBe(200);
  });

  it('hangs a request until the client gives up (timeout case)', async () => {
    sim.control.injectFault({ kind: 'hang', operation: 'orders.getOrder' });
    const controller = new AbortController();
    const hung = sim.control.waitFor('fault');
    const pending = getOrder(controller.signal);
    await hung;
    controller.abort();
    await expect(pending).rejects.toThrow();
  });

  it('answers a slow request normally, and faults the LWA endpoint on demand', async () => {
    sim.control.injectFault({ kind: 'slow', operation: 'orders.getOrder', delayMs: 5 });
    expect((await getOrder()).status).toBe(200);
    sim.control.injectFault({ kind: 'unavailable', operation: 'lwa' });
    const lwa = (): Promise<Response> =>
      fetch(`${sim.url}/auth/o2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=refresh_token&refresh_token=r&client_id=a&client_secret=b',
      });
    expect((await lwa()).status).toBe(503);
    expect((await lwa()).status).toBe(200);
  });

  it('answers a malformed body once', async () => {
    sim.control.injectFault({ kind: 'malformed', operation: 'orders.getOrder' });
    const res = await getOrder();
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow();
  });

  it('draws probabilistic faults from the seed: two simulators with one seed fail the same calls', async () => {
    const run = async (): Promise<number[]> => {
      const own = await createAmazonSimulator({ seed: 77, orders: 1, limits: false });
      own.control.setFaultRates({ throttle: 0.2, serverError: 0.1, unavailable: 0.1 });
      const t = await fetch(`${own.url}/auth/o2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=refresh_token&refresh_token=r&client_id=a&client_secret=b',
      });
      const access = ((await t.json()) as { access_token: string }).access_token;
      const id = own.control.orders()[0]!.orderId;
      const out: number[] = [];
      for (let i = 0; i < 20; i++)
        out.push(
          (await fetch(`${own.url}/orders/2026-01-01/orders/${id}`, { headers: { 'x-amz-access-token': access } }))
            .status,
        );
      await own.close();
      return out;
    };
    const [a, b] = [await run(), await run()];
    expect(a).toEqual(b);
    expect(a.some((s) => s !== 200)).toBe(true);
  });
});
