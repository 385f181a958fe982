import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderFlowDeps } from '../../../src/bootstrap/orders.ts';
import type { AmazonMarketplace } from '../../../src/core/ports/amazon-marketplace.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { confirmShipment, pollShipments } from '../../../src/flows/confirm-shipment.ts';
import type { OrderFlowDeps } from '../../../src/flows/index.ts';
import { syncOrder } from '../../../src/flows/sync-order.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import type { JobQueue } from '../../../src/runtime/queue/job-queue.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore, makeQueue } from '../../helpers/queue-env.ts';
import { anOrder, FakeAmazon } from '../../unit/flows/fakes.ts';

/**
 * The crash window that made the earlier attempt fail (review §3 item 20): the Amazon OrderItemIds live only in
 * tsoSOLine_AMZ (never in the customer's tsoSOLine.UserFld1), so a Sage order without its link rows would ship
 * lines that name no Amazon item. The gateway writes the link rows in the import's own transaction; here the link
 * write fails inside it (as a worker killed at that point would leave it), and the shipment must still be
 * confirmed once recovered, with the right item ids, exactly once. A second case covers an order an older
 * Sellbridge left without link rows (it wrote them after the import): the retry repairs them and the shipment,
 * read again within the poll's rewind window, is confirmed.
 */
const CONN = 'default';
const dir = mkdtempSync(join(tmpdir(), 'sb-crash-links-'));
let store: Store;
let sage: SandboxGateway;
let queue: JobQueue;
let fake: FakeAmazon;
let deps: OrderFlowDeps;

beforeAll(async () => {
  store = await freshStore('sqlite', 'crash-at-line-links');
  sage = await createSandboxGateway({
    path: join(dir, 'sage.db'),
    warehouseSimulator: { delayMs: 0, partialEvery: 0, packagesPerShipment: 1 },
  });
  queue = await makeQueue(store);
  fake = new FakeAmazon();
  const amazon: AmazonMarketplace = Object.assign(fake, {
    searchOrders: () => Promise.reject(new Error('not used')),
  });
  deps = createOrderFlowDeps({ store, amazon, sage, clock: systemClock, queue });
});

afterAll(async () => {
  await queue?.stop();
  await store?.close();
  await sage?.close();
  rmSync(dir, { recursive: true, force: true });
});

const threeLines = (id: string) =>
  anOrder({ id }, [
    { sku: 'WIDGET-RED', quantityOrdered: 2, lineId: `${id.slice(4, 11)}0000001` },
    { sku: 'GADGET-PRO', quantityOrdered: 1, lineId: `${id.slice(4, 11)}0000002` },
    { sku: 'WIDGET-BLUE', quantityOrdered: 3, lineId: `${id.slice(4, 11)}0000003` },
  ]);

const count = async (table: 'tsoSalesOrder' | 'tsoSOLine' | 'StgSalesOrder' | 'StgSOLine' | 'tsoSOLine_AMZ') =>
  Number(
    (
      await sage.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Ships what Sage has open, polls, and runs every confirmation job the poll recorded for the order. */
async function shipPollConfirm(amazonOrderId: string): Promise<{ shipped: number; queued: number }> {
  const shipped = await sage.shipDueOrders();
  const { queued } = await pollShipments({ connectionId: CONN }, deps);
  for (const c of await deps.confirmations.listForOrder(CONN, amazonOrderId))
    await confirmShipment(
      { connectionId: CONN, amazonOrderId, shipmentKey: c.shipmentKey, packageNo: c.packageNo },
      deps,
    );
  return { shipped, queued };
}

const confirmedLines = (amazonOrderId: string) =>
  fake.confirms
    .filter((c) => c.orderId === amazonOrderId)
    .map((c) => [...c.lines].sort((a, b) => a.lineId.localeCompare(b.lineId)));

describe('order.sync dies between the Sage import and the Amazon line links', () => {
  it('leaves nothing in Sage; after recovery the shipment is confirmed once with the right order item ids', async () => {
    const order = threeLines('111-1400001-0000001');
    fake.orders.set(order.id, order);
    const job = { connectionId: CONN, amazonOrderId: order.id };

    // The link write fails inside the import transaction (a worker killed there: SQL Server rolls back the
    // session's transaction when the connection drops, SQLite when the process dies).
    await sql`CREATE TRIGGER die_at_line_links BEFORE INSERT ON tsoSOLine_AMZ BEGIN SELECT RAISE(ABORT, 'killed at the line links (test)'); END`.execute(
      sage.db,
    );
    await expect(syncOrder(job, deps)).rejects.toThrow('killed at the line links (test)');
    expect([
      await count('tsoSalesOrder'),
      await count('tsoSOLine'),
      await count('StgSalesOrder'),
      await count('StgSOLine'),
    ]).toEqual([0, 0, 0, 0]);
    // The warehouse has nothing to ship and the poll nothing to skip past.
    expect(await shipPollConfirm(order.id)).toEqual({ shipped: 0, queued: 0 });

    // Recovery: the job runs again.
    await sql`DROP TRIGGER die_at_line_links`.execute(sage.db);
    expect(await syncOrder(job, deps)).toMatchObject({ kind: 'created' });
    expect([await count('tsoSalesOrder'), await count('tsoSOLine_AMZ')]).toEqual([1, 3]);

    expect(await shipPollConfirm(order.id)).toEqual({ shipped: 1, queued: 1 });
    expect(confirmedLines(order.id)).toEqual([
      [
        { lineId: '14000010000001', quantity: 2 },
        { lineId: '14000010000002', quantity: 1 },
        { lineId: '14000010000003', quantity: 3 },
      ],
    ]);
    // Polled and confirmed again: nothing is sent twice.
    expect(await shipPollConfirm(order.id)).toEqual({ shipped: 0, queued: 0 });
    expect(confirmedLines(order.id)).toHaveLength(1);
    expect((await deps.links.get(CONN, order.id))?.state).toBe('confirmed');
  });

  it('an order left without link rows (older Sellbridge) is repaired by the retry and its shipment confirmed once', async () => {
    const order = threeLines('111-1400002-0000002');
    fake.orders.set(order.id, order);
    const job = { connectionId: CONN, amazonOrderId: order.id };
    expect(await syncOrder(job, deps)).toMatchObject({ kind: 'created' });
    const link = await deps.links.get(CONN, order.id);
    const soKey = Number(link!.salesOrderKey);
    // The state an older Sellbridge left when killed after the import and before its separate link step, with
    // the order link still `reserved` so the job runs again.
    await sage.db.deleteFrom('tsoSOLine_AMZ').where('SOKey', '=', soKey).execute();
    await sage.db.deleteFrom('tsoSalesOrder_AMZ').where('SOKey', '=', soKey).execute();
    await sql`update order_links set state = 'reserved', sales_order_key = null where amazon_order_id = ${order.id}`.execute(
      store.db,
    );

    // Sage ships before the retry: the lines name no Amazon item yet, so nothing can be confirmed.
    expect(await shipPollConfirm(order.id)).toEqual({ shipped: 1, queued: 0 });
    expect(confirmedLines(order.id)).toEqual([]);

    // The retry finds the order under its TranNo and writes the missing rows by line position.
    expect(await syncOrder(job, deps)).toMatchObject({ kind: 'already-created' });
    expect(
      await sage.db.selectFrom('tsoSOLine_AMZ').select('SOLineKey').where('SOKey', '=', soKey).execute(),
    ).toHaveLength(3);

    // The next poll reads the shipment again (it is within the rewind window) and confirms it once.
    expect(await shipPollConfirm(order.id)).toEqual({ shipped: 0, queued: 1 });
    expect(await shipPollConfirm(order.id)).toEqual({ shipped: 0, queued: 0 });
    expect(confirmedLines(order.id)).toEqual([
      [
        { lineId: '14000020000001', quantity: 2 },
        { lineId: '14000020000002', quantity: 1 },
        { lineId: '14000020000003', quantity: 3 },
      ],
    ]);
  });
});
