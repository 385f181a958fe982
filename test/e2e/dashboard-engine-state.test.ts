import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap/index.ts';
import { createAuthService } from '../../src/runtime/auth/auth-service.ts';
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
 * Issue 21: the dashboard shows the engine's real state and figures whichever process serves it. A worker runtime
 * (createRuntime, worker role: SQS intake, order flows, the Sage sandbox whose warehouse ships by itself) takes
 * orders from the SP-API simulator until each is shipped and confirmed at Amazon, so none stays in `created`. A
 * SEPARATE process, `sellbridge run --role api` on the same store, serves the dashboard: it made no Sage or Amazon
 * call and has none of the worker's circuits or metrics. Its overview must still say Sage and Amazon are reachable,
 * with the time of their last answered call, and give the order-to-Sage latency with the number of orders measured.
 */
const BIN = fileURLToPath(new URL('../../bin/sellbridge.js', import.meta.url));
const TOKEN = 'dashboard-engine-state-admin-token-0123456789';
const USER = { name: 'olivia', password: 'correct horse battery staple' };
const ORDERS = 4;
const SKUS: CatalogItem[] = [
  { sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 },
  { sku: 'WIDGET-BLUE', title: 'Widget, blue', priceMinor: 1999 },
];

let stack: OrderStack;
let sim: AmazonSimulator;
let worker: Runtime;
let api: ChildProcess | undefined;
let apiOutput = '';
let base = '';
let browser: Browser;
let ids: string[] = [];

interface Overview {
  health: Record<'store' | 'sage' | 'amazon', { ok: boolean | null; detail: string | null; lastCallAt: string | null }>;
  connections: Array<{ connectionId: string; sage: { ok: boolean | null }; lastOrderAt: string | null }>;
  latency: { orderToSageP50Ms: number | null; orderToSageP99Ms: number | null; samples: number };
  circuits: Array<{ target: string; state: string }>;
  throughput: Array<{ minute: string; completed: number; failed: number }>;
}

const overview = async (): Promise<Overview> => {
  const res = await fetch(`${base}/api/v1/overview`, { headers: { authorization: `Bearer ${TOKEN}` } });
  if (res.status !== 200) throw new Error(`overview answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Overview;
};

/** Starts `sellbridge run --role api` on the worker's store; resolves with its base URL from the line it prints. */
function startApiProcess(storeUrl: string): Promise<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SELLBRIDGE_')));
  const child = spawn(
    process.execPath,
    [
      BIN,
      'run',
      '--role',
      'api',
      '--store',
      storeUrl,
      '--set',
      'server.host=127.0.0.1',
      '--set',
      'server.port=0',
      '--set',
      `server.adminToken=${TOKEN}`,
      '--set',
      'log.level=warn',
    ],
    { cwd: stack.dir, env },
  );
  api = child;
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      apiOutput += chunk.toString();
      const m = /role api\): (http:\/\/[^\s]+)\/healthz/.exec(apiOutput);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (apiOutput += c.toString()));
    child.once('exit', (code) => reject(new Error(`sellbridge run --role api exited ${code}: ${apiOutput}`)));
  });
}

describe.skipIf(!CHROMIUM_PRESENT)(
  'dashboard served by an API-role process shows what the worker process did (headless Chromium)',
  () => {
    beforeAll(async () => {
      stack = await startOrderStack({
        name: 'dashboard-engine-state',
        simulator: {
          seed: 2121,
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
        sqsQueue: 'engine-state-q',
        sage: 'warehouse', // the sandbox warehouse ships every order: none stays `created`
        overrides: { 'jobs.pollIntervalMs': '50', 'orders.shipmentPollEveryMs': '500' },
      });
      ({ sim, runtime: worker } = stack);
      ids = sim.control.addOrders(ORDERS, { status: 'UNSHIPPED' }).map((o) => o.orderId);
      const states = async () =>
        Promise.all(ids.map(async (id) => (await worker.orders.deps.links.get('default', id))?.state));
      await waitUntil(
        async () => (await states()).every((s) => s === 'confirmed'),
        180_000,
        'every order created in Sage, shipped and confirmed at Amazon',
      ).catch(async (err: unknown) => {
        throw new Error(`${(err as Error).message}; states ${JSON.stringify(await states())}`, { cause: err });
      });
      const auth = createAuthService(worker.store, worker.clock, { bootstrapToken: TOKEN });
      await auth.addUser({ name: USER.name, role: 'viewer', password: USER.password, actor: 'test' });
      base = await startApiProcess(`sqlite:${join(stack.dir, 'sellbridge.db')}`);
      browser = await launchChromium();
    }, 300_000);

    afterAll(async () => {
      await browser?.close();
      if (api && api.exitCode === null) {
        const exited = new Promise((r) => api!.once('exit', r));
        api.kill('SIGTERM');
        await exited;
      }
      await stack?.close();
    });

    it("the API process's overview shows Sage and Amazon reachable with their last calls, and the order-to-Sage latency", async () => {
      // Nothing in `created`: the latency no longer depends on the state an order is in now.
      for (const id of ids) expect((await worker.orders.deps.links.get('default', id))?.state).toBe('confirmed');

      // The API process reads what the worker recorded (written at most every few seconds: wait for it).
      const seen = await waitUntil(
        async () => {
          const o = await overview();
          const done = o.throughput.reduce((n, m) => n + m.completed, 0);
          return o.health.sage.ok === true &&
            o.health.amazon.ok === true &&
            o.latency.samples >= ORDERS &&
            done >= 2 * ORDERS
            ? o
            : null;
        },
        30_000,
        "the worker's Sage and Amazon calls in the API process's overview",
      );
      expect(seen.health.sage.lastCallAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(seen.health.amazon.lastCallAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(seen.health.sage.detail).toContain('reachable');
      expect(seen.latency.samples).toBe(ORDERS);
      expect(seen.latency.orderToSageP50Ms).toBeGreaterThan(0);
      expect(seen.latency.orderToSageP99Ms).toBeGreaterThanOrEqual(seen.latency.orderToSageP50Ms!);
      expect(seen.circuits).toContainEqual(expect.objectContaining({ target: 'sage500', state: 'closed' }));
      expect(seen.circuits).toContainEqual(expect.objectContaining({ target: 'amazon.orders', state: 'closed' }));
      expect(seen.connections).toContainEqual(
        expect.objectContaining({ connectionId: 'default', sage: expect.objectContaining({ ok: true }) }),
      );

      const { context, page, problems } = await openPage(browser);
      try {
        await signIn(page, `${base}/dashboard/`, USER);
        await page.getByRole('heading', { name: 'Overview' }).waitFor();

        const sage = page.locator('[data-health="sage"]');
        const amazon = page.locator('[data-health="amazon"]');
        await expect.poll(() => sage.getAttribute('aria-label'), { timeout: 15_000 }).toBe('Sage 500: Healthy');
        await expect.poll(() => amazon.getAttribute('aria-label'), { timeout: 15_000 }).toBe('Amazon SP-API: Healthy');
        for (const card of [sage, amazon]) {
          const text = (await card.textContent()) ?? '';
          expect(text).not.toContain('not wired');
          expect(text).toMatch(/Last call answered/);
          expect(await card.locator('[data-last-call]').getAttribute('data-last-call')).toMatch(/^\d{4}-/);
        }
        const latency = (await page.locator('#latency-summary').textContent()) ?? '';
        expect(latency).toMatch(
          new RegExp(`p50 \\d[\\d.]* (ms|s|min) · p99 \\d[\\d.]* (ms|s|min) · ${ORDERS} orders measured`),
        );
        expect(await page.locator('[aria-labelledby="h-latency"]').textContent()).not.toContain('No orders measured');
        // Throughput: the jobs the worker finished (an order.sync and a shipment.confirm per order at least).
        expect(await page.locator('[aria-labelledby="h-throughput"]').textContent()).not.toContain('No jobs finished');
        const row = page.locator('#connections tbody tr');
        expect(await row.count()).toBe(1);
        const rowText = (await row.textContent()) ?? '';
        expect(rowText).toContain('default');
        expect(rowText).toContain('OK');
        expect(rowText).not.toContain('none yet');
        await screenshot(page, 'overview-from-api-process');
        expect(problems.filter((p) => !/Failed to load resource/.test(p))).toEqual([]);
      } finally {
        await context.close();
      }
    }, 90_000);
  },
);

if (!CHROMIUM_PRESENT) it.skip(CHROMIUM_SKIP_MESSAGE, () => undefined);
