import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../../src/bootstrap/index.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { buildApp } from '../../../src/server/app.ts';
import type { AmazonSimulator } from '../../../src/simulator/amazon/index.ts';
import { waitUntil } from '../../helpers/queue-env.ts';
import { startOrderStack, type OrderStack } from '../../helpers/order-stack.ts';

/**
 * Where does Sellbridge keep buyer PII? Orders with buyer name, e-mail, address and phone run through the real
 * order flow (SP-API simulator -> Sage sandbox -> ship -> confirm); then every table of Sellbridge's own store
 * and every log line is searched for them. Sage's database holds the ship-to by design (it is the ERP), ours must
 * not hold it unencrypted, and the admin API's order preview must not show it.
 */
const lines: string[] = [];
let stack: OrderStack;
let sim: AmazonSimulator;
let runtime: Runtime;

beforeAll(async () => {
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  stack = await startOrderStack({
    name: 'pii-at-rest',
    simulator: {
      seed: 606,
      timeScale: 20,
      scenario: {
        skus: [{ sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 }],
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
    overrides: { 'orders.shipmentPollEveryMs': '300', 'jobs.pollIntervalMs': '50' },
    runtime: { logger: createLogger({ level: 'debug', destination }) },
  });
  ({ sim, runtime } = stack);
}, 30_000);

afterAll(async () => {
  await stack?.close();
});

describe('buyer PII at rest after the order flow', () => {
  it('is in no table of the Sellbridge store, in no log line, and not in the admin order preview', async () => {
    const ids = sim.control.addOrders(3, { status: 'UNSHIPPED' }).map((o) => o.orderId);
    for (const id of ids)
      await runtime.queue.enqueue(
        'order.sync',
        { connectionId: 'default', amazonOrderId: id },
        { key: `order.sync:${id}`, dedupe: true },
      );
    await waitUntil(
      async () => {
        for (const id of ids)
          if ((await runtime.orders.deps.links.get('default', id))?.state !== 'confirmed') return false;
        return true;
      },
      45_000,
      'every order to be created in Sage, shipped and confirmed',
    ).catch(async (err: Error) => {
      const dead = (await runtime.deadLetters.list()).map((d) => `${d.error.code}: ${d.error.message}`);
      throw new Error(`${err.message}; dead letters: ${dead.join(' | ') || 'none'}`);
    });
    const planted = ids.flatMap((id) => {
      const o = sim.control.order(id)!;
      const a = o.address as unknown as Record<string, string | undefined>;
      return [o.buyer.name, o.buyer.email, a['addressLine1'], a['phone'], a['name']].filter(
        (v): v is string => typeof v === 'string' && v.length >= 6,
      );
    });
    expect(planted.length).toBeGreaterThanOrEqual(6);

    // Sage has the ship-to (the flow really carried PII through Sellbridge)...
    const so = await runtime.sage.findSalesOrder({ amazonOrderId: ids[0]! });
    expect(JSON.stringify(so)).toContain(sim.control.order(ids[0]!)!.address.addressLine1);

    // ...and Sellbridge's own store holds none of it.
    const tables = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`.execute(
      runtime.store.db,
    );
    const found: string[] = [];
    for (const { name } of tables.rows) {
      const rows = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(name)}`.execute(runtime.store.db);
      const text = JSON.stringify(rows.rows);
      for (const p of planted) if (text.includes(p)) found.push(`${name}: ${p}`);
    }
    expect(tables.rows.length).toBeGreaterThan(10);
    expect(found).toEqual([]);

    const app = buildApp({ ...runtime, adminToken: 'pii-at-rest-admin-token' });
    try {
      const preview = await app.inject({
        url: `/api/v1/orders/${ids[0]}/preview`,
        headers: { authorization: 'Bearer pii-at-rest-admin-token' },
      });
      expect(preview.statusCode, preview.body).toBe(200);
      expect(preview.json()).toMatchObject({ ok: true, draft: { shipTo: { redacted: true } } });
      for (const p of planted) expect(preview.body).not.toContain(p);
    } finally {
      await app.close();
    }

    const log = lines.join('');
    expect(log.length).toBeGreaterThan(0);
    expect(planted.filter((p) => log.includes(p))).toEqual([]);
  }, 90_000);
});
