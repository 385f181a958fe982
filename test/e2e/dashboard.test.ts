import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap/index.ts';
import { createAuthService } from '../../src/runtime/auth/auth-service.ts';
import { buildApp } from '../../src/server/app.ts';
import type { AmazonSimulator, CatalogItem } from '../../src/simulator/amazon/index.ts';
import { CHROMIUM_PRESENT, CHROMIUM_SKIP_MESSAGE, launchChromium, openPage, screenshot } from '../helpers/browser.ts';
import { waitUntil } from '../helpers/queue-env.ts';
import { startOrderStack, type OrderStack } from '../helpers/order-stack.ts';

/**
 * The operator dashboard end to end, in headless Chromium, over the system as `sellbridge run` composes it:
 * createRuntime (worker role: queue, SQS intake, order flows, Sage gateway behind its circuit) on a fresh SQLite
 * store, the SP-API simulator over HTTP with SQS notifications, the Sage 500 sandbox, and buildApp({ ...runtime })
 * listening on a free port. An order with an unknown SKU arrives by notification and is dead-lettered by the flow
 * itself; the operator signs in, sees it on the overview, opens it, adds the suggested SKU alias, replays it, and
 * watches the order page until Sage's TranNo appears. Screenshots of every page go to test-artifacts/dashboard/.
 */
const BAD_SKU = 'WIDGET-PURPLE';
const TOKEN = 'dashboard-e2e-admin-token-0123456789';
const USER = { name: 'olivia', password: 'correct horse battery staple' };
const VIEWER = { name: 'victor', password: 'viewer password 2026' };
const SKUS: CatalogItem[] = [
  { sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 },
  { sku: 'WIDGET-BLUE', title: 'Widget, blue', priceMinor: 1999 },
  { sku: 'GADGET-PRO', title: 'Gadget Pro', priceMinor: 14900 },
];

let stack: OrderStack;
let sim: AmazonSimulator;
let runtime: Runtime;
let app: FastifyInstance;
let base = '';
let browser: Browser;
let badId = '';
let goodIds: string[] = [];

/** Chromium logs every 4xx/5xx resource load as a console error; the sign-in probe (/me → 401) and 501s are expected. */
const realProblems = (problems: string[]) => problems.filter((p) => !/Failed to load resource/.test(p));

/** A link of the main navigation. */
const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

/** Waits for a page state (the page works asynchronously; this is a safety net, not a timing assertion). */
const poll = <T>(read: () => Promise<T>, timeout = 30_000) => expect.poll(read, { timeout, interval: 100 });

const sageOrder = (amazonOrderId: string) => runtime.sage.findSalesOrder({ amazonOrderId });

/** waitUntil with a generous safety net (2 shared cores), saying what the system looked like if it gives up. */
async function settled(check: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  try {
    await waitUntil(check, timeoutMs, what);
  } catch (err) {
    const counts = await runtime.queue.counts();
    const letters = (await runtime.deadLetters.list({ status: 'all' })).map(
      (d) => `${d.error.code} ${d.status} ${JSON.stringify(d.payload)}`,
    );
    const circuits = runtime.circuits();
    throw new Error(
      `${(err as Error).message}; queues ${JSON.stringify(counts)}; dead letters ${JSON.stringify(letters)}; circuits ${JSON.stringify(circuits)}`,
      { cause: err },
    );
  }
}

describe.skipIf(!CHROMIUM_PRESENT)(
  'dashboard in headless Chromium (sellbridge runtime + server, simulator, Sage sandbox)',
  () => {
    beforeAll(async () => {
      stack = await startOrderStack({
        name: 'dashboard',
        simulator: {
          seed: 66,
          timeScale: 20,
          scenario: {
            skus: SKUS,
            unknownSkuRate: 0,
            afnRate: 0,
            pendingRate: 0,
            cancelledRate: 0,
            businessRate: 0,
            nonAsciiRate: 0,
            longAddressRate: 0,
          },
        },
        sqsQueue: 'dashboard-q',
        sage: 'no-warehouse', // orders stay 'created': the test watches for that state
        overrides: { 'jobs.pollIntervalMs': '50', 'jobs.maxAttempts': '3' },
      });
      ({ sim, runtime } = stack);

      // Three good orders and one with an SKU Sage does not know, notified over SQS and run by the real order flow.
      goodIds = sim.control.addOrders(3, { status: 'UNSHIPPED' }).map((o) => o.orderId);
      badId = sim.control.addOrder({
        status: 'UNSHIPPED',
        items: [
          { sku: 'GADGET-PRO', quantity: 1 },
          { sku: BAD_SKU, quantity: 2 },
        ],
      }).orderId;
      await settled(
        async () => (await runtime.deadLetters.list({ status: 'open' })).length === 1,
        'the unknown-SKU order to be dead-lettered',
      );
      await settled(
        async () => (await Promise.all(goodIds.map(sageOrder))).every(Boolean),
        'the good orders to reach Sage',
      );

      const auth = createAuthService(runtime.store, runtime.clock, { bootstrapToken: TOKEN });
      await auth.addUser({ name: USER.name, role: 'operator', password: USER.password, actor: 'test' });
      await auth.addUser({ name: VIEWER.name, role: 'viewer', password: VIEWER.password, actor: 'test' });
      app = buildApp({
        ...runtime,
        adminToken: TOKEN,
        auth,
        health: {
          sage: () => runtime.sage.health(),
          amazon: async () => ({ ok: true, detail: 'SP-API simulator' }),
        },
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      browser = await launchChromium();
    }, 300_000);

    afterAll(async () => {
      await browser?.close();
      await app?.close();
      await stack?.close();
    });

    it('sign in, see the overview, open the dead letter, add the suggested alias, replay it, see the Sage order created', async () => {
      const { context, page, problems } = await openPage(browser);
      try {
        const res = await page.goto(`${base}/dashboard/`);
        expect(res?.headers()['content-type']).toMatch(/^text\/html/);
        expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");

        // Sign-in: a wrong password is refused in words, the right one gets in.
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        await screenshot(page, '01-sign-in');
        await page.locator('#username').fill(USER.name);
        await page.locator('#password').fill('not the password');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await poll(() => page.locator('#signin-error').textContent()).toContain('do not match');
        await screenshot(page, '02-sign-in-error');
        await page.locator('#password').fill(USER.password);
        await page.getByRole('button', { name: 'Sign in' }).click();

        // Overview: one dead letter, healthy connections with their last call (as the worker recorded it in the
        // store), the throughput chart drawn.
        await page.getByRole('heading', { name: 'Overview' }).waitFor();
        await poll(() => page.locator('#dead-total').textContent()).toBe('1');
        await poll(() => page.locator('#who').textContent()).toContain('olivia');
        expect(await page.locator('[data-health=sage]').textContent()).toContain('Healthy');
        expect(await page.locator('[data-health=amazon]').textContent()).toMatch(
          /Last call answered (just now|\d+ s ago|\d+ min ago)/,
        );
        expect(await page.locator('#circuits').textContent()).toContain('sage500');
        expect(await page.locator('svg.chart').count()).toBeGreaterThan(0);
        expect(await page.locator('a[href="#/dead-letters?code=SB_MAP_SKU_UNKNOWN"]').count()).toBe(1);
        await screenshot(page, '03-overview');

        // Dead letters: the list names the code, the reason and the order.
        await nav(page, 'Dead letters').click();
        await page.locator('#dl-results table').waitFor();
        const row = page.locator('#dl-results tbody tr');
        expect(await row.count()).toBe(1);
        expect(await row.textContent()).toContain('SB_MAP_SKU_UNKNOWN');
        expect(await row.textContent()).toContain(badId);
        await screenshot(page, '04-dead-letters');

        // The dead letter: reason, suggested fix with candidates; add the alias, then replay.
        await row.getByRole('link', { name: 'SB_MAP_SKU_UNKNOWN' }).click();
        await page.getByRole('heading', { name: 'Suggested fix' }).waitFor();
        expect(await page.locator('#dl-reason').textContent()).toContain(BAD_SKU);
        const candidates = await page
          .locator('input[name=candidate]')
          .evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
        expect(candidates.length).toBeGreaterThan(0);
        const chosen = candidates.includes('WIDGET-BLUE') ? 'WIDGET-BLUE' : candidates[0]!;
        await page.locator(`input[name=candidate][value="${chosen}"]`).check();
        await screenshot(page, '05-dead-letter');
        await page.getByRole('button', { name: 'Add alias' }).click();
        await poll(() => page.locator('#alias-result').textContent()).toContain('Alias added');
        await page.getByRole('button', { name: 'Replay', exact: true }).click();
        await page.locator('#follow-order').waitFor();
        expect(await page.locator('#dl-status').textContent()).toBe('replayed');
        await screenshot(page, '06-replayed');

        // The order page refreshes itself until the flow has created the Sage order and shows its TranNo.
        await page.locator('#follow-order').click();
        await page.getByRole('heading', { name: `Order ${badId}` }).waitFor();
        await poll(() => page.locator('#order-state').textContent(), 120_000).toBe('created');
        const tranNo = (await page.locator('#order-tranno').textContent())!.trim();
        const created = await sageOrder(badId);
        expect(created?.tranNo).toBe(tranNo);
        expect(created?.lines.filter((l) => l.amazonOrderItemId).map((l) => l.itemId)).toEqual(['GADGET-PRO', chosen]);
        await screenshot(page, '07-order');

        // The other pages render with data or with their empty / not-available state, and without errors.
        await nav(page, 'Orders').click();
        await page.locator('#orders-results table').waitFor();
        expect(await page.locator('#orders-results tbody tr').count()).toBe(4);
        await page.getByLabel('Search').fill(badId);
        await page.getByLabel('Search').press('Enter');
        await poll(() => page.locator('#orders-results tbody tr').count()).toBe(1);
        await screenshot(page, '08-orders');

        await nav(page, 'Mappings').click();
        await page.locator('#aliases table').waitFor();
        expect(await page.locator('#aliases').textContent()).toContain(BAD_SKU);
        await screenshot(page, '09-mappings');

        await nav(page, 'Settlements').click();
        await page.locator('#settlements .empty, #settlements table').first().waitFor();
        await screenshot(page, '10-settlements');

        await nav(page, 'Inventory').click();
        await page.locator('#discrepancies .empty, #discrepancies table').first().waitFor();
        await screenshot(page, '11-inventory');

        await nav(page, 'Overview').click();
        await poll(() => page.locator('#dead-total').textContent()).toBe('0');

        expect(realProblems(problems)).toEqual([]);
        expect(await runtime.deadLetters.list({ status: 'open' })).toEqual([]);
      } finally {
        await context.close();
      }
    }, 180_000);

    it('on a narrow screen: signs in with a token from the keyboard, nothing overflows sideways, and signing out returns to the sign-in page', async () => {
      const { context, page, problems } = await openPage(browser, { width: 390, height: 844 });
      try {
        await page.goto(`${base}/dashboard/#/dead-letters?status=all`);
        await page.getByRole('tab', { name: 'API token' }).click();
        await page.locator('#token').fill('wrong-token');
        await page.keyboard.press('Enter');
        await poll(() => page.locator('#signin-error').textContent()).toContain('not valid');
        await page.locator('#token').fill(TOKEN);
        await page.keyboard.press('Enter');
        // Straight to the page the address named, with the filter it named.
        await page.locator('#dl-results table').waitFor();
        expect(await page.locator('#dl-results tbody tr').count()).toBe(1);
        await screenshot(page, '12-narrow-dead-letters');
        const overflow = async () =>
          Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
        expect(await overflow()).toBeLessThanOrEqual(0);
        // From the keyboard: the row's code link opens the dead letter.
        await page.locator('#dl-results tbody a').first().focus();
        await page.keyboard.press('Enter');
        await page.locator('#dl-reason').waitFor();
        await screenshot(page, '13-narrow-dead-letter');
        expect(await overflow()).toBeLessThanOrEqual(0);

        await page.goto(`${base}/dashboard/#/overview`);
        await page.locator('#dead-total').waitFor();
        await screenshot(page, '14-narrow-overview');
        expect(await overflow()).toBeLessThanOrEqual(0);

        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        expect(realProblems(problems)).toEqual([]);
      } finally {
        await context.close();
      }
    }, 120_000);

    it('the overview refreshes by itself when two orders are dead-lettered; a viewer may look but is told fixing needs an operator; the mappings editor adds an alias, "replay all" of their code creates both, and the alias can be deleted', async () => {
      const SKU = 'GIZMO-MINI';
      const { context, page, problems } = await openPage(browser);
      try {
        // The overview, refreshing every 2 s, shows the new dead letters by itself.
        await page.goto(`${base}/dashboard/#/overview?refresh=2`);
        await page.getByRole('tab', { name: 'API token' }).click();
        await page.locator('#token').fill(TOKEN);
        await page.getByRole('button', { name: 'Sign in' }).click();
        const before = Number(await page.locator('#dead-total').textContent());
        const ids = [0, 1].map(
          () => sim.control.addOrder({ status: 'UNSHIPPED', items: [{ sku: SKU, quantity: 1 }] }).orderId,
        );
        const openFor = async () =>
          (await runtime.deadLetters.list({ status: 'open', code: 'SB_MAP_SKU_UNKNOWN' })).filter((d) =>
            ids.includes((d.payload as { amazonOrderId: string }).amazonOrderId),
          );
        await settled(async () => (await openFor()).length === 2, 'both orders to be dead-lettered');
        await poll(async () => Number(await page.locator('#dead-total').textContent())).toBe(before + 2);
        expect(await page.locator('#updated').textContent()).toContain('refreshes every 2 s');

        // A viewer sees the same dead letters, and is told in words that fixing them needs an operator.
        const viewer = await openPage(browser);
        try {
          await viewer.page.goto(`${base}/dashboard/#/dead-letters?code=SB_MAP_SKU_UNKNOWN`);
          await viewer.page.locator('#username').fill(VIEWER.name);
          await viewer.page.locator('#password').fill(VIEWER.password);
          await viewer.page.locator('#password').press('Enter');
          await viewer.page.locator('#dl-results table').waitFor();
          expect(await viewer.page.locator('#replay-all').count()).toBe(0);
          await viewer.page.locator('#dl-results tbody a').first().click();
          await viewer.page.locator('#read-only-note').waitFor();
          expect(await viewer.page.locator('#read-only-note').textContent()).toContain('Your role (viewer)');
          expect(await viewer.page.getByRole('button', { name: 'Replay', exact: true }).count()).toBe(0);
          await screenshot(viewer.page, '15-viewer-dead-letter');
          expect(realProblems(viewer.problems)).toEqual([]);
        } finally {
          await viewer.context.close();
        }

        await nav(page, 'Mappings').click();
        await page.locator('#aliases table, #aliases .empty').first().waitFor();
        // The form explains a missing field in words, then saves.
        await page.locator('#alias-sku').fill(SKU);
        await page.getByRole('button', { name: 'Add alias' }).click();
        await poll(() => page.getByRole('alert').first().textContent()).toContain('Enter both');
        await page.locator('#alias-item').fill('GADGET-PRO');
        await page.getByRole('button', { name: 'Add alias' }).click();
        await poll(() => page.locator('#aliases').textContent()).toContain(SKU);

        await page.goto(`${base}/dashboard/#/dead-letters?code=SB_MAP_SKU_UNKNOWN`);
        await page.locator('#replay-all').waitFor();
        expect(await page.locator('#dl-bulk').textContent()).toMatch(/\d+ open with code SB_MAP_SKU_UNKNOWN/);
        await screenshot(page, '16-replay-all');
        await page.locator('#replay-all').click();
        await page.getByText(/Replayed \d+ dead letters with code SB_MAP_SKU_UNKNOWN/).waitFor();
        expect(await openFor()).toEqual([]);
        await settled(
          async () => (await Promise.all(ids.map(sageOrder))).every(Boolean),
          'both replayed orders to reach Sage',
        );
        for (const id of ids)
          expect((await sageOrder(id))!.lines.filter((l) => l.amazonOrderItemId).map((l) => l.itemId)).toEqual([
            'GADGET-PRO',
          ]);

        await nav(page, 'Mappings').click();
        await page.getByRole('button', { name: `Delete alias ${SKU}` }).click();
        await poll(() => page.locator('#aliases').textContent()).not.toContain(SKU);
        expect(realProblems(problems)).toEqual([]);
      } finally {
        await context.close();
      }
    }, 180_000);
  },
);

if (!CHROMIUM_PRESENT) {
  describe('dashboard in headless Chromium', () => {
    it.skip(CHROMIUM_SKIP_MESSAGE, () => undefined);
  });
}
