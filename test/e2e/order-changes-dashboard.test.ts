import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap/index.ts';
import { buildApp } from '../../src/server/app.ts';
import type { AmazonSimulator } from '../../src/simulator/amazon/index.ts';
import { CHROMIUM_PRESENT, launchChromium, openPage, screenshot } from '../helpers/browser.ts';
import { waitUntil } from '../helpers/queue-env.ts';
import { startOrderStack, type OrderStack } from '../helpers/order-stack.ts';

/**
 * Changes after import through the whole runtime (issue 17): the simulator cancels a line and changes the ship-to of
 * an order Sellbridge already created in Sage, each publishing ORDER_CHANGE to SQS; the runtime's intake queues
 * order.sync, which cancels the Sage line and writes the new ship-to, with no call from the test. The dashboard then
 * shows the changes on the order page and the order among those at risk of shipping late (orders.shipByWarningMs
 * three days; the simulator's ship-by is two days after the order).
 */
const TOKEN = 'order-changes-e2e-admin-token-0123456789';
let stack: OrderStack;
let sim: AmazonSimulator;
let runtime: Runtime;
let app: FastifyInstance;
let base = '';
let browser: Browser | undefined;
let id = '';
let items: string[] = [];

const sageOrder = () => runtime.sage.findSalesOrder({ amazonOrderId: id });

describe('changes after import over SQS, shown by the dashboard', () => {
  beforeAll(async () => {
    stack = await startOrderStack({
      name: 'order-changes',
      simulator: {
        seed: 1719,
        timeScale: 20,
        scenario: {
          skus: [
            { sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 },
            { sku: 'CABLE-USB-C', title: 'USB-C cable 1 m', priceMinor: 949 },
          ],
          unknownSkuRate: 0,
          afnRate: 0,
          pendingRate: 0,
          cancelledRate: 0,
          businessRate: 0,
          nonAsciiRate: 0,
          longAddressRate: 0,
          foreignScriptAddressRate: 0,
        },
      },
      sqsQueue: 'order-changes-q',
      sage: 'no-warehouse',
      overrides: {
        'jobs.pollIntervalMs': '50',
        'jobs.maxAttempts': '3',
        'orders.shipByWarningMs': String(3 * 86_400_000),
      },
    });
    ({ sim, runtime } = stack);
    const order = sim.control.addOrder({
      status: 'UNSHIPPED',
      items: [
        { sku: 'WIDGET-RED', quantity: 2 },
        { sku: 'CABLE-USB-C', quantity: 1 },
      ],
    });
    id = order.orderId;
    items = order.items.map((i) => i.orderItemId);
    await waitUntil(async () => (await sageOrder()) !== undefined, 120_000, 'the order to reach Sage');
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await stack?.close();
  });

  it('a line cancelled and an address changed at Amazon reach the Sage order through the notification alone', async () => {
    sim.control.cancelOrderLine(id, items[1]!);
    await waitUntil(
      async () => (await sageOrder())?.lines.find((l) => l.amazonOrderItemId === items[1])?.status === 'closed',
      120_000,
      'the Sage line to be cancelled',
    );
    sim.control.changeShipTo(id, {
      addressLine1: '22 Elm Avenue',
      city: 'Rancho Santa Margarita',
      postalCode: '92688',
    });
    await waitUntil(
      async () => (await sageOrder())?.shipTo?.lines[0] === '22 Elm Avenue',
      120_000,
      'the Sage ship-to to be updated',
    );
    const so = (await sageOrder())!;
    expect(so.status).toBe('open');
    expect(so.shipTo?.city).toBe('Rancho Sta Margarita');
    expect(so.lines.find((l) => l.amazonOrderItemId === items[0])?.status).toBeUndefined();
  }, 300_000);

  it.skipIf(!CHROMIUM_PRESENT)(
    'the order page lists the changes and the orders page the order at risk',
    async () => {
      app = buildApp({ ...runtime, adminToken: TOKEN });
      await app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      browser = await launchChromium();
      const { context, page, problems } = await openPage(browser);
      try {
        await page.goto(`${base}/dashboard/#/orders/${encodeURIComponent(id)}`);
        await page.getByRole('tab', { name: 'API token' }).click();
        await page.locator('#token').fill(TOKEN);
        await page.keyboard.press('Enter');
        await page.locator('#order-changes').waitFor();
        const changes = await page.locator('#order-changes').textContent();
        expect(changes).toContain('line-cancelled');
        expect(changes).toContain('ship-to-updated');
        expect(changes).toContain(items[1]);
        expect(await page.locator('#order-ship-by').textContent()).toContain('at risk');
        await screenshot(page, '40-order-changes');

        await page.goto(`${base}/dashboard/#/orders`);
        await page.locator('#orders-at-risk table').waitFor();
        expect(await page.locator('#orders-at-risk').textContent()).toContain(id);
        await screenshot(page, '41-orders-at-risk');
        expect(problems.filter((p) => !/Failed to load resource/.test(p))).toEqual([]);
      } finally {
        await context.close();
      }
    },
    120_000,
  );
});
