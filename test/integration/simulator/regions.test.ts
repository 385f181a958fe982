import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAmazonSimulator, type AmazonSimulator } from '../../../src/simulator/amazon/index.ts';
import { createSpApiConnection } from '../../../src/connectors/amazon/sp-api/connection.ts';
import { resolveEndpoint } from '../../../src/connectors/amazon/sp-api/regions.ts';

/**
 * Regional endpoints (sellingpartnerapi-na/-eu/-fe as `<url>/na|eu|fe`), the Amazon.de marketplace in euros, and
 * usage plans per seller: over HTTP, as a client sees them.
 */
const US = { sellerId: 'A1SIMSELLERUS01', refreshToken: 'Atzr|us', marketplaceIds: ['ATVPDKIKX0DER'] };
const DE = {
  sellerId: 'A1SIMSELLERDE01',
  refreshToken: 'Atzr|de',
  marketplaceIds: ['A1PA6795UKMFR9'],
  usagePlans: { 'orders.getOrder': { burst: 2 } },
};

let sim: AmazonSimulator;
const tokens: Record<string, string> = {};

async function token(refreshToken: string, base = sim.url): Promise<string> {
  const res = await fetch(`${base}/auth/o2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(refreshToken)}&client_id=a&client_secret=b`,
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

const call = (base: string, path: string, who: 'us' | 'de') =>
  fetch(`${base}${path}`, { headers: { 'x-amz-access-token': tokens[who]! } });

const search = (marketplaceId: string) =>
  `/orders/2026-01-01/orders?marketplaceIds=${marketplaceId}&createdAfter=2020-01-01T00:00:00Z&includedData=PROCEEDS,TAX`;

beforeAll(async () => {
  // A tiny time scale: buckets practically never refill during the test, so counts are exact.
  sim = await createAmazonSimulator({ seed: 21, orders: 3, timeScale: 0.000_001, sellers: [US, DE] });
  tokens.us = await token(US.refreshToken);
  // LWA answers under a regional prefix too.
  tokens.de = await token(DE.refreshToken, sim.endpoints.eu);
});
afterAll(async () => {
  await sim?.close();
});

describe('SP-API simulator: regions, Amazon.de in EUR, usage plans per seller', () => {
  it('serves each region under its own endpoint; the unprefixed URL still answers every seller', () => {
    expect(sim.endpoints).toEqual({ na: `${sim.url}/na`, eu: `${sim.url}/eu`, fe: `${sim.url}/fe` });
  });

  it('answers the German seller at the EU endpoint with Amazon.de orders in EUR', async () => {
    const res = await call(sim.endpoints.eu, search('A1PA6795UKMFR9'), 'de');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { orders: { orderId: string; salesChannel: { marketplaceName: string } }[] };
    expect(body.orders).toHaveLength(3);
    expect(new Set(body.orders.map((o) => o.salesChannel.marketplaceName))).toEqual(new Set(['Amazon.de']));
    const currencies = new Set([...JSON.stringify(body).matchAll(/"currencyCode":"([A-Z]{3})"/g)].map((m) => m[1]));
    expect(currencies).toEqual(new Set(['EUR']));
    for (const o of body.orders) expect(sim.control.order(o.orderId)).toMatchObject({ currency: 'EUR' });
    // Amazon.de order ids start with 30 (the simulator's EU prefix for .de).
    expect(body.orders.every((o) => o.orderId.startsWith('30'))).toBe(true);
  });

  it("refuses a seller's token at another region's endpoint (403) and a marketplace of another region (400)", async () => {
    const wrongRegion = await call(sim.endpoints.na, search('A1PA6795UKMFR9'), 'de');
    expect(wrongRegion.status).toBe(403);
    expect(await wrongRegion.json()).toMatchObject({ errors: [{ code: 'Unauthorized' }] });
    expect((await call(sim.endpoints.eu, search('ATVPDKIKX0DER'), 'us')).status).toBe(403);
    const foreign = await call(sim.endpoints.eu, search('ATVPDKIKX0DER'), 'de');
    expect(foreign.status).toBe(400);
    expect(JSON.stringify(await foreign.json())).toContain('ATVPDKIKX0DER is not served by the EU endpoint');
    expect((await call(sim.endpoints.na, search('ATVPDKIKX0DER'), 'us')).status).toBe(200);
    // Before regions: the base URL answers both sellers.
    expect((await call(sim.url, search('A1PA6795UKMFR9'), 'de')).status).toBe(200);
    expect((await call(sim.url, search('ATVPDKIKX0DER'), 'us')).status).toBe(200);
  });

  it('routes by a sellingpartnerapi-<region> Host header as Amazon does by host', async () => {
    const { request } = await import('node:http');
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(`${sim.url}${search('A1PA6795UKMFR9')}`);
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname + url.search,
            headers: { host, 'x-amz-access-token': tokens.de! },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
    expect(await status('sellingpartnerapi-eu.amazon.com')).toBe(200);
    expect(await status('sellingpartnerapi-na.amazon.com')).toBe(403);
  });

  it('keeps one bucket per seller: a seller with its own plan or an exhausted quota throttles alone', async () => {
    sim.control.resetRateLimits();
    const usOrder = sim.control.orders(US.sellerId)[0]!.orderId;
    const deOrder = sim.control.orders(DE.sellerId)[0]!.orderId;
    const get = (who: 'us' | 'de', id: string) =>
      call(who === 'de' ? sim.endpoints.eu : sim.endpoints.na, `/orders/2026-01-01/orders/${id}`, who).then(
        (r) => r.status,
      );
    // The German seller's plan: burst 2 for getOrder; the US seller has Amazon's default (burst 30).
    const de: number[] = [];
    for (let i = 0; i < 3; i++) de.push(await get('de', deOrder));
    expect(de).toEqual([200, 200, 429]);
    const us: number[] = [];
    for (let i = 0; i < 3; i++) us.push(await get('us', usOrder));
    expect(us).toEqual([200, 200, 200]);
    // Spending one seller's quota leaves the other's alone.
    sim.control.resetRateLimits();
    await get('us', usOrder);
    await get('de', deOrder);
    sim.control.exhaustQuota(US.sellerId, 'orders.getOrder');
    expect(await get('us', usOrder)).toBe(429);
    expect(await get('de', deOrder)).toBe(200);
    sim.control.resetRateLimits();
  });

  it('a client configured for region eu with the endpoint template reaches the EU endpoint', async () => {
    expect(resolveEndpoint({ region: 'eu', override: `${sim.url}/{region}` })).toBe(sim.endpoints.eu);
    const connection = createSpApiConnection(
      {
        region: 'eu',
        endpoint: `${sim.url}/{region}`,
        lwaEndpoint: `${sim.url}/auth/o2/token`,
        lwaClientId: 'a',
        lwaClientSecret: 'b',
        refreshToken: DE.refreshToken,
        sellerId: DE.sellerId,
        applicationId: 'amzn1.sp.solution.sim',
      },
      { clock: { now: () => new Date() }, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    );
    expect(connection.baseUrl).toBe(sim.endpoints.eu);
    sim.control.resetRateLimits();
    const order = await connection.client.getOrder(sim.control.orders(DE.sellerId)[0]!.orderId);
    expect(order.salesChannel.marketplaceId).toBe('A1PA6795UKMFR9');
  });
});
