import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordDeadLetter } from '../../../src/runtime/queue/dead-letters.ts';
import { createKeyring } from '../../../src/runtime/pii/keyring.ts';
import { createPiiVault } from '../../../src/runtime/pii/vault.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { adminEnv, type AdminEnv } from './admin-env.ts';
import { storeOrderStates } from '../../../src/connectors/store/order-links.ts';

const KEY = { id: 'k1', key: Buffer.alloc(32, 7) };

async function deadLetter(
  env: AdminEnv,
  jobId: string,
  orderId: string,
  sku: string,
  suggestions: string[],
): Promise<string> {
  return recordDeadLetter(env.store.db, {
    queue: 'order.sync',
    jobId,
    jobKey: `order.sync:${orderId}`,
    payload: { connectionId: 'default', amazonOrderId: orderId },
    error: {
      code: 'SB_MAP_SKU_UNKNOWN',
      kind: 'mapping',
      message: `order ${orderId}: lines[0].sku: unknown SellerSKU ${sku}`,
      context: { amazonOrderId: orderId },
      issues: [{ field: 'lines[0].sku', problem: `unknown SellerSKU ${sku}`, suggestions }],
    },
    attempts: 1,
    firstFailedAt: new Date(),
    lastFailedAt: new Date(),
  });
}

describe('admin API: sign-in, sessions and access management', () => {
  let env: AdminEnv;
  beforeAll(async () => {
    env = await adminEnv({ security: { lockoutThreshold: 10, authRateLimitPerMinute: 100 } });
    await env.auth.addUser({ name: 'olga', role: 'operator', password: 'a long operator password', actor: 'test' });
  });
  afterAll(() => env.close());

  it('signs in with a user: HttpOnly SameSite=Strict cookie, /me, logout ends the session', async () => {
    const login = await env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'olga', password: 'a long operator password' },
    });
    expect(login.statusCode).toBe(200);
    expect(login.json().user).toEqual({ name: 'olga', role: 'operator' });
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/^sb_session=sbs_[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const cookie = setCookie.split(';')[0]!;
    const me = await env.app.inject({ url: '/api/v1/me', headers: { cookie } });
    expect(me.json()).toMatchObject({
      user: { name: 'olga', role: 'operator', actor: 'user:olga', via: 'session' },
      can: { replay: true, manageAccess: false },
    });
    expect((await env.app.inject({ url: '/api/v1/tokens', headers: { cookie } })).statusCode).toBe(403);
    const out = await env.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie }, payload: {} });
    expect(out.statusCode).toBe(200);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    expect((await env.app.inject({ url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(401);
  });

  it('signs in with an API token too; a wrong password is 401 without saying which part was wrong', async () => {
    const { token } = await env.auth.createToken({ name: 'dash', role: 'viewer', actor: 'test' });
    const ok = await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { token } });
    expect(ok.json().user).toEqual({ name: 'dash', role: 'viewer' });
    const bad = await env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'olga', password: 'wrong password!!' },
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error).toMatch(/^wrong user name or password/);
    const nobody = await env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'nobody', password: 'wrong password!!' },
    });
    expect(nobody.json().error).toBe(bad.json().error);
  });

  it('refuses a cookie-authenticated change from another origin', async () => {
    const login = await env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'olga', password: 'a long operator password' },
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/mappings/sku-aliases',
      headers: { cookie, origin: 'https://evil.example', host: 'localhost:80' },
      payload: { sellerSku: 'A', itemId: 'B' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toContain('cross-origin');
  });

  it('locks a user after 10 failed sign-ins, even with the right password, answering as for a wrong password, and audits it', async () => {
    await env.auth.addUser({ name: 'lara', role: 'viewer', password: 'the right password', actor: 'test' });
    const codes: number[] = [];
    for (let i = 0; i < 10; i++)
      codes.push(
        (
          await env.app.inject({
            method: 'POST',
            url: '/api/v1/auth/login',
            payload: { username: 'lara', password: `wrong-${i}-password` },
          })
        ).statusCode,
      );
    expect(codes).toEqual([401, 401, 401, 401, 401, 401, 401, 401, 401, 401]);
    const right = await env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'lara', password: 'the right password' },
    });
    expect(right.statusCode).toBe(401);
    expect(right.json().error).toContain('locked for a while');
    const audit = (await env.app.inject({ url: '/api/v1/audit?target=user:lara', headers: env.as.admin })).json()
      .entries as Array<{ action: string }>;
    expect(audit.map((a) => a.action)).toContain('user.locked');
    // An admin reset lifts the lock; a second reset ends the sessions of the first.
    await env.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: env.as.admin,
      payload: { name: 'lara', role: 'viewer', password: 'a brand new password', replace: true },
    });
    const relogin = await env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'lara', password: 'a brand new password' },
    });
    expect(relogin.statusCode).toBe(200);
    const cookie = String(relogin.headers['set-cookie']).split(';')[0]!;
    expect((await env.app.inject({ url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(200);
    await env.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: env.as.admin,
      payload: { name: 'lara', role: 'operator', password: 'another new password', replace: true },
    });
    expect((await env.app.inject({ url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(401);
  });

  it('tokens: shown once, stored hashed, listed without value, revoked -> 401; audited with the actor', async () => {
    const created = await env.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: env.as.admin,
      payload: { name: 'ci-bot', role: 'operator' },
    });
    expect(created.statusCode).toBe(201);
    const { token, info } = created.json() as { token: string; info: { id: string } };
    expect(token).toMatch(/^sbt_[\w-]{43}$/);
    const stored = await env.store.db
      .selectFrom('api_tokens' as never)
      .selectAll()
      .execute();
    expect(JSON.stringify(stored)).not.toContain(token);
    const list = (await env.app.inject({ url: '/api/v1/tokens', headers: env.as.admin })).body;
    expect(list).toContain('ci-bot');
    expect(list).not.toContain(token);
    expect(
      (await env.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).json().user.actor,
    ).toBe('token:ci-bot');
    const session = await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { token } });
    const cookie = String(session.headers['set-cookie']).split(';')[0]!;
    expect(
      (await env.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${info.id}`, headers: env.as.admin })).statusCode,
    ).toBe(200);
    expect(
      (await env.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).statusCode,
    ).toBe(401);
    expect((await env.app.inject({ url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(401);
    expect(
      (
        await env.app.inject({
          method: 'DELETE',
          url: '/api/v1/tokens/00000000-0000-4000-8000-000000000000',
          headers: env.as.admin,
        })
      ).statusCode,
    ).toBe(404);
    const audit = (await env.app.inject({ url: '/api/v1/audit', headers: env.as.admin })).json().entries as Array<{
      actor: string;
      action: string;
    }>;
    expect(audit.filter((a) => a.action.startsWith('token.')).map((a) => `${a.actor} ${a.action}`)).toEqual(
      expect.arrayContaining(['token:test-admin token.create', 'token:test-admin token.revoke']),
    );
  });

  it('users: weak password is a 400, an existing name a 409; the list shows no hash', async () => {
    const weak = await env.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: env.as.admin,
      payload: { name: 'vic', role: 'viewer', password: 'short' },
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({ code: 'SB_AUTH_PASSWORD_WEAK' });
    const dup = await env.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: env.as.admin,
      payload: { name: 'olga', role: 'viewer', password: 'another long password' },
    });
    expect(dup.statusCode).toBe(409);
    const users = (await env.app.inject({ url: '/api/v1/users', headers: env.as.admin })).body;
    expect(users).toContain('olga');
    expect(users).not.toContain('scrypt');
  });
});

describe('admin API: sign-in rate limit', () => {
  let env: AdminEnv;
  beforeAll(async () => {
    env = await adminEnv({ security: { authRateLimitPerMinute: 3 } });
  });
  afterAll(() => env.close());
  it('answers 429 with Retry-After past the per-address limit', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 5; i++)
      codes.push(
        (await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { token: 'sbt_nope' } }))
          .statusCode,
      );
    expect(codes).toEqual([401, 401, 401, 429, 429]);
    const res = await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { token: 'sbt_nope' } });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('admin API: dead letters, aliases, orders, connections', () => {
  let env: AdminEnv;
  let dl1: string;
  let dl2: string;
  let dl3: string;
  beforeAll(async () => {
    const vault = async () =>
      createPiiVault(env.store, createKeyring([KEY]), systemClock, { orders: storeOrderStates(env.store) });
    env = await adminEnv();
    const pii = await vault();
    await env.app.close();
    const { buildApp } = await import('../../../src/server/app.ts');
    const { createMetrics } = await import('../../../src/observability/metrics.ts');
    const { silentLogger } = await import('../../../src/observability/logger.ts');
    const app = buildApp({
      store: env.store,
      queue: env.queue,
      metrics: createMetrics(),
      logger: silentLogger(),
      adminToken: undefined,
      auth: env.auth,
      pii,
      orderFlow: { preview: async (connectionId, amazonOrderId) => ({ connectionId, amazonOrderId, ok: true }) },
    });
    env = {
      ...env,
      app,
      close: async () => {
        await app.close();
        await env.queue.stop();
        await env.store.close();
      },
    };
    dl1 = await deadLetter(env, 'job-1', '111-0000001-0000001', 'WIDGET-1', ['WIDGET-001', 'WIDGET-01B']);
    dl2 = await deadLetter(env, 'job-2', '111-0000002-0000002', 'WIDGET-1', ['WIDGET-001']);
    dl3 = await deadLetter(env, 'job-3', '111-0000003-0000003', 'GADGET-9', []);
    const base = Date.now() - 3_600_000;
    const links = env.store.db.withTables<{ order_links: Record<string, string | null> }>();
    for (let i = 1; i <= 5; i++) {
      await links
        .insertInto('order_links')
        .values({
          connection_id: 'default',
          amazon_order_id: `111-000000${i}-000000${i}`,
          state: i === 5 ? 'created' : 'dead-lettered',
          tran_no: i === 5 ? 'AMZ000005' : null,
          sales_order_key: null,
          marketplace_id: 'ATVPDKIKX0DER',
          last_error: null,
          created_at: new Date(base + i * 60_000).toISOString(),
          updated_at: new Date(base + i * 60_000 + 30_000).toISOString(),
          sage_created_at: i === 5 ? new Date(base + i * 60_000 + 30_000).toISOString() : null,
        })
        .execute();
    }
  });
  afterAll(() => env.close());

  it('lists dead letters by code and shows one with its suggested sku-alias fix', async () => {
    const list = (
      await env.app.inject({ url: '/api/v1/dead-letters?code=SB_MAP_SKU_UNKNOWN', headers: env.as.viewer })
    ).json();
    expect(list.deadLetters).toHaveLength(3);
    expect(list.byCode).toEqual([{ code: 'SB_MAP_SKU_UNKNOWN', count: 3 }]);
    const one = (await env.app.inject({ url: `/api/v1/dead-letters/${dl1}`, headers: env.as.viewer })).json();
    expect(one).toMatchObject({
      id: dl1,
      amazonOrderId: '111-0000001-0000001',
      code: 'SB_MAP_SKU_UNKNOWN',
      meaning: expect.stringContaining('SellerSKU'),
      suggestedFix: {
        kind: 'sku-alias',
        connectionId: 'default',
        sellerSku: 'WIDGET-1',
        field: 'lines[0].sku',
        candidates: ['WIDGET-001', 'WIDGET-01B'],
      },
    });
    expect((await env.app.inject({ url: '/api/v1/dead-letters/nope', headers: env.as.viewer })).statusCode).toBe(404);
  });

  it('adds the suggested alias, then "replay all like this" replays every open one with the code', async () => {
    const alias = await env.app.inject({
      method: 'POST',
      url: '/api/v1/mappings/sku-aliases',
      headers: env.as.operator,
      payload: { sellerSku: 'WIDGET-1', itemId: 'WIDGET-001' },
    });
    expect(alias.statusCode).toBe(201);
    expect(alias.json().alias).toMatchObject({ id: 'default:WIDGET-1', itemId: 'WIDGET-001' });
    const one = await env.app.inject({
      method: 'POST',
      url: `/api/v1/dead-letters/${dl1}/replay`,
      headers: env.as.operator,
      payload: {},
    });
    expect(one.statusCode).toBe(200);
    expect(one.json().jobId).toBeTruthy();
    const again = await env.app.inject({
      method: 'POST',
      url: `/api/v1/dead-letters/${dl1}/replay`,
      headers: env.as.operator,
      payload: {},
    });
    expect(again.statusCode).toBe(409);
    const bulk = (
      await env.app.inject({
        method: 'POST',
        url: '/api/v1/dead-letters/replay',
        headers: env.as.operator,
        payload: { code: 'SB_MAP_SKU_UNKNOWN' },
      })
    ).json();
    expect(bulk.replayed).toBe(2);
    expect(bulk.jobs.map((j: { deadLetterId: string }) => j.deadLetterId).sort()).toEqual([dl2, dl3].sort());
    const jobs = await env.queue.listJobs({ state: 'pending', limit: 10 });
    expect(jobs.map((j) => j.key).sort()).toEqual([
      'order.sync:111-0000001-0000001',
      'order.sync:111-0000002-0000002',
      'order.sync:111-0000003-0000003',
    ]);
    const audit = (await env.app.inject({ url: '/api/v1/audit', headers: env.as.viewer })).json().entries as Array<{
      actor: string;
      action: string;
    }>;
    expect(audit.map((a) => `${a.actor} ${a.action}`)).toEqual(
      expect.arrayContaining([
        'token:test-operator dlq.replay',
        'token:test-operator dlq.replay-bulk',
        'token:test-operator mapping.sku-alias.set',
      ]),
    );
  });

  it('discards with a reason and refuses a second time', async () => {
    const dl4 = await deadLetter(env, 'job-4', '111-0000004-0000004', 'OLD-1', []);
    expect(
      (
        await env.app.inject({
          method: 'POST',
          url: `/api/v1/dead-letters/${dl4}/discard`,
          headers: env.as.operator,
          payload: { reason: 'test order' },
        })
      ).statusCode,
    ).toBe(200);
    const twice = await env.app.inject({
      method: 'POST',
      url: `/api/v1/dead-letters/${dl4}/discard`,
      headers: env.as.operator,
      payload: { reason: 'again' },
    });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error).toContain('already discarded');
  });

  it('SKU aliases round-trip through CSV; a bad CSV imports nothing and lists every bad row', async () => {
    const imp = await env.app.inject({
      method: 'POST',
      url: '/api/v1/mappings/sku-aliases.csv',
      headers: { ...env.as.operator, 'content-type': 'text/csv' },
      payload: 'sellerSku,itemId\r\n"SKU,1",ITEM-1\r\nSKU-2,ITEM-2\r\n',
    });
    expect(imp.json()).toEqual({ imported: 2 });
    const csv = await env.app.inject({ url: '/api/v1/mappings/sku-aliases.csv', headers: env.as.viewer });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain('default,"SKU,1",ITEM-1\r\n');
    const bad = await env.app.inject({
      method: 'POST',
      url: '/api/v1/mappings/sku-aliases.csv',
      headers: { ...env.as.operator, 'content-type': 'text/csv' },
      payload: 'sellerSku,itemId\nNEW-1,\n,ITEM\nNEW-3,OK\n',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues).toEqual([
      { row: 2, field: 'itemId', problem: 'must not be empty' },
      { row: 3, field: 'sellerSku', problem: 'must not be empty' },
    ]);
    const all = (await env.app.inject({ url: '/api/v1/mappings/sku-aliases?q=NEW', headers: env.as.viewer })).json();
    expect(all.aliases).toEqual([]);
    expect(
      (
        await env.app.inject({
          method: 'DELETE',
          url: `/api/v1/mappings/sku-aliases/${encodeURIComponent('default:SKU,1')}`,
          headers: env.as.operator,
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await env.app.inject({
          method: 'DELETE',
          url: `/api/v1/mappings/sku-aliases/${encodeURIComponent('default:SKU,1')}`,
          headers: env.as.operator,
        })
      ).statusCode,
    ).toBe(404);
    const carriers = (await env.app.inject({ url: '/api/v1/mappings/carriers', headers: env.as.viewer })).json();
    expect(carriers).toMatchObject({ editable: true, source: 'defaults' });
  });

  it('orders: search, state filter, cursor paging, detail with lifecycle and dead letters, preview', async () => {
    const p1 = (await env.app.inject({ url: '/api/v1/orders?limit=2', headers: env.as.viewer })).json();
    expect(p1.orders.map((o: { amazonOrderId: string }) => o.amazonOrderId)).toEqual([
      '111-0000005-0000005',
      '111-0000004-0000004',
    ]);
    const p2 = (
      await env.app.inject({ url: `/api/v1/orders?limit=2&cursor=${p1.nextCursor}`, headers: env.as.viewer })
    ).json();
    expect(p2.orders.map((o: { amazonOrderId: string }) => o.amazonOrderId)).toEqual([
      '111-0000003-0000003',
      '111-0000002-0000002',
    ]);
    expect(
      (await env.app.inject({ url: '/api/v1/orders?q=AMZ000005', headers: env.as.viewer })).json().orders,
    ).toHaveLength(1);
    expect(
      (await env.app.inject({ url: '/api/v1/orders?state=created', headers: env.as.viewer })).json().orders,
    ).toHaveLength(1);
    expect((await env.app.inject({ url: '/api/v1/orders?cursor=garbage', headers: env.as.viewer })).statusCode).toBe(
      400,
    );
    const detail = (await env.app.inject({ url: '/api/v1/orders/111-0000001-0000001', headers: env.as.viewer })).json();
    expect(detail).toMatchObject({
      state: 'dead-lettered',
      lifecycle: { next: ['received', 'skipped'] },
      deadLetters: [{ id: dl1, status: 'replayed' }],
    });
    expect((await env.app.inject({ url: '/api/v1/orders/999-nope', headers: env.as.viewer })).statusCode).toBe(404);
    expect(
      (await env.app.inject({ url: '/api/v1/orders/111-0000005-0000005/preview', headers: env.as.viewer })).json(),
    ).toEqual({ connectionId: 'default', amazonOrderId: '111-0000005-0000005', ok: true });
  });

  it('buyer PII: viewer 403, operator sees it decrypted and the view is audited; 404 once purged', async () => {
    const ref = { connectionId: 'default', amazonOrderId: '111-0000005-0000005' };
    const vault = createPiiVault(env.store, createKeyring([KEY]), systemClock, { orders: storeOrderStates(env.store) });
    await vault.put(ref, {
      buyerName: 'Jane Planted',
      buyerEmail: 'jane@planted.example',
      shipTo: { name: 'Jane Planted', addressLines: ['1 Secret Lane'], city: 'Springfield', countryCode: 'US' },
    });
    expect(
      (await env.app.inject({ url: '/api/v1/orders/111-0000005-0000005/pii', headers: env.as.viewer })).statusCode,
    ).toBe(403);
    const seen = await env.app.inject({ url: '/api/v1/orders/111-0000005-0000005/pii', headers: env.as.operator });
    expect(seen.json().pii).toMatchObject({ buyerName: 'Jane Planted' });
    const detail = (await env.app.inject({ url: '/api/v1/orders/111-0000005-0000005', headers: env.as.viewer })).body;
    expect(detail).not.toContain('Jane');
    expect(detail).toContain('"stored":true');
    const audit = (await env.app.inject({ url: '/api/v1/audit', headers: env.as.viewer })).json().entries as Array<{
      actor: string;
      action: string;
      target: string;
    }>;
    expect(audit).toContainEqual(
      expect.objectContaining({
        actor: 'token:test-operator',
        action: 'pii.view',
        target: 'order:default:111-0000005-0000005',
      }),
    );
    await vault.markDelivered(ref, new Date('2020-01-01T00:00:00Z'));
    await vault.purgeDue();
    expect(
      (await env.app.inject({ url: '/api/v1/orders/111-0000005-0000005/pii', headers: env.as.operator })).statusCode,
    ).toBe(404);
  });

  it('connections: credentials are write-only (sealed at rest, never returned), admin only, audited by name', async () => {
    const put = await env.app.inject({
      method: 'PUT',
      url: '/api/v1/connections/us-main',
      headers: env.as.admin,
      payload: {
        name: 'US main',
        settings: { region: 'na' },
        credentials: { refreshToken: 'Atzr|planted-refresh-token' },
      },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json().connection).toMatchObject({
      id: 'us-main',
      enabled: true,
      settings: { region: 'na' },
      credentials: { names: ['refreshToken'] },
    });
    expect(put.body).not.toContain('planted-refresh-token');
    const list = await env.app.inject({ url: '/api/v1/connections', headers: env.as.viewer });
    expect(list.body).not.toContain('planted-refresh-token');
    const raw = JSON.stringify(
      await env.store.db
        .selectFrom('sealed_secrets' as never)
        .selectAll()
        .execute(),
    );
    expect(raw).not.toContain('planted-refresh-token');
    const secretInSettings = await env.app.inject({
      method: 'PUT',
      url: '/api/v1/connections/us-main',
      headers: env.as.admin,
      payload: { settings: { clientSecret: 'x' } },
    });
    expect(secretInSettings.statusCode).toBe(400);
    const audit = (await env.app.inject({ url: '/api/v1/audit?target=connection:us-main', headers: env.as.viewer }))
      .body;
    expect(audit).toContain('refreshToken');
    expect(audit).not.toContain('planted-refresh-token');
  });

  it('overview, feeds, settlements, inventory', async () => {
    const o = (await env.app.inject({ url: '/api/v1/overview', headers: env.as.viewer })).json();
    expect(o.health.store.ok).toBe(true);
    expect(o.health.sage.ok).toBeNull(); // no worker has recorded a Sage call in this store
    expect(o.connections).toEqual([
      expect.objectContaining({
        connectionId: 'default',
        lastOrderAt: expect.any(String),
        backlog: 0,
        needsAttention: 4,
      }),
    ]);
    expect(o.queues).toContainEqual({ queue: 'order.sync', state: 'pending', count: 3 });
    expect(o.throughput).toHaveLength(60);
    expect(o.latency).toMatchObject({ samples: 1, orderToSageP50Ms: 30_000, orderToSageP99Ms: 30_000 });
    expect((await env.app.inject({ url: '/api/v1/feeds', headers: env.as.viewer })).json()).toEqual({ feeds: [] });
    const t = env.store.db.withTables<Record<string, Record<string, unknown>>>();
    const at = new Date().toISOString();
    await t
      .insertInto('settlements')
      .values({
        connection_id: 'default',
        settlement_id: 'S-100',
        state: 'posted',
        revision: 1,
        fingerprint: 'f',
        pending_fingerprint: null,
        currency: 'USD',
        total_minor: 123456,
        period_start: at,
        period_end: at,
        deposit_date: at,
        rows: 3,
        source: 'report',
        journals: JSON.stringify([{ reference: 'AMZ-S-100', lines: [] }]),
        pending_journals: null,
        last_error: null,
        created_at: at,
        updated_at: at,
      })
      .execute();
    await t
      .insertInto('settlement_orders')
      .values({
        connection_id: 'default',
        settlement_id: 'S-100',
        amazon_order_id: '111-0000005-0000005',
        currency: 'USD',
        amount_minor: 2999,
        rows: 2,
        posted_at: at,
      })
      .execute();
    await t
      .insertInto('settlement_quarantine')
      .values({
        id: 'q1',
        connection_id: 'default',
        source: 'bad.tsv',
        settlement_id: null,
        code: 'SB_SETTLE_TOTAL_MISMATCH',
        message: 'rows do not add up',
        issues: '[]',
        created_at: at,
      })
      .execute();
    await t
      .insertInto('listing_flags')
      .values({
        id: 'f1',
        connection_id: 'default',
        marketplace_id: 'ATVPDKIKX0DER',
        sku: 'WIDGET-1',
        kind: 'not-applied',
        feed_id: 'F1',
        detail: 'sent 5, Amazon shows 3',
        created_at: at,
      })
      .execute();
    await t
      .insertInto('listing_blocks')
      .values({
        id: 'b1',
        connection_id: 'default',
        marketplace_id: 'ATVPDKIKX0DER',
        sku: 'WIDGET-2',
        kind: 'price-held',
        field: 'price',
        target: '{"amount":1}',
        reason: 'below minimum',
        state: 'open',
        created_at: at,
        updated_at: at,
      })
      .execute();
    const list = (await env.app.inject({ url: '/api/v1/settlements', headers: env.as.viewer })).json();
    expect(list.settlements).toEqual([
      expect.objectContaining({ settlementId: 'S-100', state: 'posted', totalMinor: 123456, journalCount: 1 }),
    ]);
    expect(list.quarantine).toEqual([expect.objectContaining({ code: 'SB_SETTLE_TOTAL_MISMATCH' })]);
    const one = (await env.app.inject({ url: '/api/v1/settlements/S-100', headers: env.as.viewer })).json();
    expect(one).toMatchObject({
      journals: [{ reference: 'AMZ-S-100' }],
      orders: [{ amazonOrderId: '111-0000005-0000005', amountMinor: 2999 }],
    });
    expect((await env.app.inject({ url: '/api/v1/settlements/S-404', headers: env.as.viewer })).statusCode).toBe(404);
    const inv = (await env.app.inject({ url: '/api/v1/inventory/discrepancies', headers: env.as.viewer })).json();
    expect(inv.flags).toEqual([expect.objectContaining({ sku: 'WIDGET-1', kind: 'not-applied' })]);
    expect(inv.held).toEqual([expect.objectContaining({ sku: 'WIDGET-2', kind: 'price-held', target: { amount: 1 } })]);
  });
});

describe('HTTP edge security', () => {
  let env: AdminEnv;
  beforeAll(async () => {
    env = await adminEnv({ server: { bodyLimitBytes: 2048, behindTls: true } });
  });
  afterAll(() => env.close());

  it('sends the security headers and HSTS behind TLS; no CORS headers for a foreign origin', async () => {
    const res = await env.app.inject({
      url: '/api/v1/me',
      headers: { ...env.as.viewer, origin: 'https://elsewhere.example' },
    });
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'strict-transport-security': expect.stringContaining('max-age='),
    });
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await env.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/me',
      headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('marks the session cookie Secure behind TLS', async () => {
    const login = await env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { token: env.as.viewer.authorization.slice(7) },
    });
    expect(String(login.headers['set-cookie'])).toContain('; Secure');
  });

  it('rejects an oversized body with 413 and malformed JSON with 400, without internals', async () => {
    const big = await env.app.inject({
      method: 'POST',
      url: '/api/v1/mappings/sku-aliases',
      headers: { ...env.as.operator, 'content-type': 'application/json' },
      payload: JSON.stringify({ sellerSku: 'x'.repeat(5000), itemId: 'y' }),
    });
    expect(big.statusCode).toBe(413);
    const broken = await env.app.inject({
      method: 'POST',
      url: '/api/v1/mappings/sku-aliases',
      headers: { ...env.as.operator, 'content-type': 'application/json' },
      payload: '{"sellerSku":',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('answers 500 "internal error" with no stack or message when something breaks', async () => {
    const broken = await adminEnv();
    await broken.store.close(); // every query now fails
    const res = await broken.app.inject({
      url: '/api/v1/audit',
      headers: { authorization: 'Bearer bootstrap-admin-token-0123456789' },
    });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'internal error' });
    await broken.app.close();
    await broken.queue.stop();
  });

  it('allows a configured CORS origin', async () => {
    const cors = await adminEnv({ security: { corsOrigins: ['https://ops.example'] } });
    const res = await cors.app.inject({
      url: '/api/v1/me',
      headers: { ...cors.as.viewer, origin: 'https://ops.example' },
    });
    expect(res.headers['access-control-allow-origin']).toBe('https://ops.example');
    const pre = await cors.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/me',
      headers: { origin: 'https://ops.example', 'access-control-request-method': 'GET' },
    });
    expect(pre.statusCode).toBe(204);
    await cors.close();
  });
});
