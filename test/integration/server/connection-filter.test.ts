import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/server/app.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { createAuthService } from '../../../src/runtime/auth/auth-service.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { recordDeadLetter } from '../../../src/runtime/queue/dead-letters.ts';
import type { JobQueue } from '../../../src/runtime/queue/job-queue.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore, makeQueue, pgAvailable, type StoreKind } from '../../helpers/queue-env.ts';

/**
 * Issue 21: every list the dashboard shows takes `connectionId` and answers only that connection's rows; without it,
 * every connection's. Rows of two connections are seeded (`default`, whose dead letters and jobs carry no
 * connectionId, as before issue 21, and `eu`); each list filtered by one answers only that one.
 */
const pg = await pgAvailable();
const kinds: StoreKind[] = pg ? ['sqlite', 'postgres'] : ['sqlite'];

describe.each(kinds)('connection filter on the admin API lists (%s)', (kind) => {
  let store: Store;
  let queue: JobQueue;
  let app: FastifyInstance;
  let headers: { authorization: string };
  const at = new Date().toISOString();
  const get = async (url: string) => {
    const r = await app.inject({ url, headers });
    expect(r.statusCode, `${url}: ${r.body}`).toBe(200);
    return r.json();
  };

  beforeAll(async () => {
    store = await freshStore(kind, `connection-filter-${kind}`);
    queue = await makeQueue(store);
    if (kind === 'postgres') await queue.start();
    const auth = createAuthService(store, systemClock, { settings: { passwordHashLog2N: 10 } });
    app = buildApp({ store, queue, metrics: createMetrics(), logger: silentLogger(), adminToken: undefined, auth });
    const { token } = await auth.createToken({ name: 'viewer', role: 'viewer', actor: 'test' });
    headers = { authorization: `Bearer ${token}` };

    const t = store.db.withTables<Record<string, Record<string, unknown>>>();
    for (const [conn, n] of [
      ['default', 1],
      ['eu', 2],
    ] as const) {
      const orderId = `111-000000${n}-000000${n}`;
      await recordDeadLetter(store.db, {
        queue: 'order.sync',
        jobId: `job-${conn}`,
        jobKey: conn === 'default' ? `order.sync:${orderId}` : `${conn}/order.sync:${orderId}`,
        // a dead letter of `default` from before issue 21 has no connectionId in its payload
        payload: conn === 'default' ? { amazonOrderId: orderId } : { connectionId: conn, amazonOrderId: orderId },
        error: { code: `SB_TEST_${conn.toUpperCase()}`, kind: 'mapping', message: 'x', context: {} },
        attempts: 1,
        firstFailedAt: new Date(),
        lastFailedAt: new Date(),
      });
      await queue.enqueue('filter.idle', conn === 'default' ? { n } : { connectionId: conn, n }, {
        runAt: new Date(Date.now() + 3_600_000),
      });
      await t
        .insertInto('order_links')
        .values({
          connection_id: conn,
          amazon_order_id: orderId,
          state: 'created',
          tran_no: `AMZ00000${n}`,
          sales_order_key: null,
          marketplace_id: 'ATVPDKIKX0DER',
          last_error: null,
          created_at: new Date(Date.parse(at) - n * 60_000).toISOString(),
          updated_at: at,
          // default: 1 minute to Sage; eu: 2 minutes
          sage_created_at: at,
        })
        .execute();
      await t
        .insertInto('engine_status')
        .values({
          connection_id: conn,
          target: 'sage500',
          circuit_state: conn === 'eu' ? 'open' : 'closed',
          last_ok_at: at,
          last_failure_at: conn === 'eu' ? new Date(Date.now() + 1000).toISOString() : null,
          last_failure: conn === 'eu' ? 'timeout' : null,
          reported_at: at,
        })
        .execute();
      await t
        .insertInto('settlements')
        .values({
          connection_id: conn,
          settlement_id: `S-${conn}`,
          state: 'posted',
          revision: 1,
          fingerprint: 'f',
          pending_fingerprint: null,
          currency: 'USD',
          total_minor: 100 * n,
          period_start: at,
          period_end: at,
          deposit_date: at,
          rows: 1,
          source: 'report',
          journals: '[]',
          pending_journals: null,
          last_error: null,
          created_at: at,
          updated_at: at,
        })
        .execute();
      await t
        .insertInto('settlement_quarantine')
        .values({
          id: `q-${conn}`,
          connection_id: conn,
          source: `${conn}.tsv`,
          settlement_id: null,
          code: 'SB_SETTLE_TOTAL_MISMATCH',
          message: 'rows do not add up',
          issues: '[]',
          created_at: at,
        })
        .execute();
      await t
        .insertInto('listing_feed')
        .values({
          id: `feed-${conn}`,
          connection_id: conn,
          marketplace_id: 'ATVPDKIKX0DER',
          status: 'DONE',
          message_count: 1,
          bytes: 10,
          created_at: at,
        })
        .execute();
      await t
        .insertInto('listing_flags')
        .values({
          id: `f-${conn}`,
          connection_id: conn,
          marketplace_id: 'ATVPDKIKX0DER',
          sku: `SKU-${conn}`,
          kind: 'not-applied',
          feed_id: 'F1',
          detail: 'sent 5, Amazon shows 3',
          created_at: at,
        })
        .execute();
      await t
        .insertInto('listing_blocks')
        .values({
          id: `b-${conn}`,
          connection_id: conn,
          marketplace_id: 'ATVPDKIKX0DER',
          sku: `SKU-${conn}`,
          kind: 'price-held',
          field: 'price',
          target: '{"amount":1}',
          reason: 'below minimum',
          state: 'open',
          created_at: at,
          updated_at: at,
        })
        .execute();
      await t
        .insertInto('listing_problems')
        .values({
          connection_id: conn,
          marketplace_id: 'ATVPDKIKX0DER',
          sku: `SKU-${conn}`,
          statuses: '["DISCOVERABLE"]',
          severities: '["ERROR"]',
          enforcement_actions: null,
          issues: null,
          event_time: at,
          updated_at: at,
        })
        .execute();
    }
  });
  afterAll(async () => {
    await app?.close();
    await queue?.stop();
    await store?.close();
  });

  it('dead letters: by the payload connectionId, default when the payload has none; byCode too', async () => {
    const all = await get('/api/v1/dead-letters');
    expect(all.deadLetters.map((d: { connectionId: string }) => d.connectionId).sort()).toEqual(['default', 'eu']);
    const eu = await get('/api/v1/dead-letters?connectionId=eu');
    expect(eu.deadLetters).toEqual([expect.objectContaining({ connectionId: 'eu', code: 'SB_TEST_EU' })]);
    expect(eu.byCode).toEqual([{ code: 'SB_TEST_EU', count: 1 }]);
    const def = await get('/api/v1/dead-letters?connectionId=default');
    expect(def.deadLetters).toEqual([expect.objectContaining({ connectionId: 'default', code: 'SB_TEST_DEFAULT' })]);
    expect(def.byCode).toEqual([{ code: 'SB_TEST_DEFAULT', count: 1 }]);
    expect((await get('/api/v1/dead-letters?connectionId=nowhere')).deadLetters).toEqual([]);
  });

  it('orders', async () => {
    expect((await get('/api/v1/orders')).orders).toHaveLength(2);
    expect((await get('/api/v1/orders?connectionId=eu')).orders).toEqual([
      expect.objectContaining({ amazonOrderId: '111-0000002-0000002' }),
    ]);
  });

  it('settlements and their quarantine', async () => {
    const all = await get('/api/v1/settlements');
    expect(all.settlements).toHaveLength(2);
    expect(all.quarantine).toHaveLength(2);
    const eu = await get('/api/v1/settlements?connectionId=eu');
    expect(eu.settlements).toEqual([expect.objectContaining({ connectionId: 'eu', settlementId: 'S-eu' })]);
    expect(eu.quarantine).toEqual([expect.objectContaining({ connectionId: 'eu', source: 'eu.tsv' })]);
  });

  it('feeds, inventory discrepancies and listing problems', async () => {
    expect((await get('/api/v1/feeds')).feeds).toHaveLength(2);
    expect((await get('/api/v1/feeds?connectionId=eu')).feeds).toEqual([
      expect.objectContaining({ id: 'feed-eu', connectionId: 'eu' }),
    ]);
    const inv = await get('/api/v1/inventory/discrepancies?connectionId=default');
    expect(inv.flags).toEqual([expect.objectContaining({ connectionId: 'default', sku: 'SKU-default' })]);
    expect(inv.held).toEqual([expect.objectContaining({ connectionId: 'default', sku: 'SKU-default' })]);
    expect((await get('/api/v1/inventory/discrepancies')).flags).toHaveLength(2);
    expect((await get('/api/v1/inventory/listing-problems')).problems).toHaveLength(2);
    expect((await get('/api/v1/inventory/listing-problems?connectionId=eu')).problems).toEqual([
      expect.objectContaining({ connectionId: 'eu', sku: 'SKU-eu' }),
    ]);
    // the older parameter name still works
    expect((await get('/api/v1/inventory/listing-problems?connection=default')).problems).toEqual([
      expect.objectContaining({ connectionId: 'default' }),
    ]);
  });

  it('overview: cards, connection row, backlog, dead letters, throughput and latency of the one connection', async () => {
    const t = store.db.withTables<Record<string, Record<string, unknown>>>();
    const now = Date.now();
    const minute = new Date(now - (now % 60_000)).toISOString();
    await t.insertInto('engine_throughput').values({ minute, completed: 7, failed: 1 }).execute();
    await t
      .insertInto('engine_throughput_by_connection')
      .values([
        { connection_id: 'eu', minute, completed: 5, failed: 1 },
        { connection_id: 'default', minute, completed: 2, failed: 0 },
      ])
      .execute();
    const sum = (o: { throughput: { completed: number; failed: number }[] }) =>
      o.throughput.reduce((a, m) => ({ c: a.c + m.completed, f: a.f + m.failed }), { c: 0, f: 0 });
    const all = await get('/api/v1/overview');
    expect(all.connectionId).toBeNull();
    expect(all.connections.map((c: { connectionId: string }) => c.connectionId)).toEqual(['default', 'eu']);
    expect(all.health.sage.ok).toBe(false); // eu's circuit is open
    expect(all.deadLetters.total).toBe(2);
    expect(all.latency.samples).toBe(2);
    expect(all.queues).toContainEqual({ queue: 'filter.idle', state: 'pending', count: 2 });

    const def = await get('/api/v1/overview?connectionId=default');
    expect(def.connectionId).toBe('default');
    expect(def.connections).toEqual([expect.objectContaining({ connectionId: 'default' })]);
    expect(def.health.sage).toMatchObject({ ok: true, lastCallAt: at });
    expect(def.deadLetters).toEqual({ total: 1, byCode: [{ code: 'SB_TEST_DEFAULT', count: 1 }] });
    expect(def.latency).toMatchObject({ samples: 1, orderToSageP50Ms: 60_000 });
    expect(def.queues).toContainEqual({ queue: 'filter.idle', state: 'pending', count: 1 });
    expect(def.circuits).toEqual([{ target: 'sage500', state: 'closed', connectionId: 'default' }]);

    const eu = await get('/api/v1/overview?connectionId=eu');
    expect(eu.health.sage.ok).toBe(false);
    expect(eu.health.sage.detail).toContain('circuit open');
    expect(eu.latency).toMatchObject({ samples: 1, orderToSageP50Ms: 120_000 });
    expect(eu.queues).toContainEqual({ queue: 'filter.idle', state: 'pending', count: 1 });
    expect(eu.deadLetters.total).toBe(1);
    expect(sum(all)).toEqual({ c: 7, f: 1 });
    expect(sum(eu)).toEqual({ c: 5, f: 1 });
    expect(sum(def)).toEqual({ c: 2, f: 0 });
  });

  it('/metrics: the jobs gauge per connection (the payload connectionId, default when none)', async () => {
    const m = (await app.inject({ url: '/metrics', headers })).body;
    expect(m).toContain('sellbridge_jobs{queue="filter.idle",state="pending",connection="default"} 1');
    expect(m).toContain('sellbridge_jobs{queue="filter.idle",state="pending",connection="eu"} 1');
  });

  it('refuses an empty connectionId', async () => {
    const r = await app.inject({ url: '/api/v1/dead-letters?connectionId=', headers });
    expect(r.statusCode).toBe(400);
  });
});
