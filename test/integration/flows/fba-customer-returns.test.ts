import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFbaReturnsDeps, registerFbaReturnHandlers } from '../../../src/bootstrap/fba-returns.ts';
import { createOrderFlowDeps, fbaPolicyOf } from '../../../src/bootstrap/orders.ts';
import { createSettlementDeps } from '../../../src/bootstrap/settlements.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { createAmazonConnector } from '../../../src/connectors/amazon/create-amazon-connector.ts';
import { fbaReturnsReportsFromClient } from '../../../src/connectors/amazon/fba-returns-reports.ts';
import { settlementReportsFromClient } from '../../../src/connectors/amazon/settlement/settlement-files.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { DEFAULT_MAPPING_RULES } from '../../../src/core/rules/mapping-rules.ts';
import {
  FBA_RETURN_RECORD_QUEUE,
  FBA_RETURNS_POLL_QUEUE,
  fbaReturnsPollKey,
  pollFbaReturns,
  type FbaReturnsDeps,
} from '../../../src/flows/fba-returns.ts';
import { ORDER_SYNC_QUEUE, orderSyncKey, registerOrderFlows, type OrderFlowDeps } from '../../../src/flows/index.ts';
import { importSettlement } from '../../../src/flows/post-settlement.ts';
import { returnTranNo } from '../../../src/flows/record-refund.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { createDeadLetterService } from '../../../src/runtime/queue/dead-letters.ts';
import type { JobQueue } from '../../../src/runtime/queue/job-queue.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { createAmazonSimulator, type AmazonSimulator, type CatalogItem } from '../../../src/simulator/amazon/index.ts';
import { freshStore, makeQueue, waitUntil } from '../../helpers/queue-env.ts';
import { connectToSimulator, simulatorConfigOverrides } from '../../helpers/simulator-connection.ts';

/**
 * FBA customer returns (issue 17), from the SP-API simulator over HTTP to the Sage sandbox through the real queue:
 * an FBA order booked under `record-shipped`, an item returned at Amazon, the returns report requested
 * (createReport), waited for (getReport) and read (getReportDocument) by `fba-returns.poll`; the returned line
 * becomes one pending Sage customer return linked to the order's line in the FBA warehouse, however often the report
 * is read and when the same goods are also refunded in a settlement.
 */
const CONN = 'default';
const SKUS: CatalogItem[] = [
  { sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 },
  { sku: 'CABLE-USB-C', title: 'USB-C cable 1 m', priceMinor: 949 },
];

const dir = mkdtempSync(join(tmpdir(), 'sb-fba-returns-'));
let sim: AmazonSimulator;
let store: Store;
let sage: SandboxGateway;
let queue: JobQueue;
let deps: OrderFlowDeps;
let returnsDeps: FbaReturnsDeps;

beforeAll(async () => {
  sim = await createAmazonSimulator({
    seed: 1718,
    timeScale: 20,
    limits: false,
    processingDelayMs: 2_000,
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
  store = await freshStore('sqlite', 'flows-fba-returns');
  sage = await createSandboxGateway({ path: join(dir, 'sage.db') });
  const config = loadConfig({
    file: '/dev/null',
    overrides: [...simulatorConfigOverrides(sim.url), { path: 'orders.fba.policy', value: 'record-shipped' }],
  });
  const amazon = createAmazonConnector(config.amazon, {
    store,
    clock: systemClock,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  });
  queue = await makeQueue(store, { concurrency: 2, maxAttempts: 3 });
  deps = createOrderFlowDeps({
    store,
    amazon: amazon.marketplace,
    sage,
    clock: systemClock,
    queue,
    rulesFor: async () => ({ ...DEFAULT_MAPPING_RULES, status: { fba: fbaPolicyOf(config.orders.fba) } }),
    fbaWarehouseId: config.orders.fba.warehouseId,
  });
  registerOrderFlows(queue, deps);
  const conn = connectToSimulator(sim.url);
  returnsDeps = createFbaReturnsDeps({
    store,
    clock: systemClock,
    queue,
    amazon: amazon.marketplace,
    sage,
    reports: fbaReturnsReportsFromClient(
      () => conn.client,
      () => config.amazon.marketplaceIds,
    ),
  });
  registerFbaReturnHandlers(queue, returnsDeps);
  await queue.start();
}, 30_000);

afterAll(async () => {
  await queue?.stop({ graceMs: 500 });
  await sage?.close();
  await store?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function drained(): Promise<void> {
  await waitUntil(
    async () => (await queue.counts()).every((c) => c.state === 'completed' || c.state === 'dead' || c.count === 0),
    30_000,
    'the queue to drain',
  );
}

/** Books an FBA order Amazon shipped (order.sync under record-shipped) and answers its Sage TranNo. */
async function bookFbaOrder(items: { sku: string; quantity: number }[]): Promise<{ id: string; tranNo: string }> {
  const order = sim.control.addOrder({ status: 'UNSHIPPED', fulfilledBy: 'AMAZON', items });
  sim.control.advanceOrders(); // AFN UNSHIPPED -> SHIPPED at Amazon
  await queue.enqueue(
    ORDER_SYNC_QUEUE,
    { connectionId: CONN, amazonOrderId: order.orderId },
    { key: orderSyncKey(order.orderId), dedupe: true },
  );
  await drained();
  const booked = await sage.findSalesOrder({ amazonOrderId: order.orderId });
  expect(booked?.lines.find((l) => l.amazonOrderItemId)?.quantityShipped).toBeGreaterThan(0);
  return { id: order.orderId, tranNo: booked!.tranNo };
}

/** One full round of the scheduled job: the report requested, then (on later runs) found DONE and imported. */
async function readReturnsReport(): Promise<void> {
  expect((await pollFbaReturns({ connectionId: CONN }, returnsDeps)).kind).toBe('requested');
  await waitUntil(
    async () => {
      const r = await pollFbaReturns({ connectionId: CONN }, returnsDeps);
      return r.kind === 'queued' || r.kind === 'empty' ? r : undefined;
    },
    20_000,
    'the returns report',
  );
  await drained();
}

/** Sage's customer returns (811) of a sales order, each line with its item, quantity and warehouse. */
async function returnsOf(salesOrderTranNo: string) {
  return sage.db
    .selectFrom('tsoShipLine as sl')
    .innerJoin('tsoShipment as s', 's.ShipKey', 'sl.ShipKey')
    .innerJoin('tsoShipmentLog as g', 'g.ShipKey', 's.ShipKey')
    .innerJoin('tsoSOLine as l', 'l.SOLineKey', 'sl.SOLineKey')
    .innerJoin('tsoSalesOrder as so', 'so.SOKey', 'l.SOKey')
    .innerJoin('timItem as i', 'i.ItemKey', 'sl.ItemKey')
    .innerJoin('tsoShipLineDist as d', 'd.ShipLineKey', 'sl.ShipLineKey')
    .innerJoin('timWarehouse as w', 'w.WhseKey', 's.WhseKey')
    .select(['s.TranNo', 's.TranType', 'g.TranStatus', 'i.ItemID', 'd.QtyShipped', 'w.WhseID'])
    .where('so.TranNo', '=', salesOrderTranNo)
    .where('s.TranType', '=', 811)
    .execute();
}

describe('FBA customer returns report to Sage customer returns (simulator over HTTP, Sage sandbox, real queue)', () => {
  it('is off by default', () => {
    const config = loadConfig({ file: '/dev/null', overrides: [] });
    expect(config.orders.fbaReturns).toBe('off');
  });

  it('a returned FBA item becomes one pending Sage customer return linked to the order line in the FBA warehouse, however often the report is read', async () => {
    const { id, tranNo } = await bookFbaOrder([
      { sku: 'WIDGET-RED', quantity: 3 },
      { sku: 'CABLE-USB-C', quantity: 1 },
    ]);
    const returned = sim.control.returnFbaItem(id, { sku: 'WIDGET-RED', quantity: 2 });
    expect(returned.licensePlateNumber).toMatch(/^LPN/);

    await readReturnsReport();
    const first = await returnsOf(tranNo);
    expect(first).toEqual([
      {
        TranNo: returnTranNo(id, `LPN:${returned.licensePlateNumber}`),
        TranType: 811,
        TranStatus: 2,
        ItemID: 'WIDGET-RED',
        QtyShipped: first[0]!.QtyShipped,
        WhseID: 'FBA',
      },
    ]);
    expect(Number(first[0]!.QtyShipped)).toBe(2);
    const [header] = await sage.db
      .selectFrom('tsoShipment')
      .select('TranCmnt')
      .where('TranNo', '=', first[0]!.TranNo)
      .execute();
    expect(header!.TranCmnt).toBe(`Amazon return LPN:${returned.licensePlateNumber} ${id}`.slice(0, 50));

    // The next window overlaps the last one: the same line is read again and nothing more reaches Sage.
    await readReturnsReport();
    // A retried record job of the same line (a replay) changes nothing either.
    await queue.enqueue(FBA_RETURN_RECORD_QUEUE, {
      connectionId: CONN,
      line: {
        amazonOrderId: id,
        sku: 'WIDGET-RED',
        quantity: 2,
        returnDate: new Date().toISOString(),
        returnKey: `LPN:${returned.licensePlateNumber}`,
      },
    });
    await drained();
    expect(await returnsOf(tranNo)).toEqual(first);
  }, 90_000);

  it('the same goods returned and refunded (settlement Refund rows) reach Sage as one customer return, in either order', async () => {
    const settlementDeps = () =>
      createSettlementDeps({
        store,
        sage,
        clock: systemClock,
        queue,
        config: loadConfig({ file: '/dev/null', overrides: [] }).settlements,
        refunds: 'customer-return',
      });
    const conn = connectToSimulator(sim.url);
    const refund = async (orderId: string) => {
      const report = sim.control.generateSettlementReport({ refundOrderIds: [orderId], days: 1 });
      const file = await settlementReportsFromClient(() => conn.client).open(CONN, {
        reportId: report.reportId,
        reportDocumentId: report.reportDocumentId,
      });
      await importSettlement(CONN, file, settlementDeps());
      await drained();
    };

    // Returned first, refunded after: the refund's goods are already in Sage.
    const a = await bookFbaOrder([{ sku: 'CABLE-USB-C', quantity: 2 }]);
    sim.control.returnFbaItem(a.id, { sku: 'CABLE-USB-C', quantity: 2 });
    await readReturnsReport();
    await refund(a.id);
    const afterA = await returnsOf(a.tranNo);
    expect(afterA.map((r) => [r.ItemID, Number(r.QtyShipped), r.WhseID])).toEqual([['CABLE-USB-C', 2, 'FBA']]);

    // Refunded first, returned after: the return's goods are already in Sage.
    const b = await bookFbaOrder([{ sku: 'WIDGET-RED', quantity: 1 }]);
    await refund(b.id);
    sim.control.returnFbaItem(b.id, { sku: 'WIDGET-RED', quantity: 1 });
    await readReturnsReport();
    const afterB = await returnsOf(b.tranNo);
    expect(afterB.map((r) => [r.ItemID, Number(r.QtyShipped), r.WhseID])).toEqual([['WIDGET-RED', 1, 'FBA']]);
    expect(afterB[0]!.TranNo).not.toBe(afterA[0]!.TranNo);
    // The first order still has its one return.
    expect(await returnsOf(a.tranNo)).toEqual(afterA);
  }, 120_000);

  it('a returned line of an order Sellbridge never booked is dead-lettered with the reason', async () => {
    const order = sim.control.addOrder({
      status: 'UNSHIPPED',
      fulfilledBy: 'AMAZON',
      items: [{ sku: 'WIDGET-RED', quantity: 1 }],
    });
    sim.control.advanceOrders();
    sim.control.returnFbaItem(order.orderId, { sku: 'WIDGET-RED', quantity: 1 });
    await readReturnsReport();
    const dead = await createDeadLetterService(store, queue, systemClock).list();
    const mine = dead.filter((d) => d.queue === FBA_RETURN_RECORD_QUEUE);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.jobKey).toContain(order.orderId);
    expect(mine[0]!.error).toMatchObject({ code: 'SB_FBA_RETURN_UNPLACED' });
    expect(JSON.stringify(mine[0]!.error)).toContain('no Sage sales order from Sellbridge');
    expect(FBA_RETURNS_POLL_QUEUE).toBe('fba-returns.poll');
    expect(fbaReturnsPollKey(CONN)).toBe('fba-returns.poll:default');
  }, 90_000);
});
