import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wireAdmin } from '../../src/bootstrap/admin.ts';
import { createRuntime } from '../../src/bootstrap/index.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createAuthService } from '../../src/runtime/auth/auth-service.ts';
import { systemClock } from '../../src/runtime/clock.ts';
import { generateKeyEntry } from '../../src/runtime/pii/keyring.ts';
import { openStore } from '../../src/runtime/store/store.ts';
import { buildApp } from '../../src/server/app.ts';
import {
  createAmazonSimulator,
  DEFAULT_SELLER,
  type AmazonSimulator,
  type Exchange,
} from '../../src/simulator/amazon/index.ts';

/**
 * `sellbridge connections authorize <id> --user` and `sellbridge amazon subscribe <id>` as subprocesses against the
 * SP-API simulator: the CLI's consent URL (state stored hashed, bound to the admin) is completed by that admin in the
 * server; `amazon subscribe` then works with the stored refresh token (none configured), creates the SQS destination
 * and the three subscriptions, and a second run creates nothing.
 */
const BIN = fileURLToPath(new URL('../../bin/sellbridge.js', import.meta.url));
const SECOND = { sellerId: 'A2CLISELLER', refreshToken: 'Atzr|cli-second-seller', marketplaceIds: ['ATVPDKIKX0DER'] };
const PASSWORD = 'correct horse battery staple';

let dir: string;
let sim: AmazonSimulator;
const exchanges: Exchange[] = [];
let sets: string[] = [];

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SELLBRIDGE_')));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...sets.flatMap((s) => ['--set', s]), ...args],
      { env, encoding: 'utf8' },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('sellbridge connections authorize / amazon subscribe (subprocess, simulator)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-onboard-cli-'));
    sim = await createAmazonSimulator({
      seed: 22,
      sellers: [DEFAULT_SELLER, SECOND],
      strictRefreshTokens: true,
      onExchange: (e) => exchanges.push(e),
    });
    sets = [
      `store.url=sqlite:${join(dir, 'sellbridge.db')}`,
      `security.piiKeys=${generateKeyEntry('k1')}`,
      `amazon.endpoint=${sim.url}`,
      `amazon.lwaEndpoint=${sim.url}/auth/o2/token`,
      'amazon.lwaClientId=cid',
      'amazon.lwaClientSecret=secret',
      'amazon.applicationId=amzn1.sp.solution.cli-test',
      `amazon.consentUrl=${sim.url}/apps/authorize/consent`,
      'amazon.redirectUri=https://sellbridge.example.com/oauth/amazon/callback',
      `amazon.sqs.queueUrl=${sim.control.sqsQueueUrl('sellbridge-onboard')}`,
      `sage500.sandboxPath=${join(dir, 'sage.db')}`,
    ];
    const store = openStore({ url: `sqlite:${join(dir, 'sellbridge.db')}` });
    await store.migrate();
    const auth = createAuthService(store, systemClock, {});
    await auth.addUser({ name: 'ada', role: 'admin', password: PASSWORD, actor: 'test' });
    await auth.addUser({ name: 'vic', role: 'viewer', password: PASSWORD, actor: 'test' });
    await store.close();
  }, 60_000);

  afterAll(async () => {
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('authorize prints a consent URL bound to the admin; the admin completes it; subscribe twice creates once', async () => {
    const refused = await cli(['connections', 'authorize', 'default', '--user', 'vic']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/SB_API_REQUEST_INVALID[\s\S]*--user vic: has the viewer role/);
    const unknown = await cli(['connections', 'authorize', 'nope', '--user', 'ada']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('SB_AMZ_AUTH_CONNECTION_NOT_FOUND');

    const out = await cli(['connections', 'authorize', 'default', '--user', 'ada', '--json']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const { url, expiresAt } = JSON.parse(out.stdout) as { url: string; expiresAt: string };
    const u = new URL(url);
    expect(`${u.origin}${u.pathname}`).toBe(`${sim.url}/apps/authorize/consent`);
    expect(u.searchParams.get('application_id')).toBe('amzn1.sp.solution.cli-test');
    expect(u.searchParams.get('redirect_uri')).toBe('https://sellbridge.example.com/oauth/amazon/callback');
    const state = u.searchParams.get('state')!;
    const ttl = Date.parse(expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(9 * 60_000);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000);
    const text = await cli(['connections', 'authorize', 'default', '--user', 'ada']);
    expect(text.stdout).toContain('Open this URL as the seller of connection default');

    // The server on the same store: ada, signed in, brings the callback of the CLI's URL.
    const config = loadConfig({
      file: '/dev/null',
      overrides: sets.map((s) => ({ path: s.slice(0, s.indexOf('=')), value: s.slice(s.indexOf('=') + 1) })),
    });
    const runtime = await createRuntime(config, {
      role: 'client',
      logger: createLogger({ level: 'silent', format: 'json' }),
    });
    try {
      const states = await runtime.store.db
        .withTables<{ amazon_auth_states: { state_hash: string; actor: string; connection_id: string } }>()
        .selectFrom('amazon_auth_states')
        .selectAll()
        .execute();
      const hash = createHash('sha256').update(state).digest('hex');
      expect(states.find((r) => r.state_hash === hash)).toMatchObject({ actor: 'user:ada', connection_id: 'default' });
      expect(JSON.stringify(states)).not.toContain(state);

      const app = buildApp({ ...runtime, ...wireAdmin(runtime, config), adminToken: undefined });
      await app.listen({ port: 0, host: '127.0.0.1' });
      try {
        const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
        const login = await fetch(`${base}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'ada', password: PASSWORD }),
        });
        const cookie = /sb_session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')![0];
        const consent = await fetch(`${sim.url}/apps/authorize/consent`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            application_id: u.searchParams.get('application_id')!,
            state,
            redirect_uri: u.searchParams.get('redirect_uri')!,
            selling_partner_id: SECOND.sellerId,
          }).toString(),
          redirect: 'manual',
        });
        // Amazon sends the browser to the registered redirect URI; here that host is this server.
        const back = new URL(consent.headers.get('location')!);
        expect(`${back.origin}${back.pathname}`).toBe('https://sellbridge.example.com/oauth/amazon/callback');
        const res = await fetch(`${base}${back.pathname}${back.search}`, {
          headers: { cookie, accept: 'application/json' },
        });
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({
          connection: { tokenStored: true, sellingPartnerId: SECOND.sellerId },
        });
      } finally {
        await app.close();
      }
    } finally {
      await runtime.close();
    }

    // subscribe: no amazon.refreshToken configured; the stored one acts for the second seller.
    exchanges.length = 0;
    const first = await cli(['amazon', 'subscribe', 'default']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^created {2}destination /m);
    for (const type of ['ORDER_CHANGE', 'FEED_PROCESSING_FINISHED', 'REPORT_PROCESSING_FINISHED'])
      expect(first.stdout).toMatch(new RegExp(`^created {2}${type} +subscription `, 'm'));
    expect(first.stdout).toContain('4 created');
    const creates = (ops: string[]) =>
      exchanges.filter((e) => e.operation && ops.includes(e.operation) && e.status === 200);
    expect(creates(['notifications.createDestination'])).toHaveLength(1);
    expect(creates(['notifications.createSubscription'])).toHaveLength(3);
    const refresh = exchanges.find(
      (e) => (e.requestBody as Record<string, string> | undefined)?.['grant_type'] === 'refresh_token',
    );
    expect((refresh?.requestBody as Record<string, string>)['refresh_token']).toBe(SECOND.refreshToken);

    exchanges.length = 0;
    const second = await cli(['amazon', 'subscribe', 'default', '--json']);
    expect(second.code).toBe(0);
    const shown = JSON.parse(second.stdout) as {
      destination: { created: boolean; destinationId: string };
      subscriptions: Array<{ type: string; created: boolean; destinationId: string }>;
    };
    expect(shown.destination.created).toBe(false);
    expect(shown.subscriptions.map((s) => [s.type, s.created, s.destinationId])).toEqual([
      ['ORDER_CHANGE', false, shown.destination.destinationId],
      ['FEED_PROCESSING_FINISHED', false, shown.destination.destinationId],
      ['REPORT_PROCESSING_FINISHED', false, shown.destination.destinationId],
    ]);
    expect(creates(['notifications.createDestination', 'notifications.createSubscription'])).toHaveLength(0);
    const third = await cli(['amazon', 'subscribe', 'default']);
    expect(third.stdout).toContain('nothing to create: everything exists');
  }, 120_000);
});
