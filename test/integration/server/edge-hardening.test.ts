import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordDeadLetter } from '../../../src/runtime/queue/dead-letters.ts';
import { adminEnv, type AdminEnv } from './admin-env.ts';

/** Issue 13 finding 5: the smaller holes of the admin API edge, each as it was found. */
describe('admin API edge (issue 13)', () => {
  let env: AdminEnv;
  let cookie: string;
  beforeAll(async () => {
    env = await adminEnv({
      security: { authRateLimitPerMinute: 1000 },
      health: {
        sage: async () => {
          throw new Error('connect ECONNREFUSED 10.9.8.7:1433 (login sa)');
        },
      },
    });
    await env.auth.addUser({ name: 'olga', role: 'operator', password: 'a long operator password', actor: 'test' });
    const login = await env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'olga', password: 'a long operator password' },
    });
    cookie = String(login.headers['set-cookie']).split(';')[0]!;
  });
  afterAll(() => env.close());

  it('refuses a cookie-authenticated write with Origin: null', async () => {
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/mappings/sku-aliases',
      headers: { cookie, origin: 'null', host: 'localhost:80' },
      payload: { sellerSku: 'A', itemId: 'B' },
    });
    expect(res.statusCode).toBe(403);
  });

  it('accepts the bearer scheme in any case', async () => {
    const token = env.as.viewer.authorization.slice('Bearer '.length);
    expect(
      (await env.app.inject({ url: '/api/v1/me', headers: { authorization: `bearer ${token}` } })).statusCode,
    ).toBe(200);
    expect(
      (await env.app.inject({ url: '/api/v1/me', headers: { authorization: `BEARER ${token}` } })).statusCode,
    ).toBe(200);
  });

  it('authenticates before it parses the body: an unauthenticated malformed body is 401, not a parse error', async () => {
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/mappings/sku-aliases',
      headers: { 'content-type': 'application/json' },
      payload: '{"not json',
    });
    expect(res.statusCode).toBe(401);
    const low = await env.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { ...env.as.viewer, 'content-type': 'application/json' },
      payload: '{"not json',
    });
    expect(low.statusCode).toBe(403);
  });

  it("token names are unique: a second token with the same name is a 409, so revoking one cannot end another one's sessions", async () => {
    const a = await env.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: env.as.admin,
      payload: { name: 'shared-name', role: 'viewer' },
    });
    expect(a.statusCode).toBe(201);
    const b = await env.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: env.as.admin,
      payload: { name: 'shared-name', role: 'admin' },
    });
    expect(b.statusCode).toBe(409);
    expect(b.json().code).toBe('SB_AUTH_TOKEN_EXISTS');
    const boot = await env.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: env.as.admin,
      payload: { name: 'bootstrap', role: 'viewer' },
    });
    expect(boot.statusCode).toBe(409);
  });

  it('the OpenAPI document gives /orders/{id}/pii the role that is enforced (security.piiViewRole)', async () => {
    const doc = (await env.app.inject({ url: '/docs/openapi.json' })).json() as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    const op = doc.paths['/api/v1/orders/{amazonOrderId}/pii']!['get']!;
    expect(op['description']).toContain('Least role: **operator**');
  });

  it('/readyz shows only states to the public; details to an authenticated caller', async () => {
    const pub = await env.app.inject({ url: '/readyz' });
    expect(pub.statusCode).toBe(503);
    expect(pub.body).not.toContain('ECONNREFUSED');
    expect(pub.body).not.toContain('10.9.8.7');
    expect(pub.json().checks.sage).toEqual({ ok: false });
    const auth = await env.app.inject({ url: '/readyz', headers: env.as.viewer });
    expect(auth.body).toContain('ECONNREFUSED');
  });

  it('q=% and q=_ match literally in order and SKU-alias searches', async () => {
    const at = new Date().toISOString();
    await env.store.db
      .insertInto('order_links' as never)
      .values({
        connection_id: 'default',
        amazon_order_id: '111-0000000-0000001',
        state: 'created',
        tran_no: 'A1',
        created_at: at,
        updated_at: at,
      } as never)
      .execute()
      .catch(() => undefined);
    const all = await env.app.inject({ url: '/api/v1/orders?q=%25', headers: env.as.viewer });
    expect(all.statusCode).toBe(200);
    expect(all.json().orders).toEqual([]);
    const under = await env.app.inject({ url: '/api/v1/mappings/sku-aliases?q=_', headers: env.as.viewer });
    expect(under.statusCode).toBe(200);
    expect(under.json().aliases ?? under.json().items ?? []).toEqual([]);
  });

  it('a 10,000-deep JSON payload on dead-letter replay is a 400 with an SB_ code', async () => {
    const id = await recordDeadLetter(env.store.db, {
      queue: 'order.sync',
      jobId: 'deep-1',
      jobKey: 'order.sync:111-deep',
      payload: { connectionId: 'default', amazonOrderId: '111-deep' },
      error: { code: 'SB_MAP_SKU_UNKNOWN', kind: 'mapping', message: 'x', context: {} },
      attempts: 1,
      firstFailedAt: new Date(),
      lastFailedAt: new Date(),
    });
    const deep = `{"payload":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const res = await env.app.inject({
      method: 'POST',
      url: `/api/v1/dead-letters/${id}/replay`,
      headers: { ...env.as.operator, 'content-type': 'application/json' },
      payload: deep,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toMatch(/^SB_/);
  });
});

describe('list endpoints answer bounded fields (issue 13 finding 4)', () => {
  let env: AdminEnv;
  beforeAll(async () => {
    env = await adminEnv();
  });
  afterAll(() => env.close());

  it('GET /api/v1/settlements stays small with a 4 MB quarantine row (written before the parser was bounded)', async () => {
    const huge = 'h'.repeat(4 * 1024 * 1024);
    await env.store.db
      .insertInto('settlement_quarantine' as never)
      .values({
        id: 'q-huge',
        connection_id: 'default',
        source: 'file:huge.tsv',
        settlement_id: null,
        code: 'SB_SETTLE_FILE_INVALID',
        message: huge,
        issues: JSON.stringify([{ field: 'row 1', problem: huge }]),
        created_at: new Date().toISOString(),
      } as never)
      .execute();
    const res = await env.app.inject({ url: '/api/v1/settlements', headers: env.as.viewer });
    expect(res.statusCode).toBe(200);
    expect(res.body.length).toBeLessThan(10_000);
    // Too large to parse on every list: the problems are not counted, the message is cut.
    expect(res.json().quarantine[0]).toMatchObject({ id: 'q-huge', issueCount: null, issues: [] });
  });

  it('GET /api/v1/dead-letters cuts a long error message', async () => {
    await recordDeadLetter(env.store.db, {
      queue: 'order.sync',
      jobId: 'long-1',
      jobKey: 'order.sync:111-long',
      payload: { connectionId: 'default', amazonOrderId: '111-long' },
      error: { code: 'SB_JOB_HANDLER_CRASHED', kind: 'internal', message: 'm'.repeat(1_000_000), context: {} },
      attempts: 1,
      firstFailedAt: new Date(),
      lastFailedAt: new Date(),
    });
    const res = await env.app.inject({ url: '/api/v1/dead-letters', headers: env.as.viewer });
    expect(res.body.length).toBeLessThan(10_000);
  });
});
