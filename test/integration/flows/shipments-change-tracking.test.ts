import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderFlowDeps } from '../../../src/bootstrap/orders.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { createAmazonConnector } from '../../../src/connectors/amazon/create-amazon-connector.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import {
  confirmShipment,
  pollShipments,
  SHIPMENT_CONFIRM_QUEUE,
  SHIPMENT_CT_AWAITING,
  SHIPMENT_CT_FULL_READS,
  type ShipmentFlowDeps,
} from '../../../src/flows/confirm-shipment.ts';
import type { OrderFlowDeps } from '../../../src/flows/index.ts';
import { syncOrder } from '../../../src/flows/sync-order.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import type { JobQueue } from '../../../src/runtime/queue/job-queue.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { createAmazonSimulator, type AmazonSimulator, type CatalogItem } from '../../../src/simulator/amazon/index.ts';
import { freshStore, makeQueue } from '../../helpers/queue-env.ts';
import { simulatorConfigOverrides } from '../../helpers/simulator-connection.ts';
import { sql } from 'kysely';
import { Registry } from 'prom-client';
import { registerStoreCollectors } from '../../../src/bootstrap/metrics.ts';

/**
 * Shipments through SQL Server change tracking (emulated by the sandbox's triggers), end to end: an Amazon order
 * from the SP-API simulator is imported into the Sage sandbox, the warehouse ships it, `shipment.poll` reads only
 * the shipment whose tsoShipment / tsoShipmentLog rows changed since the stored version (statements and their
 * keys asserted: no ShipKey range is read, the packages of that one shipment only), and the confirmation reaches
 * the simulator. A version older than the retention falls back to the cursor path once, counted, then tracking
 * resumes.
 */
const CONN = 'default';
const SKUS: CatalogItem[] = [
  { sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 },
  { sku: 'WIDGET-BLUE', title: 'Widget, blue', priceMinor: 1999 },
];

let sim: AmazonSimulator;
let store: Store;
let sage: SandboxGateway;
let queue: JobQueue;
let deps: OrderFlowDeps;
const enqueued: { queue: string; payload: unknown }[] = [];

beforeAll(async () => {
  sim = await createAmazonSimulator({
    seed: 2020,
    orders: 0,
    limits: false,
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
  store = await freshStore('sqlite', 'shipments-change-tracking');
  sage = await createSandboxGateway({
    path: ':memory:',
    changeTracking: { enabled: true, retentionDays: 2 },
    recordStatements: true,
    warehouseSimulator: { delayMs: 0, partialEvery: 0, packagesPerShipment: 1 },
  });
  await sage.installExtensions();
  const config = loadConfig({ file: '/dev/null', overrides: [...simulatorConfigOverrides(sim.url)] });
  const amazon = createAmazonConnector(config.amazon, { store, clock: systemClock, sleep: async () => undefined });
  queue = await makeQueue(store);
  deps = {
    ...createOrderFlowDeps({ store, amazon: amazon.marketplace, sage, clock: systemClock, queue }),
    // The jobs the flows queue are recorded and run by the test, one at a time.
    jobs: {
      async enqueue(q, payload) {
        enqueued.push({ queue: q, payload });
        return { id: String(enqueued.length), deduplicated: false };
      },
      async enqueueMany(q, items) {
        return items.map(({ payload }) => {
          enqueued.push({ queue: q, payload });
          return { id: String(enqueued.length), deduplicated: false };
        });
      },
    },
  };
}, 60_000);

afterAll(async () => {
  await queue?.stop();
  await sage?.close();
  await store?.close();
  await sim?.close();
});

/** A new simulator order imported into Sage; its id. */
async function importedOrder(sku: string): Promise<string> {
  const order = sim.control.addOrder({ items: [{ sku, quantity: 1 }] });
  expect(await syncOrder({ connectionId: CONN, amazonOrderId: order.orderId }, deps)).toMatchObject({
    kind: 'created',
  });
  return order.orderId;
}

/** Runs the shipment.confirm jobs the poll queued (calls the simulator's confirmShipment). */
async function confirmQueued(): Promise<number> {
  const jobs = enqueued.splice(0).filter((j) => j.queue === SHIPMENT_CONFIRM_QUEUE);
  for (const j of jobs) await confirmShipment(j.payload, deps);
  return jobs.length;
}

/** The Sage statements of one poll: their SQL and parameters. */
async function pollRecorded(d: ShipmentFlowDeps = deps) {
  sage.statements.splice(0);
  const outcome = await pollShipments({ connectionId: CONN }, d);
  return { outcome, statements: sage.statements.splice(0) };
}

const shipKeyOf = async (amazonOrderId: string): Promise<number> => {
  const { rows } = await sql<{ ShipKey: number }>`
    SELECT DISTINCT sl."ShipKey" FROM "tsoShipLine" sl
    JOIN "tsoSOLine_AMZ" x ON x."SOLineKey" = sl."SOLineKey"
    JOIN "tsoSalesOrder_AMZ" o ON o."SOKey" = x."SOKey"
    WHERE o."AmazonOrderId" = ${amazonOrderId}`.execute(sage.db);
  expect(rows).toHaveLength(1);
  return Number(rows[0]!.ShipKey);
};

describe('shipments through SQL Server change tracking (sandbox emulation) to Amazon', () => {
  it('reads only the changed shipment and confirms it at Amazon; an older shipment is not read again', async () => {
    const first = await importedOrder('WIDGET-RED');
    // No version yet: one full read by the cursor (nothing shipped so far), counted.
    expect((await pollRecorded()).outcome).toEqual({
      shipments: 0,
      queued: 0,
      more: false,
      via: 'cursor',
      fullRead: 'first',
    });
    expect(await sage.shipDueOrders()).toBe(1);
    const a = await pollRecorded();
    expect(a.outcome).toEqual({ shipments: 1, queued: 1, more: false, via: 'tracking' });
    expect(await confirmQueued()).toBe(1);
    expect(sim.control.order(first)!.packages).toHaveLength(1);

    // A second order ships: the poll reads that shipment alone, though Sage now holds two.
    const second = await importedOrder('WIDGET-BLUE');
    expect(await sage.shipDueOrders()).toBe(1);
    const b = await pollRecorded();
    expect(b.outcome).toEqual({ shipments: 1, queued: 1, more: false, via: 'tracking' });
    // Three statements: the versions, the changed shipments' lines (CHANGETABLE as the key filter, no ShipKey
    // range, no max(ShipKey)), and the packages of that one shipment.
    expect(b.statements).toHaveLength(3);
    expect(b.statements[0]!.sql).toMatch(/current_version/);
    expect(b.statements[1]!.sql).toMatch(/"s"\."ShipKey" in \(select "cs"\."ShipKey" from \(SELECT DISTINCT "ShipKey"/);
    expect(b.statements.some((s) => /"s"\."ShipKey" >|max\("ShipKey"\)/.test(s.sql))).toBe(false);
    expect(b.statements[2]!.sql).toMatch(/"tsoPackage"|"p"\."ShipKey" in/);
    expect(b.statements[2]!.parameters).toEqual([await shipKeyOf(second)]);
    expect(await confirmQueued()).toBe(1);
    const confirmed = sim.control.order(second)!;
    expect(confirmed.packages).toHaveLength(1);
    expect(confirmed.status).toBe('SHIPPED');
    expect((await deps.links.get(CONN, second))?.state).toBe('confirmed');
    // The first order was confirmed once, and nothing changed since: the next poll reads nothing.
    expect(sim.control.order(first)!.packages).toHaveLength(1);
    const idle = await pollRecorded();
    expect(idle.outcome).toEqual({ shipments: 0, queued: 0, more: false, via: 'tracking' });
    expect(idle.statements).toHaveLength(2); // the versions, and the (empty) changed shipments
  });

  it('a tracking number keyed in after the shipment was committed (the package table is not tracked) is still confirmed', async () => {
    const late = await importedOrder('WIDGET-BLUE');
    expect(await sage.shipDueOrders()).toBe(1);
    const shipKey = await shipKeyOf(late);
    // The warehouse committed the shipment before keying its tracking number: no package row yet.
    const packages = await sage.db.selectFrom('tsoPackage').selectAll().where('ShipKey', '=', shipKey).execute();
    expect(packages).toHaveLength(1);
    await sage.db.deleteFrom('tsoPackage').where('ShipKey', '=', shipKey).execute();
    expect((await pollRecorded()).outcome).toEqual({ shipments: 1, queued: 0, more: false, via: 'tracking' });
    expect(await deps.watermarks.get(CONN, SHIPMENT_CT_AWAITING)).toBe(JSON.stringify([String(shipKey)]));
    // Nothing changed in the tracked tables, but the shipment is read again while it waits.
    const waiting = await pollRecorded();
    expect(waiting.outcome).toEqual({ shipments: 1, queued: 0, more: false, via: 'tracking' });
    expect(waiting.statements[1]!.parameters).toContain(shipKey);
    // The tracking number is keyed in (a row in the untracked package table): the next poll confirms it.
    await sage.db.insertInto('tsoPackage').values(packages).execute();
    expect((await pollRecorded()).outcome).toEqual({ shipments: 1, queued: 1, more: false, via: 'tracking' });
    expect(await confirmQueued()).toBe(1);
    expect(sim.control.order(late)!.packages).toHaveLength(1);
    expect(await deps.watermarks.get(CONN, SHIPMENT_CT_AWAITING)).toBe('[]');
    expect((await pollRecorded()).outcome).toEqual({ shipments: 0, queued: 0, more: false, via: 'tracking' });
  });

  it('a version older than the retention falls back to the cursor path once, counted, then tracking resumes', async () => {
    const third = await importedOrder('WIDGET-RED');
    expect(await sage.shipDueOrders()).toBe(1);
    sage.expireChangeTracking(); // the retention cleanup ran past the stored version
    const fallback = await pollRecorded();
    // The cursor path (ShipKey range with its rewind window) re-reads the shipments; only the new one is queued.
    expect(fallback.outcome).toEqual({ shipments: 4, queued: 1, more: false, via: 'cursor', fullRead: 'expired' });
    expect(fallback.statements.some((s) => /"s"\."ShipKey" >/.test(s.sql))).toBe(true);
    expect(await deps.watermarks.get(CONN, SHIPMENT_CT_FULL_READS)).toBe('2'); // the first read and this one
    expect(await confirmQueued()).toBe(1);
    expect(sim.control.order(third)!.packages).toHaveLength(1);
    // Tracking resumes from the version taken before the full read.
    expect((await pollRecorded()).outcome).toEqual({ shipments: 0, queued: 0, more: false, via: 'tracking' });
    // Shipments found: three by change tracking (event), one by the cursor fallback (poll): the push-miss figure.
    const { rows } = await sql<{ first_via: string; n: number }>`
      SELECT first_via, count(*) AS n FROM work_sightings WHERE kind = 'shipment' GROUP BY first_via ORDER BY first_via`.execute(
      store.db,
    );
    expect(rows.map((r) => [r.first_via, Number(r.n)])).toEqual([
      ['event', 3],
      ['poll', 1],
    ]);
    // The same figures as /metrics shows them.
    const registry = new Registry();
    registerStoreCollectors({ registry, store, clock: systemClock });
    expect(await registry.getSingleMetricAsString('sellbridge_sage_shipment_full_reads')).toContain(
      'sellbridge_sage_shipment_full_reads{connection="default"} 2',
    );
    const found = await registry.getSingleMetricAsString('sellbridge_work_found');
    expect(found).toContain('sellbridge_work_found{kind="shipment",via="event"} 3');
    expect(found).toContain('sellbridge_work_found{kind="shipment",via="poll"} 1');
  });
});
