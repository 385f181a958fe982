import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../../src/bootstrap/index.ts';
import { connectionConfigs, loadConfig } from '../../../src/config/load.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import type { Sage500Gateway } from '../../../src/core/ports/sage500-gateway.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { createStoreRateLimiter } from '../../../src/runtime/rate-limit/store-rate-limiter.ts';
import { buildApp } from '../../../src/server/app.ts';
import { createAmazonSimulator, type AmazonSimulator, type CatalogItem } from '../../../src/simulator/amazon/index.ts';
import type { JobEvent } from '../../../src/runtime/queue/job-queue.ts';
import { waitUntil } from '../../helpers/queue-env.ts';
import { addSageCustomer } from './sage-customers.ts';

/**
 * Issue 21, must show: three connections in one process. Two sellers on NA (us1, us2) and one on EU (de:
 * Amazon.de, EUR) into two Sage companies (SOA in one sandbox database, SDE in another, seeded here); the two NA
 * sellers share one SQS queue (one consumer routes by SellerId), the EU seller has its own. Each order lands in its
 * connection's company with its customer, warehouse and charge item; one Sage company down makes only its connection
 * wait; one seller's exhausted quota slows nobody else; a connection added through the admin API while running takes
 * orders within one schedule period; bad mapping input is refused with each problem named and nothing stored.
 */
const US = 'ATVPDKIKX0DER';
const CA = 'A2EUQ1WTGCTBG2';
const DE = 'A1PA6795UKMFR9';
const SELLERS = [
  { sellerId: 'A1SIMSELLERUS1', refreshToken: 'Atzr|us1-token', marketplaceIds: [US, CA] },
  // us2's getOrder plan: a normal burst, but once spent (the quota test) one call per 15 real seconds (the simulator
  // runs 20x: 0.0033/s simulated), so its job waits on Amazon's word however fast or slow the machine is.
  {
    sellerId: 'A1SIMSELLERUS2',
    refreshToken: 'Atzr|us2-token',
    marketplaceIds: [US],
    usagePlans: { 'orders.getOrder': { rate: 0.0033, burst: 30 } },
  },
  { sellerId: 'A1SIMSELLERDE1', refreshToken: 'Atzr|de-token', marketplaceIds: [DE] },
];
const SKUS: CatalogItem[] = [
  { sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 },
  { sku: 'WIDGET-BLUE', title: 'Widget, blue', priceMinor: 1999 },
];
const ADMIN_TOKEN = 'three-connections-admin-token-0123456789';
const CA_POLL_MS = 1_500;

let dir: string;
let sim: AmazonSimulator;
let runtime: Runtime;
let config: ReturnType<typeof loadConfig>;
let na: SandboxGateway;
let sde: SandboxGateway;
const events: JobEvent[] = [];

/** A gateway whose close() is the test's: one sandbox gateway serves several connections of company SOA. */
const shared = (g: Sage500Gateway): Sage500Gateway =>
  new Proxy(g, {
    get: (t, p, r) => (p === 'close' ? async () => undefined : (Reflect.get(t, p, r) as unknown)),
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sb-three-connections-'));
  sim = await createAmazonSimulator({
    seed: 2103,
    timeScale: 20,
    sellers: SELLERS,
    strictRefreshTokens: true,
    scenario: {
      skus: SKUS,
      unknownSkuRate: 0,
      afnRate: 0,
      pendingRate: 0,
      cancelledRate: 0,
      businessRate: 0,
      nonAsciiRate: 0,
      longAddressRate: 0,
      giftRate: 0,
      promotionRate: 0,
    },
  });
  const naQueue = sim.control.subscribe({
    notificationType: 'ORDER_CHANGE',
    queueName: 'na-q',
    sellerId: SELLERS[0]!.sellerId,
  });
  sim.control.subscribe({ notificationType: 'ORDER_CHANGE', queueName: 'na-q', sellerId: SELLERS[1]!.sellerId });
  const euQueue = sim.control.subscribe({
    notificationType: 'ORDER_CHANGE',
    queueName: 'eu-q',
    sellerId: SELLERS[2]!.sellerId,
  });

  // Company SOA (the demo company) with a second customer for us2; company SDE (the sandbox's German company: customer
  // AMAZON-DE in EUR, warehouse LEJ, DHL/DPD ship methods) in its own database.
  na = await createSandboxGateway({ path: join(dir, 'sage-na.db') });
  await addSageCustomer(na, { key: 660, id: 'SHOP-US2', currency: 'USD' });
  sde = await createSandboxGateway({ path: join(dir, 'sage-de.db'), companyId: 'SDE' });

  const file = join(dir, 'sellbridge.yaml');
  writeFileSync(
    file,
    `
store: { url: "sqlite:${join(dir, 'sellbridge.db')}" }
jobs: { pollIntervalMs: 50 }
amazon:
  endpoint: ${sim.url}
  lwaEndpoint: ${sim.url}/auth/o2/token
  lwaClientId: cid
  lwaClientSecret: secret
  sqs: { endpoint: ${sim.url}, waitTimeSeconds: 1, accessKeyId: sim, secretAccessKey: sim }
sage500:
  kind: sandbox
  sandboxPath: ${join(dir, 'sage-na.db')}
  warehouseSimulator: { enabled: false }
orders:
  poll: { enabled: false }
  shipmentPollEveryMs: 3600000
  sageCircuit: { failureThreshold: 2, openMs: 500 }
connections:
  - id: us1
    amazon: { sellerId: ${SELLERS[0]!.sellerId}, refreshToken: "${SELLERS[0]!.refreshToken}", marketplaceIds: [${US}], sqs: { queueUrl: "${naQueue.queueUrl}" } }
    orders:
      customers: { ${US}: { customerId: AMAZON-US, currency: USD, warehouseId: MAIN } }
      chargeLines: { freight: { itemId: AMZ-FREIGHT } }
  - id: us2
    amazon: { sellerId: ${SELLERS[1]!.sellerId}, refreshToken: "${SELLERS[1]!.refreshToken}", marketplaceIds: [${US}], sqs: { queueUrl: "${naQueue.queueUrl}" } }
    sage500: { tranNoPrefix: AZB }
    orders:
      customers: { ${US}: { customerId: SHOP-US2, currency: USD, warehouseId: EAST } }
  - id: de
    amazon: { sellerId: ${SELLERS[2]!.sellerId}, refreshToken: "${SELLERS[2]!.refreshToken}", region: eu, marketplaceIds: [${DE}], sqs: { queueUrl: "${euQueue.queueUrl}" } }
    sage500: { companyId: SDE, sandboxPath: ${join(dir, 'sage-de.db')}, tranNoPrefix: AZD }
    orders:
      customers: { ${DE}: { customerId: AMAZON-DE, currency: EUR, warehouseId: LEJ } }
      shipMethods: { fallback: DHL-PAKET, byServiceLevel: { STANDARD: DHL-PAKET, FREE_ECONOMY: DHL-PAKET, SCHEDULED: DHL-PAKET, EXPEDITED: DHL-EXPRESS, SECOND_DAY: DHL-EXPRESS, PRIORITY: DHL-EXPRESS, NEXT_DAY: DHL-EXPRESS, SAME_DAY: DHL-EXPRESS } }
      chargeLines: { freight: { itemId: AMZ-CHARGE } }
`,
  );
  config = loadConfig({ file, env: {} });
  expect(connectionConfigs(config).map((c) => c.orders.connectionId)).toEqual(['us1', 'us2', 'de']);
  runtime = await createRuntime(config, {
    role: 'worker',
    logger: createLogger({ level: 'silent', format: 'json' }),
    sageFor: (id) => (id === 'de' ? shared(sde) : shared(na)),
    registryPollMs: 500,
  });
  runtime.queue.onEvent((e) => events.push(e));
  await runtime.start();
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  await sim?.close();
  await na?.close();
  await sde?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const links = (connectionId: string) => runtime.connections.engine(connectionId)!.orders.deps.links;
const created = (connectionId: string, orderId: string, timeoutMs = 30_000) =>
  waitUntil(
    async () => (await links(connectionId).get(connectionId, orderId))?.state === 'created',
    timeoutMs,
    `order ${orderId} of ${connectionId} in Sage`,
  );
const isCreated = async (connectionId: string, orderId: string) =>
  (await links(connectionId).get(connectionId, orderId))?.state === 'created';

/** Adds an order for the seller, with a shipping charge on its first line (so a freight charge line is due). */
function order(seller: number, marketplaceId: string): string {
  const o = sim.control.addOrder({
    sellerId: SELLERS[seller]!.sellerId,
    marketplaceId,
    status: 'UNSHIPPED',
    items: [{ sku: 'WIDGET-RED', quantity: 1 }],
  });
  o.items[0]!.shippingMinor = 599;
  o.items[0]!.shippingDiscountMinor = 0;
  o.items[0]!.promotionIds = [];
  return o.orderId;
}

/** The Sage order, its header warehouse and ship-to company, read from the sandbox database it must be in. */
async function sageOrder(sandbox: SandboxGateway, orderId: string) {
  const so = await sandbox.findSalesOrder({ amazonOrderId: orderId });
  if (!so) return undefined;
  const header = await sandbox.db
    .selectFrom('tsoSalesOrder as o')
    .leftJoin('timWarehouse as w', 'w.WhseKey', 'o.DfltWhseKey')
    .select(['o.CompanyID', 'w.WhseID'])
    .where('o.TranNo', '=', so.tranNo)
    .executeTakeFirstOrThrow();
  return { so, companyId: header.CompanyID, warehouseId: header.WhseID };
}

const admin = () => buildApp({ ...runtime, adminToken: ADMIN_TOKEN });
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('three connections in one process (issue 21)', () => {
  it('interleaved notifications: each order lands in its company with its customer, warehouse and charge item', async () => {
    const plan: [string, number, string][] = [
      ['us1', 0, US],
      ['de', 2, DE],
      ['us2', 1, US],
      ['de', 2, DE],
      ['us1', 0, US],
      ['us2', 1, US],
    ];
    const orders = plan.map(([id, seller, mp]) => ({ id, orderId: order(seller, mp) }));
    for (const o of orders) await created(o.id, o.orderId);
    const expected = {
      us1: {
        sandbox: na,
        other: sde,
        companyId: 'SOA',
        customerId: 'AMAZON-US',
        currency: 'USD',
        warehouseId: 'MAIN',
        charge: 'AMZ-FREIGHT',
      },
      us2: {
        sandbox: na,
        other: sde,
        companyId: 'SOA',
        customerId: 'SHOP-US2',
        currency: 'USD',
        warehouseId: 'EAST',
        charge: undefined,
      },
      de: {
        sandbox: sde,
        other: na,
        companyId: 'SDE',
        customerId: 'AMAZON-DE',
        currency: 'EUR',
        warehouseId: 'LEJ',
        charge: 'AMZ-CHARGE',
      },
    } as const;
    for (const o of orders) {
      const want = expected[o.id as keyof typeof expected];
      const got = await sageOrder(want.sandbox, o.orderId);
      expect(got, `${o.id} ${o.orderId}`).toBeDefined();
      expect(await want.other.findSalesOrder({ amazonOrderId: o.orderId })).toBeUndefined();
      expect({
        company: got!.companyId,
        customer: got!.so.customerId,
        currency: got!.so.currency,
        warehouse: got!.warehouseId,
      }).toEqual({
        company: want.companyId,
        customer: want.customerId,
        currency: want.currency,
        warehouse: want.warehouseId,
      });
      const goods = got!.so.lines.filter((l) => l.itemId === 'WIDGET-RED');
      expect(goods.length).toBeGreaterThan(0);
      for (const l of goods) expect(l.warehouseId).toBe(want.warehouseId);
      const charges = got!.so.lines.map((l) => l.itemId).filter((i) => i === 'AMZ-FREIGHT' || i === 'AMZ-CHARGE');
      expect(charges, `${o.id} charge lines`).toEqual(want.charge ? [want.charge] : []);
    }
    // Per-connection job keys and metrics.
    const jobs = await runtime.queue.listJobs({ queue: 'order.sync', limit: 100 });
    expect(jobs.filter((j) => j.key.startsWith('de/order.sync:')).length).toBeGreaterThanOrEqual(2);
    const metrics = await runtime.metrics.registry.getSingleMetricAsString('sellbridge_circuit_state');
    for (const id of ['us1', 'us2', 'de'])
      expect(metrics).toContain(`sellbridge_circuit_state{target="sage500",connection="${id}"} 0`);
  }, 90_000);

  it('one Sage company down makes only its connection wait', async () => {
    // Company SDE answers nothing for 20 s (its calls fail SB_SAGE_UNAVAILABLE; its jobs wait that long).
    sde.injectFaults({ unavailableForMs: 20_000 });
    const deOrders = [order(2, DE), order(2, DE)];
    await waitUntil(
      async () => runtime.connections.engine('de')!.circuits.sage500.state() !== 'closed',
      30_000,
      'the de Sage circuit to open',
    );
    const usOrders = [order(0, US), order(1, US)];
    await created('us1', usOrders[0]!);
    await created('us2', usOrders[1]!);
    expect(runtime.connections.engine('us1')!.circuits.sage500.state()).toBe('closed');
    expect(runtime.connections.engine('us2')!.circuits.sage500.state()).toBe('closed');
    for (const o of deOrders) expect(await isCreated('de', o)).toBe(false);
    const deOrder = deOrders[1]!;
    await created('de', deOrders[0]!, 60_000);
    await created('de', deOrder, 60_000);
  }, 90_000);

  it("one seller's quota exhausted slows nobody else", async () => {
    // us2's buckets as after the seller spent its quota: empty, refilling one call per 20 s (as Amazon's rate header
    // says of a seller with a tiny plan); its next call would wait past the limiter's longest sleep, so its job waits.
    const limiter = createStoreRateLimiter(runtime.store, { now: () => Date.now() });
    const keys = (await sql<{ key: string }>`SELECT key FROM rate_buckets`.execute(runtime.store.db)).rows
      .map((r) => r.key)
      .filter((k) => k.includes(`|${SELLERS[1]!.sellerId}|`));
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      await limiter.setRate(k, 0.05);
      await limiter.drain(k);
    }
    // Amazon's side too: tokens this process had leased before the drain are real quota it may still spend (issue
    // 15's leasing), so the seller's quota is exhausted at the simulator as well; the 429 that answers the next call
    // drops the leases and drains the bucket again.
    sim.control.exhaustQuota(SELLERS[1]!.sellerId);
    const from = events.length;
    const starved = order(1, US);
    const others = [order(0, US), order(2, DE), order(0, US)];
    await created('us1', others[0]!);
    await created('de', others[1]!);
    await created('us1', others[2]!);
    await waitUntil(
      async () =>
        events
          .slice(from)
          .some((e) => e.type === 'deferred' && e.code === 'SB_AMZ_THROTTLED' && e.job.key.startsWith('us2/')),
      30_000,
      "us2's order.sync to wait for its bucket",
    );
    expect(await isCreated('us2', starved)).toBe(false);
    // No other connection's job waited for a bucket.
    expect(
      events
        .slice(from)
        .filter((e) => e.type === 'deferred' && !e.job.key.startsWith('us2/') && e.code === 'SB_AMZ_THROTTLED'),
    ).toEqual([]);
    // Its quota comes back: the waiting order goes through.
    sim.control.resetRateLimits();
    for (const k of keys) await limiter.setRate(k, 50);
    await created('us2', starved, 90_000);
  }, 120_000);

  it('refuses bad connection input with each problem named, and stores nothing', async () => {
    const app = admin();
    try {
      const schema = await app.inject({
        method: 'POST',
        url: '/api/v1/connections',
        headers: auth,
        payload: {
          id: 'ca-bad',
          orders: { warehouseId: 'TOOLONGWH', customers: { [CA]: { customerId: 'AMAZON-CA' } } },
        },
      });
      expect(schema.statusCode, schema.body).toBe(400);
      const schemaFields = (schema.json() as { issues: { field: string }[] }).issues.map((i) => i.field).sort();
      expect(schemaFields).toEqual(['orders.customers.A2EUQ1WTGCTBG2.currency', 'orders.warehouseId']);
      const mapping = await app.inject({
        method: 'POST',
        url: '/api/v1/connections',
        headers: auth,
        payload: {
          id: 'ca-bad',
          amazon: { marketplaceIds: [CA] },
          sage500: { tranNoPrefix: 'AZX' }, // AZ, the default, is us1's in this company
          orders: {
            customers: { [CA]: { customerId: 'NOBODY', currency: 'CAD' } },
            shipMethods: { byServiceLevel: { NEXT_DAY: 'TELEPORT' } },
          },
        },
      });
      expect(mapping.statusCode, mapping.body).toBe(400);
      const body = mapping.json() as { code: string; issues: { field: string; problem: string }[] };
      expect(body.code).toBe('SB_CONNECTION_INVALID');
      expect(body.issues.map((i) => i.field).sort()).toEqual([
        `orders.customers.${CA}.customerId`,
        'orders.shipMethods.byServiceLevel.NEXT_DAY',
      ]);
      expect(body.issues.find((i) => i.field.endsWith('customerId'))!.problem).toContain('NOBODY');
      // The inventory and settlements blocks: the schema first, then their warehouses and accounts against Sage.
      const syncSchema = await app.inject({
        method: 'POST',
        url: '/api/v1/connections',
        headers: auth,
        payload: { id: 'ca-bad', inventory: { safetyStockPercent: 120 }, settlements: { postingDate: 'someday' } },
      });
      expect(syncSchema.statusCode, syncSchema.body).toBe(400);
      expect((syncSchema.json() as { issues: { field: string }[] }).issues.map((i) => i.field).sort()).toEqual([
        'inventory.safetyStockPercent',
        'settlements.postingDate',
      ]);
      const sync = await app.inject({
        method: 'POST',
        url: '/api/v1/connections',
        headers: auth,
        payload: {
          id: 'ca-bad',
          sage500: { tranNoPrefix: 'AZX' },
          inventory: { warehouseIds: ['MAIN', 'NOWH'] },
          settlements: { accountingModel: 'settlement-revenue', bankClearingAccount: '7777-00' },
        },
      });
      expect(sync.statusCode, sync.body).toBe(400);
      const syncIssues = (sync.json() as { issues: { field: string; problem: string }[] }).issues;
      expect(syncIssues.map((i) => i.field).sort()).toEqual([
        'inventory.warehouseIds.1',
        'settlements.bankClearingAccount',
      ]);
      expect(syncIssues.find((i) => i.field === 'inventory.warehouseIds.1')!.problem).toContain(
        'Sage has no warehouse NOWH',
      );
      const secret = await app.inject({
        method: 'POST',
        url: '/api/v1/connections',
        headers: auth,
        payload: { id: 'ca-bad', settlements: { apiToken: 'x' } },
      });
      expect(secret.statusCode, secret.body).toBe(400);
      expect((secret.json() as { issues: { field: string }[] }).issues).toEqual([
        expect.objectContaining({ field: 'settlements' }),
      ]);
      // Each connection keeps its own TranNo counter: a prefix another connection holds in the same Sage company is
      // refused (a new connection, and an order-policies edit); in another company it is free.
      const taken = await app.inject({
        method: 'POST',
        url: '/api/v1/connections',
        headers: auth,
        payload: {
          id: 'ca-bad',
          amazon: { marketplaceIds: [CA] },
          sage500: { tranNoPrefix: 'AZB' },
          orders: { customers: { [CA]: { customerId: 'AMAZON-CA', currency: 'CAD', warehouseId: 'MAIN' } } },
        },
      });
      expect(taken.statusCode, taken.body).toBe(400);
      const takenIssues = (taken.json() as { issues: { field: string; problem: string }[] }).issues;
      expect(takenIssues.map((i) => i.field)).toEqual(['sage500.tranNoPrefix']);
      expect(takenIssues[0]!.problem).toContain('connection us2');
      const edit = await app.inject({
        method: 'PUT',
        url: '/api/v1/connections/us1/mappings/order-policies',
        headers: { ...auth, 'content-type': 'application/json' },
        payload: JSON.stringify({ rows: [{ tranNoPrefix: 'AZB' }] }),
      });
      expect(edit.statusCode, edit.body).toBe(422);
      const editProblems = (edit.json() as { problems: { path: string; problem: string }[] }).problems;
      expect(editProblems.map((p) => p.path)).toEqual(['rows[0].tranNoPrefix']);
      expect(editProblems[0]!.problem).toContain('connection us2');
      expect(await runtime.connections.tranNoPrefixHolder('de', 'AZB')).toBeUndefined(); // SDE: another company
      expect(await runtime.connections.tranNoPrefixHolder('us1', 'AZD')).toBeUndefined(); // de's, in SDE
      expect(
        await runtime.store.db.selectFrom('connections').select('id').where('id', '=', 'ca-bad').executeTakeFirst(),
      ).toBeUndefined();
      const stored = (
        await app.inject({ url: '/api/v1/connections/us1/mappings/order-policies', headers: auth })
      ).json();
      expect((stored as { stored: { rows: unknown[] } }).stored.rows).toEqual([]);
      expect((await runtime.connections.list()).map((c) => c.id)).not.toContain('ca-bad');
    } finally {
      await app.close();
    }
  }, 60_000);

  it('a connection added through the admin API while running takes orders within one schedule period', async () => {
    const app = admin();
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/connections',
        headers: auth,
        payload: {
          id: 'ca',
          amazon: { marketplaceIds: [CA] },
          sage500: { tranNoPrefix: 'AZC' },
          orders: {
            customers: { [CA]: { customerId: 'AMAZON-CA', currency: 'CAD', warehouseId: 'MAIN' } },
            poll: { enabled: true, everyMs: CA_POLL_MS },
          },
          inventory: { warehouseIds: ['MAIN'] },
          settlements: { accountingModel: 'settlement-revenue', bankClearingAccount: '1010-00' },
        },
      });
      expect(res.statusCode, res.body).toBe(201);
      // Its inventory and settlements blocks are kept with it and apply to its engine (under its id).
      const engineConfig = runtime.connections.engine('ca')!.config;
      expect(engineConfig.inventory).toMatchObject({ connectionId: 'ca', warehouseIds: ['MAIN'] });
      expect(engineConfig.settlements).toMatchObject({ connectionId: 'ca', bankClearingAccount: '1010-00' });
      expect((res.json() as { connection: { state: string; running: boolean } }).connection).toMatchObject({
        state: 'active',
        running: true,
      });
      const list = await app.inject({ method: 'GET', url: '/api/v1/connections', headers: auth });
      const rows = (list.json() as { connections: { id: string; origin?: string }[] }).connections;
      expect(rows.map((r) => [r.id, r.origin])).toEqual([
        ['ca', 'api'],
        ['de', 'config'],
        ['us1', 'config'],
        ['us2', 'config'],
      ]);
    } finally {
      await app.close();
    }
    // Seller us1's Canadian orders are the new connection's: its order polling finds them, and the shared NA queue's
    // notifications are routed to it by seller and marketplace.
    const caOrder = order(0, CA);
    await created('ca', caOrder, CA_POLL_MS * 2 + 10_000);
    const got = await sageOrder(na, caOrder);
    expect({ customer: got!.so.customerId, currency: got!.so.currency }).toEqual({
      customer: 'AMAZON-CA',
      currency: 'CAD',
    });
  }, 60_000);

  it('pause and resume: a paused connection’s work waits with the reason, then runs', async () => {
    const app = admin();
    try {
      const paused = await app.inject({
        method: 'POST',
        url: '/api/v1/connections/us2/pause',
        headers: auth,
        payload: { reason: 'Sage month-end close' },
      });
      expect(paused.statusCode, paused.body).toBe(200);
      const from = events.length;
      const waiting = order(1, US);
      const other = order(0, US);
      await created('us1', other);
      await waitUntil(
        async () =>
          events
            .slice(from)
            .some((e) => e.type === 'deferred' && e.code === 'SB_CONNECTION_WAITING' && e.job.key.startsWith('us2/')),
        30_000,
        "us2's job to wait",
      );
      expect(await isCreated('us2', waiting)).toBe(false);
      const view = (await runtime.connections.list()).find((c) => c.id === 'us2')!;
      expect(view).toMatchObject({ state: 'paused', reason: 'Sage month-end close' });
      const resumed = await app.inject({
        method: 'POST',
        url: '/api/v1/connections/us2/resume',
        headers: auth,
        payload: {},
      });
      expect(resumed.statusCode, resumed.body).toBe(200);
      await created('us2', waiting);
    } finally {
      await app.close();
    }
  }, 60_000);

  it('a pause made by another process (the CLI) reaches the running worker through the store', async () => {
    // What `sellbridge connections pause` does: a client-role runtime on the same store writes the registry.
    const cli = await createRuntime(config, {
      role: 'client',
      logger: createLogger({ level: 'silent', format: 'json' }),
    });
    try {
      await cli.connections.pause('de', 'inventory count', 'cli:test');
    } finally {
      await cli.close();
    }
    // The worker reads the registry every registryPollMs (500 ms here).
    await waitUntil(
      async () => runtime.connections.current('de')?.state === 'paused',
      10_000,
      'the worker to see the pause',
    );
    const from = events.length;
    const waiting = order(2, DE);
    // Its job waits with the reason.
    await waitUntil(
      async () =>
        events
          .slice(from)
          .some((e) => e.type === 'deferred' && e.code === 'SB_CONNECTION_WAITING' && e.job.key.startsWith('de/')),
      30_000,
      "de's job to wait",
    );
    expect(await isCreated('de', waiting)).toBe(false);
    const job = (await runtime.queue.listJobs({ queue: 'order.sync', state: 'pending', limit: 100 })).find((j) =>
      j.key.startsWith('de/'),
    );
    expect(job?.lastError ?? '').toContain('inventory count');
    const again = await createRuntime(config, {
      role: 'client',
      logger: createLogger({ level: 'silent', format: 'json' }),
    });
    try {
      await again.connections.resume('de', 'cli:test');
    } finally {
      await again.close();
    }
    await created('de', waiting, 60_000);
  }, 90_000);
});
