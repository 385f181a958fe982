import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SellbridgeError } from '../../../src/core/errors.ts';
import type { AmazonMarketplace } from '../../../src/core/ports/amazon-marketplace.ts';
import { createOrderFlowDeps } from '../../../src/bootstrap/orders.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { createAmazonConnector } from '../../../src/connectors/amazon/create-amazon-connector.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import type { OrderFlowDeps } from '../../../src/flows/index.ts';
import {
  ORDER_SYNC_QUEUE,
  orderSyncKey,
  registerOrderFlows,
  SHIPMENT_CONFIRM_QUEUE,
  SHIPMENT_POLL_QUEUE,
  SHIPMENT_WATERMARK,
  shipmentPollKey,
} from '../../../src/flows/index.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { createDeadLetterService, type DeadLetterService } from '../../../src/runtime/queue/dead-letters.ts';
import type { JobEvent, JobQueue } from '../../../src/runtime/queue/job-queue.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { createAmazonSimulator, type AmazonSimulator, type CatalogItem } from '../../../src/simulator/amazon/index.ts';
import { freshStore, makeQueue, waitForEvent, waitUntil } from '../../helpers/queue-env.ts';
import { simulatorConfigOverrides } from '../../helpers/simulator-connection.ts';

/**
 * Order to fulfillment on SQLite, over real HTTP: the SP-API simulator (limits on, time scale 20; 10% 500s while
 * shipping), the Amazon connector, the Sage 500 sandbox in a temp file with its warehouse simulator, the real JobQueue and the flows.
 */
const CONN = 'default';
const BAD_SKU = 'WIDGET-PURPLE';
// The Sage sandbox demo company's items (src/connectors/sage500/sandbox/seed.ts), one through its Sage alias.
const SKUS: CatalogItem[] = [
  { sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 },
  { sku: 'WIDGET-BLUE', title: 'Widget, blue', priceMinor: 1999 },
  { sku: 'GADGET-PRO', title: 'Gadget Pro', priceMinor: 14900 },
  { sku: 'CABLE-USB-C', title: 'USB-C cable 1 m', priceMinor: 949 },
  { sku: 'AMZ-RED-WIDGET', title: 'Red widget (alias)', priceMinor: 1999 },
];

const dir = mkdtempSync(join(tmpdir(), 'sb-flows-'));
let sim: AmazonSimulator;
let store: Store;
let sage: SandboxGateway;
let queue: JobQueue;
let deps: OrderFlowDeps;
let dlq: DeadLetterService;
const events: JobEvent[] = [];
/** confirmShipment calls the simulator answered 2xx, per `${orderId}#${packageReferenceId}`. */
const confirmCalls = new Map<string, number>();
let serverErrors = 0;

beforeAll(async () => {
  sim = await createAmazonSimulator({
    seed: 2026,
    timeScale: 20,
    limits: true,
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
    onExchange: (e) => {
      if (e.status >= 500) serverErrors++;
      if (e.operation !== 'ordersV0.confirmShipment' || e.status >= 300) return;
      const orderId = /orders\/([^/]+)\/shipmentConfirmation/.exec(e.path)?.[1];
      const body = e.requestBody as { packageDetail?: { packageReferenceId?: string } } | undefined;
      const k = `${orderId}#${body?.packageDetail?.packageReferenceId}`;
      confirmCalls.set(k, (confirmCalls.get(k) ?? 0) + 1);
    },
  });
  store = await freshStore('sqlite', 'flows-order-to-fulfillment');
  sage = await createSandboxGateway({
    path: join(dir, 'sage.db'),
    warehouseSimulator: { delayMs: 0, partialEvery: 3, packagesPerShipment: 1 },
  });
  const config = loadConfig({
    file: '/dev/null',
    overrides: [...simulatorConfigOverrides(sim.url)],
  });
  const amazon = createAmazonConnector(config.amazon, {
    store,
    clock: systemClock,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  });
  queue = await makeQueue(store, { concurrency: 4, maxAttempts: 10 });
  queue.onEvent((e) => void events.push(e));
  deps = createOrderFlowDeps({
    store,
    amazon: withLostAnswers(amazon.marketplace),
    sage: withOutage(sage),
    clock: systemClock,
    queue,
  });
  registerOrderFlows(queue, deps);
  dlq = createDeadLetterService(store, queue, systemClock);
  await queue.start();
}, 30_000);

afterAll(async () => {
  await queue?.stop({ graceMs: 500 });
  await sage?.close();
  await store?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Sage as the flows see it, with a switchable outage: while `sageDown` is set every call fails as the gateway does
 * when the database cannot be reached (SB_SAGE_UNAVAILABLE, kind unavailable, retry after 100 ms). A switch rather
 * than the sandbox's timed fault, so the test does not depend on how fast the first jobs reach Sage.
 */
let sageDown = false;
function withOutage(gateway: SandboxGateway): SandboxGateway {
  const guarded =
    <A extends unknown[], R>(name: string, f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      if (sageDown)
        throw new SellbridgeError('SB_SAGE_UNAVAILABLE', `Sage is unavailable (test outage) during ${name}`, {
          retryAfterMs: 100,
          context: { operation: name },
        });
      return f(...a);
    };
  return {
    ...gateway,
    loadOrderContext: guarded('loadOrderContext', gateway.loadOrderContext),
    createSalesOrder: guarded('createSalesOrder', gateway.createSalesOrder),
    findSalesOrder: guarded('findSalesOrder', gateway.findSalesOrder),
    listShipments: guarded('listShipments', gateway.listShipments),
  };
}

/**
 * Amazon as the flows see it, where the next `lostAnswers` confirmShipment calls reach the simulator (which records
 * the package) and then time out on the way back: the unknown outcome a retry must resolve by reading the order.
 */
let lostAnswers = 0;
function withLostAnswers(marketplace: AmazonMarketplace): AmazonMarketplace {
  return {
    getOrder: (id, o) => marketplace.getOrder(id, o),
    searchOrders: (q) => marketplace.searchOrders(q),
    async confirmShipment(shipment) {
      await marketplace.confirmShipment(shipment);
      if (lostAnswers > 0) {
        lostAnswers--;
        throw new SellbridgeError('SB_AMZ_TIMEOUT', 'confirmShipment answer lost (test)', {
          context: { operation: 'confirmShipment' },
        });
      }
    },
  };
}

/** Waits until no job is pending or running (every job completed or dead). */
async function drained(): Promise<void> {
  await waitUntil(
    async () => (await queue.counts()).every((c) => c.state === 'completed' || c.state === 'dead' || c.count === 0),
    45_000,
    'the queue to drain',
  );
}

/**
 * One ORDER_CHANGE notification becoming an order.sync job. The SQLite queue's de-duplicating enqueue can lose a
 * race (the pending job it collided with starts running before it is read back) and answer SB_STORE_UNAVAILABLE,
 * which is retryable by kind; an intake retries it, so does this helper.
 */
async function sync(amazonOrderId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await queue.enqueue(
        ORDER_SYNC_QUEUE,
        { connectionId: CONN, amazonOrderId },
        { key: orderSyncKey(amazonOrderId), dedupe: true, priority: 10 },
      );
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SB_STORE_UNAVAILABLE' || attempt >= 5) throw err;
    }
  }
}

async function sageOrderCount(): Promise<number> {
  const row = await sage.db
    .selectFrom('tsoSalesOrder')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('order to fulfillment on SQLite (simulator over HTTP, Sage sandbox, real queue)', () => {
  let valid: string[] = [];
  let badId = '';
  let cancelId = '';

  it('every valid order is created in Sage exactly once though every notification arrives twice; Sage down for a while defers without spending attempts; the unknown SKU is dead-lettered with suggestions', async () => {
    valid = sim.control.addOrders(28, { status: 'UNSHIPPED' }).map((o) => o.orderId);
    cancelId = valid[5]!;
    badId = sim.control.addOrder({
      status: 'UNSHIPPED',
      items: [
        { sku: 'GADGET-PRO', quantity: 1 },
        { sku: BAD_SKU, quantity: 2 },
      ],
    }).orderId;
    sageDown = true;
    const firstDeferral = waitForEvent(queue, (e) => e.type === 'deferred' && e.code === 'SB_SAGE_UNAVAILABLE');
    for (const id of [...valid, badId]) {
      await sync(id);
      await sync(id); // the duplicate notification, while the first is pending: absorbed
    }
    await firstDeferral;
    sageDown = false;
    await drained();

    expect(await sageOrderCount()).toBe(valid.length);
    for (const id of valid) expect((await sage.findSalesOrder({ amazonOrderId: id }))?.status, id).toBe('open');
    expect(await sage.findSalesOrder({ amazonOrderId: badId })).toBeUndefined();
    const deferred = events.filter((e) => e.type === 'deferred');
    expect(deferred.length).toBeGreaterThan(0);
    expect(
      deferred.every((e) => e.type === 'deferred' && ['SB_SAGE_UNAVAILABLE', 'SB_AMZ_THROTTLED'].includes(e.code)),
    ).toBe(true);
    expect(events.filter((e) => e.type === 'retry')).toEqual([]);
    // Deferred work spent no attempt: each deferred order completed on its first counted attempt (a deferred job
    // that meets the pending duplicate of its key is folded into it, so match by key).
    const deferredKeys = new Set(deferred.map((e) => e.job.key));
    const completedDeferred = events.filter((e) => e.type === 'completed' && deferredKeys.has(e.job.key));
    expect(completedDeferred.length).toBeGreaterThan(0);
    for (const e of completedDeferred) expect(e.job.attempt).toBe(1);

    const dead = await dlq.list({ status: 'open' });
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      queue: ORDER_SYNC_QUEUE,
      jobKey: orderSyncKey(badId),
      payload: { connectionId: CONN, amazonOrderId: badId },
    });
    expect(dead[0]!.error).toMatchObject({
      code: 'SB_MAP_SKU_UNKNOWN',
      kind: 'mapping',
      context: { amazonOrderId: badId, unknownSkus: [BAD_SKU] },
    });
    expect(dead[0]!.error.issues).toHaveLength(1);
    expect(dead[0]!.error.issues![0]).toMatchObject({ field: 'lines[1].sku', problem: `unknown SellerSKU ${BAD_SKU}` });
    const suggestions = dead[0]!.error.issues![0]!.suggestions!;
    expect(suggestions.length).toBeGreaterThan(0);
    expect(suggestions.length).toBeLessThanOrEqual(3);
    expect(suggestions.some((s) => s.startsWith('WIDGET-'))).toBe(true);
    expect(await deps.links.get(CONN, badId)).toMatchObject({
      state: 'dead-lettered',
      lastError: 'SB_MAP_SKU_UNKNOWN',
    });
    const tranNos = await Promise.all(valid.map(async (id) => (await deps.links.get(CONN, id))!.tranNo));
    expect(new Set(tranNos).size).toBe(valid.length);
  }, 60_000);

  it('after an alias is added, replaying the dead letter creates the order; a cancellation cancels its Sage order; a second delivery of everything changes nothing', async () => {
    await deps.aliases.setAlias(CONN, BAD_SKU, 'WIDGET-BLUE');
    const [letter] = await dlq.list({ status: 'open' });
    await dlq.replay(letter!.id, { actor: 'test' });
    sim.control.cancelOrder(cancelId);
    await sync(cancelId);
    await drained();
    const replayed = await sage.findSalesOrder({ amazonOrderId: badId });
    // Goods lines (they carry the Amazon order item); charge lines such as gift wrap follow them.
    expect(replayed?.lines.filter((l) => l.amazonOrderItemId).map((l) => [l.itemId, l.quantity])).toEqual([
      ['GADGET-PRO', 1],
      ['WIDGET-BLUE', 2],
    ]);
    expect((await sage.findSalesOrder({ amazonOrderId: cancelId }))?.status).toBe('canceled');
    expect((await deps.links.get(CONN, cancelId))!.state).toBe('cancelled');
    valid = [...valid.filter((id) => id !== cancelId), badId];

    const before = await sageOrderCount();
    for (const id of [...valid, cancelId]) await sync(id);
    await drained();
    expect(await sageOrderCount()).toBe(before);
    expect(await dlq.list({ status: 'open' })).toEqual([]);
  }, 60_000);

  it('the warehouse ships (partly, then the rest); each package is confirmed exactly once at the simulator; re-polling from the start confirms nothing again', async () => {
    // Amazon answers 10% of requests with 500, and three confirmations take effect but their answer is lost.
    sim.control.setFaultRates({ serverError: 0.1 });
    lostAnswers = 3;
    let shipped = 0;
    for (let round = 0; round < 4; round++) {
      const n = await sage.shipDueOrders();
      shipped += n;
      await queue.enqueue(SHIPMENT_POLL_QUEUE, { connectionId: CONN }, { key: shipmentPollKey(CONN), dedupe: true });
      await drained();
      if (n === 0) break;
    }
    sim.control.clearFaults();
    expect(shipped).toBeGreaterThan(valid.length); // some orders were split in two shipments
    expect(lostAnswers).toBe(0);
    expect(serverErrors).toBeGreaterThan(0);
    expect(
      events.filter((e) => e.type === 'retry' && e.job.queue === SHIPMENT_CONFIRM_QUEUE && e.code === 'SB_AMZ_TIMEOUT'),
    ).toHaveLength(3);

    const sagePackages = await sage.db
      .selectFrom('tsoPackage as p')
      .innerJoin('tsoShipment as s', 's.ShipKey', 'p.ShipKey')
      .select(['p.PackageNo', 's.ShipKey'])
      .execute();
    expect(sagePackages.length).toBe(shipped);
    // A shipment that carried only charge lines (gift wrap: a misc item, no Amazon order item) has nothing to confirm.
    const withGoods = await sage.db
      .selectFrom('tsoShipLine as sl')
      .innerJoin('tsoSOLine as l', 'l.SOLineKey', 'sl.SOLineKey')
      .innerJoin('tsoSOLine_AMZ as x', 'x.SOLineKey', 'l.SOLineKey')
      .select('sl.ShipKey')
      .distinct()
      .execute();
    const toConfirm = withGoods.length;
    expect(toConfirm).toBeGreaterThan(valid.length);
    let confirmedPackages = 0;
    for (const id of valid) {
      const order = sim.control.order(id)!;
      expect(order.status, id).toBe('SHIPPED');
      const refs = order.packages.map((p) => p.packageReferenceId);
      expect(new Set(refs).size).toBe(refs.length);
      for (const ref of refs) expect(confirmCalls.get(`${id}#${ref}`), `${id}#${ref}`).toBe(1);
      for (const item of order.items)
        expect(
          order.packages
            .flatMap((p) => p.items)
            .filter((x) => x.orderItemId === item.orderItemId)
            .reduce((s, x) => s + x.quantity, 0),
        ).toBe(item.quantity);
      confirmedPackages += refs.length;
      expect((await deps.links.get(CONN, id))!.state, id).toBe('confirmed');
    }
    expect(confirmedPackages).toBe(toConfirm);
    expect([...confirmCalls.values()].reduce((a, b) => a + b, 0)).toBe(toConfirm);
    // Read back through the connector too.
    const one = await deps.amazon.getOrder(valid[0]!);
    expect(one.packages.length).toBeGreaterThan(0);

    // Forget the cursor: the poll reads every shipment again, and nothing is confirmed twice.
    await store.db.deleteFrom('watermarks').where('name', '=', SHIPMENT_WATERMARK).execute();
    await queue.enqueue(SHIPMENT_POLL_QUEUE, { connectionId: CONN }, { key: shipmentPollKey(CONN), dedupe: true });
    await drained();
    expect([...confirmCalls.values()].reduce((a, b) => a + b, 0)).toBe(toConfirm);
    expect(sim.control.order(cancelId)!.packages).toEqual([]);
  }, 60_000);
});
