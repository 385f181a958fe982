import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wireAdmin } from '../../src/bootstrap/admin.ts';
import { createRuntime, type Runtime } from '../../src/bootstrap/index.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createAuthService } from '../../src/runtime/auth/auth-service.ts';
import { generateKeyEntry } from '../../src/runtime/pii/keyring.ts';
import { buildApp } from '../../src/server/app.ts';
import { createAmazonSimulator, DEFAULT_SELLER, type AmazonSimulator } from '../../src/simulator/amazon/index.ts';
import {
  CHROMIUM_PRESENT,
  CHROMIUM_SKIP_MESSAGE,
  launchChromium,
  openPage,
  screenshot,
  signIn,
} from '../helpers/browser.ts';

/**
 * The dashboard's Connections page in headless Chromium: a signed-in admin presses Authorize, lands on the
 * simulator's Seller Central consent page, confirms as a seller, and comes back to the dashboard still signed in
 * with the connection authorized (selling partner id shown; the refresh token sealed in the store; the runtime's
 * connector gets a token with it). The simulator is served as `localhost` and the dashboard as `127.0.0.1`, two
 * different sites, so the return is a cross-site navigation on which the SameSite=Strict session cookie is not sent:
 * the callback's same-origin hop is exercised. Screenshot: test-artifacts/dashboard/connections.png.
 */
const SECOND = { sellerId: 'A2DASHSELLER', refreshToken: 'Atzr|dash-second-seller', marketplaceIds: ['ATVPDKIKX0DER'] };
const USER = { name: 'ada', password: 'correct horse battery staple' };
let dir: string;
let sim: AmazonSimulator;
let runtime: Runtime;
let app: FastifyInstance;
let base = '';
let browser: Browser;

describe.skipIf(!CHROMIUM_PRESENT)('dashboard Connections page: authorize a seller in headless Chromium', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-dash-connections-'));
    sim = await createAmazonSimulator({
      seed: 23,
      host: 'localhost',
      sellers: [DEFAULT_SELLER, SECOND],
      strictRefreshTokens: true,
    });
    const config = loadConfig({
      file: '/dev/null',
      overrides: [
        { path: 'store.url', value: `sqlite:${join(dir, 'sellbridge.db')}` },
        { path: 'security.piiKeys', value: generateKeyEntry('k1') },
        { path: 'amazon.endpoint', value: sim.url },
        { path: 'amazon.lwaEndpoint', value: `${sim.url}/auth/o2/token` },
        { path: 'amazon.lwaClientId', value: 'cid' },
        { path: 'amazon.lwaClientSecret', value: 'secret' },
        { path: 'amazon.consentUrl', value: `${sim.url}/apps/authorize/consent` },
        { path: 'sage500.kind', value: 'sandbox' },
        { path: 'sage500.sandboxPath', value: join(dir, 'sage.db') },
      ],
    });
    runtime = await createRuntime(config, {
      role: 'client',
      logger: createLogger({ level: 'silent', format: 'json' }),
    });
    const auth = createAuthService(runtime.store, runtime.clock, {});
    await auth.addUser({ name: USER.name, role: 'admin', password: USER.password, actor: 'test' });
    app = buildApp({ ...runtime, ...wireAdmin(runtime, config), adminToken: undefined, auth });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await runtime?.close();
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('Authorize -> consent in the simulator -> back signed in, seller authorized', async () => {
    const { context, page, problems } = await openPage(browser);
    const callbacks: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/oauth/amazon/callback')) callbacks.push(r.url());
    });
    try {
      await signIn(page, `${base}/dashboard/`, USER);
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Connections', exact: true })
        .click();
      await page.locator('#connections table').waitFor();
      const row = page.locator('#connections tbody tr').first();
      expect(await row.textContent()).toContain('Not authorized');

      await row.getByRole('button', { name: 'Authorize' }).click();
      await page.getByRole('heading', { name: /^Authorize / }).waitFor();
      expect(page.url().startsWith(`${sim.url}/apps/authorize/consent?`)).toBe(true);
      await page.locator('#selling_partner_id').selectOption(SECOND.sellerId);
      await page.getByRole('button', { name: 'Confirm' }).click();

      await page.getByRole('heading', { name: 'Connections' }).waitFor({ timeout: 20_000 });
      expect(page.url()).toBe(`${base}/dashboard/#/connections?authorized=default`);
      // Cross-site return without the Strict cookie, then the same-origin hop that carries it.
      expect(callbacks).toHaveLength(2);
      expect(callbacks[1]).toContain('sb_hop=1');
      await expect
        .poll(async () => (await page.locator('#connections tbody tr').first().textContent()) ?? '', {
          timeout: 10_000,
        })
        .toContain(SECOND.sellerId);
      expect(await page.locator('#connections tbody tr').first().textContent()).toContain('Authorized');
      await screenshot(page, 'connections');

      // The stored token is the seller's and the runtime's connector uses it.
      expect(await runtime.amazon.connection.tokens.getToken({ kind: 'seller' })).toMatch(/^Atza\|/);
      expect(problems.filter((p) => !/Failed to load resource/.test(p))).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);
});

if (!CHROMIUM_PRESENT) it.skip(CHROMIUM_SKIP_MESSAGE, () => undefined);
