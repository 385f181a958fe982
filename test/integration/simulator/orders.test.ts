import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSimulatorApp, controlOf } from '../../../src/simulator/amazon/index.ts';

const app = buildSimulatorApp({ seed: 42, orders: 30, timeScale: 1_000 });
const control = controlOf(app);
let token = '';

async function get(url: string, accessToken = token) {
  return app.inject({ method: 'GET', url, headers: { 'x-amz-access-token': accessToken } });
}

beforeAll(async () => {
  const res = await app.inject({
    method: 'POST',
    url: '/auth/o2/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    payload: 'grant_type=refresh_token&refresh_token=Atzr%7Csim-refresh-token&client_id=cid&client_secret=secret',
  });
  expect(res.statusCode).toBe(200);
  token = res.json().access_token;
  expect(res.json()).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
});
afterAll(() => app.close());

describe('simulator orders (2026-01-01)', () => {
  it('pages through searchOrders with paginationToken and returns each order once', async () => {
    const seen: string[] = [];
    let url =
      '/orders/2026-01-01/orders?createdAfter=2020-01-01T00:00:00Z&maxResultsPerPage=7&includedData=PROCEEDS,FULFILLMENT';
    for (;;) {
      const res = await get(url);
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-amzn-requestid']).toBeTruthy();
      expect(res.headers['x-amzn-ratelimit-limit']).toBeTruthy();
      const body = res.json();
      seen.push(...body.orders.map((o: { orderId: string }) => o.orderId));
      if (!body.pagination?.nextToken) break;
      url = `/orders/2026-01-01/orders?paginationToken=${encodeURIComponent(body.pagination.nextToken)}`;
    }
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
  });

  it('rejects a search without createdAfter or lastUpdatedAfter in the SP-API error shape', async () => {
    const res = await get('/orders/2026-01-01/orders?marketplaceIds=ATVPDKIKX0DER');
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ code: 'InvalidInput' });
  });

  it('returns pending orders without prices and includes sections only when asked', async () => {
    const pending = control.addOrder({ status: 'PENDING' });
    const res = await get(`/orders/2026-01-01/orders/${pending.orderId}?includedData=PROCEEDS,BUYER`);
    const order = res.json().order;
    expect(order.proceeds).toBeUndefined();
    expect(order.orderItems[0].product.price).toBeUndefined();
    const shipped = control.addOrder({
      status: 'UNSHIPPED',
      fulfilledBy: 'MERCHANT',
      items: [{ sku: 'SB-WIDGET-001', quantity: 3 }],
    });
    const plain = (await get(`/orders/2026-01-01/orders/${shipped.orderId}`)).json().order;
    expect(plain.buyer).toBeUndefined();
    const full = (
      await get(`/orders/2026-01-01/orders/${shipped.orderId}?includedData=BUYER,RECIPIENT,PROCEEDS`)
    ).json().order;
    expect(full.buyer.buyerName).toBeTruthy();
    expect(full.orderItems[0].product.price.unitPrice).toEqual({ amount: '12.99', currencyCode: 'USD' });
    expect(full.orderItems[0].quantityOrdered).toBe(3);
  });

  it('confirms a shipment (204), moves the order to SHIPPED and shows the package', async () => {
    const order = control.addOrder({
      status: 'UNSHIPPED',
      fulfilledBy: 'MERCHANT',
      items: [{ sku: 'SB-TOOL-100', quantity: 2 }],
    });
    const item = order.items[0]!;
    const res = await app.inject({
      method: 'POST',
      url: `/orders/v0/orders/${order.orderId}/shipmentConfirmation`,
      headers: { 'x-amz-access-token': token, 'content-type': 'application/json' },
      payload: {
        marketplaceId: order.marketplaceId,
        packageDetail: {
          packageReferenceId: '1',
          carrierCode: 'UPS',
          trackingNumber: '1Z999',
          shipDate: '2026-01-02T10:00:00Z',
          orderItems: [{ orderItemId: item.orderItemId, quantity: 2 }],
        },
      },
    });
    expect(res.statusCode).toBe(204);
    const after = (await get(`/orders/2026-01-01/orders/${order.orderId}?includedData=PACKAGES,FULFILLMENT`)).json()
      .order;
    expect(after.fulfillment.fulfillmentStatus).toBe('SHIPPED');
    expect(after.packages[0]).toMatchObject({ packageReferenceId: '1', carrier: 'UPS', trackingNumber: '1Z999' });
  });

  it('answers 401 on an expired token and accepts a fresh one', async () => {
    const order = control.orders()[0]!;
    control.expireTokens();
    expect((await get(`/orders/2026-01-01/orders/${order.orderId}`)).statusCode).toBe(401);
    const res = await app.inject({
      method: 'POST',
      url: '/auth/o2/token',
      payload: { grant_type: 'refresh_token', refresh_token: 'x', client_id: 'a', client_secret: 'b' },
    });
    token = res.json().access_token;
    expect((await get(`/orders/2026-01-01/orders/${order.orderId}`)).statusCode).toBe(200);
  });
});
