import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wireAdmin } from '../../../src/bootstrap/admin.ts';
import { createRuntime, type Runtime } from '../../../src/bootstrap/index.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { createAuthService } from '../../../src/runtime/auth/auth-service.ts';
import { generateKeyEntry } from '../../../src/runtime/pii/keyring.ts';
import { buildApp } from '../../../src/server/app.ts';
import {
  createAmazonSimulator,
  DEFAULT_SELLER,
  type AmazonSimulator,
  type Exchange,
} from '../../../src/simulator/amazon/index.ts';
import { simulatorConfigOverrides } from '../../helpers/simulator-connection.ts';

/**
 * Onboarding a seller over HTTP (issue 21): the admin API hands out a Seller Central consent URL (the simulator's
 * consent page), the seller confirms, the browser comes back to GET /oauth/amazon/callback with spapi_oauth_code,
 * state and selling_partner_id; the server exchanges the code at the simulator's LWA, seals the refresh token in the
 * store and records the selling partner id; the runtime's Amazon connector, configured without a refresh token,
 * then calls SP-API with the stored one. A replayed, expired, foreign or unknown state is refused (4xx + SB_ code)
 * and logged without the state, the code or any token.
 */
const SECOND = {
  sellerId: 'A2ONBOARDSELLER',
  refreshToken: 'Atzr|onboard-second-seller',
  marketplaceIds: ['ATVPDKIKX0DER'],
};
const PASSWORD = 'correct horse battery staple';
const TOKEN = 'onboarding-admin-token-0123456789abcdef';

let dir: string;
let sim: AmazonSimulator;
let runtime: Runtime;
let app: FastifyInstance;
let base = '';
const exchanges: Exchange[] = [];
const logLines: string[] = [];
let offsetMs = 0;

async function signIn(username: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  return /sb_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')![0];
}

async function consentUrl(cookie: string, connection = 'default'): Promise<string> {
  const res = await fetch(`${base}/api/v1/connections/${connection}/authorize`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { url: string; expiresAt: string };
  return body.url;
}

/** The seller on the simulator's consent page: reads it, confirms as `sellerId`; returns the callback URL. */
async function consent(url: string, sellerId: string): Promise<string> {
  const page = await fetch(url);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('Confirm');
  const u = new URL(url);
  const form = new URLSearchParams({
    application_id: u.searchParams.get('application_id')!,
    state: u.searchParams.get('state')!,
    redirect_uri: u.searchParams.get('redirect_uri')!,
    selling_partner_id: sellerId,
  });
  const res = await fetch(`${sim.url}/apps/authorize/consent`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  return res.headers.get('location')!;
}

const callback = (location: string, cookie?: string) =>
  fetch(location, { headers: { accept: 'application/json', ...(cookie ? { cookie } : {}) }, redirect: 'manual' });

describe('Amazon website authorization workflow against the simulator', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-onboard-'));
    sim = await createAmazonSimulator({
      seed: 21,
      sellers: [DEFAULT_SELLER, SECOND],
      strictRefreshTokens: true,
      onExchange: (e) => exchanges.push(e),
    });
    const overrides = [
      ...simulatorConfigOverrides(sim.url).filter(
        (o) => o.path !== 'amazon.refreshToken' && o.path !== 'amazon.sellerId',
      ),
      { path: 'store.url', value: `sqlite:${join(dir, 'sellbridge.db')}` },
      { path: 'security.piiKeys', value: generateKeyEntry('k1') },
      { path: 'amazon.consentUrl', value: `${sim.url}/apps/authorize/consent` },
      { path: 'amazon.applicationId', value: 'amzn1.sp.solution.sellbridge-test' },
      { path: 'sage500.kind', value: 'sandbox' },
      { path: 'sage500.sandboxPath', value: join(dir, 'sage.db') },
    ];
    const config = loadConfig({ file: '/dev/null', overrides });
    expect(config.amazon.refreshToken).toBeUndefined();
    const destination = new Writable({
      write(chunk, _enc, done) {
        logLines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    runtime = await createRuntime(config, {
      role: 'client',
      clock: { now: () => new Date(Date.now() + offsetMs) },
      logger: createLogger({ level: 'info', format: 'json', destination }),
    });
    const auth = createAuthService(runtime.store, runtime.clock, { bootstrapToken: TOKEN });
    for (const name of ['ada', 'bob']) await auth.addUser({ name, role: 'admin', password: PASSWORD, actor: 'test' });
    await auth.addUser({ name: 'vic', role: 'viewer', password: PASSWORD, actor: 'test' });
    app = buildApp({ ...runtime, ...wireAdmin(runtime, config), adminToken: TOKEN, auth });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await runtime?.close();
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('consent -> callback -> refresh token sealed in the store -> the connector uses it against the simulator', async () => {
    const cookie = await signIn('ada');
    const url = await consentUrl(cookie);
    const u = new URL(url);
    expect(`${u.origin}${u.pathname}`).toBe(`${sim.url}/apps/authorize/consent`);
    expect(u.searchParams.get('application_id')).toBe('amzn1.sp.solution.sellbridge-test');
    expect(u.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(u.searchParams.get('redirect_uri')).toBe(`${base}/oauth/amazon/callback`);

    // Before: no token anywhere, the connector cannot get a seller token.
    await expect(runtime.amazon.connection.tokens.getToken({ kind: 'seller' })).rejects.toMatchObject({
      code: 'SB_AMZ_CREDENTIALS_MISSING',
    });

    const location = await consent(url, SECOND.sellerId);
    const back = new URL(location);
    expect(back.searchParams.get('selling_partner_id')).toBe(SECOND.sellerId);
    expect(back.searchParams.get('spapi_oauth_code')).toBeTruthy();
    const res = await callback(location, cookie);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { connection: Record<string, unknown> };
    expect(body.connection).toMatchObject({
      connectionId: 'default',
      tokenStored: true,
      sellingPartnerId: SECOND.sellerId,
      authorizedBy: 'user:ada',
    });
    // The LWA exchange was a real authorization_code grant with the code from the callback.
    const lwa = exchanges.filter((e) => e.path === '/auth/o2/token');
    const grant = lwa.find((e) => (e.requestBody as Record<string, string>)['grant_type'] === 'authorization_code');
    expect((grant?.requestBody as Record<string, string>)['code']).toBe(back.searchParams.get('spapi_oauth_code'));

    // Sealed at rest: the row holds ciphertext, not the token; the vault opens it under the connection's scope.
    const rows = await runtime.store.db
      .withTables<{ sealed_secrets: { scope: string; name: string; sealed: string } }>()
      .selectFrom('sealed_secrets')
      .selectAll()
      .execute();
    expect(rows.map((r) => [r.scope, r.name])).toEqual([['connection:default', 'amazon.refreshToken']]);
    expect(rows[0]!.sealed).toMatch(/^sb1\.k1\./);
    expect(rows[0]!.sealed).not.toContain(SECOND.refreshToken);

    // The runtime's connector (no amazon.refreshToken configured) now refreshes with the stored token: the
    // simulator, strict about refresh tokens, issues a token for the second seller and answers SP-API calls.
    exchanges.length = 0;
    await runtime.amazon.connection.client.searchOrders({
      marketplaceIds: ['ATVPDKIKX0DER'],
      createdAfter: new Date(Date.now() - 86_400_000).toISOString(),
    });
    const refresh = exchanges.find(
      (e) => e.path === '/auth/o2/token' && (e.requestBody as Record<string, string>)['grant_type'] === 'refresh_token',
    );
    expect((refresh?.requestBody as Record<string, string>)['refresh_token']).toBe(SECOND.refreshToken);
    expect(exchanges.some((e) => e.operation === 'orders.searchOrders' && e.status === 200)).toBe(true);

    // /readyz probes the stored token too (no amazon.refreshToken configured).
    const ready = await fetch(`${base}/readyz`, { headers: { cookie } });
    expect(((await ready.json()) as { checks: Record<string, unknown> }).checks['amazon']).toMatchObject({
      ok: true,
      detail: 'access token valid',
    });

    // Replayed: the same callback again is refused and nothing changes.
    const again = await callback(location, cookie);
    expect(again.status).toBe(403);
    expect(await again.json()).toMatchObject({ code: 'SB_AMZ_AUTH_STATE_INVALID' });

    // The Connections page's data: token stored, selling partner id.
    const list = await fetch(`${base}/api/v1/onboarding/connections`, { headers: { cookie } });
    expect(list.status).toBe(200);
    const { connections } = (await list.json()) as { connections: Array<Record<string, unknown>> };
    expect(connections[0]).toMatchObject({
      connectionId: 'default',
      amazon: { tokenConfigured: false, tokenStored: true, sellingPartnerId: SECOND.sellerId },
    });
    expect(connections[0]!['check']).toMatchObject({ ok: expect.any(Boolean), summary: expect.any(String) });
  }, 60_000);

  it('refuses an expired, a foreign and an unknown state (4xx + SB_ code) and logs it without secrets', async () => {
    const ada = await signIn('ada');
    const bob = await signIn('bob');

    // Expired: the consent URL is older than amazon.consentStateTtlMs (10 min) when the callback arrives.
    const expiredAt = await consent(await consentUrl(ada), SECOND.sellerId);
    offsetMs = 11 * 60_000;
    let res = await callback(expiredAt, ada);
    offsetMs = 0;
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      code: 'SB_AMZ_AUTH_STATE_INVALID',
      error: expect.stringMatching(/expired/),
    });

    // Foreign: issued to ada, brought back by bob: refused and burnt (ada cannot use it afterwards either).
    const foreign = await consent(await consentUrl(ada), SECOND.sellerId);
    res = await callback(foreign, bob);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      code: 'SB_AMZ_AUTH_STATE_INVALID',
      error: expect.stringMatching(/another admin/),
    });
    res = await callback(foreign, ada);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: expect.stringMatching(/used already/) });

    // Unknown state.
    const forged = new URL(foreign);
    forged.searchParams.set('state', 'x'.repeat(43));
    res = await callback(forged.toString(), ada);
    expect(res.status).toBe(403);

    // No session: one same-origin hop (SameSite=Strict cookies are left off a cross-site navigation), then 401.
    res = await callback(foreign);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('http-equiv="refresh"');
    const hop = new URL(foreign);
    hop.searchParams.set('sb_hop', '1');
    res = await callback(hop.toString());
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'SB_AUTH_REQUIRED' });

    // A viewer cannot, a bearer token cannot start one (the consent is completed in a dashboard session).
    const vic = await signIn('vic');
    res = await fetch(`${base}/api/v1/connections/default/authorize`, {
      method: 'POST',
      headers: { cookie: vic, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(403);
    res = await fetch(`${base}/api/v1/connections/default/authorize`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(409);
    res = await fetch(`${base}/api/v1/connections/nope/authorize`, {
      method: 'POST',
      headers: { cookie: ada, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'SB_AMZ_AUTH_CONNECTION_NOT_FOUND' });

    // The token stored by the first test is untouched by all of this.
    const audit = await runtime.store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', 'like', 'connection.authorize%')
      .execute();
    expect(audit.filter((a) => a.action === 'connection.authorize')).toHaveLength(1);
    expect(
      audit.filter((a) => a.action === 'connection.authorize-refused').map((a) => JSON.parse(a.detail).reason),
    ).toEqual(expect.arrayContaining(['expired', 'foreign', 'replayed', 'unknown']));

    // Logged: each refusal with its reason; never a state, a code or a token.
    const text = logLines.join('\n');
    for (const reason of ['expired', 'foreign', 'replayed', 'unknown'])
      expect(text).toContain(`refused: ${reason} state`);
    for (const loc of [expiredAt, foreign]) {
      const q = new URL(loc).searchParams;
      expect(text).not.toContain(q.get('state')!);
      expect(text).not.toContain(q.get('spapi_oauth_code')!);
    }
    expect(text).not.toContain('Atzr|');
  }, 60_000);
});
