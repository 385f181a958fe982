import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createAuthService } from '../../src/runtime/auth/auth-service.ts';
import { systemClock } from '../../src/runtime/clock.ts';
import { recordDeadLetter } from '../../src/runtime/queue/dead-letters.ts';
import type { JobQueue } from '../../src/runtime/queue/job-queue.ts';
import type { Store } from '../../src/runtime/store/store.ts';
import { buildApp } from '../../src/server/app.ts';
import {
  CHROMIUM_PRESENT,
  CHROMIUM_SKIP_MESSAGE,
  launchChromium,
  openPage,
  screenshot,
  signIn,
} from '../helpers/browser.ts';
import { freshStore, makeQueue } from '../helpers/queue-env.ts';

/**
 * Issue 21: the connection picker in the dashboard's header filters every page. A store holds orders and dead
 * letters of two connections (`default`, whose dead letter carries no connectionId as before issue 21, and `eu`);
 * the test picks `eu` on the Orders page, sees only eu's order, switches to Dead letters through the navigation and
 * sees only eu's dead letter with `?connection=eu` still in the address, then goes back to all connections.
 * Screenshots: test-artifacts/dashboard/connection-filter-*.png.
 */
const USER = { name: 'ada', password: 'correct horse battery staple' };
const ORDERS = { default: '111-0000001-0000001', eu: '305-0000002-0000002' } as const;
let store: Store;
let queue: JobQueue;
let app: FastifyInstance;
let base = '';
let browser: Browser;

describe.skipIf(!CHROMIUM_PRESENT)('dashboard connection picker in headless Chromium', () => {
  beforeAll(async () => {
    store = await freshStore('sqlite', 'dashboard-connection-filter');
    queue = await makeQueue(store);
    const auth = createAuthService(store, systemClock, { settings: { passwordHashLog2N: 10 } });
    await auth.addUser({ name: USER.name, role: 'operator', password: USER.password, actor: 'test' });
    app = buildApp({ store, queue, metrics: createMetrics(), logger: silentLogger(), adminToken: undefined, auth });
    const at = new Date().toISOString();
    const t = store.db.withTables<Record<string, Record<string, unknown>>>();
    for (const conn of ['default', 'eu'] as const) {
      await t
        .insertInto('connections')
        .values({ id: conn, name: conn, settings: '{}', enabled: 1, created_at: at, updated_at: at })
        .execute();
      await t
        .insertInto('order_links')
        .values({
          connection_id: conn,
          amazon_order_id: ORDERS[conn],
          state: 'dead-lettered',
          tran_no: null,
          sales_order_key: null,
          marketplace_id: 'ATVPDKIKX0DER',
          last_error: null,
          created_at: at,
          updated_at: at,
          sage_created_at: null,
        })
        .execute();
      await recordDeadLetter(store.db, {
        queue: 'order.sync',
        jobId: `job-${conn}`,
        jobKey: conn === 'default' ? `order.sync:${ORDERS[conn]}` : `${conn}/order.sync:${ORDERS[conn]}`,
        payload:
          conn === 'default' ? { amazonOrderId: ORDERS[conn] } : { connectionId: conn, amazonOrderId: ORDERS[conn] },
        error: {
          code: 'SB_MAP_SKU_UNKNOWN',
          kind: 'mapping',
          message: `order ${ORDERS[conn]}: lines[0].sku: unknown SellerSKU W-${conn}`,
          context: {},
        },
        attempts: 1,
        firstFailedAt: new Date(),
        lastFailedAt: new Date(),
      });
    }
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await queue?.stop();
    await store?.close();
  });

  it('filters the orders by the picked connection and keeps it when switching to the dead letters', async () => {
    const { context, page, problems } = await openPage(browser);
    const rowsText = async (selector: string) =>
      (await page.locator(selector).allTextContents()).join('\n').replace(/\s+/g, ' ');
    try {
      await signIn(page, `${base}/dashboard/#/orders`, USER);
      await page.getByRole('heading', { name: 'Orders', exact: true }).waitFor();
      const picker = page.getByLabel('Connection', { exact: true });
      // the picker lists GET /connections; all connections by default
      await expect
        .poll(async () => picker.locator('option').allTextContents())
        .toEqual(['All connections', 'default', 'eu']);
      expect(await picker.inputValue()).toBe('');
      await expect.poll(() => rowsText('#orders-results tbody tr')).toContain(ORDERS.default);
      expect(await rowsText('#orders-results tbody tr')).toContain(ORDERS.eu);

      await picker.selectOption('eu');
      await expect.poll(() => new URL(page.url()).hash).toBe('#/orders?connection=eu');
      // The list is redrawn (empty for a moment) for the picked connection: wait for eu's rows without default's.
      await expect
        .poll(async () => {
          const rows = await rowsText('#orders-results tbody tr');
          return { eu: rows.includes(ORDERS.eu), other: rows.includes(ORDERS.default) };
        })
        .toEqual({ eu: true, other: false });
      expect(await page.locator('main').textContent()).not.toContain('null');
      await screenshot(page, 'connection-filter-orders');

      // a page switch through the navigation keeps the connection
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dead letters' }).click();
      await page.getByRole('heading', { name: 'Dead letters', exact: true }).waitFor();
      await expect.poll(() => new URL(page.url()).hash).toBe('#/dead-letters?connection=eu');
      expect(await picker.inputValue()).toBe('eu');
      await expect.poll(() => rowsText('main tbody tr')).toContain(ORDERS.eu);
      expect(await rowsText('main tbody tr')).not.toContain(ORDERS.default);
      await screenshot(page, 'connection-filter-dead-letters');

      // the overview of eu counts eu's one dead letter
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
      await page.locator('#dead-total').waitFor();
      expect(await page.locator('#overview-scope').textContent()).toBe('Connection eu');
      expect(await page.locator('#dead-total').textContent()).toBe('1');
      expect(await page.locator('#connections tbody tr').count()).toBe(1);
      await screenshot(page, 'connection-filter-overview');

      // back to every connection
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dead letters' }).click();
      await expect.poll(() => rowsText('main tbody tr')).toContain(ORDERS.eu);
      await picker.selectOption('');
      await expect.poll(() => new URL(page.url()).hash).toBe('#/dead-letters');
      await expect.poll(() => rowsText('main tbody tr')).toContain(ORDERS.default);
      expect(await rowsText('main tbody tr')).toContain(ORDERS.eu);
      expect(problems.filter((p) => !/Failed to load resource/.test(p))).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);
});

if (!CHROMIUM_PRESENT) it.skip(CHROMIUM_SKIP_MESSAGE, () => undefined);
