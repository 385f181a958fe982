import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderFlowDeps } from '../../../src/bootstrap/orders.ts';
import { orderStatus } from '../../../src/bootstrap/order-status.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { createAmazonConnector } from '../../../src/connectors/amazon/create-amazon-connector.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { countOrderChanges } from '../../../src/connectors/store/order-changes.ts';
import { syncOrder, type OrderFlowDeps } from '../../../src/flows/index.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { createDeadLetterService } from '../../../src/runtime/queue/dead-letters.ts';
import type { JobQueue } from '../../../src/runtime/queue/job-queue.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { createAmazonSimulator, type AmazonSimulator } from '../../../src/simulator/amazon/index.ts';
import { freshStore, makeQueue } from '../../helpers/queue-env.ts';
import { simulatorConfigOverrides } from '../../helpers/simulator-connection.ts';

/**
 * Changes after import (issue 17), from the simulator to the Sage sandbox: the simulator cancels a line or changes
 * the ship-to of an order Sellbridge already created in Sage and publishes ORDER_CHANGE; the order.sync job that
 * notification queues cancels that Sage line (its stock released) or writes the new ship-to fitted to Sage, exactly
 * once (a replay of the same notification changes nothing); any other difference is flagged, shown by
 * `orders status` and counted. Amazon's latest ship date is each Sage line's promise date.
 */
const CONN = 'default';
const QUEUE = 'order-changes';
const dir = mkdtempSync(join(tmpdir(), 'sb-chg-'));
let sim: AmazonSimulator;
let store: Store;
let sage: SandboxGateway;
let queue: JobQueue;
let deps: OrderFlowDeps;

beforeAll(async () => {
  sim = await createAmazonSimulator({
    seed: 1718,
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
  });
  sim.control.subscribe({ notificationType: 'ORDER_CHANGE', queueName: QUEUE });
  store = await freshStore('sqlite', 'order-changes');
  sage = await createSandboxGateway({ path: join(dir, 'sage.db') });
  const config = loadConfig({ file: '/dev/null', overrides: [...simulatorConfigOverrides(sim.url)] });
  const amazon = createAmazonConnector(config.amazon, {
    store,
    clock: systemClock,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  });
  queue = await makeQueue(store, { concurrency: 1 });
  deps = createOrderFlowDeps({ store, amazon: amazon.marketplace, sage, clock: systemClock, queue });
}, 30_000);

afterAll(async () => {
  await queue?.stop({ graceMs: 100 });
  await sage?.close();
  await store?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What the ORDER_CHANGE handler queues (bootstrap/notification-handlers.ts): the order's order.sync job. */
const sync = (amazonOrderId: string) => syncOrder({ connectionId: CONN, amazonOrderId }, deps);

const status = (amazonOrderId: string, shipByWarningMs?: number) =>
  orderStatus(
    {
      store,
      queue,
      deadLetters: createDeadLetterService(store, queue, systemClock),
      deps,
      ...(shipByWarningMs !== undefined ? { shipByWarningMs } : {}),
    },
    CONN,
    amazonOrderId,
  );

async function createdOrder(): Promise<{ id: string; items: string[] }> {
  const order = sim.control.addOrder({
    status: 'UNSHIPPED',
    items: [
      { sku: 'WIDGET-RED', quantity: 2 },
      { sku: 'CABLE-USB-C', quantity: 1 },
    ],
  });
  expect((await sync(order.orderId)).kind).toBe('created');
  return { id: order.orderId, items: order.items.map((i) => i.orderItemId) };
}

/** Publishes ORDER_CHANGE for the change `act` makes: the simulator's queue holds one message more. */
function publishes(act: () => void): void {
  const before = sim.control.queueDepth(QUEUE);
  act();
  expect(sim.control.queueDepth(QUEUE)).toBe(before + 1);
}

async function cableAvailable(): Promise<number> {
  return (await sage.getStock(['CABLE-USB-C'], ['MAIN']))[0]?.available ?? 0;
}

describe('changes after import, from the simulator to the Sage sandbox', () => {
  it("a line cancelled at Amazon before shipment cancels that Sage line, once; Amazon's ship-by is its promise date", async () => {
    const stockBefore = await cableAvailable();
    const { id, items } = await createdOrder();
    expect(await cableAvailable()).toBe(stockBefore - 1);
    const shipBy = sim.control.order(id)!.createdTime.slice(0, 10);
    const created = (await sage.findSalesOrder({ amazonOrderId: id }))!;
    const goods = created.lines.filter((l) => l.amazonOrderItemId);
    // The simulator's ship-by window ends two days after the order; each line is promised for that day.
    expect(goods.map((l) => l.promiseDate?.slice(0, 10))).toEqual(goods.map(() => plusDays(shipBy, 2)));

    // A replay of the creation's notification compares nothing (same Amazon version).
    expect((await sync(id)).kind).toBe('already-created');

    publishes(() => sim.control.cancelOrderLine(id, items[1]!));
    const outcome = await sync(id);
    expect(outcome).toMatchObject({ kind: 'amended', applied: ['line-cancelled'], differences: [] });
    const after = (await sage.findSalesOrder({ amazonOrderId: id }))!;
    expect(after.status).toBe('open');
    const byItem = new Map(after.lines.map((l) => [l.amazonOrderItemId, l]));
    expect(byItem.get(items[0])?.status).toBeUndefined();
    expect(byItem.get(items[1])?.status).toBe('closed');
    expect(await cableAvailable()).toBe(stockBefore);

    // The same notification again (SQS redelivery) and the poll's re-read: nothing changes twice.
    expect((await sync(id)).kind).toBe('already-created');
    expect((await sage.findSalesOrder({ amazonOrderId: id }))!.lines).toEqual(after.lines);
    expect(await cableAvailable()).toBe(stockBefore);

    const report = await status(id);
    expect(report.changes?.applied).toEqual([
      expect.objectContaining({
        kind: 'line-cancelled',
        amazonOrderItemId: items[1],
        lineNo: byItem.get(items[1])!.lineNo,
      }),
    ]);
    expect(report.changes?.differences).toEqual([]);
  });

  it('an address changed before shipment updates the Sage ship-to, fitted to Sage like a new order', async () => {
    const { id } = await createdOrder();
    publishes(() =>
      sim.control.changeShipTo(id, {
        addressLine1: '22 Elm Avenue',
        addressLine2: 'Apartment 4',
        addressLine3: undefined,
        city: 'Rancho Santa Margarita',
        stateOrRegion: 'CA',
        postalCode: '92688',
        countryCode: 'US',
      }),
    );
    expect(await sync(id)).toMatchObject({ kind: 'amended', applied: ['ship-to-updated'] });
    const shipTo = (await sage.findSalesOrder({ amazonOrderId: id }))!.shipTo!;
    expect(shipTo).toMatchObject({
      lines: ['22 Elm Avenue', 'Apartment 4'],
      city: 'Rancho Sta Margarita', // 22 characters at Amazon, fitted to Sage's 20
      region: 'CA',
      postalCode: '92688',
      countryId: 'USA',
    });
    // The new ship-to's fitting is the order's now (what changed, no buyer text).
    expect((await deps.fittings!.get(CONN, id))?.changes).toContainEqual(
      expect.objectContaining({ field: 'city', kind: 'abbreviated' }),
    );
    expect((await sync(id)).kind).toBe('already-created');
    expect((await status(id)).changes?.applied.map((a) => a.kind)).toEqual(['ship-to-updated']);
  });

  it('anything else is flagged with the difference, not changed; so is a change after Sage shipped', async () => {
    const { id, items } = await createdOrder();
    // The buyer's quantity of the first item changes (no automatic change applies to that).
    sim.control.order(id)!.items[0]!.quantity = 3;
    publishes(() => sim.control.changeShipTo(id, {}));
    const outcome = await sync(id);
    expect(outcome).toMatchObject({
      kind: 'amended',
      applied: [],
      differences: [{ field: `lines[${items[0]}]`, problem: expect.stringContaining('quantity 2 in Sage') }],
    });
    expect(
      (await sage.findSalesOrder({ amazonOrderId: id }))!.lines.find((l) => l.amazonOrderItemId === items[0])!.quantity,
    ).toBe(2);
    const report = await status(id);
    expect(report.changes?.differences).toHaveLength(1);
    expect(report.changes?.differences[0]?.problem).toContain('3 at Amazon');

    // Shipped in Sage (not yet confirmed to Amazon): a new address is flagged, Sage keeps the old one.
    const shipped = await createdOrder();
    const before = (await sage.findSalesOrder({ amazonOrderId: shipped.id }))!.shipTo;
    const so = await sage.findSalesOrder({ amazonOrderId: shipped.id });
    await sage.db
      .updateTable('tsoSOLineDist')
      .set({ QtyShip: '1' })
      .where(
        'SOLineKey',
        'in',
        sage.db.selectFrom('tsoSOLine').select('SOLineKey').where('SOKey', '=', Number(so!.key)),
      )
      .execute();
    publishes(() => sim.control.changeShipTo(shipped.id, { addressLine1: '9 Other Road' }));
    expect(await sync(shipped.id)).toMatchObject({
      kind: 'amended',
      applied: [],
      differences: [{ field: 'shipTo', problem: expect.stringContaining('after Sage shipped') }],
    });
    expect((await sage.findSalesOrder({ amazonOrderId: shipped.id }))!.shipTo).toEqual(before);

    const now = new Date();
    const counts = await countOrderChanges(store, {
      now: now.toISOString(),
      before: new Date(now.getTime() + 86_400_000).toISOString(),
    });
    expect(counts).toContainEqual(
      expect.objectContaining({ connectionId: CONN, flagged: 2, lineCancelled: 1, shipToUpdated: 1 }),
    );
  });

  it('orders not shipped whose latest ship date is near are shown at risk', async () => {
    const { id } = await createdOrder();
    // The simulator's ship-by is two days after the order: at risk with a three-day threshold, not with one hour.
    expect((await status(id, 3 * 86_400_000)).shipBy).toMatchObject({ atRisk: true, late: false });
    expect((await status(id, 3_600_000)).shipBy).toMatchObject({ atRisk: false, late: false });
    const atRisk = await deps.changes!.atRisk({
      now: new Date().toISOString(),
      before: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    });
    expect(atRisk.map((o) => o.amazonOrderId)).toContain(id);
  });
});

function plusDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
