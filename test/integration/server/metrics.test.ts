import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../../src/bootstrap/index.ts';
import type { ResolvedConfig } from '../../../src/config/schema.ts';
import { buildApp } from '../../../src/server/app.ts';
import { wireAdmin } from '../../../src/bootstrap/admin.ts';
import type { AmazonSimulator } from '../../../src/simulator/amazon/index.ts';
import { waitUntil } from '../../helpers/queue-env.ts';
import { startOrderStack, type OrderStack } from '../../helpers/order-stack.ts';

/**
 * /metrics and /readyz of a worker runtime wired as `sellbridge run` wires it (SP-API simulator over HTTP with SQS
 * notifications, Sage 500 sandbox with its warehouse simulator, fresh SQLite store): real orders are created in
 * Sage, shipped and confirmed, one getOrder is answered 429, and the scrape shows every metric of issue 6.
 * Listing feeds and settlements are not run here (their own tests do): one finished feed row and one posted
 * settlement row are written to the store so the scrape-time histograms over those tables are checked too.
 */
const TOKEN = 'metrics-test-admin-token-0123456789';
let stack: OrderStack;
let sim: AmazonSimulator;
let runtime: Runtime;
let config: ResolvedConfig;

beforeAll(async () => {
  stack = await startOrderStack({
    name: 'metrics',
    simulator: {
      seed: 61,
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
    sqsQueue: 'metrics-q',
    sage: 'warehouse',
    overrides: { 'orders.shipmentPollEveryMs': '300', 'jobs.pollIntervalMs': '50' },
  });
  ({ sim, runtime, config } = stack);
}, 30_000);

afterAll(async () => {
  await stack?.close();
});

/** The value of one sample line (`name{labels} value`), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('/metrics and /readyz of a working runtime', () => {
  it('expose queue age, bucket levels, 429s, circuit state and the four latencies; /readyz names store, sage and amazon', async () => {
    sim.control.injectFault({ kind: 'throttle', operation: 'orders.getOrder', count: 1 });
    const ids = sim.control.addOrders(3, { status: 'UNSHIPPED' }).map((o) => o.orderId);
    await waitUntil(
      async () => {
        for (const id of ids)
          if ((await runtime.orders.deps.links.get('default', id))?.state !== 'confirmed') return false;
        return true;
      },
      45_000,
      'every order to be created in Sage, shipped and confirmed',
    );

    // A due job nobody works (no handler on this queue) ages the backlog head.
    await runtime.queue.enqueue('metrics.idle', { n: 1 }, { runAt: new Date(Date.now() - 120_000) });
    // Feed and settlement rows as their flows leave them (submitted 90 s before DONE; deposited 2 days before posting).
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    await sql`INSERT INTO listing_feed (id, connection_id, marketplace_id, status, message_count, bytes, created_at, submitted_at, finished_at)
      VALUES ('feed-row-1', 'default', 'ATVPDKIKX0DER', 'DONE', 2, 100, ${iso(now - 100_000)}, ${iso(now - 90_000)}, ${iso(now)})`.execute(
      runtime.store.db,
    );
    await sql`INSERT INTO settlements (connection_id, settlement_id, state, revision, fingerprint, currency, total_minor, period_start, period_end, deposit_date, rows, source, journals, created_at, updated_at)
      VALUES ('default', '900', 'posted', 1, 'fp', 'USD', 100, ${iso(now - 20 * 86_400_000)}, ${iso(now - 3 * 86_400_000)}, ${iso(now - 2 * 86_400_000)}, 1, 'test', '[]', ${iso(now)}, ${iso(now)})`.execute(
      runtime.store.db,
    );

    const app = buildApp({ ...runtime, ...wireAdmin(runtime, config), adminToken: TOKEN });
    try {
      expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      const r = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(r.statusCode).toBe(200);
      const m = r.body;

      // jobs, queue depth, queue age, dead letters (registered, none yet), circuit state
      expect(
        sample(m, 'sellbridge_jobs_finished_total', { queue: 'order.sync', outcome: 'completed' }),
      ).toBeGreaterThanOrEqual(3);
      expect(sample(m, 'sellbridge_jobs', { queue: 'metrics.idle', state: 'pending' })).toBe(1);
      expect(
        sample(m, 'sellbridge_queue_oldest_due_age_seconds', { queue: 'metrics.idle', connection: 'default' }),
      ).toBeGreaterThanOrEqual(120);
      expect(m).toContain('# TYPE sellbridge_dead_letters_total counter');
      expect(sample(m, 'sellbridge_circuit_state', { target: 'sage500' })).toBe(0);

      // rate buckets per operation (from the shared rate_buckets table), and the injected 429
      const tokens = sample(m, 'sellbridge_rate_bucket_tokens', { operation: 'orders.getOrder' });
      const burst = sample(m, 'sellbridge_rate_bucket_burst', { operation: 'orders.getOrder' });
      expect(tokens).toBeGreaterThanOrEqual(0);
      expect(burst).toBeGreaterThan(0);
      expect(tokens!).toBeLessThanOrEqual(burst!);
      expect(sample(m, 'sellbridge_rate_bucket_tokens', { operation: 'ordersV0.confirmShipment' })).toBeDefined();
      expect(sample(m, 'sellbridge_amazon_throttled_total', { operation: 'orders.getOrder' })).toBe(1);

      // order-to-Sage: one observation per order created, all first seen by push (SQS)
      expect(sample(m, 'sellbridge_order_to_sage_latency_seconds_count', { source: 'push' })).toBe(3);
      expect(sample(m, 'sellbridge_order_to_sage_latency_seconds_sum', { source: 'push' })).toBeGreaterThan(0);
      // ship-confirm: at least one package per order confirmed
      expect(sample(m, 'sellbridge_ship_confirm_latency_seconds_count')).toBeGreaterThanOrEqual(3);
      // feed accept-to-applied and settlement lag from the rows above
      expect(sample(m, 'sellbridge_feed_accept_to_applied_seconds_count', { status: 'DONE' })).toBe(1);
      expect(sample(m, 'sellbridge_feed_accept_to_applied_seconds_sum', { status: 'DONE' })).toBeCloseTo(90, 0);
      expect(sample(m, 'sellbridge_settlement_lag_seconds_count')).toBe(1);
      expect(sample(m, 'sellbridge_settlement_lag_seconds_sum')).toBeCloseTo(2 * 86_400, -1);

      // Issue 20: notification lag per type (EventTime -> handled), outcomes per type, and the work found by event vs
      // by poll per kind: the orders came by SQS (event); shipments without Sage change tracking are found by the
      // ShipKey cursor (poll).
      expect(sample(m, 'sellbridge_notification_lag_seconds_count', { type: 'ORDER_CHANGE' })).toBeGreaterThanOrEqual(
        3,
      );
      expect(
        sample(m, 'sellbridge_notifications', { type: 'ORDER_CHANGE', outcome: 'handled' }),
      ).toBeGreaterThanOrEqual(3);
      expect(sample(m, 'sellbridge_work_found', { kind: 'order', via: 'event' })).toBe(3);
      expect(sample(m, 'sellbridge_work_found', { kind: 'shipment', via: 'poll' })).toBeGreaterThanOrEqual(3);
      expect(sample(m, 'sellbridge_work_found', { kind: 'shipment', via: 'event' })).toBeUndefined();

      const ready = await app.inject({ method: 'GET', url: '/readyz', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ready.statusCode, ready.body).toBe(200);
      const body = ready.json() as { status: string; checks: Record<string, { ok: boolean; detail?: string }> };
      expect(body.status).toBe('ready');
      expect(body.checks['store']).toEqual({ ok: true });
      expect(body.checks['sage']).toEqual({ ok: true, detail: 'circuit closed' });
      expect(body.checks['amazon']).toEqual({ ok: true, detail: 'access token valid' });
    } finally {
      await app.close();
    }
  }, 60_000);

  it('/readyz reports Amazon "not configured" (still ready) without a refresh token, and not ready when LWA refuses', async () => {
    const noToken = { ...config, amazon: { ...config.amazon, refreshToken: undefined } } as ResolvedConfig;
    const app = buildApp({ ...runtime, ...wireAdmin(runtime, noToken), adminToken: TOKEN });
    try {
      const ready = await app.inject({ method: 'GET', url: '/readyz', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ready.statusCode).toBe(200);
      expect((ready.json() as { checks: Record<string, unknown> }).checks['amazon']).toEqual({
        ok: true,
        detail: 'not configured (no amazon.refreshToken)',
      });
    } finally {
      await app.close();
    }
    const failing = buildApp({
      ...runtime,
      ...wireAdmin(
        {
          ...runtime,
          amazon: {
            connection: {
              tokens: {
                getToken: () =>
                  Promise.reject(
                    Object.assign(new Error('Login with Amazon refused the refresh token (invalid_grant)'), {
                      code: 'SB_AMZ_LWA_REJECTED',
                    }),
                  ),
              },
            },
          },
        },
        config,
      ),
      adminToken: TOKEN,
    });
    try {
      const ready = await failing.inject({
        method: 'GET',
        url: '/readyz',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(ready.statusCode).toBe(503);
      expect((await failing.inject({ method: 'GET', url: '/readyz' })).json().checks.amazon).toEqual({ ok: false });
      const amazon = (ready.json() as { checks: Record<string, { ok: boolean; detail: string }> }).checks['amazon']!;
      expect(amazon.ok).toBe(false);
      expect(amazon.detail).toContain('SB_AMZ_LWA_REJECTED');
      expect(amazon.detail).not.toContain(config.amazon.refreshToken!);
    } finally {
      await failing.close();
    }
  });
});
