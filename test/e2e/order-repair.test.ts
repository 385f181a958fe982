import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/bootstrap/index.ts';
import { enqueueOrderSync } from '../../src/bootstrap/orders.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createSandboxGateway, type SandboxGateway } from '../../src/connectors/sage500/sandbox-gateway.ts';
import { previewSalesOrder } from '../../src/flows/preview-order.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { buildApp } from '../../src/server/app.ts';
import { createAmazonSimulator, type AmazonSimulator, type CatalogItem } from '../../src/simulator/amazon/index.ts';
import { waitUntil } from '../helpers/queue-env.ts';
import { simulatorConfigOverrides } from '../helpers/simulator-connection.ts';

/**
 * The ways out of an order's dead letter, end to end: the SP-API simulator, a Sage sandbox file, a worker runtime in
 * this process (address policy `dead-letter`, so addresses dead-letter too), and the operator's side both as the
 * `sellbridge` CLI in a subprocess and through the admin API:
 * - `dlq replay <id> --set path=value`: a preview of the corrected Sage order, then the replay; the order is created
 *   with the corrections;
 * - `orders link <AmazonOrderId> <TranNo>`: an order keyed by hand in Sage (no Sellbridge extension rows), checked
 *   (same lines and total, or `--force`, audited), after which its Sage shipment is confirmed to Amazon as usual.
 */
const BIN = fileURLToPath(new URL('../../bin/sellbridge.js', import.meta.url));
const CONN = 'default';
const TOKEN = 'order-repair-admin-token-0123456789abcdef';
const SKUS: CatalogItem[] = [
  { sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 },
  { sku: 'GADGET-PRO', title: 'Gadget Pro', priceMinor: 14900 },
];
const dir = mkdtempSync(join(tmpdir(), 'sb-order-repair-'));
let sim: AmazonSimulator;
let worker: Runtime;
let sage: SandboxGateway;
let app: FastifyInstance;
let flags: string[] = [];

const overrides = () => [
  ...simulatorConfigOverrides(sim.url),
  { path: 'store.url', value: `sqlite:${join(dir, 'state.db')}` },
  { path: 'sage500.sandboxPath', value: join(dir, 'sage.db') },
  { path: 'log.level', value: 'silent' },
  { path: 'orders.addressPolicy', value: 'dead-letter' },
  { path: 'orders.poll.enabled', value: 'false' },
  { path: 'orders.shipmentPollEveryMs', value: '300' },
];

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

beforeAll(async () => {
  sim = await createAmazonSimulator({
    seed: 1707,
    scenario: {
      skus: SKUS,
      unknownSkuRate: 0,
      afnRate: 0,
      pendingRate: 0,
      cancelledRate: 0,
      businessRate: 0,
      nonAsciiRate: 0,
      longAddressRate: 0,
      foreignScriptAddressRate: 0,
    },
  });
  flags = overrides().flatMap((o) => ['--set', `${o.path}=${o.value}`]);
  worker = await createRuntime(loadConfig({ file: '/dev/null', overrides: overrides() }), {
    role: 'worker',
    logger: silentLogger(),
  });
  await worker.start();
  sage = await createSandboxGateway({ path: join(dir, 'sage.db') });
  app = buildApp({ ...worker, adminToken: TOKEN });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await worker?.close();
  await sage?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A new UNSHIPPED order, its address and SKUs as given, synced until its dead letter is open; returns its id. */
async function deadLetteredOrder(
  items: { sku: string; quantity: number }[],
  city = 'Seattle',
): Promise<{ orderId: string; deadLetterId: string }> {
  const order = sim.control.addOrder({ status: 'UNSHIPPED', items });
  Object.assign(sim.control.order(order.orderId)!.address, { city, stateOrRegion: 'WA', countryCode: 'US' });
  await enqueueOrderSync(worker.queue, CONN, order.orderId);
  let id = '';
  await waitUntil(
    async () => {
      const open = await worker.deadLetters.list({ status: 'open' });
      id = open.find((l) => l.jobKey === `order.sync:${order.orderId}`)?.id ?? '';
      return id !== '';
    },
    30_000,
    `order ${order.orderId} to be dead-lettered`,
  );
  return { orderId: order.orderId, deadLetterId: id };
}

/** Keys the order into Sage "by hand": Sage's own rows, none of Sellbridge's (no extension rows, no UserFld1). */
async function keyedByHand(
  orderId: string,
  tranNo: string,
  set: Record<string, string>,
  change: { qtyDelta?: number; priceDelta?: number } = {},
) {
  const order = await worker.orders.deps.amazon.getOrder(orderId, { includePii: true });
  const preview = await previewSalesOrder(CONN, order, worker.orders.deps, set);
  expect(preview.issues).toEqual([]);
  const draft = preview.draft!;
  const created = await sage.createSalesOrder(
    {
      ...draft,
      lines: draft.lines.map((l, i) =>
        i === 0
          ? {
              ...l,
              quantity: l.quantity + (change.qtyDelta ?? 0),
              unitPrice: { ...l.unitPrice, minor: l.unitPrice.minor + (change.priceDelta ?? 0) },
            }
          : l,
      ),
    },
    { tranNo },
  );
  const soKey = Number(created.order.key);
  await sage.db.deleteFrom('tsoSalesOrder_AMZ').where('SOKey', '=', soKey).execute();
  await sage.db.deleteFrom('tsoSOLine_AMZ').where('SOKey', '=', soKey).execute();
  await sage.db.updateTable('tsoSOLine').set({ UserFld1: null }).where('SOKey', '=', soKey).execute();
  await sage.db.updateTable('tsoSalesOrder').set({ TranCmnt: 'phone order' }).where('SOKey', '=', soKey).execute();
  expect(await sage.findSalesOrder({ amazonOrderId: orderId })).toBeUndefined();
}

const stateOf = async (orderId: string) => (await worker.orders.deps.links.get(CONN, orderId))?.state;

async function shipAndConfirm(orderId: string): Promise<void> {
  await waitUntil(
    async () => {
      await sage.shipDueOrders();
      return sim.control.order(orderId)?.status === 'SHIPPED' && (await stateOf(orderId)) === 'confirmed';
    },
    120_000,
    `order ${orderId} shipped in Sage and confirmed to Amazon`,
  );
}

describe('a way out of every order dead letter (CLI subprocess)', () => {
  it(
    'dlq replay --set: previews the corrected Sage order, refuses while issues remain, creates it with the corrections',
    { timeout: 300_000 },
    async () => {
      const { orderId, deadLetterId } = await deadLetteredOrder(
        [
          { sku: 'WIDGET-PURPLE', quantity: 2 },
          { sku: 'GADGET-PRO', quantity: 1 },
        ],
        'Rancho Santa Margarita',
      );
      const letter = await worker.deadLetters.get(deadLetterId);
      expect(letter.error.code).toBe('SB_MAP_ORDER_INVALID');
      expect(letter.error.issues?.map((i) => i.field)).toEqual(['lines[0].sku', 'shipTo.city']);

      // Only the city corrected: the preview still shows the SKU issue, nothing is replayed.
      const partial = await cli(['dlq', 'replay', deadLetterId, '--set', 'shipTo.city=Rancho Sta Margarita']);
      expect(partial.code, partial.stderr).toBe(1);
      expect(partial.stdout).toContain('lines[0].sku: unknown SellerSKU WIDGET-PURPLE');
      expect(partial.stdout).toContain('not replayed: the corrected order still has issues');
      expect((await worker.deadLetters.get(deadLetterId)).status).toBe('open');

      const bad = await cli(['dlq', 'replay', deadLetterId, '--set', 'shipTo.phone=1']);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('shipTo.phone: not a path that can be set');

      const dry = await cli([
        'dlq',
        'replay',
        deadLetterId,
        '--set',
        'shipTo.city=Rancho Sta Margarita',
        '--set',
        'lines[0].sku=WIDGET-BLUE',
        '--dry-run',
      ]);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain(
        `Amazon order ${orderId} (connection default), as corrected: order.sync would create`,
      );
      expect(dry.stdout).toMatch(/WIDGET-BLUE\s+WIDGET-BLUE\s+2/);
      expect(dry.stdout).toContain('ship to Rancho Sta Margarita, WA, USA');
      expect(dry.stdout).toContain('dry run');
      expect((await worker.deadLetters.get(deadLetterId)).status).toBe('open');

      const r = await cli([
        'dlq',
        'replay',
        deadLetterId,
        '--set',
        'shipTo.city=Rancho Sta Margarita',
        '--set',
        'lines[0].sku=WIDGET-BLUE',
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`dead letter ${deadLetterId} replayed with 2 correction(s)`);
      await waitUntil(async () => (await stateOf(orderId)) === 'created', 30_000, 'the corrected order in Sage');
      const so = await sage.findSalesOrder({ amazonOrderId: orderId });
      expect(so?.shipTo?.city).toBe('Rancho Sta Margarita');
      expect(so?.lines.slice(0, 2).map((l) => [l.itemId, l.quantity, l.amazonOrderItemId])).toEqual([
        ['WIDGET-BLUE', 2, sim.control.order(orderId)!.items[0]!.orderItemId],
        ['GADGET-PRO', 1, sim.control.order(orderId)!.items[1]!.orderItemId],
      ]);
      await shipAndConfirm(orderId);
    },
  );

  it(
    'orders link: checked against the Sage order keyed by hand, refused when it differs unless --force; shipments confirm',
    { timeout: 300_000 },
    async () => {
      const same = await deadLetteredOrder([{ sku: 'WIDGET-PURPLE', quantity: 3 }]);
      await keyedByHand(same.orderId, 'HAND000001', { 'lines[0].sku': 'WIDGET-BLUE' });
      const dry = await cli(['orders', 'link', same.orderId, 'HAND000001', '--dry-run']);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain(`dry run: order ${same.orderId} would be linked to Sage order HAND000001`);
      expect(await stateOf(same.orderId)).toBe('dead-lettered');
      const ok = await cli(['orders', 'link', same.orderId, 'HAND000001']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain(`order ${same.orderId} linked to Sage order HAND000001`);
      expect(ok.stdout).toContain('1 open dead letter(s) of the order closed');
      expect((await worker.deadLetters.get(same.deadLetterId)).status).toBe('discarded');
      expect(await stateOf(same.orderId)).toBe('created');
      const status = JSON.parse((await cli(['orders', 'status', same.orderId, '--json'])).stdout) as {
        tranNo: string;
      };
      expect(status.tranNo).toBe('HAND000001');
      await shipAndConfirm(same.orderId);

      // A Sage order with another quantity is not the same order.
      const other = await deadLetteredOrder([{ sku: 'WIDGET-PURPLE', quantity: 1 }]);
      await keyedByHand(other.orderId, 'HAND000002', { 'lines[0].sku': 'WIDGET-BLUE' }, { qtyDelta: 1 });
      const refused = await cli(['orders', 'link', other.orderId, 'HAND000002']);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('SB_ORD_LINK_REFUSED');
      expect(refused.stderr).toContain('has no Sage line with that item and quantity');
      expect(await stateOf(other.orderId)).toBe('dead-lettered');
      // The TranNo of another linked order is refused whatever the flags.
      const taken = await cli(['orders', 'link', other.orderId, 'HAND000001', '--force']);
      expect(taken.code).not.toBe(0);
      expect(taken.stderr).toContain(`that TranNo belongs to Amazon order ${same.orderId}`);

      const forced = await cli(['orders', 'link', other.orderId, 'HAND000002', '--force', '--actor', 'cli:olga']);
      expect(forced.code, forced.stderr).toBe(0);
      expect(forced.stdout).toContain('with --force');
      const audit = await worker.store.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'orders.link-forced')
        .execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]!.actor).toBe('cli:olga');
      expect(JSON.parse(audit[0]!.detail)).toMatchObject({ tranNo: 'HAND000002', forced: true });
      expect(JSON.parse(audit[0]!.detail).differences.length).toBeGreaterThan(0);
    },
  );
});

describe('a way out of every order dead letter (admin API)', () => {
  const auth = { authorization: `Bearer ${TOKEN}` };

  it(
    'POST /dead-letters/:id/preview and /replay with set: 422 while issues remain, then created',
    { timeout: 300_000 },
    async () => {
      const { orderId, deadLetterId } = await deadLetteredOrder([{ sku: 'WIDGET-PURPLE', quantity: 1 }]);
      const preview = await app.inject({
        method: 'POST',
        url: `/api/v1/dead-letters/${deadLetterId}/preview`,
        headers: auth,
        payload: { set: { 'lines[0].sku': 'GADGET-PRO' } },
      });
      expect(preview.statusCode, preview.body).toBe(200);
      expect(preview.json().preview.issues).toEqual([]);
      expect(preview.json().preview.draft.lines[0]).toMatchObject({ itemId: 'GADGET-PRO', quantity: 1 });
      expect(Object.keys(preview.json().preview.draft.shipTo).sort()).toEqual(['city', 'countryId', 'region']);

      const stuck = await app.inject({
        method: 'POST',
        url: `/api/v1/dead-letters/${deadLetterId}/replay`,
        headers: auth,
        payload: { set: { 'shipTo.city': 'Seattle' } },
      });
      expect(stuck.statusCode).toBe(422);
      expect(stuck.json().preview.issues[0].field).toBe('lines[0].sku');

      const done = await app.inject({
        method: 'POST',
        url: `/api/v1/dead-letters/${deadLetterId}/replay`,
        headers: auth,
        payload: { set: { 'lines[0].sku': 'GADGET-PRO' } },
      });
      expect(done.statusCode, done.body).toBe(200);
      expect(done.json().jobId).toEqual(expect.any(String));
      await waitUntil(async () => (await stateOf(orderId)) === 'created', 30_000, 'the corrected order in Sage');
      expect((await sage.findSalesOrder({ amazonOrderId: orderId }))?.lines[0]?.itemId).toBe('GADGET-PRO');
    },
  );

  it(
    'POST /orders/:id/link: 400 with the differences, 200 when the same, shipments confirmed',
    { timeout: 300_000 },
    async () => {
      const { orderId } = await deadLetteredOrder([{ sku: 'WIDGET-PURPLE', quantity: 2 }]);
      await keyedByHand(orderId, 'HAND000003', { 'lines[0].sku': 'WIDGET-RED' }, { priceDelta: 100 });
      const refused = await app.inject({
        method: 'POST',
        url: `/api/v1/orders/${orderId}/link`,
        headers: auth,
        payload: { tranNo: 'HAND000003' },
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error).toContain('not the same order');
      expect(refused.json().error).toMatch(/Sage total \d+\.\d+ USD differs/);
      const forced = await app.inject({
        method: 'POST',
        url: `/api/v1/orders/${orderId}/link`,
        headers: auth,
        payload: { tranNo: 'HAND000003', force: true },
      });
      expect(forced.statusCode, forced.body).toBe(200);
      expect(forced.json()).toMatchObject({ linked: true, forced: true, tranNo: 'HAND000003', deadLettersClosed: 1 });
      await shipAndConfirm(orderId);
    },
  );
});
