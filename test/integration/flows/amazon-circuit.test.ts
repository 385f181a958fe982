import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueOrderSync } from '../../../src/bootstrap/orders.ts';
import type { Runtime } from '../../../src/bootstrap/index.ts';
import type { JobEvent } from '../../../src/runtime/queue/job-queue.ts';
import type { AmazonSimulator, CatalogItem } from '../../../src/simulator/amazon/index.ts';
import { waitUntil } from '../../helpers/queue-env.ts';
import { startOrderStack, type OrderStack } from '../../helpers/order-stack.ts';

/**
 * Issue 13, finding 3: an Amazon outage (LWA and SP-API answer 503 to everything) during a backlog of orders being
 * imported and confirmed. Without a circuit every order.sync and shipment.confirm spends its attempts on the outage
 * and is dead-lettered; with the Amazon circuits they wait without spending attempts, and everything completes after
 * recovery with no dead letter.
 */
const SKUS: CatalogItem[] = [
  { sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 },
  { sku: 'GADGET-PRO', title: 'Gadget Pro', priceMinor: 14900 },
];
let stack: OrderStack;
let sim: AmazonSimulator;
let runtime: Runtime;
let outage = false;
let refusedDuringOutage = 0;
const events: JobEvent[] = [];

beforeAll(async () => {
  stack = await startOrderStack({
    name: 'amazon-circuit',
    simulator: {
      seed: 1313,
      timeScale: 50,
      limits: false,
      onExchange: (e) => {
        if (outage && e.status === 503) refusedDuringOutage++;
      },
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
    },
    sage: 'warehouse',
    overrides: {
      'amazon.circuit.failureThreshold': '3',
      'amazon.circuit.openMs': '100',
      'orders.poll.enabled': 'false',
      'orders.shipmentPollEveryMs': '200',
      'jobs.pollIntervalMs': '50',
      'jobs.maxAttempts': '4',
      'jobs.backoffBaseMs': '20',
      'jobs.backoffMaxMs': '100',
    },
    beforeStart: (rt) => rt.queue.onEvent((e) => void events.push(e)),
  });
  ({ sim, runtime } = stack);
}, 30_000);

afterAll(async () => {
  await stack?.close();
});

const shippedAtAmazon = (ids: readonly string[]) => ids.every((id) => sim.control.order(id)?.status === 'SHIPPED');

describe('Amazon unavailable (circuit breakers per endpoint family)', () => {
  it('a backlog waits out an LWA and SP-API outage without spending attempts: 0 dead letters, everything completes after recovery', async () => {
    // Warm up: one order through the whole cycle (a cached token, a shipment confirmed).
    const [first] = sim.control.addOrders(1, { status: 'UNSHIPPED' }).map((o) => o.orderId);
    await enqueueOrderSync(runtime.queue, 'default', first!);
    await waitUntil(async () => shippedAtAmazon([first!]), 30_000, 'the warm-up order to be confirmed shipped');

    // Amazon goes down (every SP-API and LWA request answers 503), the token expires, and a backlog arrives.
    outage = true;
    sim.control.injectFault({ kind: 'unavailable', operation: '*', count: 1_000_000 });
    sim.control.expireTokens();
    const ids = sim.control.addOrders(12, { status: 'UNSHIPPED' }).map((o) => o.orderId);
    for (const id of ids) await enqueueOrderSync(runtime.queue, 'default', id);
    // More refused calls than the attempts of every job together (4 each), had they been spent.
    await waitUntil(
      async () => refusedDuringOutage >= ids.length * 4 + 12,
      90_000,
      'Amazon to refuse more calls than every job has attempts',
    );
    const open = runtime.circuits().filter((c) => c.target.startsWith('amazon.') && c.state !== 'closed');
    expect(open.length).toBeGreaterThan(0);
    expect(await runtime.metrics.registry.getSingleMetricAsString('sellbridge_circuit_state')).toMatch(
      /sellbridge_circuit_state\{target="amazon\.(orders|lwa)",connection="default"\} [12]/,
    );
    expect(events.filter((e) => e.type === 'dead')).toEqual([]);

    outage = false;
    sim.control.clearFaults();
    await waitUntil(
      async () => shippedAtAmazon(ids),
      60_000,
      'every order of the backlog to be confirmed shipped after recovery',
    );
    expect(await runtime.deadLetters.list({ status: 'all' })).toEqual([]);
    expect(events.filter((e) => e.type === 'dead')).toEqual([]);
    expect(runtime.circuits().every((c) => c.state === 'closed')).toBe(true);
  }, 120_000);
});
