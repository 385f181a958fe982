import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAmazonSimulator, DEFAULT_SELLER, type AmazonSimulator } from '../../../src/simulator/amazon/index.ts';
import { createSpApiConnection, type SpApiConnection } from '../../../src/connectors/amazon/sp-api/connection.ts';
import { paginate } from '../../../src/connectors/amazon/sp-api/client.ts';
import { createAmazonMarketplace } from '../../../src/connectors/amazon/amazon-marketplace.ts';
import { HttpError } from '../../../src/connectors/amazon/sp-api/http-client.ts';
import type { AmazonMarketplace } from '../../../src/core/ports/amazon-marketplace.ts';

// The client against the SP-API simulator over real HTTP on a random port (issue 3, "Conformance").
let sim: AmazonSimulator;
let conn: SpApiConnection;
let market: AmazonMarketplace;
let lwaCalls = 0;

function connect(requestTimeoutMs = 5_000): SpApiConnection {
  return createSpApiConnection(
    {
      region: 'na',
      endpoint: sim.url,
      lwaEndpoint: `${sim.url}/auth/o2/token`,
      lwaClientId: 'amzn1.application-oa2-client.sim',
      lwaClientSecret: 'sim-secret',
      refreshToken: DEFAULT_SELLER.refreshToken,
      sellerId: DEFAULT_SELLER.sellerId,
      applicationId: 'app',
      requestTimeoutMs,
    },
    {
      clock: { now: () => new Date() },
      sleep: async () => undefined,
      fetch: (url, init) => {
        if (url.endsWith('/auth/o2/token')) lwaCalls++;
        return fetch(url, init);
      },
    },
  );
}

beforeAll(async () => {
  sim = await createAmazonSimulator({ seed: 42, orders: 25, limits: false });
  conn = connect();
  market = createAmazonMarketplace({ client: conn.client, marketplaceIds: DEFAULT_SELLER.marketplaceIds });
});
afterAll(async () => sim.close());

describe('SP-API client against the simulator', () => {
  it('searchOrders walks every page and every order maps to a canonical order', async () => {
    const ids: string[] = [];
    let pages = 0;
    for await (const orders of paginate((token) =>
      conn.client.searchOrders({
        createdAfter: '2000-01-01T00:00:00Z',
        marketplaceIds: DEFAULT_SELLER.marketplaceIds,
        maxResultsPerPage: 10,
        includedData: ['PROCEEDS', 'FULFILLMENT', 'PROMOTION', 'TAX'],
        ...(token ? { paginationToken: token } : {}),
      }),
    )) {
      pages++;
      ids.push(...orders.map((o) => o.orderId));
    }
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(ids).size).toBe(sim.control.orders().length);

    let token: string | undefined;
    let mapped = 0;
    do {
      const page = await market.searchOrders({
        createdAfter: '2000-01-01T00:00:00Z',
        pageSize: 10,
        ...(token ? { pageToken: token } : {}),
      });
      mapped += page.orders.length;
      token = page.nextPageToken;
    } while (token);
    expect(mapped).toBe(ids.length);
  });

  it("getOrder returns the canonical order with the simulator's amounts", async () => {
    const simOrder = sim.control.orders().find((o) => o.status === 'UNSHIPPED' || o.status === 'SHIPPED')!;
    const order = await market.getOrder(simOrder.orderId, { includePii: true });
    expect(order.id).toBe(simOrder.orderId);
    expect(order.lines.map((l) => l.lineId).sort()).toEqual(simOrder.items.map((i) => i.orderItemId).sort());
    expect(order.currency).toBe(simOrder.currency);
    expect(order.fulfilledBy).toBe(simOrder.fulfilledBy === 'AMAZON' ? 'marketplace' : 'merchant');
  });

  it("every priced order: canonical line amounts equal the simulator's own minor-unit record", async () => {
    const priced = sim.control
      .orders()
      .filter((o) => o.status !== 'PENDING' && o.status !== 'PENDING_AVAILABILITY' && o.status !== 'CANCELLED');
    expect(priced.length).toBeGreaterThan(5);
    const mismatches: string[] = [];
    for (const simOrder of priced) {
      const order = await market.getOrder(simOrder.orderId);
      for (const item of simOrder.items) {
        const line = order.lines.find((l) => l.lineId === item.orderItemId);
        const a = line?.amounts;
        const got = {
          unit: line?.unitPrice?.minor ?? 0,
          item: a?.item.minor ?? 0,
          itemTax: a?.itemTax?.minor ?? 0,
          shipping: a?.shipping?.minor ?? 0,
          shippingTax: a?.shippingTax?.minor ?? 0,
          shippingDiscount: a?.shippingDiscount?.minor ?? 0,
          itemDiscount: a?.itemDiscount?.minor ?? 0,
          giftWrap: a?.giftWrap?.minor ?? 0,
          giftWrapTax: a?.giftWrapTax?.minor ?? 0,
          promotionIds: [...(line?.promotionIds ?? [])].sort(),
          taxByMarketplace: line?.taxCollectedByMarketplace,
        };
        const want = {
          unit: item.unitPriceMinor,
          item: item.unitPriceMinor * item.quantity,
          itemTax: item.itemTaxMinor,
          shipping: item.shippingMinor,
          shippingTax: item.shippingTaxMinor,
          shippingDiscount: item.shippingDiscountMinor,
          itemDiscount: item.promotionDiscountMinor,
          giftWrap: item.giftWrapMinor,
          giftWrapTax: item.giftWrapTaxMinor,
          promotionIds: [...item.promotionIds].sort(),
          taxByMarketplace: simOrder.marketplaceFacilitator,
        };
        if (JSON.stringify(got) !== JSON.stringify(want))
          mismatches.push(
            `${simOrder.orderId}/${item.orderItemId}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}`,
          );
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('a pending order maps without prices', async () => {
    const pending = sim.control.addOrder({ status: 'PENDING' });
    const order = await market.getOrder(pending.orderId);
    expect(order.status).toBe('pending');
    expect(order.lines.every((l) => l.amounts === undefined)).toBe(true);
  });

  it('confirmShipment confirms an MFN package and a read-back shows it', async () => {
    const o = sim.control.addOrder({ status: 'UNSHIPPED', fulfilledBy: 'MERCHANT' });
    await market.confirmShipment({
      orderId: o.orderId,
      marketplaceId: o.marketplaceId,
      packageReferenceId: '1',
      carrierCode: 'UPS',
      trackingNumber: '1Z999AA10123456784',
      shipDate: new Date().toISOString(),
      lines: o.items.map((i) => ({ lineId: i.orderItemId, quantity: i.quantity })),
    });
    const after = await market.getOrder(o.orderId);
    expect(after.packages.map((p) => p.trackingNumber)).toContain('1Z999AA10123456784');
  });

  it('an expired access token is refreshed once and the call succeeds', async () => {
    const o = sim.control.orders()[0]!;
    await conn.client.getOrder(o.orderId);
    const before = lwaCalls;
    sim.control.expireTokens();
    await conn.client.getOrder(o.orderId);
    expect(lwaCalls).toBe(before + 1);
  });

  it('an expired token answered 403 (as Amazon does) is also refreshed once', async () => {
    const strict = await createAmazonSimulator({ seed: 9, orders: 1, limits: false, expiredTokenStatus: 403 });
    try {
      let calls = 0;
      const c = createSpApiConnection(
        {
          region: 'na',
          endpoint: strict.url,
          lwaEndpoint: `${strict.url}/auth/o2/token`,
          lwaClientId: 'c',
          lwaClientSecret: 's',
          refreshToken: DEFAULT_SELLER.refreshToken,
          sellerId: DEFAULT_SELLER.sellerId,
          applicationId: 'app',
        },
        {
          clock: { now: () => new Date() },
          sleep: async () => undefined,
          fetch: (url, init) => ((calls += url.endsWith('/auth/o2/token') ? 1 : 0), fetch(url, init)),
        },
      );
      const id = strict.control.orders()[0]!.orderId;
      await c.client.getOrder(id);
      strict.control.expireTokens();
      await c.client.getOrder(id);
      expect(calls).toBe(2);
    } finally {
      await strict.close();
    }
  });

  it('429 is a throttled error with retryAfterMs and the request id', async () => {
    const o = sim.control.orders()[0]!;
    sim.control.injectFault({ kind: 'throttle', operation: 'orders.getOrder' });
    const err = await conn.client.getOrder(o.orderId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({ kind: 'throttled', status: 429, operation: 'orders.getOrder' });
    expect((err as HttpError).retryAfterMs).toBeGreaterThan(0);
    expect((err as HttpError).requestId).toBeTruthy();
  });

  it.each([
    ['server-error', 500],
    ['unavailable', 503],
  ] as const)('%s is a transient error', async (kind, status) => {
    const o = sim.control.orders()[0]!;
    sim.control.injectFault({ kind, operation: 'orders.getOrder' });
    const err = await conn.client.getOrder(o.orderId).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'transient', code: 'SB_AMZ_SERVER_ERROR', status });
  });

  it('a hung request times out as a transient error', async () => {
    const quick = connect(200);
    const o = sim.control.orders()[0]!;
    sim.control.injectFault({ kind: 'hang', operation: 'orders.getOrder' });
    const err = await quick.client.getOrder(o.orderId).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'transient', code: 'SB_AMZ_TIMEOUT' });
  });

  it('a malformed answer is SB_AMZ_RESPONSE_INVALID', async () => {
    const o = sim.control.orders()[0]!;
    sim.control.injectFault({ kind: 'malformed', operation: 'orders.getOrder' });
    const err = await conn.client.getOrder(o.orderId).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SB_AMZ_RESPONSE_INVALID' });
  });

  it("an unknown order is rejected with Amazon's code", async () => {
    const err = await conn.client.getOrder('999-0000000-0000000').catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'validation', status: 404 });
    expect((err as HttpError).amazonCode).toBeTruthy();
  });
});
