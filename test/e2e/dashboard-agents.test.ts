import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap/index.ts';
import { createAuthService } from '../../src/runtime/auth/auth-service.ts';
import { buildApp } from '../../src/server/app.ts';
import {
  CHROMIUM_PRESENT,
  CHROMIUM_SKIP_MESSAGE,
  launchChromium,
  openPage,
  screenshot,
  signIn,
} from '../helpers/browser.ts';
import { startOrderStack, type OrderStack } from '../helpers/order-stack.ts';

/**
 * The dashboard's Agents page (hosted mode) in headless Chromium over the live admin API: an enrolled agent with the
 * state a hub recorded (online, version, latency, in flight), the hosted-mode connections with whether their agent
 * is there, a new enrolment token with the command to run beside
 * Sage, and revocation. Screenshot: test-artifacts/dashboard/agents.png.
 */
const USER = { name: 'ada', password: 'correct horse battery staple' };
const TOKEN = 'dashboard-agents-admin-token-0123456789';
let stack: OrderStack;
let runtime: Runtime;
let app: FastifyInstance;
let base = '';
let browser: Browser;
let agentId = '';

describe.skipIf(!CHROMIUM_PRESENT)('dashboard Agents page in headless Chromium', () => {
  beforeAll(async () => {
    stack = await startOrderStack({
      name: 'dashboard-agents',
      simulator: { seed: 19, timeScale: 20 },
      sage: 'no-warehouse',
    });
    ({ runtime } = stack);
    const { token } = await runtime.agents.createEnrolment('default', 'test');
    const cred = await runtime.agents.enrol(token, 'sage-host-1');
    agentId = cred.agentId;
    await runtime.agents.recordState(agentId, { online: true, version: '0.1.0', latencyMs: 12, inFlight: 3 });
    // A hosted-mode connection beside the stack's own, with no agent yet (the page lists every one).
    await runtime.connections.add(
      {
        id: 'hosted-1',
        amazon: { marketplaceIds: ['A2EUQ1WTGCTBG2'] },
        sage500: { kind: 'agent' },
        orders: { customers: { A2EUQ1WTGCTBG2: { customerId: 'AMAZON-CA', currency: 'CAD', warehouseId: 'MAIN' } } },
      },
      'test',
    );
    const auth = createAuthService(runtime.store, runtime.clock, { bootstrapToken: TOKEN });
    await auth.addUser({ name: USER.name, role: 'admin', password: USER.password, actor: 'test' });
    app = buildApp({ ...runtime, adminToken: TOKEN, auth });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await stack?.close();
  });

  it('shows the agent online with version, latency and in-flight, issues an enrolment token, revokes', async () => {
    const { context, page, problems } = await openPage(browser);
    try {
      await signIn(page, `${base}/dashboard/`, USER);
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents', exact: true }).click();
      await page.locator('#agents table').waitFor();
      const row = page.locator('#agents tbody tr');
      expect(await row.count()).toBe(1);
      const text = (await row.textContent()) ?? '';
      for (const part of ['sage-host-1', agentId, 'default', 'Online', '0.1.0', '12 ms', '3'])
        expect(text).toContain(part);
      // Every hosted-mode connection, with whether its agent is there.
      const hosted = page.locator('#agent-connections tbody tr');
      await hosted.first().waitFor();
      expect(await hosted.count()).toBe(1);
      expect((await hosted.textContent()) ?? '').toMatch(/hosted-1.*No agent enrolled/);

      await page.getByRole('button', { name: 'New enrolment token' }).click();
      await page.locator('#enrolment pre').waitFor();
      expect(await page.locator('#enrolment pre').textContent()).toMatch(
        new RegExp(`^sellbridge agent --hub ${base.replace(/[.]/g, '\\.')} --token sbe_[A-Za-z0-9_-]{43}$`),
      );
      await screenshot(page, 'agents');

      page.once('dialog', (d) => void d.accept());
      await row.getByRole('button', { name: 'Revoke' }).click();
      await expect.poll(async () => (await row.textContent()) ?? '', { timeout: 10_000 }).toContain('Revoked');
      expect((await runtime.agents.get(agentId))?.revokedAt).toBeTruthy();
      expect(problems.filter((p) => !/Failed to load resource/.test(p))).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});

if (!CHROMIUM_PRESENT) it.skip(CHROMIUM_SKIP_MESSAGE, () => undefined);
