import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDER_INCLUDED_DATA } from '../../src/connectors/amazon/amazon-marketplace.ts';
import { enqueueOrderSync } from '../../src/bootstrap/orders.ts';
import { createRuntime } from '../../src/bootstrap/index.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createSandboxGateway } from '../../src/connectors/sage500/sandbox-gateway.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { createAmazonSimulator, type AmazonSimulator, type CatalogItem } from '../../src/simulator/amazon/index.ts';
import { orderToWire } from '../../src/simulator/amazon/order-wire.ts';
import { openStore } from '../../src/runtime/store/store.ts';
import { waitUntil } from '../helpers/queue-env.ts';
import { simulatorConfigOverrides } from '../helpers/simulator-connection.ts';

/**
 * `sellbridge orders preview|status` as a subprocess, against the SP-API simulator (in this process, so the CLI is
 * run asynchronously) and a Sage sandbox file. Preview writes nothing; status reads the store only.
 */
const BIN = fileURLToPath(new URL('../../bin/sellbridge.js', import.meta.url));
const SKUS: CatalogItem[] = [
  { sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 },
  { sku: 'GADGET-PRO', title: 'Gadget Pro', priceMinor: 14900 },
];
const dir = mkdtempSync(join(tmpdir(), 'sb-orders-cli-'));
let sim: AmazonSimulator;
let flags: string[] = [];

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SELLBRIDGE_')));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...flags, ...args], { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const overrides = () => [
  ...simulatorConfigOverrides(sim.url),
  { path: 'store.url', value: `sqlite:${join(dir, 'state.db')}` },
  { path: 'sage500.sandboxPath', value: join(dir, 'sage.db') },
  { path: 'log.level', value: 'silent' },
];

beforeAll(async () => {
  sim = await createAmazonSimulator({
    seed: 404,
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
  });
  flags = overrides().flatMap((o) => ['--set', `${o.path}=${o.value}`]);
}, 30_000);

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function salesOrderCount(): Promise<number> {
  const sage = await createSandboxGateway({ path: join(dir, 'sage.db') });
  try {
    const row = await sage.db
      .selectFrom('tsoSalesOrder')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  } finally {
    await sage.close();
  }
}

async function linkCount(): Promise<number> {
  const store = openStore({ url: `sqlite:${join(dir, 'state.db')}` });
  try {
    await store.migrate();
    const row = await store.db
      .withTables<{ order_links: { amazon_order_id: string } }>()
      .selectFrom('order_links')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  } finally {
    await store.close();
  }
}

describe('sellbridge orders (subprocess)', () => {
  it(
    'preview <id> prints the Sage sales order that would be created, and writes nothing',
    { timeout: 60_000 },
    async () => {
      const order = sim.control.addOrder({
        status: 'UNSHIPPED',
        items: [
          { sku: 'WIDGET-RED', quantity: 2 },
          { sku: 'GADGET-PRO', quantity: 1 },
        ],
      });
      const r = await cli(['orders', 'preview', order.orderId]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(
        `Amazon order ${order.orderId} (connection default): order.sync would create this Sage sales order`,
      );
      expect(r.stdout).toMatch(/WIDGET-RED\s+WIDGET-RED\s+2\s+19\.99/);
      expect(r.stdout).toContain('GADGET-PRO');
      expect(r.stdout).toContain('preview only: nothing was reserved, created or changed');
      expect(r.stdout).not.toContain(order.address.addressLine1);
      expect(r.stdout).not.toContain(order.address.name);
      expect(await salesOrderCount()).toBe(0);
      expect(await linkCount()).toBe(0);

      const json = await cli(['orders', 'preview', order.orderId, '--json']);
      expect(json.code, json.stderr).toBe(0);
      const preview = JSON.parse(json.stdout) as {
        action: string;
        draft: { lines: { itemId: string; quantity: number }[]; shipTo?: Record<string, unknown> };
        issues: unknown[];
      };
      expect(preview.action).toBe('create');
      expect(preview.draft.lines.filter((l) => !('charge' in l)).map((l) => [l.itemId, l.quantity])).toEqual([
        ['WIDGET-RED', 2],
        ['GADGET-PRO', 1],
      ]);
      expect(Object.keys(preview.draft.shipTo ?? {}).sort()).toEqual(['city', 'countryId', 'region']);
      expect(preview.issues).toEqual([]);
    },
  );

  it(
    'preview of a file with an unknown SKU lists every bad field with suggestions and exits 1',
    { timeout: 60_000 },
    async () => {
      const order = sim.control.addOrder({ status: 'UNSHIPPED', items: [{ sku: 'WIDGET-PURPLE', quantity: 1 }] });
      const file = join(dir, 'order.json');
      writeFileSync(file, JSON.stringify({ order: orderToWire(order, [...ORDER_INCLUDED_DATA, 'RECIPIENT']) }));
      const r = await cli(['orders', 'preview', file]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout, r.stderr).toContain('it would be dead-lettered: SB_MAP_SKU_UNKNOWN');
      expect(r.stdout).toMatch(/lines\[0\]\.sku: unknown SellerSKU WIDGET-PURPLE \(suggested Sage items: .*WIDGET-/);
      expect(await salesOrderCount()).toBe(0);
    },
  );

  it(
    'preview of the repo\'s own golden fixture reads the order under "order" (issue 13)',
    { timeout: 60_000 },
    async () => {
      const fixture = fileURLToPath(new URL('../fixtures/golden/01-multi-item-seller-tax/input.json', import.meta.url));
      const r = await cli(['orders', 'preview', fixture]);
      expect(r.stderr).not.toContain('Cannot read properties');
      expect(r.stdout, r.stderr).toContain('Amazon order 111-0000001-0000001 (connection default): order.sync would');
      expect(await salesOrderCount()).toBe(0);
    },
  );

  it(
    'preview refuses what is neither an order id nor an order file, with a clear message and exit 2',
    { timeout: 60_000 },
    async () => {
      const bad = await cli(['orders', 'preview', 'hello']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('"hello" is neither a file nor an Amazon order id');
      const notOrder = join(dir, 'not-order.json');
      writeFileSync(notOrder, JSON.stringify({ foo: 1 }));
      const r = await cli(['orders', 'preview', notOrder]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('is not an order');
      const missing = await cli(['orders', 'preview', '111-0000000-0000000']);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toMatch(/SB_AMZ_REQUEST_REJECTED.*(NotFound|not found)/i);
    },
  );

  it(
    'status shows the lifecycle state as data once the order went through the worker; unknown orders exit 1',
    { timeout: 60_000 },
    async () => {
      const order = sim.control.addOrder({ status: 'UNSHIPPED', items: [{ sku: 'GADGET-PRO', quantity: 1 }] });
      const runtime = await createRuntime(
        loadConfig({ file: '/dev/null', overrides: [...overrides(), { path: 'orders.poll.enabled', value: 'false' }] }),
        { role: 'worker', logger: silentLogger() },
      );
      try {
        await runtime.start();
        await enqueueOrderSync(runtime.queue, 'default', order.orderId);
        await waitUntil(
          async () => (await runtime.orders.deps.links.get('default', order.orderId))?.state === 'created',
          30_000,
          'the order to be created',
        );
      } finally {
        await runtime.close();
      }
      const json = await cli(['orders', 'status', order.orderId, '--json']);
      expect(json.code, json.stderr).toBe(0);
      const report = JSON.parse(json.stdout) as Record<string, unknown>;
      expect(report).toMatchObject({
        amazonOrderId: order.orderId,
        connectionId: 'default',
        state: 'created',
        tranNo: expect.stringMatching(/^AZ/),
        packages: [],
        jobs: [],
        deadLetters: [],
      });
      expect(report['next']).toEqual(expect.arrayContaining(['shipped', 'cancelled']));
      const text = await cli(['orders', 'status', order.orderId]);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/state:\s+created/);
      expect(text.stdout).toContain(`TranNo ${report['tranNo'] as string}`);

      const unknown = await cli(['orders', 'status', '999-9999999-9999999']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('Sellbridge has no record of order 999-9999999-9999999');
    },
  );
});
