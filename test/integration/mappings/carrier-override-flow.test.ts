import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/server/app.ts';
import type { CatalogItem } from '../../../src/simulator/amazon/index.ts';
import { startOrderStack, type OrderStack } from '../../helpers/order-stack.ts';
import { waitUntil } from '../../helpers/queue-env.ts';

/**
 * A carrier edited through the admin API is what Amazon receives at shipment confirmation, end to end: orders arrive
 * by SQS, become Sage sales orders, are shipped by the sandbox warehouse and confirmed at the simulator. Both orders
 * use service level STANDARD, which the default ship-method rules map to the sandbox ShipMethID `UPS-GND` (seed.ts);
 * the first is confirmed with the default carrier (UPS / UPS Ground), the second after a PUT that maps `UPS-GND` to
 * FedEx / FedEx Home Delivery.
 */
const SKUS: CatalogItem[] = [
  { sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 },
  { sku: 'GADGET-PRO', title: 'Gadget Pro', priceMinor: 14900 },
];
const ADMIN_TOKEN = 'carrier-override-flow-admin-token-0123456789';

interface PackageDetail {
  readonly packageReferenceId?: string;
  readonly carrierCode?: string;
  readonly carrierName?: string;
  readonly shippingMethod?: string;
  readonly trackingNumber?: string;
}

let stack: OrderStack;
/** Package details of the confirmShipment calls the simulator accepted, per Amazon order id. */
const confirmed = new Map<string, PackageDetail[]>();

beforeAll(async () => {
  stack = await startOrderStack({
    name: 'carrier-override-flow',
    simulator: {
      seed: 4242,
      timeScale: 20,
      onExchange: (e) => {
        if (e.operation !== 'ordersV0.confirmShipment' || e.status >= 300) return;
        const orderId = /orders\/([^/]+)\/shipmentConfirmation/.exec(e.path)?.[1];
        const detail = (e.requestBody as { packageDetail?: PackageDetail } | undefined)?.packageDetail;
        if (orderId && detail) confirmed.set(orderId, [...(confirmed.get(orderId) ?? []), detail]);
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
    sqsQueue: 'carrier-override-q',
    sage: 'warehouse',
    overrides: { 'orders.shipmentPollEveryMs': '300', 'jobs.pollIntervalMs': '50' },
  });
}, 30_000);

afterAll(async () => {
  await stack?.close();
});

/** Adds one UNSHIPPED order at service level STANDARD (-> Sage ShipMethID UPS-GND) and waits until it is confirmed. */
async function shipOneOrder(): Promise<{ orderId: string; packages: PackageDetail[] }> {
  const order = stack.sim.control.addOrder({ status: 'UNSHIPPED' });
  // The simulator draws the service level at random; its own record is what getOrder serves, and the runtime only
  // fetches the order after this synchronous line (the SQS message is read later), so the level is fixed here.
  order.serviceLevel = 'STANDARD';
  const orderId = order.orderId;
  await waitUntil(
    async () =>
      stack.sim.control.order(orderId)?.status === 'SHIPPED' &&
      (await stack.runtime.orders.deps.links.get('default', orderId))?.state === 'confirmed',
    45_000,
    `order ${orderId} to be shipped and confirmed`,
  );
  const so = await stack.runtime.sage.findSalesOrder({ amazonOrderId: orderId });
  expect(so?.tranNo, orderId).toMatch(/^AZ/);
  const refs = stack.sim.control.order(orderId)!.packages.map((p) => p.packageReferenceId);
  expect(refs.length, orderId).toBeGreaterThan(0);
  const packages = confirmed.get(orderId) ?? [];
  expect(packages.map((p) => p.packageReferenceId).sort(), orderId).toEqual([...refs].sort()); // each package confirmed once
  return { orderId, packages };
}

describe('carrier override through the admin API, end to end', () => {
  it('confirms the default carrier without an override and the overridden carrier after PUT /api/v1/mappings/carriers', async () => {
    const before = await shipOneOrder();
    for (const p of before.packages) {
      expect(p).toMatchObject({ carrierCode: 'UPS', shippingMethod: 'UPS Ground' });
      expect(p.trackingNumber).toMatch(/^1ZSB/); // the sandbox warehouse's tracking number
    }

    const app = buildApp({ ...stack.runtime, adminToken: ADMIN_TOKEN });
    try {
      const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
      const put = await app.inject({
        method: 'PUT',
        url: '/api/v1/mappings/carriers',
        headers,
        payload: { rows: [{ shipMethId: 'UPS-GND', carrierCode: 'FedEx', shippingMethod: 'FedEx Home Delivery' }] },
      });
      expect(put.statusCode, put.body).toBe(200);
      const get = await app.inject({ method: 'GET', url: '/api/v1/mappings/carriers', headers });
      expect(get.statusCode, get.body).toBe(200);
      expect(get.body).toContain('FedEx Home Delivery');
    } finally {
      await app.close();
    }

    const after = await shipOneOrder();
    expect(after.orderId).not.toBe(before.orderId);
    for (const p of after.packages) {
      expect(p).toMatchObject({ carrierCode: 'FedEx', shippingMethod: 'FedEx Home Delivery' });
      expect(p.carrierName).toBeUndefined();
      expect(p.trackingNumber).toMatch(/^1ZSB/);
    }
    // The earlier order's confirmation is untouched (it was confirmed once, with the default carrier).
    expect(confirmed.get(before.orderId)?.every((p) => p.carrierCode === 'UPS')).toBe(true);
  }, 120_000);
});
