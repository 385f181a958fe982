import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { registerStoreCollectors } from '../../../src/bootstrap/metrics.ts';
import { storeOrderChanges } from '../../../src/connectors/store/order-changes.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { adminEnv, type AdminEnv } from './admin-env.ts';

/**
 * The admin API shows changes after import and ship-by risk (issue 17): an order's detail carries what was applied
 * to Sage and the differences left to a person, and its ship-by date with the risk; `GET /api/v1/orders/at-risk`
 * lists unshipped orders whose latest ship date is near or past, soonest first, and leaves shipped ones out.
 */
let env: AdminEnv;
const HOUR = 3_600_000;

beforeAll(async () => {
  env = await adminEnv({ config: { orders: { shipByWarningMs: 6 * HOUR } } });
  const links = env.store.db.withTables<{ order_links: Record<string, string | null> }>();
  const now = Date.now();
  const orders = [
    { id: '111-0000001-0000001', state: 'created', shipBy: now + 2 * HOUR },
    { id: '111-0000002-0000002', state: 'dead-lettered', shipBy: now - HOUR },
    { id: '111-0000003-0000003', state: 'shipped', shipBy: now - HOUR },
    { id: '111-0000004-0000004', state: 'created', shipBy: now + 48 * HOUR },
  ];
  const changes = storeOrderChanges(env.store, systemClock);
  for (const o of orders) {
    await links
      .insertInto('order_links')
      .values({
        connection_id: 'default',
        amazon_order_id: o.id,
        state: o.state,
        tran_no: o.state === 'dead-lettered' ? null : `AMZ${o.id.slice(-4)}`,
        sales_order_key: null,
        marketplace_id: 'ATVPDKIKX0DER',
        last_error: null,
        created_at: new Date(now - HOUR).toISOString(),
        updated_at: new Date(now - HOUR).toISOString(),
      })
      .execute();
    await changes.noteShipBy({ connectionId: 'default', amazonOrderId: o.id }, new Date(o.shipBy).toISOString());
  }
  await changes.recordComparison(
    { connectionId: 'default', amazonOrderId: '111-0000001-0000001' },
    {
      amazonUpdatedAt: new Date(now).toISOString(),
      differences: [{ field: 'lines[12345678901234]', problem: 'quantity 2 in Sage (line 1), 3 at Amazon' }],
      applied: [
        {
          kind: 'line-cancelled',
          lineNo: 2,
          amazonOrderItemId: '12345678901235',
          amazonUpdatedAt: new Date(now).toISOString(),
        },
      ],
    },
  );
});
afterAll(() => env.close());

describe('orders: changes after import and ship-by risk in the admin API', () => {
  it('lists the unshipped orders at risk of shipping late, the late one first', async () => {
    const res = await env.app.inject({ url: '/api/v1/orders/at-risk', headers: env.as.viewer });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.withinMs).toBe(6 * HOUR);
    expect(body.orders.map((o: { amazonOrderId: string; late: boolean }) => [o.amazonOrderId, o.late])).toEqual([
      ['111-0000002-0000002', true],
      ['111-0000001-0000001', false],
    ]);
    const wider = await env.app.inject({ url: `/api/v1/orders/at-risk?withinMs=${72 * HOUR}`, headers: env.as.viewer });
    expect(wider.json().orders).toHaveLength(3);
    expect((await env.app.inject({ url: '/api/v1/orders/at-risk' })).statusCode).toBe(401);
  });

  it("shows an order's applied changes, its differences and its ship-by risk", async () => {
    const res = await env.app.inject({ url: '/api/v1/orders/111-0000001-0000001', headers: env.as.viewer });
    expect(res.statusCode).toBe(200);
    const o = res.json();
    expect(o.shipBy).toMatchObject({ atRisk: true, late: false });
    expect(o.changes.applied).toEqual([
      expect.objectContaining({ kind: 'line-cancelled', lineNo: 2, amazonOrderItemId: '12345678901235' }),
    ]);
    expect(o.changes.differences).toEqual([
      { field: 'lines[12345678901234]', problem: 'quantity 2 in Sage (line 1), 3 at Amazon' },
    ]);
    const calm = (await env.app.inject({ url: '/api/v1/orders/111-0000004-0000004', headers: env.as.viewer })).json();
    expect(calm.shipBy).toMatchObject({ atRisk: false, late: false });
    expect(calm.changes).toBeNull();
  });

  it('counts them in the gauges at scrape time', async () => {
    const registry = new Registry();
    registerStoreCollectors({ registry, store: env.store, clock: systemClock, shipByWarningMs: 6 * HOUR });
    const text = await registry.metrics();
    expect(text).toContain('sellbridge_orders_ship_by_at_risk{connection="default",when="late"} 1');
    expect(text).toContain('sellbridge_orders_ship_by_at_risk{connection="default",when="soon"} 1');
    expect(text).toContain('sellbridge_orders_changed_after_import{connection="default",kind="line-cancelled"} 1');
    expect(text).toContain('sellbridge_orders_changed_after_import{connection="default",kind="flagged"} 1');
  });
});
