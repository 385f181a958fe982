import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConnection } from '../../../src/bootstrap/connection-check.ts';
import { returnModesOf } from '../../../src/bootstrap/order-policies.ts';
import { storeConnectionMappings } from '../../../src/connectors/store/connection-mappings.ts';
import { pollShipments } from '../../../src/flows/confirm-shipment.ts';
import { buildApp } from '../../../src/server/app.ts';
import type { CatalogItem } from '../../../src/simulator/amazon/index.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { startOrderStack, type OrderStack } from '../../helpers/order-stack.ts';
import { waitUntil } from '../../helpers/queue-env.ts';

/**
 * Issue 21: a connection's order policies (FBA policy and warehouse, TranNo prefix, refunds and FBA returns modes)
 * edited through the admin API (`order-policies`, JSON and CSV), checked against the Sage sandbox company before
 * anything is stored, audited, and followed by the next order without a restart. The configuration is the defaults
 * (FBA orders skipped, warehouse FBA, TranNo prefix AZ); the edit books FBA orders as shipped from EAST under SB.
 */
const US = 'ATVPDKIKX0DER';
const SKUS: CatalogItem[] = [{ sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 }];
const ADMIN_TOKEN = 'order-policy-edits-admin-token-0123456789';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

let stack: OrderStack;
let app: FastifyInstance;

beforeAll(async () => {
  stack = await startOrderStack({
    name: 'order-policy-edits',
    simulator: {
      seed: 2132,
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
    sqsQueue: 'order-policy-edits-q',
    sage: 'no-warehouse',
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

const put = (payload: unknown, csv = false) =>
  app.inject({
    method: 'PUT',
    url: '/api/v1/connections/default/mappings/order-policies',
    headers: { ...auth, 'content-type': csv ? 'text/csv' : 'application/json' },
    payload: csv ? String(payload) : JSON.stringify(payload),
  });
const get = (accept = 'application/json') =>
  app.inject({ url: '/api/v1/connections/default/mappings/order-policies', headers: { ...auth, accept } });

const audits = async () =>
  (
    (await app.inject({ url: '/api/v1/audit', headers: auth })).json() as {
      entries: Array<{ action: string; target: string; detail: Record<string, unknown> }>;
    }
  ).entries.filter((e) => e.action === 'connection.mapping.order-policies.replace');

describe('order policies edited per connection through the admin API', () => {
  it('shows the configured policies before any edit', async () => {
    const res = await get();
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.source).toBe('config');
    expect(body.columns).toEqual(['fbaPolicy', 'fbaWarehouseId', 'tranNoPrefix', 'refunds', 'fbaReturns']);
    expect(body.rows).toEqual([
      { fbaPolicy: 'skip', fbaWarehouseId: 'FBA', tranNoPrefix: 'AZ', refunds: 'off', fbaReturns: 'off' },
    ]);
    const csv = await get('text/csv');
    expect(csv.body).toBe('fbaPolicy,fbaWarehouseId,tranNoPrefix,refunds,fbaReturns\r\nskip,FBA,AZ,off,off\r\n');
  });

  it('refuses an FBA warehouse Sage does not have and a prefix that does not fit TranNo, 422 naming each; nothing stored', async () => {
    const res = await put({ rows: [{ fbaPolicy: 'record-shipped', fbaWarehouseId: 'NOWH', tranNoPrefix: 'ABCD' }] });
    expect(res.statusCode, res.body).toBe(422);
    const body = res.json();
    expect(body.code).toBe('SB_MAP_EDIT_INVALID');
    expect(body.problems).toEqual([
      expect.objectContaining({
        path: 'rows[0].fbaWarehouseId',
        value: 'NOWH',
        configPath: 'orders.fba.warehouseId',
        problem: expect.stringContaining('Sage has no warehouse NOWH'),
      }),
      expect.objectContaining({ path: 'rows[0].tranNoPrefix', value: 'ABCD', configPath: 'sage500.tranNoPrefix' }),
    ]);
    expect(body.error).toContain('rows[0].fbaWarehouseId = NOWH');

    // Under `skip` too: the warehouse the row names must exist (CSV this time).
    const skip = await put('fbaPolicy,fbaWarehouseId\nskip,NOWH\n', true);
    expect(skip.statusCode, skip.body).toBe(422);
    expect(skip.json().problems).toEqual([expect.objectContaining({ path: 'rows[0].fbaWarehouseId', value: 'NOWH' })]);

    const shape = await put({ rows: [{ fbaPolicy: 'sometimes' }] });
    expect(shape.statusCode).toBe(400);
    expect(shape.json().issues[0]).toMatchObject({ field: 'fbaPolicy' });

    expect((await get()).json().stored.rows).toEqual([]);
    expect(await audits()).toEqual([]);
  });

  it('saves a checked edit (CSV), audits it, and the next orders follow it without a restart', async () => {
    const saved = await put('fbaPolicy,fbaWarehouseId,tranNoPrefix\nrecord-shipped,EAST,SB\n', true);
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ kind: 'order-policies', saved: 1, warnings: [] });
    const view = (await get()).json();
    expect(view.source).toBe('store');
    expect(view.stored.rows).toEqual([{ fbaPolicy: 'record-shipped', fbaWarehouseId: 'EAST', tranNoPrefix: 'SB' }]);
    expect(view.rows).toEqual([
      { fbaPolicy: 'record-shipped', fbaWarehouseId: 'EAST', tranNoPrefix: 'SB', refunds: 'off', fbaReturns: 'off' },
    ]);
    expect(await audits()).toEqual([
      expect.objectContaining({
        target: 'connection:default:mappings:order-policies',
        detail: expect.objectContaining({
          via: 'csv',
          saved: [{ fbaPolicy: 'record-shipped', fbaWarehouseId: 'EAST', tranNoPrefix: 'SB' }],
        }),
      }),
    ]);

    // An order Amazon fulfilled and shipped: booked in Sage (not skipped as configured), in EAST, under SB.
    const fba = stack.sim.control.addOrder({
      status: 'UNSHIPPED',
      fulfilledBy: 'AMAZON',
      marketplaceId: US,
      items: [{ sku: 'WIDGET-RED', quantity: 2 }],
    });
    stack.sim.control.advanceOrders(); // AFN UNSHIPPED -> SHIPPED at Amazon (ORDER_CHANGE)
    await waitUntil(
      async () => (await stack.runtime.orders.deps.links.get('default', fba.orderId))?.state === 'confirmed',
      30_000,
      `FBA order ${fba.orderId} to be booked as shipped`,
    );
    const booked = await stack.runtime.sage.findSalesOrder({ amazonOrderId: fba.orderId });
    expect(booked?.tranNo).toMatch(/^SB\d{8}$/);
    const goods = booked!.lines.filter((l) => l.amazonOrderItemId);
    expect(goods.map((l) => [l.itemId, l.warehouseId, l.quantity, l.quantityShipped])).toEqual([
      ['WIDGET-RED', 'EAST', 2, 2],
    ]);

    // The shipment poll reads the booking's shipment from EAST and confirms nothing (that EAST's shipments are left
    // alone because it is the FBA warehouse now is shown in test/unit/flows/confirm-shipment.test.ts).
    const polled = await pollShipments({ connectionId: 'default' }, stack.runtime.orders.deps);
    expect(polled.shipments).toBeGreaterThan(0);
    expect(polled.queued).toBe(0);
    expect(await stack.runtime.orders.deps.confirmations.listForOrder('default', fba.orderId)).toEqual([]);

    // A merchant-fulfilled order: its TranNo carries the new prefix too.
    const mfn = stack.sim.control.addOrder({ status: 'UNSHIPPED', marketplaceId: US });
    await waitUntil(
      async () => (await stack.runtime.orders.deps.links.get('default', mfn.orderId))?.state === 'created',
      30_000,
      `order ${mfn.orderId} to be created in Sage`,
    );
    const link = await stack.runtime.orders.deps.links.get('default', mfn.orderId);
    expect(link?.tranNo).toMatch(/^SB\d{8}$/);
    expect((await stack.runtime.sage.findSalesOrder({ amazonOrderId: mfn.orderId }))?.tranNo).toBe(link!.tranNo);

    // `sellbridge connections check` judges the mapping with the edit: EAST exists, so it passes.
    const report = await checkConnection(stack.runtime.config, 'default', stack.runtime.sage);
    expect(report.check.ok, report.lines.join('\n')).toBe(true);
  }, 60_000);

  it('the refunds and FBA returns modes follow the edit where they run', async () => {
    const modes = returnModesOf(stack.runtime.store, systemClock, 'default', stack.runtime.config.orders);
    expect([await modes.refunds(), await modes.fbaReturns()]).toEqual(['off', 'off']);
    const saved = await put({
      rows: [
        {
          fbaPolicy: 'record-shipped',
          fbaWarehouseId: 'EAST',
          refunds: 'customer-return',
          fbaReturns: 'customer-return',
        },
      ],
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect([await modes.refunds(), await modes.fbaReturns()]).toEqual(['customer-return', 'customer-return']);
  });

  it('connections check names an FBA warehouse the stored edit books in that Sage no longer has', async () => {
    // Stored directly, as if the warehouse were deleted in Sage after the edit was checked.
    await storeConnectionMappings(stack.runtime.store, systemClock).replace(
      'default',
      'order-policies',
      [{ fbaPolicy: 'record-shipped', fbaWarehouseId: 'GONE' }],
      'test',
    );
    const report = await checkConnection(stack.runtime.config, 'default', stack.runtime.sage);
    expect(report.check.ok).toBe(false);
    expect(report.check.problems).toEqual([
      expect.objectContaining({ path: 'orders.fba.warehouseId', value: 'GONE', severity: 'error' }),
    ]);
    // An empty list returns the kind to sellbridge.yaml.
    expect((await put({ rows: [] })).json()).toMatchObject({ saved: 0 });
    expect((await get()).json().rows[0]).toMatchObject({
      fbaPolicy: 'skip',
      fbaWarehouseId: 'FBA',
      tranNoPrefix: 'AZ',
    });
  });
});
