import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/server/app.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import type { CatalogItem } from '../../../src/simulator/amazon/index.ts';
import { startOrderStack, type OrderStack } from '../../helpers/order-stack.ts';
import { waitUntil } from '../../helpers/queue-env.ts';
import { addSageCustomer } from './sage-customers.ts';

/**
 * Issue 21: the order mapping set in sellbridge.yaml is what the flows use. The Sage sandbox gets a customer the
 * defaults do not know (SHOP-US); the configuration maps Amazon.com to it, books its merchant-fulfilled orders in
 * warehouse EAST (not the default MAIN) and maps service level STANDARD to USPS-PRI (not the default UPS-GND). An
 * order arriving by SQS lands in Sage with exactly those, and the admin API shows the configured mapping.
 */
const US = 'ATVPDKIKX0DER';
const SKUS: CatalogItem[] = [{ sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 }];
const ADMIN_TOKEN = 'configured-mapping-admin-token-0123456789';

let stack: OrderStack;

beforeAll(async () => {
  stack = await startOrderStack({
    name: 'configured-mapping',
    simulator: {
      seed: 2121,
      timeScale: 20,
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
    sqsQueue: 'configured-mapping-q',
    sage: 'no-warehouse',
    prepare: async ({ sagePath }) => {
      const sandbox: SandboxGateway = await createSandboxGateway({ path: sagePath });
      try {
        await addSageCustomer(sandbox, { key: 650, id: 'SHOP-US', currency: 'USD' });
      } finally {
        await sandbox.close();
      }
    },
    overrides: {
      'orders.customers': JSON.stringify({ [US]: { customerId: 'SHOP-US', currency: 'USD', warehouseId: 'EAST' } }),
      'orders.shipMethods.byServiceLevel': JSON.stringify({ STANDARD: 'USPS-PRI' }),
      'orders.poll.enabled': 'false',
      'orders.shipmentPollEveryMs': '3600000',
      'jobs.pollIntervalMs': '50',
    },
  });
}, 30_000);

afterAll(async () => {
  await stack?.close();
});

describe('the order mapping from sellbridge.yaml', () => {
  it('creates the Sage order for the configured customer, warehouse and ship method', async () => {
    const order = stack.sim.control.addOrder({ status: 'UNSHIPPED', marketplaceId: US });
    order.serviceLevel = 'STANDARD';
    const orderId = order.orderId;
    await waitUntil(
      async () => (await stack.runtime.orders.deps.links.get('default', orderId))?.state === 'created',
      30_000,
      `order ${orderId} to be created in Sage`,
    );
    const so = await stack.runtime.sage.findSalesOrder({ amazonOrderId: orderId });
    expect(so?.customerId).toBe('SHOP-US');
    expect(so?.currency).toBe('USD');
    const goods = so!.lines.filter((l) => l.itemId === 'WIDGET-RED');
    expect(goods.length).toBeGreaterThan(0);
    for (const l of goods) expect(l.warehouseId).toBe('EAST');
    // The header's ship method and warehouse, read from the sandbox's tables (the canonical order does not carry them).
    const sandbox = await createSandboxGateway({ path: stack.sagePath });
    const header = await sandbox.db
      .selectFrom('tsoSalesOrder as o')
      .leftJoin('tciShipMethod as m', 'm.ShipMethKey', 'o.DfltShipMethKey')
      .leftJoin('timWarehouse as w', 'w.WhseKey', 'o.DfltWhseKey')
      .select(['m.ShipMethID', 'w.WhseID'])
      .where('o.TranNo', '=', so!.tranNo)
      .executeTakeFirstOrThrow()
      .finally(() => sandbox.close());
    expect(header).toEqual({ ShipMethID: 'USPS-PRI', WhseID: 'EAST' });
  }, 60_000);

  it('GET /api/v1/mappings/customers shows the configured customers and warehouses', async () => {
    const app = buildApp({ ...stack.runtime, adminToken: ADMIN_TOKEN });
    try {
      const res = await app.inject({
        method: 'GET',
        url: '/api/v1/mappings/customers',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { source: string; rules: Record<string, unknown> };
      expect(body.source).toBe('config');
      expect(body.rules).toEqual({
        customers: { [US]: { customerId: 'SHOP-US', currency: 'USD' } },
        warehouseId: 'MAIN',
        warehouseByMarketplace: { [US]: 'EAST' },
      });
    } finally {
      await app.close();
    }
  });
});
