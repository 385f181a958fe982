import { afterEach, describe, expect, it } from 'vitest';
import { createHttpTransport, HttpError, queryString } from '../../../src/connectors/amazon/sp-api/http-client.ts';
import { createLwaTokenSource, NOTIFICATIONS_GRANT } from '../../../src/connectors/amazon/sp-api/lwa-token.ts';
import { fakeClock, json, startFakeServer } from './fake-http.ts';

const PII = 'Jane Buyer, 1 Secret Street';
let servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function setup(api: Parameters<typeof startFakeServer>[0], opts: { timeoutMs?: number } = {}) {
  let issued = 0;
  const lwa = await startFakeServer((req, res) => {
    issued++;
    const form = new URLSearchParams(req.body);
    json(res, 200, {
      access_token: `token-${form.get('grant_type')}-${issued}`,
      token_type: 'bearer',
      expires_in: 3600,
    });
  });
  const server = await startFakeServer(api);
  servers.push(lwa, server);
  const tokens = createLwaTokenSource({
    credentials: { clientId: 'cid', clientSecret: 'secret', refreshToken: 'Atzr|refresh' },
    endpoint: `${lwa.url}/auth/o2/token`,
    clock: fakeClock(),
  });
  const transport = createHttpTransport({ baseUrl: server.url, tokens, timeoutMs: opts.timeoutMs ?? 5_000 });
  return { transport, server, lwa, issued: () => issued };
}

async function failure(p: Promise<unknown>): Promise<HttpError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    return err as HttpError;
  }
  throw new Error('expected a failure');
}

describe('SP-API transport', () => {
  it('sends the LWA token, csv arrays and JSON; returns body, request id and rate header', async () => {
    const { transport, server } = await setup((_req, res) =>
      json(res, 200, { ok: true }, { 'x-amzn-RateLimit-Limit': '0.5' }),
    );
    const r = await transport.send({
      operation: 'orders.searchOrders',
      method: 'POST',
      path: '/x',
      query: { marketplaceIds: ['A', 'B'], maxResultsPerPage: 5, skip: undefined },
      body: { a: 1 },
    });
    expect(r).toMatchObject({ status: 200, body: { ok: true }, requestId: 'req-200', rateLimit: 0.5 });
    const sent = server.requests[0]!;
    expect(sent.url).toBe('/x?marketplaceIds=A%2CB&maxResultsPerPage=5');
    expect(sent.headers['x-amz-access-token']).toBe('token-refresh_token-1');
    expect(sent.headers['content-type']).toBe('application/json');
    expect(JSON.parse(sent.body)).toEqual({ a: 1 });
  });

  it('uses a client-credentials token for grantless operations', async () => {
    const { transport, server, lwa } = await setup((_req, res) => json(res, 200, {}));
    await transport.send({
      operation: 'notifications.getDestinations',
      method: 'GET',
      path: '/d',
      grant: NOTIFICATIONS_GRANT,
    });
    expect(server.requests[0]!.headers['x-amz-access-token']).toBe('token-client_credentials-1');
    expect(new URLSearchParams(lwa.requests[0]!.body).get('scope')).toBe('sellingpartnerapi::notifications');
  });

  it('429 becomes a throttled error with retryAfterMs, operation, code and request id, without the body', async () => {
    const { transport } = await setup((_req, res) =>
      json(
        res,
        429,
        { errors: [{ code: 'QuotaExceeded', message: `quota for ${PII}` }] },
        { 'x-amzn-RateLimit-Limit': '0.5' },
      ),
    );
    const err = await failure(transport.send({ operation: 'orders.getOrder', method: 'GET', path: '/o' }));
    expect(err.kind).toBe('throttled');
    expect(err.code).toBe('SB_AMZ_THROTTLED');
    expect(err.retryAfterMs).toBe(2000);
    expect(err.context).toEqual({
      operation: 'orders.getOrder',
      status: 429,
      amazonCode: 'QuotaExceeded',
      requestId: 'req-429',
    });
    expect(JSON.stringify(err.toJSON()) + err.message).not.toContain('Secret');
  });

  it('honours Retry-After on 429', async () => {
    const { transport } = await setup((_req, res) => json(res, 429, {}, { 'retry-after': '3' }));
    const err = await failure(transport.send({ operation: 'orders.getOrder', method: 'GET', path: '/o' }));
    expect(err.retryAfterMs).toBe(3000);
  });

  it.each([500, 503])('%i becomes a transient error', async (status) => {
    const { transport } = await setup((_req, res) =>
      json(res, status, { errors: [{ code: 'InternalFailure', message: PII }] }),
    );
    const err = await failure(transport.send({ operation: 'orders.getOrder', method: 'GET', path: '/o' }));
    expect(err).toMatchObject({
      kind: 'transient',
      code: 'SB_AMZ_SERVER_ERROR',
      status,
      amazonCode: 'InternalFailure',
      requestId: `req-${status}`,
    });
    expect(err.retryable).toBe(true);
    expect(err.message).not.toContain('Jane');
  });

  it("4xx becomes a validation error naming Amazon's code", async () => {
    const { transport } = await setup((_req, res) => json(res, 404, { errors: [{ code: 'NotFound', message: 'x' }] }));
    const err = await failure(transport.send({ operation: 'orders.getOrder', method: 'GET', path: '/o' }));
    expect(err).toMatchObject({
      kind: 'validation',
      code: 'SB_AMZ_REQUEST_REJECTED',
      amazonCode: 'NotFound',
      status: 404,
    });
    expect(err.retryable).toBe(false);
  });

  it('a timeout becomes a transient error', async () => {
    const { transport } = await setup(() => undefined /* never answers */, { timeoutMs: 100 });
    const err = await failure(transport.send({ operation: 'orders.getOrder', method: 'GET', path: '/o' }));
    expect(err).toMatchObject({ kind: 'transient', code: 'SB_AMZ_TIMEOUT', status: 0, operation: 'orders.getOrder' });
  });

  it('a refused connection becomes a transient network error', async () => {
    const dead = await startFakeServer(() => undefined);
    await dead.close();
    const tokens = { getToken: async () => 't' };
    const transport = createHttpTransport({ baseUrl: dead.url, tokens, timeoutMs: 5_000 });
    const err = await failure(transport.send({ operation: 'orders.getOrder', method: 'GET', path: '/o' }));
    expect(err).toMatchObject({ kind: 'transient', code: 'SB_AMZ_NETWORK' });
  });

  it('401 refreshes the token once and retries', async () => {
    let calls = 0;
    const { transport, server, issued } = await setup((req, res) => {
      calls++;
      if (calls === 1) return json(res, 401, { errors: [{ code: 'Unauthorized', message: 'expired' }] });
      json(res, 200, { token: req.headers['x-amz-access-token'] });
    });
    const r = await transport.send({ operation: 'orders.getOrder', method: 'GET', path: '/o' });
    expect(r.body).toEqual({ token: 'token-refresh_token-2' });
    expect(issued()).toBe(2);
    expect(server.requests).toHaveLength(2);
  });

  it('a second 401 is access denied, after exactly one refresh', async () => {
    const { transport, server, issued } = await setup((_req, res) =>
      json(res, 401, { errors: [{ code: 'Unauthorized', message: 'no' }] }),
    );
    const err = await failure(transport.send({ operation: 'orders.getOrder', method: 'GET', path: '/o' }));
    expect(err).toMatchObject({ code: 'SB_AMZ_ACCESS_DENIED', status: 401 });
    expect(issued()).toBe(2);
    expect(server.requests).toHaveLength(2);
  });

  it('403 also gets the one refresh, then is access denied', async () => {
    const { transport, server, issued } = await setup((_req, res) =>
      json(res, 403, { errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.' }] }),
    );
    const err = await failure(transport.send({ operation: 'orders.getOrder', method: 'GET', path: '/o' }));
    expect(err).toMatchObject({ code: 'SB_AMZ_ACCESS_DENIED', status: 403, amazonCode: 'Unauthorized' });
    expect(issued()).toBe(2);
    expect(server.requests).toHaveLength(2);
  });

  it('leaves empty arrays and undefined out of the query', () => {
    expect(queryString({ a: [], b: undefined, c: true })).toBe('?c=true');
  });
});
