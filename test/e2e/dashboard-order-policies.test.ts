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
 * The connection mapping editor's Order policies tab (issue 21) in headless Chromium over the live admin API and the
 * Sage sandbox: one row (no Add row), an FBA warehouse Sage lacks refused with the cell marked (nothing stored), a
 * good one saved and answered by the order wiring's rulesFor. Screenshot: connection-order-policies-saved.png.
 */
const USER = { name: 'ada', password: 'correct horse battery staple' };
const TOKEN = 'dashboard-order-policies-admin-token-0123456789';
let stack: OrderStack;
let runtime: Runtime;
let app: FastifyInstance;
let base = '';
let browser: Browser;

describe.skipIf(!CHROMIUM_PRESENT)('dashboard order policies tab in headless Chromium', () => {
  beforeAll(async () => {
    stack = await startOrderStack({
      name: 'dashboard-order-policies',
      simulator: { seed: 22, timeScale: 20 },
      sage: 'no-warehouse',
      overrides: { 'orders.poll.enabled': 'false', 'orders.shipmentPollEveryMs': '3600000' },
    });
    ({ runtime } = stack);
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

  it('refuses an FBA warehouse Sage lacks with the cell named, then saves a good one that the flows use', async () => {
    const { context, page, problems } = await openPage(browser);
    try {
      await signIn(page, `${base}/dashboard/`, USER);
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Mappings', exact: true }).click();
      await page.locator('#edit-order-mapping').click();
      await page.getByRole('heading', { name: 'Order mapping of default' }).waitFor();
      await page.getByRole('tab', { name: 'Order policies' }).click();
      await expect
        .poll(async () => (await page.locator('#mapping-editor h2').textContent()) ?? '')
        .toContain('Order policies');
      const row = page.locator('#mapping-rows tbody tr').first();
      await row.locator('input[name="fbaWarehouseId"]').waitFor();
      expect(await page.locator('#mapping-rows tbody tr').count()).toBe(1);
      expect(await row.locator('input[name="fbaPolicy"]').inputValue()).toBe('skip');
      expect(await row.locator('input[name="fbaWarehouseId"]').inputValue()).toBe('FBA');
      expect(await page.getByRole('button', { name: 'Add row' }).count()).toBe(0);

      await row.locator('input[name="fbaPolicy"]').fill('record-shipped');
      await row.locator('input[name="fbaWarehouseId"]').fill('NOWH');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      const alert = page.locator('#mapping-result [role="alert"]');
      await alert.waitFor();
      const said = (await alert.textContent()) ?? '';
      expect(said).toContain('rows[0].fbaWarehouseId');
      expect(said).toContain('Sage has no warehouse NOWH');
      expect(await row.locator('input[name="fbaWarehouseId"]').getAttribute('aria-invalid')).toBe('true');
      expect((await runtime.orders.rulesFor('default')).status.fba).toEqual({ mode: 'skip' });

      await row.locator('input[name="fbaWarehouseId"]').fill('EAST');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expect
        .poll(async () => (await page.locator('#mapping-editor h2').textContent()) ?? '', { timeout: 10_000 })
        .toContain('edited here');
      await screenshot(page, 'connection-order-policies-saved');
      expect((await runtime.orders.rulesFor('default')).status.fba).toEqual({
        mode: 'record-shipped',
        warehouseId: 'EAST',
      });
      expect(problems.filter((p) => !/Failed to load resource/.test(p))).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});

if (!CHROMIUM_PRESENT) it.skip(CHROMIUM_SKIP_MESSAGE, () => undefined);
