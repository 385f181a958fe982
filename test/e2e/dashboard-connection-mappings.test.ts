import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap/index.ts';
import { createSandboxGateway } from '../../src/connectors/sage500/sandbox-gateway.ts';
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
import { addSageCustomer } from '../integration/connections/sage-customers.ts';

/**
 * The connection mapping editor (issue 21) in headless Chromium over the live admin API and the Sage sandbox: the
 * customers of connection `default` as sellbridge.yaml sets them; an edit naming a customer Sage lacks is refused
 * with the cell marked and the problem in words (nothing stored); a corrected edit is saved, shown as edited, and is
 * what the order wiring's rulesFor answers; the inventory rules tab refuses a warehouse Sage lacks and saves MAIN|EAST.
 * Screenshots: connection-mappings-refused.png, connection-mappings-saved.png.
 */
const US = 'ATVPDKIKX0DER';
const USER = { name: 'ada', password: 'correct horse battery staple' };
const TOKEN = 'dashboard-conn-mappings-admin-token-0123456789';
let stack: OrderStack;
let runtime: Runtime;
let app: FastifyInstance;
let base = '';
let browser: Browser;

describe.skipIf(!CHROMIUM_PRESENT)('dashboard connection mapping editor in headless Chromium', () => {
  beforeAll(async () => {
    stack = await startOrderStack({
      name: 'dashboard-conn-mappings',
      simulator: { seed: 21, timeScale: 20 },
      sage: 'no-warehouse',
      prepare: async ({ sagePath }) => {
        const sandbox = await createSandboxGateway({ path: sagePath });
        try {
          await addSageCustomer(sandbox, { key: 670, id: 'SHOP-US', currency: 'USD' });
        } finally {
          await sandbox.close();
        }
      },
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

  it('refuses a customer Sage lacks with the cell named, then saves a good one that the flows use', async () => {
    const { context, page, problems } = await openPage(browser);
    try {
      await signIn(page, `${base}/dashboard/`, USER);
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Mappings', exact: true }).click();
      await page.locator('#edit-order-mapping').click();
      await page.getByRole('heading', { name: 'Order mapping of default' }).waitFor();
      await page.locator('#mapping-rows tbody tr').first().waitFor();
      expect(await page.locator('#mapping-editor h2').textContent()).toContain('from config');

      // The Amazon.com row: its customer cell.
      const usRow = page.locator('#mapping-rows tbody tr', { has: page.locator(`input[value="${US}"]`) });
      const usIndex = await page
        .locator('#mapping-rows tbody tr')
        .evaluateAll((rows, us) => rows.findIndex((r) => r.querySelector(`input[value="${us}"]`)), US);
      await usRow.locator('input[name="customerId"]').fill('NO-SUCH');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      const alert = page.locator('#mapping-result [role="alert"]');
      await alert.waitFor();
      const said = (await alert.textContent()) ?? '';
      expect(said).toContain(`rows[${usIndex}].customerId`);
      expect(said).toContain('Sage has no customer NO-SUCH');
      expect(await usRow.locator('input[name="customerId"]').getAttribute('aria-invalid')).toBe('true');
      await screenshot(page, 'connection-mappings-refused');
      expect((await runtime.orders.rulesFor('default')).customers[US]?.customerId).toBe('AMAZON-US');

      await usRow.locator('input[name="customerId"]').fill('SHOP-US');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expect
        .poll(async () => (await page.locator('#mapping-editor h2').textContent()) ?? '', { timeout: 10_000 })
        .toContain('edited here');
      expect(
        await page
          .locator('#mapping-rows tbody tr', { has: page.locator(`input[value="${US}"]`) })
          .locator('input[name="customerId"]')
          .inputValue(),
      ).toBe('SHOP-US');
      await screenshot(page, 'connection-mappings-saved');
      expect((await runtime.orders.rulesFor('default')).customers[US]).toEqual({
        customerId: 'SHOP-US',
        currency: 'USD',
      });

      // Another kind: the ship methods tab reads its rows.
      await page.getByRole('tab', { name: 'Ship methods' }).click();
      await expect
        .poll(async () => (await page.locator('#mapping-editor h2').textContent()) ?? '')
        .toContain('Ship methods');
      expect(await page.locator('#mapping-rows input[name="serviceLevel"]').count()).toBeGreaterThan(1);

      // The sync side: the inventory rules (one row; warehouses separated by |), checked against Sage too.
      await page.getByRole('tab', { name: 'Inventory rules' }).click();
      await expect
        .poll(async () => (await page.locator('#mapping-editor h2').textContent()) ?? '')
        .toContain('Inventory rules');
      const warehouses = page.locator('#mapping-rows input[name="warehouseIds"]');
      expect(await warehouses.inputValue()).toBe('MAIN');
      await warehouses.fill('MAIN|NOWH');
      await page.locator('#mapping-rows input[name="maxQuantity"]').fill('40');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      const refused = page.locator('#mapping-result [role="alert"]');
      await refused.waitFor();
      expect(await refused.textContent()).toContain('rows[0].warehouseIds = NOWH');
      expect(await warehouses.getAttribute('aria-invalid')).toBe('true');
      await warehouses.fill('MAIN|EAST');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expect
        .poll(async () => (await page.locator('#mapping-editor h2').textContent()) ?? '', { timeout: 10_000 })
        .toContain('edited here');
      expect(await page.locator('#mapping-rows input[name="warehouseIds"]').inputValue()).toBe('MAIN|EAST');
      expect(await page.locator('#mapping-rows input[name="maxQuantity"]').inputValue()).toBe('40');
      expect(problems.filter((p) => !/Failed to load resource/.test(p))).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});

if (!CHROMIUM_PRESENT) it.skip(CHROMIUM_SKIP_MESSAGE, () => undefined);
