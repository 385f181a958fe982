import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderFlowDeps, fbaPolicyOf } from '../../../src/bootstrap/orders.ts';
import { createSettlementDeps } from '../../../src/bootstrap/settlements.ts';
import { settlementReportsFromClient } from '../../../src/connectors/amazon/settlement/settlement-files.ts';
import { parseSettlementReport } from '../../../src/connectors/amazon/settlement/index.ts';
import { settlementFileFromFinances } from '../../../src/connectors/amazon/settlement/finances-transactions.ts';
import { importSettlement } from '../../../src/flows/post-settlement.ts';
import { returnTranNo } from '../../../src/flows/record-refund.ts';
import type { SettlementTransaction } from '../../../src/core/model/settlement.ts';
import { refundsFromSettlementRows } from '../../../src/core/transform/refunds-from-settlement.ts';
import { connectToSimulator } from '../../helpers/simulator-connection.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { createAmazonConnector } from '../../../src/connectors/amazon/create-amazon-connector.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { DEFAULT_MAPPING_RULES } from '../../../src/core/rules/mapping-rules.ts';
import type { OrderFlowDeps } from '../../../src/flows/index.ts';
import {
  ORDER_SYNC_QUEUE,
  orderSyncKey,
  registerOrderFlows,
  SHIPMENT_POLL_QUEUE,
  shipmentPollKey,
} from '../../../src/flows/index.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import type { JobQueue } from '../../../src/runtime/queue/job-queue.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { createAmazonSimulator, type AmazonSimulator, type CatalogItem } from '../../../src/simulator/amazon/index.ts';
import { freshStore, makeQueue, waitUntil } from '../../helpers/queue-env.ts';
import { simulatorConfigOverrides } from '../../helpers/simulator-connection.ts';

/**
 * FBA orders booked (issue 17), from the SP-API simulator over HTTP to the Sage sandbox, through the real queue:
 * with `orders.fba.policy: record-shipped` an order Amazon fulfilled and shipped becomes, exactly once, a Sage
 * sales order in the FBA warehouse and its committed shipment (stock at Amazon down, quantities shipped on the line
 * distributions); the shipment poll reads that shipment and confirms nothing to Amazon.
 */
const CONN = 'default';
const SKUS: CatalogItem[] = [
  { sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 },
  { sku: 'CABLE-USB-C', title: 'USB-C cable 1 m', priceMinor: 949 },
];

const dir = mkdtempSync(join(tmpdir(), 'sb-fba-'));
let sim: AmazonSimulator;
let store: Store;
let sage: SandboxGateway;
let queue: JobQueue;
let deps: OrderFlowDeps;
const confirmCalls: string[] = [];
let fbaOrderId = '';

beforeAll(async () => {
  sim = await createAmazonSimulator({
    seed: 1717,
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
      if (e.operation === 'ordersV0.confirmShipment') confirmCalls.push(e.path);
    },
  });
  store = await freshStore('sqlite', 'flows-fba-booked');
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
  queue = await makeQueue(store, { concurrency: 2, maxAttempts: 5 });
  deps = createOrderFlowDeps({
    store,
    amazon: amazon.marketplace,
    sage,
    clock: systemClock,
    queue,
    rulesFor: async () => ({
      ...DEFAULT_MAPPING_RULES,
      status: { fba: fbaPolicyOf(config.orders.fba) },
    }),
    fbaWarehouseId: config.orders.fba.warehouseId,
  });
  registerOrderFlows(queue, deps);
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

const sync = (amazonOrderId: string) =>
  queue.enqueue(
    ORDER_SYNC_QUEUE,
    { connectionId: CONN, amazonOrderId },
    { key: orderSyncKey(amazonOrderId), dedupe: true, priority: 10 },
  );

async function fbaOnHand(itemId: string): Promise<number> {
  const [level] = await sage.getStock([itemId], ['FBA']);
  return level?.onHand ?? 0;
}

describe('FBA orders booked and refunds returned (simulator over HTTP, Sage sandbox, real queue)', () => {
  it('an FBA order is waited for while Amazon has not shipped it, then booked once in the FBA warehouse with its shipment; nothing is confirmed to Amazon', async () => {
    expect((await loadConfig({ file: '/dev/null', overrides: [] })).orders.fba).toEqual({
      policy: 'skip',
      warehouseId: 'FBA',
    });
    const order = sim.control.addOrder({
      status: 'UNSHIPPED',
      fulfilledBy: 'AMAZON',
      items: [
        { sku: 'WIDGET-RED', quantity: 3 },
        { sku: 'CABLE-USB-C', quantity: 1 },
      ],
    });
    const id = order.orderId;
    fbaOrderId = id;
    const redBefore = await fbaOnHand('WIDGET-RED');
    await sync(id);
    await drained();
    expect(await deps.links.get(CONN, id)).toMatchObject({ state: 'waiting-for-pending' });
    expect(await sage.findSalesOrder({ amazonOrderId: id })).toBeUndefined();

    sim.control.advanceOrders(); // AFN UNSHIPPED -> SHIPPED at Amazon
    await sync(id);
    await sync(id); // the duplicate notification
    await drained();

    const booked = await sage.findSalesOrder({ amazonOrderId: id });
    expect(booked).toBeDefined();
    const goods = booked!.lines.filter((l) => l.amazonOrderItemId);
    expect(goods.map((l) => [l.itemId, l.warehouseId, l.quantity, l.quantityShipped])).toEqual([
      ['WIDGET-RED', 'FBA', 3, 3],
      ['CABLE-USB-C', 'FBA', 1, 1],
    ]);
    expect(await deps.links.get(CONN, id)).toMatchObject({ state: 'confirmed', tranNo: booked!.tranNo });
    expect(redBefore - (await fbaOnHand('WIDGET-RED'))).toBe(3);

    // Exactly one order and one committed shipment (TranType 810) in Sage, its lines' quantities on the dists.
    const orders = await sage.db
      .selectFrom('tsoSalesOrder')
      .select('SOKey')
      .where('TranNo', '=', booked!.tranNo)
      .execute();
    expect(orders).toHaveLength(1);
    const shipments = await sage.db
      .selectFrom('tsoShipment as s')
      .innerJoin('tsoShipmentLog as g', 'g.ShipKey', 's.ShipKey')
      .innerJoin('timWarehouse as w', 'w.WhseKey', 's.WhseKey')
      .select(['s.ShipKey', 's.TranType', 'g.TranStatus', 'w.WhseID'])
      .where('s.ShipKey', 'in', (eb) =>
        eb
          .selectFrom('tsoShipLine as sl')
          .innerJoin('tsoSOLine as l', 'l.SOLineKey', 'sl.SOLineKey')
          .select('sl.ShipKey')
          .where('l.SOKey', '=', orders[0]!.SOKey),
      )
      .execute();
    expect(shipments).toEqual([{ ShipKey: shipments[0]!.ShipKey, TranType: 810, TranStatus: 6, WhseID: 'FBA' }]);

    // Another notification later: nothing more is made.
    await sync(id);
    await drained();
    expect(
      await sage.db.selectFrom('tsoShipLine').select('ShipKey').where('ShipKey', '=', shipments[0]!.ShipKey).execute(),
    ).toHaveLength(2);
    expect(redBefore - (await fbaOnHand('WIDGET-RED'))).toBe(3);

    // The shipment poll reads the FBA shipment and confirms nothing to Amazon.
    await queue.enqueue(SHIPMENT_POLL_QUEUE, { connectionId: CONN }, { key: shipmentPollKey(CONN), dedupe: true });
    await drained();
    expect(await deps.confirmations.listForOrder(CONN, id)).toEqual([]);
    expect(confirmCalls).toEqual([]);
  }, 60_000);

  it('an Amazon refund of the FBA order (settlement report Refund rows and Finances refund transactions, over HTTP) becomes one pending Sage customer return linked to the order lines, however often the settlement is imported', async () => {
    expect(fbaOrderId).not.toBe('');
    const booked = (await sage.findSalesOrder({ amazonOrderId: fbaOrderId }))!;
    const report = sim.control.generateSettlementReport({ refundOrderIds: [fbaOrderId] });
    const config = loadConfig({
      file: '/dev/null',
      overrides: [{ path: 'orders.refunds', value: 'customer-return' }],
    });
    expect(loadConfig({ file: '/dev/null', overrides: [] }).orders.refunds).toBe('off');
    const conn = connectToSimulator(sim.url);
    const settlementDeps = createSettlementDeps({
      store,
      sage,
      clock: systemClock,
      queue,
      config: config.settlements,
      refunds: config.orders.refunds,
    });
    const reports = settlementReportsFromClient(() => conn.client);
    const open = () => reports.open(CONN, { reportId: report.reportId, reportDocumentId: report.reportDocumentId });
    expect((await importSettlement(CONN, await open(), settlementDeps)).kind).toBe('posted');
    await drained();
    // Imported again, and the same period rebuilt from Finances listTransactions (its Refund transactions): the
    // refund is read three times, Sage gets one return.
    await importSettlement(CONN, await open(), settlementDeps);
    await drained();
    const parsed = parseSettlementReport(report.text);
    const fromFinances = settlementFileFromFinances(conn.client, {
      settlementId: parsed.settlementId,
      periodStart: parsed.periodStart,
      periodEnd: parsed.periodEnd,
      depositDate: parsed.depositDate,
      depositAmount: parsed.total,
    });
    // Finances tells the same refund (same order, adjustment id, items and quantities) as the report.
    const rowsOf = async (file: typeof fromFinances) => {
      const rows: SettlementTransaction[] = [];
      await file.read((t) => void rows.push(t));
      return refundsFromSettlementRows(rows).map(({ postedAt: _postedAt, ...r }) => r);
    };
    const fromReport = await rowsOf(await open());
    expect(fromReport).toHaveLength(1);
    expect(fromReport[0]!.lines.map((l) => l.quantity)).toEqual([3, 1]);
    expect(await rowsOf(fromFinances)).toEqual(fromReport);
    expect((await importSettlement(CONN, fromFinances, settlementDeps)).kind).toBe('unchanged');
    await drained();

    const returns = await sage.db
      .selectFrom('tsoShipment as s')
      .innerJoin('tsoShipmentLog as g', 'g.ShipKey', 's.ShipKey')
      .select(['s.ShipKey', 's.TranNo', 's.TranType', 'g.TranStatus', 's.TranCmnt'])
      .where('s.TranType', '=', 811)
      .execute();
    expect(returns).toHaveLength(1);
    expect(returns[0]).toMatchObject({ TranType: 811, TranStatus: 2 });
    expect(returns[0]!.TranCmnt).toContain(fbaOrderId);
    const adjustment = /Amazon refund (\d+)/.exec(returns[0]!.TranCmnt ?? '')![1]!;
    expect(returns[0]!.TranNo).toBe(returnTranNo(fbaOrderId, adjustment));
    // Linked to the original order: every return line points at a line of the booked order, with its quantity.
    const lines = await sage.db
      .selectFrom('tsoShipLine as sl')
      .innerJoin('tsoSOLine as l', 'l.SOLineKey', 'sl.SOLineKey')
      .innerJoin('tsoSalesOrder as so', 'so.SOKey', 'l.SOKey')
      .innerJoin('timItem as i', 'i.ItemKey', 'sl.ItemKey')
      .innerJoin('tsoShipLineDist as d', 'd.ShipLineKey', 'sl.ShipLineKey')
      .select(['so.TranNo', 'i.ItemID', 'd.QtyShipped'])
      .where('sl.ShipKey', '=', returns[0]!.ShipKey)
      .orderBy('i.ItemID', 'desc')
      .execute();
    expect(lines.map((l) => [l.TranNo, l.ItemID, Number(l.QtyShipped)])).toEqual([
      [booked.tranNo, 'WIDGET-RED', 3],
      [booked.tranNo, 'CABLE-USB-C', 1],
    ]);
  }, 60_000);
});
