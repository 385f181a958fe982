import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueOrderSync } from '../../../src/bootstrap/orders.ts';
import type { Runtime } from '../../../src/bootstrap/index.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { SellbridgeError } from '../../../src/core/errors.ts';
import type { Sage500Gateway } from '../../../src/core/ports/sage500-gateway.ts';
import type { JobEvent } from '../../../src/runtime/queue/job-queue.ts';
import type { AmazonSimulator, CatalogItem } from '../../../src/simulator/amazon/index.ts';
import { waitUntil } from '../../helpers/queue-env.ts';
import { startOrderStack, type OrderStack } from '../../helpers/order-stack.ts';

/**
 * Sage unavailable, through the composition root: the runtime's Sage gateway is the sandbox behind a switch that makes
 * every call fail as the SQL Server gateway does when the database cannot be reached. The circuit opens after
 * `failureThreshold` failures, order.sync jobs then wait without reaching Sage and without spending attempts, and
 * the backlog drains after Sage is back.
 */
const SKUS: CatalogItem[] = [
  { sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 },
  { sku: 'GADGET-PRO', title: 'Gadget Pro', priceMinor: 14900 },
];
let stack: OrderStack;
let sim: AmazonSimulator;
let sandbox: SandboxGateway;
let runtime: Runtime;
let sageDown = false;
let callsWhileDown = 0;
let amazonCallsWhileDown = 0;
const events: JobEvent[] = [];

function withOutage(gateway: SandboxGateway): Sage500Gateway {
  return new Proxy(gateway, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || prop === 'close') return value;
      return async (...args: unknown[]) => {
        if (sageDown) {
          callsWhileDown++;
          throw new SellbridgeError(
            'SB_SAGE_UNAVAILABLE',
            `cannot connect to Sage 500 (test outage) during ${String(prop)}`,
            { retryAfterMs: 100 },
          );
        }
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
}

beforeAll(async () => {
  stack = await startOrderStack({
    name: 'sage-circuit',
    simulator: {
      seed: 31,
      timeScale: 20,
      onExchange: (e) => {
        if (sageDown && e.operation === 'orders.getOrder') amazonCallsWhileDown++;
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
    sage: 'none',
    prepare: async ({ sagePath }) => {
      sandbox = await createSandboxGateway({ path: sagePath });
      return { sage: withOutage(sandbox) };
    },
    overrides: {
      'orders.sageCircuit.failureThreshold': '2',
      'orders.sageCircuit.openMs': '300',
      'orders.poll.enabled': 'false',
      'orders.shipmentPollEveryMs': '3600000',
      'jobs.pollIntervalMs': '50',
      'jobs.maxAttempts': '3',
    },
    beforeStart: (rt) => rt.queue.onEvent((e) => void events.push(e)),
  });
  ({ sim, runtime } = stack);
}, 30_000);

afterAll(async () => {
  await stack?.close(); // closes the sandbox too (with the runtime)
});

describe('Sage 500 unavailable (circuit breaker in the runtime)', () => {
  it('opens the circuit, defers order work without spending attempts or calling Sage, then drains the backlog exactly once after recovery', async () => {
    const ids = sim.control.addOrders(12, { status: 'UNSHIPPED' }).map((o) => o.orderId);
    sageDown = true;
    for (const id of ids) await enqueueOrderSync(runtime.queue, 'default', id);
    await waitUntil(async () => runtime.circuits.sage500.state() === 'open', 20_000, 'the circuit to open');
    expect(await runtime.metrics.registry.getSingleMetricAsString('sellbridge_circuit_state')).toContain(
      'sellbridge_circuit_state{target="sage500",connection="default"} 2',
    );
    // Let jobs meet the open circuit for a while: they are deferred, and Sage sees only the failures that opened it
    // and one probe per open period.
    await waitUntil(
      async () => events.filter((e) => e.type === 'deferred').length >= 24,
      20_000,
      'jobs to be deferred repeatedly',
    );
    const deferredWhileOpen = events.filter((e) => e.type === 'deferred').length;
    expect(callsWhileDown).toBeLessThan(deferredWhileOpen);
    // While the circuit is open a job waits before reading the order: Amazon is asked only by the jobs that reach Sage
    // (the ones that opened the circuit, the probes) and those already past the check (at most the concurrency).
    expect(amazonCallsWhileDown).toBeLessThanOrEqual(callsWhileDown + 4);
    expect(events.filter((e) => e.type === 'retry' || e.type === 'dead')).toEqual([]);

    sageDown = false;
    await waitUntil(
      async () =>
        (await runtime.queue.listJobs({ queue: 'order.sync', state: 'pending', limit: 1 })).length === 0 &&
        (await runtime.queue.listJobs({ state: 'running', limit: 1 })).length === 0,
      30_000,
      'the backlog to drain',
    );
    expect(runtime.circuits.sage500.state()).toBe('closed');
    for (const id of ids) expect((await sandbox.findSalesOrder({ amazonOrderId: id }))?.status, id).toBe('open');
    const n = await sandbox.db
      .selectFrom('tsoSalesOrder')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(ids.length);
    // Deferred work spent no attempt: every order completed on its first counted attempt.
    const completed = events.filter((e) => e.type === 'completed' && e.job.queue === 'order.sync');
    expect(completed.length).toBeGreaterThanOrEqual(ids.length);
    for (const e of completed) expect(e.job.attempt).toBe(1);
    expect(events.filter((e) => e.type === 'retry' || e.type === 'dead')).toEqual([]);
  }, 60_000);
});
