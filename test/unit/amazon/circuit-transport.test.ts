import { describe, expect, it } from 'vitest';
import {
  amazonFamilyOf,
  createAmazonCircuits,
  lwaCircuitAround,
  withCircuits,
  withReadRetries,
} from '../../../src/connectors/amazon/sp-api/circuit-transport.ts';
import {
  HttpError,
  type SpApiRequest,
  type SpApiTransport,
} from '../../../src/connectors/amazon/sp-api/http-client.ts';

const getOrder: SpApiRequest = { operation: 'orders.getOrder', method: 'GET', path: '/orders/2026-01-01/orders/1' };
const down = (operation: string, status = 503) =>
  new HttpError(status === 0 ? 'SB_AMZ_NETWORK' : 'SB_AMZ_SERVER_ERROR', `${operation} down`, { operation, status });

describe('Amazon circuits per endpoint family (issue 13)', () => {
  it('groups operations as the client does', () => {
    expect(
      [
        'orders.getOrder',
        'ordersV0.confirmShipment',
        'feeds.createFeed',
        'reports.getReport',
        'lwa.token',
        'fbaInventory.getInventorySummaries',
        'x',
      ].map(amazonFamilyOf),
    ).toEqual(['orders', 'orders', 'feeds', 'reports', 'lwa', 'inventory', 'other']);
  });

  it('opens after the threshold: the opening failure and the fail-fast calls are SB_AMZ_UNAVAILABLE; one probe after openMs closes it', async () => {
    let t = 0;
    const circuits = createAmazonCircuits({ failureThreshold: 2, openMs: 1000, now: () => t });
    let failing = true;
    let sent = 0;
    const inner: SpApiTransport = {
      send: async (r) => (
        sent++,
        failing
          ? Promise.reject(down(r.operation, 0))
          : { status: 200, body: {}, requestId: undefined, rateLimit: undefined }
      ),
    };
    const transport = withCircuits(inner, circuits, { openMs: 1000 });
    await expect(transport.send(getOrder)).rejects.toMatchObject({ code: 'SB_AMZ_NETWORK' });
    await expect(transport.send(getOrder)).rejects.toMatchObject({
      code: 'SB_AMZ_UNAVAILABLE',
      kind: 'unavailable',
      retryAfterMs: 1000,
    });
    await expect(transport.send(getOrder)).rejects.toMatchObject({ code: 'SB_AMZ_UNAVAILABLE', kind: 'unavailable' });
    expect(sent).toBe(2);
    // Another family is not affected.
    await expect(transport.send({ ...getOrder, operation: 'feeds.getFeed' })).rejects.toMatchObject({
      code: 'SB_AMZ_NETWORK',
    });
    t = 1000;
    failing = false;
    await expect(transport.send(getOrder)).resolves.toMatchObject({ status: 200 });
    expect(circuits.get('orders').state()).toBe('closed');
  });

  it('a 429 or a 4xx shows Amazon answered: it never opens the circuit', async () => {
    const circuits = createAmazonCircuits({ failureThreshold: 1, openMs: 1000 });
    const transport = withCircuits(
      {
        send: async () =>
          Promise.reject(
            new HttpError('SB_AMZ_THROTTLED', '429', { operation: 'orders.getOrder', status: 429, retryAfterMs: 10 }),
          ),
      },
      circuits,
      { openMs: 1000 },
    );
    for (let i = 0; i < 3; i++)
      await expect(transport.send(getOrder)).rejects.toMatchObject({ code: 'SB_AMZ_THROTTLED' });
    expect(circuits.get('orders').state()).toBe('closed');
  });

  it('LWA failures open the lwa circuit only; an SP-API family does not count them', async () => {
    const circuits = createAmazonCircuits({ failureThreshold: 1, openMs: 1000, now: () => 0 });
    const around = lwaCircuitAround(circuits, { openMs: 1000 });
    await expect(around(() => Promise.reject(down('lwa.token')))).rejects.toMatchObject({ code: 'SB_AMZ_UNAVAILABLE' });
    expect(circuits.get('lwa').state()).toBe('open');
    const transport = withCircuits({ send: () => around(() => Promise.reject(down('lwa.token'))) }, circuits, {
      openMs: 1000,
    });
    await expect(transport.send(getOrder)).rejects.toMatchObject({ code: 'SB_AMZ_UNAVAILABLE' });
    expect(circuits.get('orders').state()).toBe('closed');
  });
});

describe('withReadRetries (issue 13: scattered 5xx must not spend a job attempt per call)', () => {
  it('tries a GET met by a 5xx or a network error twice more; a POST and a 4xx are not retried', async () => {
    const answers: unknown[] = [
      down('orders.getOrder'),
      down('orders.getOrder', 0),
      { status: 200, body: {}, requestId: undefined, rateLimit: undefined },
    ];
    let sent = 0;
    const waits: number[] = [];
    const inner: SpApiTransport = {
      send: async () => {
        const a = answers[sent++];
        if (a instanceof Error) throw a;
        return a as never;
      },
    };
    const transport = withReadRetries(inner, { retries: 2, baseDelayMs: 10, sleep: async (ms) => void waits.push(ms) });
    await expect(transport.send(getOrder)).resolves.toMatchObject({ status: 200 });
    expect([sent, waits]).toEqual([3, [10, 20]]);

    sent = 0;
    await expect(
      withReadRetries(
        { send: async () => (sent++, Promise.reject(down('ordersV0.confirmShipment'))) },
        { retries: 2, baseDelayMs: 1, sleep: async () => undefined },
      ).send({ ...getOrder, method: 'POST', operation: 'ordersV0.confirmShipment' }),
    ).rejects.toMatchObject({ code: 'SB_AMZ_SERVER_ERROR' });
    expect(sent).toBe(1);
    sent = 0;
    const rejected = new HttpError('SB_AMZ_REQUEST_REJECTED', '404', { operation: 'orders.getOrder', status: 404 });
    await expect(
      withReadRetries(
        { send: async () => (sent++, Promise.reject(rejected)) },
        { retries: 2, baseDelayMs: 1, sleep: async () => undefined },
      ).send(getOrder),
    ).rejects.toBe(rejected);
    expect(sent).toBe(1);
  });
});
