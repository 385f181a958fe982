import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConnection } from '../../../src/bootstrap/connection-check.ts';
import { buildApp } from '../../../src/server/app.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import type { CatalogItem } from '../../../src/simulator/amazon/index.ts';
import { startOrderStack, type OrderStack } from '../../helpers/order-stack.ts';
import { waitUntil } from '../../helpers/queue-env.ts';
import { addSageCustomer } from '../connections/sage-customers.ts';

/**
 * Issue 21: a connection's order mapping edited through the admin API (JSON and CSV), checked against the Sage
 * sandbox company before it is stored (each problem named, nothing stored), audited, and used by the flows for the
 * next order without a restart. The configuration is the defaults (AMAZON-US, UPS-GND for STANDARD); the edits move
 * Amazon.com to SHOP-US and STANDARD to USPS-PRI.
 */
const US = 'ATVPDKIKX0DER';
const CA = 'A2EUQ1WTGCTBG2';
const SKUS: CatalogItem[] = [{ sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 }];
const ADMIN_TOKEN = 'connection-mapping-edits-admin-token-0123456789';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

let stack: OrderStack;
let app: FastifyInstance;

beforeAll(async () => {
  stack = await startOrderStack({
    name: 'mapping-edits',
    simulator: {
      seed: 2128,
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
    sqsQueue: 'mapping-edits-q',
    sage: 'no-warehouse',
    prepare: async ({ sagePath }) => {
      const sandbox: SandboxGateway = await createSandboxGateway({ path: sagePath });
      try {
        await addSageCustomer(sandbox, { key: 660, id: 'SHOP-US', currency: 'USD' });
        await addSageCustomer(sandbox, { key: 661, id: 'SHOP-EU', currency: 'EUR' });
      } finally {
        await sandbox.close();
      }
    },
    overrides: {
      'orders.poll.enabled': 'false',
      'orders.shipmentPollEveryMs': '3600000',
      'jobs.pollIntervalMs': '50',
    },
  });
  app = buildApp({ ...stack.runtime, adminToken: ADMIN_TOKEN });
}, 30_000);

afterAll(async () => {
  await app?.close();
  await stack?.close();
});

const put = (kind: string, payload: unknown, csv = false, id = 'default') =>
  app.inject({
    method: 'PUT',
    url: `/api/v1/connections/${id}/mappings/${kind}`,
    headers: { ...auth, 'content-type': csv ? 'text/csv' : 'application/json' },
    payload: csv ? String(payload) : JSON.stringify(payload),
  });
const get = (kind: string, accept = 'application/json', id = 'default') =>
  app.inject({ url: `/api/v1/connections/${id}/mappings/${kind}`, headers: { ...auth, accept } });

describe('connection mapping edits through the admin API', () => {
  it('answers 404 with an SB_ code for a connection this process does not serve', async () => {
    const res = await get('customers', 'application/json', 'nope');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'SB_CONNECTION_NOT_FOUND' });
    expect((await put('customers', { rows: [] }, false, 'nope')).statusCode).toBe(404);
  });

  it('shows the configured rules before any edit', async () => {
    const res = await get('customers');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.source).toBe('config');
    expect(body.stored.rows).toEqual([]);
    expect(body.rows).toEqual(
      expect.arrayContaining([{ marketplaceId: US, customerId: 'AMAZON-US', currency: 'USD' }]),
    );
  });

  it('refuses values Sage does not have, naming each with its path and what Sage has; nothing stored', async () => {
    const customers = await put('customers', {
      rows: [
        { marketplaceId: US, customerId: 'NO-SUCH', currency: 'USD' },
        { marketplaceId: CA, customerId: 'SHOP-EU', currency: 'CAD' },
      ],
    });
    expect(customers.statusCode, customers.body).toBe(422);
    const c = customers.json();
    expect(c.code).toBe('SB_MAP_EDIT_INVALID');
    expect(c.problems).toEqual([
      expect.objectContaining({
        path: 'rows[0].customerId',
        value: 'NO-SUCH',
        problem: expect.stringContaining('Sage has no customer NO-SUCH'),
      }),
      expect.objectContaining({
        path: 'rows[1].currency',
        value: 'CAD',
        problem: 'Sage has customer SHOP-EU in EUR, not CAD',
      }),
    ]);

    const warehouses = await put('warehouses', { rows: [{ marketplaceId: '*', warehouseId: 'NOWH' }] });
    expect(warehouses.statusCode).toBe(422);
    expect(warehouses.json().problems).toEqual([
      expect.objectContaining({ path: 'rows[0].warehouseId', value: 'NOWH', configPath: 'orders.warehouseId' }),
    ]);

    const ships = await put(
      'ship-methods',
      'serviceLevel,shipMethodId\r\nSTANDARD,UPS-GND\r\nNEXT_DAY,WARP-9\r\n',
      true,
    );
    expect(ships.statusCode).toBe(422);
    expect(ships.json().problems).toEqual([
      expect.objectContaining({
        path: 'rows[1].shipMethodId',
        value: 'WARP-9',
        problem: expect.stringContaining('no ship method WARP-9'),
      }),
    ]);

    const charges = await put('charge-items', {
      rows: [
        { line: 'giftWrap', itemId: 'NO-ITEM', description: 'Gift wrap' },
        { line: 'promotions', itemId: 'AMZ-PROMO', description: 'Promotions', glAccountNo: '9999-99' },
      ],
    });
    expect(charges.statusCode).toBe(422);
    expect(charges.json().problems.map((p: { path: string }) => p.path)).toEqual([
      'rows[0].itemId',
      'rows[1].glAccountNo',
    ]);

    const aliases = await put('sku-aliases', { rows: [{ sellerSku: 'RED-1', itemId: 'NOT-AN-ITEM' }] });
    expect(aliases.statusCode).toBe(422);
    expect(aliases.json().problems[0]).toMatchObject({ path: 'rows[0].itemId', value: 'NOT-AN-ITEM' });

    for (const kind of ['customers', 'warehouses', 'ship-methods', 'charge-items', 'sku-aliases'])
      expect((await get(kind)).json().stored.rows, kind).toEqual([]);
  });

  it('refuses bad shapes with 400 naming the row and field', async () => {
    const res = await put('customers', { rows: [{ marketplaceId: 'x', customerId: '', currency: 'usd' }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('SB_API_REQUEST_INVALID');
    expect(
      res
        .json()
        .issues.map((i: { field: string }) => i.field)
        .sort(),
    ).toEqual(['currency', 'customerId', 'marketplaceId']);
    const csv = await put('ship-methods', 'serviceLevel,bogus\nSTANDARD,X\n', true);
    expect(csv.statusCode).toBe(400);
    expect(csv.json().issues[0]).toMatchObject({ row: 1, field: 'bogus' });
  });

  it('saves checked edits (JSON and CSV), audits them, and the next order uses them', async () => {
    const customers = await put('customers', { rows: [{ marketplaceId: US, customerId: 'SHOP-US', currency: 'USD' }] });
    expect(customers.statusCode, customers.body).toBe(200);
    expect(customers.json()).toMatchObject({ saved: 1, kind: 'customers' });
    const ships = await put('ship-methods', 'serviceLevel,shipMethodId\nSTANDARD,USPS-PRI\n*,UPS-GND\n', true);
    expect(ships.statusCode, ships.body).toBe(200);

    const view = (await get('customers')).json();
    expect(view.source).toBe('store');
    expect(view.stored).toMatchObject({ version: 1, updatedBy: expect.any(String) });
    expect(view.rows).toEqual([{ marketplaceId: US, customerId: 'SHOP-US', currency: 'USD' }]);
    const csv = await get('ship-methods', 'text/csv');
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body).toBe('serviceLevel,shipMethodId\r\nSTANDARD,USPS-PRI\r\n*,UPS-GND\r\n');

    const audit = (await app.inject({ url: '/api/v1/audit', headers: auth })).json() as {
      entries: Array<{ action: string; target: string; detail: unknown }>;
    };
    expect(audit.entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'connection.mapping.customers.replace',
          target: 'connection:default:mappings:customers',
          detail: expect.objectContaining({
            rows: 1,
            via: 'json',
            saved: [{ marketplaceId: US, customerId: 'SHOP-US', currency: 'USD' }],
          }),
        }),
        expect.objectContaining({ action: 'connection.mapping.ship-methods.replace' }),
      ]),
    );
    // Refused edits leave no audit row.
    expect(audit.entries.filter((e) => e.action.startsWith('connection.mapping.'))).toHaveLength(2);

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
    const sandbox = await createSandboxGateway({ path: stack.sagePath });
    const header = await sandbox.db
      .selectFrom('tsoSalesOrder as o')
      .leftJoin('tciShipMethod as m', 'm.ShipMethKey', 'o.DfltShipMethKey')
      .select(['m.ShipMethID'])
      .where('o.TranNo', '=', so!.tranNo)
      .executeTakeFirstOrThrow()
      .finally(() => sandbox.close());
    expect(header).toEqual({ ShipMethID: 'USPS-PRI' });
    // rulesFor is the order wiring's effective mapping, for a runtime serving several connections.
    expect((await stack.runtime.orders.rulesFor('default')).customers).toEqual({
      [US]: { customerId: 'SHOP-US', currency: 'USD' },
    });
    // `sellbridge connections check` (and the check at `run` start) judges the mapping with the stored edits.
    const report = await checkConnection(stack.runtime.config, 'default', stack.runtime.sage);
    expect(report.check.ok).toBe(true);
    expect(report.check.checked.customers).toBe(1);
  }, 60_000);

  it('an empty list returns a kind to sellbridge.yaml', async () => {
    expect((await put('ship-methods', { rows: [] })).json()).toMatchObject({ saved: 0 });
    const view = (await get('ship-methods')).json();
    expect(view.source).toBe('config');
    expect(view.rows).toEqual(expect.arrayContaining([{ serviceLevel: 'STANDARD', shipMethodId: 'UPS-GND' }]));
  });
});
