import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap/index.ts';
import { storeListingProblems } from '../../src/connectors/store/listing-problems.ts';
import { createAuthService } from '../../src/runtime/auth/auth-service.ts';
import { buildApp } from '../../src/server/app.ts';
import { LISTING_ISSUE } from '../../src/simulator/amazon/listings.ts';
import type { AmazonSimulator, CatalogItem } from '../../src/simulator/amazon/index.ts';
import {
  CHROMIUM_PRESENT,
  CHROMIUM_SKIP_MESSAGE,
  launchChromium,
  openPage,
  screenshot,
  signIn,
} from '../helpers/browser.ts';
import { startOrderStack, type OrderStack } from '../helpers/order-stack.ts';
import { waitUntil } from '../helpers/queue-env.ts';

/**
 * The dashboard's Listing problems page in headless Chromium over the live admin API. The problems come the way
 * they do in production: the SP-API simulator's own checks flag listings (a missing required attribute that
 * suppresses one, a warning on another), it publishes LISTINGS_ITEM_ISSUES_CHANGE / LISTINGS_ITEM_STATUS_CHANGE to
 * SQS, the worker runtime's intake stores them and reads the causes back from getListingsItem. The page shows each
 * SKU with its problem and causes; when Amazon clears an issue the SKU leaves the list (and stays under "every SKU
 * notified"). Screenshot: test-artifacts/dashboard/listing-problems.png.
 */
const USER = { name: 'grace', password: 'correct horse battery staple' };
const TOKEN = 'dashboard-listing-problems-admin-token-0123';
const SKUS: CatalogItem[] = [
  { sku: 'LP-SUPPRESSED', title: 'Suppressed', priceMinor: 1999 },
  { sku: 'LP-WARNED', title: 'Warned', priceMinor: 2999 },
  { sku: 'LP-FINE', title: 'Fine', priceMinor: 999 },
];
const QUEUE = 'listing-problems-q';
const CONN = 'default';
let stack: OrderStack;
let sim: AmazonSimulator;
let runtime: Runtime;
let app: FastifyInstance;
let base = '';
let browser: Browser;

const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
const rowOf = (page: Page, sku: string) => page.locator('#listing-problems tbody tr', { hasText: sku });

/** Until the store holds what the notifications said of these SKUs, causes read back where `withIssues`. */
async function notified(check: (p: { sku: string; issues?: readonly unknown[] }[]) => boolean, what: string) {
  const problems = storeListingProblems(runtime.store, runtime.clock);
  await waitUntil(async () => check(await problems.list(CONN, { all: true })), 30_000, what);
}

describe.skipIf(!CHROMIUM_PRESENT)('dashboard Listing problems page in headless Chromium', () => {
  beforeAll(async () => {
    stack = await startOrderStack({
      name: 'dashboard-listing-problems',
      simulator: { seed: 2020, timeScale: 50, scenario: { skus: SKUS } },
      sqsQueue: QUEUE,
      sage: 'no-warehouse',
      overrides: { 'jobs.pollIntervalMs': '50' },
    });
    ({ sim, runtime } = stack);
    for (const type of ['LISTINGS_ITEM_STATUS_CHANGE', 'LISTINGS_ITEM_ISSUES_CHANGE'])
      sim.control.subscribe({ notificationType: type, queueName: QUEUE });
    const auth = createAuthService(runtime.store, runtime.clock, { bootstrapToken: TOKEN });
    await auth.addUser({ name: USER.name, role: 'viewer', password: USER.password, actor: 'test' });
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

  it('shows each SKU with its problem and causes; a cleared issue leaves the list', async () => {
    sim.control.setListingIssues('LP-SUPPRESSED', [
      {
        code: LISTING_ISSUE.missing,
        message: "'item_weight' is required but not supplied.",
        severity: 'ERROR',
        attributeName: 'item_weight',
        enforcements: ['LISTING_SUPPRESSED'],
      },
    ]);
    sim.control.setListingIssues('LP-WARNED', [
      {
        code: '18027',
        message: 'The bullet points are too long for this product type.',
        severity: 'WARNING',
        attributeName: 'bullet_point',
      },
    ]);
    await notified((ps) => {
      const withCauses = ps.filter((p) => p.issues?.length);
      return ['LP-SUPPRESSED', 'LP-WARNED'].every((s) => withCauses.some((p) => p.sku === s));
    }, 'both listings notified with their causes');

    const { context, page, problems } = await openPage(browser);
    try {
      await signIn(page, `${base}/dashboard/`, USER);
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      await nav(page, 'Inventory').click();
      await page.getByRole('link', { name: 'Listing problems reported by Amazon' }).click();
      await page.getByRole('heading', { name: 'Listing problems' }).waitFor();
      await page.locator('#listing-problems table').waitFor();
      expect(await nav(page, 'Inventory').getAttribute('aria-current')).toBe('page');

      expect(await page.locator('#listing-problems tbody tr').count()).toBe(2);
      const suppressed = (await rowOf(page, 'LP-SUPPRESSED').innerText()).replace(/\s+/g, ' ');
      for (const part of [
        'ATVPDKIKX0DER',
        'suppressed',
        'not buyable',
        'missing attributes',
        LISTING_ISSUE.missing,
        "'item_weight' is required but not supplied.",
        'attributes: item_weight',
      ])
        expect(suppressed).toContain(part);
      const warned = (await rowOf(page, 'LP-WARNED').innerText()).replace(/\s+/g, ' ');
      for (const part of ['warning', '18027', 'The bullet points are too long', 'attributes: bullet_point'])
        expect(warned).toContain(part);
      expect(warned).not.toContain('suppressed');
      expect(await rowOf(page, 'LP-FINE').count()).toBe(0);
      expect((await page.locator('main').innerText()).match(/\b(null|undefined|NaN|\[object Object\])\b/g)).toBeNull();
      await screenshot(page, 'listing-problems');

      // Amazon clears the suppression: after the notifications, the SKU is no longer a problem.
      sim.control.setListingIssues('LP-SUPPRESSED', []);
      const store = storeListingProblems(runtime.store, runtime.clock);
      await waitUntil(
        async () => !(await store.list(CONN)).some((p) => p.sku === 'LP-SUPPRESSED'),
        30_000,
        'the suppression cleared',
      );
      await page.reload();
      await page.locator('#listing-problems table').waitFor();
      await expect.poll(() => page.locator('#listing-problems tbody tr').count(), { timeout: 10_000 }).toBe(1);
      expect(await rowOf(page, 'LP-WARNED').count()).toBe(1);

      // Every SKU Amazon notified: the cleared one shows with no problem and no issue.
      await page.getByLabel('Show every SKU Amazon notified').check();
      await page.getByRole('heading', { name: 'Every SKU Amazon notified' }).waitFor();
      await rowOf(page, 'LP-SUPPRESSED').waitFor();
      const cleared = (await rowOf(page, 'LP-SUPPRESSED').innerText()).replace(/\s+/g, ' ');
      expect(cleared).toContain('no problem');
      expect(cleared).toContain('Amazon lists no issue');
      expect(cleared).toContain('BUYABLE');
      expect(problems.filter((p) => !/Failed to load resource/.test(p))).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);
});

if (!CHROMIUM_PRESENT) it.skip(CHROMIUM_SKIP_MESSAGE, () => undefined);
