import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../../src/bootstrap/index.ts';
import { createSandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { buildApp } from '../../../src/server/app.ts';
import type { AmazonSimulator, CatalogItem } from '../../../src/simulator/amazon/index.ts';
import { waitUntil } from '../../helpers/queue-env.ts';
import { startOrderStack, type OrderStack } from '../../helpers/order-stack.ts';
import { AMAZON_FAMILIES } from '../../../src/connectors/amazon/sp-api/circuit-transport.ts';

/**
 * The composition root, wired as `sellbridge run --role worker` wires it: config pointing at the SP-API simulator
 * (HTTP, SQS notifications) and the Sage 500 sandbox (its warehouse simulator ships by itself). Orders added at the
 * simulator arrive by SQS, become Sage sales orders, ship, and are confirmed back at the simulator with no call from
 * the test other than `runtime.start()`.
 */
const SKUS: CatalogItem[] = [
  { sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 },
  { sku: 'WIDGET-BLUE', title: 'Widget, blue', priceMinor: 1999 },
  { sku: 'GADGET-PRO', title: 'Gadget Pro', priceMinor: 14900 },
];
let stack: OrderStack;
let sim: AmazonSimulator;
let runtime: Runtime;
/** confirmShipment calls the simulator answered 2xx, per `${orderId}#${packageReferenceId}`. */
const confirmCalls = new Map<string, number>();

beforeAll(async () => {
  stack = await startOrderStack({
    name: 'runtime-wiring',
    simulator: {
      seed: 77,
      timeScale: 20,
      onExchange: (e) => {
        if (e.operation !== 'ordersV0.confirmShipment' || e.status >= 300) return;
        const orderId = /orders\/([^/]+)\/shipmentConfirmation/.exec(e.path)?.[1];
        const ref = (e.requestBody as { packageDetail?: { packageReferenceId?: string } } | undefined)?.packageDetail
          ?.packageReferenceId;
        confirmCalls.set(`${orderId}#${ref}`, (confirmCalls.get(`${orderId}#${ref}`) ?? 0) + 1);
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
    sqsQueue: 'wiring-q',
    sage: 'warehouse',
    overrides: {
      'orders.shipmentPollEveryMs': '300',
      'jobs.pollIntervalMs': '50',
      'orders.webhook.apiKey': 'hook-key',
    },
  });
  ({ sim, runtime } = stack);
}, 30_000);

afterAll(async () => {
  await stack?.close();
});

describe('createRuntime (worker role) against the simulator and the Sage sandbox', () => {
  it('exposes the connector, the gateway behind a closed circuit, and the recurring shipment poll', () => {
    expect(runtime.circuits.sage500.state()).toBe('closed');
    expect(runtime.circuits()).toEqual([
      { target: 'sage500', state: 'closed' },
      ...AMAZON_FAMILIES.map((f) => ({ target: `amazon.${f}`, state: 'closed' })),
    ]);
    expect(runtime.scheduler.schedules.map((s) => s.key)).toEqual(
      expect.arrayContaining(['shipment.poll:default', 'order.poll:default']),
    );
    expect(runtime.amazon.marketplace).toBeDefined();
  });

  it('orders notified over SQS become Sage sales orders, ship, and are confirmed at Amazon', async () => {
    const ids = sim.control.addOrders(5, { status: 'UNSHIPPED' }).map((o) => o.orderId);
    await waitUntil(
      async () => {
        for (const id of ids) {
          if (sim.control.order(id)?.status !== 'SHIPPED') return false;
          if ((await runtime.orders.deps.links.get('default', id))?.state !== 'confirmed') return false;
        }
        return true;
      },
      45_000,
      'every order to be shipped and confirmed',
    );
    for (const id of ids) {
      const so = await runtime.sage.findSalesOrder({ amazonOrderId: id });
      expect(so?.tranNo, id).toMatch(/^AZ/);
      expect(sim.control.order(id)!.packages.length, id).toBeGreaterThan(0);
    }
    const inbox = await runtime.inbox.list({ limit: 100 });
    expect(inbox.filter((r) => r.kind === 'ORDER_CHANGE').every((r) => r.status === 'processed')).toBe(true);
    const metrics = await runtime.metrics.registry.metrics();
    expect(metrics).toContain('sellbridge_circuit_state{target="sage500",connection="default"} 0');
  }, 60_000);

  it('buildApp({ ...runtime }) serves POST /webhooks/amazon with the runtime inbox: the ORDER_CHANGE row is committed with its order.sync job', async () => {
    const id = sim.control.orders()[0]!.orderId;
    const app = buildApp({ ...runtime, adminToken: undefined });
    try {
      const detail = {
        NotificationType: 'ORDER_CHANGE',
        NotificationMetadata: { NotificationId: 'wiring-hook-1' },
        Payload: { OrderChangeNotification: { AmazonOrderId: id } },
      };
      const r = await app.inject({
        method: 'POST',
        url: '/webhooks/amazon',
        headers: { 'x-api-key': 'hook-key', 'content-type': 'application/json' },
        payload: JSON.stringify(detail),
      });
      expect(r.statusCode, r.body).toBe(202);
      const row = (await runtime.inbox.list({ limit: 1000 })).find((x) => x.source === 'amazon-eventbridge');
      expect(row).toMatchObject({ kind: 'ORDER_CHANGE', subject: `order:${id}`, status: 'processed' });
      expect((await app.inject({ method: 'POST', url: '/webhooks/amazon', payload: detail })).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('notifications delivered twice and out of order create each order once and confirm each package once', async () => {
    sim.control.injectNotificationFault('duplicate', 6);
    sim.control.injectNotificationFault('reorder', 2);
    const ids = sim.control.addOrders(6, { status: 'UNSHIPPED' }).map((o) => o.orderId);
    sim.control.flushNotifications();
    await waitUntil(
      async () => {
        for (const id of ids)
          if ((await runtime.orders.deps.links.get('default', id))?.state !== 'confirmed') return false;
        return true;
      },
      45_000,
      'every order to be confirmed',
    );
    const sage = await createSandboxGateway({ path: stack.sagePath });
    try {
      for (const id of ids) {
        const rows = await sage.db
          .selectFrom('tsoSalesOrder')
          .select('TranNo')
          .where('CustPONo', 'like', `%${id.slice(4)}%`)
          .execute();
        expect(rows.length, id).toBe(1);
      }
    } finally {
      await sage.close();
    }
    for (const id of ids) {
      const refs = sim.control.order(id)!.packages.map((p) => p.packageReferenceId);
      expect(refs.length, id).toBeGreaterThan(0);
      for (const ref of refs) expect(confirmCalls.get(`${id}#${ref}`), `${id}#${ref}`).toBe(1);
    }
    const rows = (await runtime.inbox.list({ limit: 1000 })).filter((r) =>
      ids.some((id) => r.subject === `order:${id}`),
    );
    expect(new Set(rows.map((r) => r.dedupe_key)).size).toBe(rows.length); // the duplicates were dropped at the inbox
  }, 60_000);
});
