import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderDispatchingInbox } from '../../../src/bootstrap/intake.ts';
import { storeOrderSightings } from '../../../src/connectors/store/order-sightings.ts';
import { storeWatermarks } from '../../../src/connectors/store/watermarks.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { createAmazonConnector } from '../../../src/connectors/amazon/create-amazon-connector.ts';
import {
  ORDER_POLL_WATERMARK,
  ORDER_SYNC_QUEUE,
  orderSyncKey,
  pollOrders,
  type OrderPollDeps,
} from '../../../src/flows/index.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { createInbox } from '../../../src/runtime/inbox/inbox.ts';
import type { JobQueue } from '../../../src/runtime/queue/job-queue.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { createAmazonSimulator, type AmazonSimulator } from '../../../src/simulator/amazon/index.ts';
import { freshStore, makeQueue } from '../../helpers/queue-env.ts';
import { simulatorConfigOverrides } from '../../helpers/simulator-connection.ts';

/**
 * The polling safety net against the SP-API simulator over HTTP, with a real store and queue (no handlers run, so
 * the queued order.sync jobs stay visible). The simulator's clock runs one hour behind this process's, so a cursor
 * taken from the wall clock would show.
 */
const CONN = 'default';
const AMAZON_LAG_MS = 3_600_000;
let sim: AmazonSimulator;
let store: Store;
let queue: JobQueue;
let deps: OrderPollDeps;
const metrics = createMetrics();
const firstSeen: string[] = [];

beforeAll(async () => {
  sim = await createAmazonSimulator({ seed: 9, now: () => Date.now() - AMAZON_LAG_MS });
  store = await freshStore('sqlite', 'order-polling');
  queue = await makeQueue(store);
  const config = loadConfig({ file: '/dev/null', overrides: simulatorConfigOverrides(sim.url) });
  const amazon = createAmazonConnector(config.amazon, { store, clock: systemClock, sleep: async () => undefined });
  deps = {
    amazon: amazon.marketplace,
    watermarks: storeWatermarks(store, systemClock),
    jobs: queue,
    sightings: storeOrderSightings(store, systemClock),
    clock: systemClock,
    pollSettingsFor: () => ({ overlapMs: 10 * 60_000, initialLookbackMs: 24 * 3_600_000, pageSize: 2, maxPages: 2 }),
    onFirstSeenByPolling: (connection, ids) => {
      firstSeen.push(...ids);
      metrics.ordersFirstSeenByPolling.inc({ connection }, ids.length);
    },
  };
});

afterAll(async () => {
  await queue?.stop();
  await store?.close();
  await sim?.close();
});

/** An order created five minutes ago by Amazon's clock (the simulator backdates generated orders otherwise). */
const recent = () => ({ createdTime: new Date(Date.now() - AMAZON_LAG_MS - 5 * 60_000).toISOString() });
const pendingSyncKeys = async () =>
  (await queue.listJobs({ queue: ORDER_SYNC_QUEUE, state: 'pending', limit: 1000 })).map((j) => j.key).sort();

describe('order.poll against the simulator', () => {
  it('queues order.sync for every order updated in the window, counts those no notification announced, and moves the cursor to the bound Amazon returned', async () => {
    const ids = sim.control.addOrders(3, recent()).map((o) => o.orderId);
    // One of them was announced by a notification (through the same inbox the SQS and webhook intakes use).
    const inbox = orderDispatchingInbox(createInbox(store, systemClock), queue, CONN);
    await inbox.accept({
      source: 'amazon-sqs',
      dedupeKey: 'n-push-1',
      kind: 'ORDER_CHANGE',
      subject: `order:${ids[0]}`,
      payload: '{}',
      connectionId: CONN,
    });

    // pageSize 2, three orders: two pages in one job (maxPages 2).
    const outcome = await pollOrders({ connectionId: CONN }, deps);
    expect(outcome).toMatchObject({ orders: 3, firstSeenByPolling: 2, pages: 2, more: false });
    expect(await pendingSyncKeys()).toEqual(ids.map(orderSyncKey).sort());
    expect(firstSeen.sort()).toEqual([ids[1], ids[2]].sort());
    expect(await metrics.registry.getSingleMetricAsString('sellbridge_orders_first_seen_by_polling_total')).toContain(
      'sellbridge_orders_first_seen_by_polling_total{connection="default"} 2',
    );

    const cursor = (await deps.watermarks.get(CONN, ORDER_POLL_WATERMARK))!;
    expect(cursor).toBe(outcome.watermark);
    // Amazon's bound (the simulator's clock, an hour behind ours), not this process's clock.
    expect(Date.now() - Date.parse(cursor)).toBeGreaterThan(AMAZON_LAG_MS - 60_000);
    const latestUpdate = ids
      .map((id) => sim.control.order(id)!.lastUpdatedTime)
      .sort()
      .at(-1)!;
    expect(cursor >= latestUpdate).toBe(true);
  });

  it('the next poll starts an overlap before the cursor: orders seen again make no second pending job and are not counted again', async () => {
    const before = (await deps.watermarks.get(CONN, ORDER_POLL_WATERMARK))!;
    const later = sim.control.addOrder(recent()).orderId;
    const outcome = await pollOrders({ connectionId: CONN }, deps);
    expect(outcome.firstSeenByPolling).toBe(1);
    expect(outcome.orders).toBe(4); // the three of the first window are inside the overlap
    expect(firstSeen).toContain(later);
    expect(new Set(await pendingSyncKeys()).size).toBe((await pendingSyncKeys()).length);
    expect((await pendingSyncKeys()).length).toBe(4);
    expect(outcome.watermark! >= before).toBe(true);
  });

  it('a window longer than maxPages continues in a queued job that carries the page token and the window bound; the cursor moves only at the end', async () => {
    await store.db.deleteFrom('watermarks').where('name', '=', ORDER_POLL_WATERMARK).execute();
    sim.control.addOrders(3, recent());
    const first = await pollOrders({ connectionId: CONN }, deps);
    expect(first).toMatchObject({ pages: 2, more: true, watermark: undefined });
    expect(await deps.watermarks.get(CONN, ORDER_POLL_WATERMARK)).toBeUndefined();
    const [continuation] = await queue.listJobs({ queue: 'order.poll', state: 'pending', limit: 10 });
    expect(continuation!.payload).toMatchObject({
      connectionId: CONN,
      pageToken: expect.any(String),
      windowBefore: expect.any(String),
    });
    const rest = await pollOrders(continuation!.payload, deps);
    expect(rest.more).toBe(false);
    expect(rest.pages).toBeGreaterThan(1);
    expect(await deps.watermarks.get(CONN, ORDER_POLL_WATERMARK)).toBe(
      (continuation!.payload as { windowBefore: string }).windowBefore,
    );
    expect(first.firstSeenByPolling + rest.firstSeenByPolling).toBe(3); // only the three new ones
  });
});
