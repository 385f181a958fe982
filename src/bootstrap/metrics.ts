import { sql } from 'kysely';
import { Gauge, Histogram, type Registry } from 'prom-client';
import type { Clock } from '../core/ports/clock.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Store } from '../runtime/store/store.ts';
import { countFittings } from '../connectors/store/order-fittings.ts';
import { countOrderChanges } from '../connectors/store/order-changes.ts';
import { countFirstSightings, firstSighting } from '../connectors/store/order-sightings.ts';
import { unreconciledByCurrency } from '../connectors/store/settlement-reconciliation.ts';

/**
 * Metrics computed from the store when /metrics is scraped (prom-client `collect()`), so every process that
 * serves /metrics reports the same figures and no busy flow file needs a hook: the level of every shared rate bucket, and three latencies read from timestamps the flows already store.
 *
 * The latency histograms are recomputed at each scrape over the rows that finished in the last `windowMs`
 * (default 24 h): query them as they are (`histogram_quantile(0.95, sellbridge_ship_confirm_latency_seconds_bucket)`),
 * not with rate(); they are windows, not counters since process start.
 */
export interface StoreCollectorOptions {
  readonly registry: Registry;
  readonly store: Store;
  readonly clock: Clock;
  /** Lookback of the latency windows (default 24 h). */
  readonly windowMs?: number;
  /** At most this many rows per window and scrape (default 20 000). */
  readonly maxRows?: number;
  /** orders.shipByWarningMs: how close a latest ship date makes an unshipped order at risk (default 24 h). */
  readonly shipByWarningMs?: number;
}

const LATENCY_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400];
const LAG_BUCKETS = [3600, 21600, 43200, 86400, 172800, 259200, 432000, 604800, 1209600, 2592000];

const ms = (iso: string): number => Date.parse(iso);

export function registerStoreCollectors(options: StoreCollectorOptions): void {
  const { registry, store, clock } = options;
  const windowMs = options.windowMs ?? 86_400_000;
  const limit = options.maxRows ?? 20_000;
  const db = store.db;
  const since = () => new Date(clock.now().getTime() - windowMs).toISOString();

  /** Every shared bucket with its level refilled to now (tokens are stored as of `updated_at_ms`). */
  const readBuckets = async () => {
    const now = clock.now().getTime();
    const res = await sql<{ key: string; tokens: number; updated_at_ms: number; rate: number; burst: number }>`
      SELECT key, tokens, updated_at_ms, rate, burst FROM rate_buckets`.execute(db);
    return res.rows.map((r) => {
      const parts = r.key.split('|');
      const burst = Number(r.burst);
      const level = Math.min(
        burst,
        Number(r.tokens) + (Math.max(0, now - Number(r.updated_at_ms)) / 1000) * Number(r.rate),
      );
      return {
        labels: { operation: parts[parts.length - 1] ?? r.key, seller: parts.length >= 4 ? (parts[1] ?? '') : '' },
        level: Math.max(0, level),
        burst,
      };
    });
  };
  new Gauge({
    name: 'sellbridge_rate_bucket_tokens',
    help: 'Tokens available now in each shared SP-API rate bucket (refilled to the scrape time), per operation and seller',
    labelNames: ['operation', 'seller'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const b of await readBuckets()) this.set(b.labels, b.level);
    },
  });
  new Gauge({
    name: 'sellbridge_rate_bucket_burst',
    help: 'Capacity (burst) of each shared SP-API rate bucket, per operation and seller',
    labelNames: ['operation', 'seller'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const b of await readBuckets()) this.set(b.labels, b.burst);
    },
  });

  new Gauge({
    name: 'sellbridge_orders_address_fitted',
    help: "Orders whose ship-to was fitted to Sage's columns (address policy fit), per connection and kind of change (transliterated, abbreviated, overflowed, truncated, moved); an order counts once per kind",
    labelNames: ['connection', 'change'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const c of await countFittings(store)) this.set({ connection: c.connectionId, change: c.kind }, c.orders);
    },
  });

  const shipByWarningMs = options.shipByWarningMs ?? 86_400_000;
  const readChanges = () => {
    const now = clock.now();
    return countOrderChanges(store, {
      now: now.toISOString(),
      before: new Date(now.getTime() + shipByWarningMs).toISOString(),
    });
  };
  new Gauge({
    name: 'sellbridge_orders_changed_after_import',
    help: 'Amazon changes to orders after their Sage order was created, per connection and kind: line-cancelled and ship-to-updated count changes applied to Sage; flagged counts orders with a difference left to a person (orders status shows it)',
    labelNames: ['connection', 'kind'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const c of await readChanges()) {
        this.set({ connection: c.connectionId, kind: 'line-cancelled' }, c.lineCancelled);
        this.set({ connection: c.connectionId, kind: 'ship-to-updated' }, c.shipToUpdated);
        this.set({ connection: c.connectionId, kind: 'flagged' }, c.flagged);
      }
    },
  });
  new Gauge({
    name: 'sellbridge_orders_ship_by_at_risk',
    help: 'Orders not shipped yet whose Amazon latest ship date is within orders.shipByWarningMs (when: soon) or already past (when: late), per connection',
    labelNames: ['connection', 'when'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const c of await readChanges()) {
        this.set({ connection: c.connectionId, when: 'soon' }, c.atRisk - c.late);
        this.set({ connection: c.connectionId, when: 'late' }, c.late);
      }
    },
  });

  new Histogram({
    name: 'sellbridge_ship_confirm_latency_seconds',
    help: 'Sage shipment recorded -> confirmShipment accepted by Amazon, per package, over packages confirmed in the last 24 h (recomputed from shipment_confirmations at each scrape)',
    buckets: LATENCY_BUCKETS,
    registers: [registry],
    async collect() {
      this.reset();
      const res = await sql<{ created_at: string; updated_at: string }>`
        SELECT created_at, updated_at FROM shipment_confirmations
        WHERE state = 'confirmed' AND updated_at >= ${since()} LIMIT ${limit}`.execute(db);
      for (const r of res.rows) this.observe(Math.max(0, (ms(r.updated_at) - ms(r.created_at)) / 1000));
    },
  });

  new Histogram({
    name: 'sellbridge_feed_accept_to_applied_seconds',
    help: 'Listing feed accepted by Amazon (createFeed returned its id) -> processing finished, by final status (DONE, FATAL, CANCELLED), over feeds finished in the last 24 h',
    labelNames: ['status'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
    async collect() {
      this.reset();
      const res = await sql<{ status: string; submitted_at: string; finished_at: string }>`
        SELECT status, submitted_at, finished_at FROM listing_feed
        WHERE submitted_at IS NOT NULL AND finished_at IS NOT NULL AND finished_at >= ${since()} LIMIT ${limit}`.execute(
        db,
      );
      for (const r of res.rows)
        this.observe({ status: r.status }, Math.max(0, (ms(r.finished_at) - ms(r.submitted_at)) / 1000));
    },
  });

  new Gauge({
    name: 'sellbridge_settlement_unreconciled_minor',
    help: 'Money the latest three-way reconciliation of each settlement could not explain by fees, refunds, promotions, reimbursements or withheld tax (order missing in Sage, invoice missing, rounding, unexplained, deposit not matching the bank), summed per currency in minor units',
    labelNames: ['currency'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [currency, minor] of await unreconciledByCurrency(store)) this.set({ currency }, minor);
    },
  });

  new Histogram({
    name: 'sellbridge_notification_lag_seconds',
    help: "SP-API notification: Amazon's EventTime -> handled (its handler ran and the work was queued in the inbox transaction), per notification type, over notifications handled in the last 24 h",
    labelNames: ['type'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
    async collect() {
      this.reset();
      const res = await sql<{ kind: string; event_time: string; processed_at: string }>`
        SELECT kind, event_time, processed_at FROM inbox
        WHERE status = 'processed' AND event_time IS NOT NULL AND processed_at >= ${since()} LIMIT ${limit}`.execute(
        db,
      );
      for (const r of res.rows) {
        const lag = (ms(r.processed_at) - ms(r.event_time)) / 1000;
        if (Number.isFinite(lag)) this.observe({ type: r.kind }, Math.max(0, lag));
      }
    },
  });

  new Gauge({
    name: 'sellbridge_notifications',
    help: 'SP-API notifications received in the last 24 h per type and outcome: handled, ignored (about nothing of ours), unhandled (no handler for the type: acknowledged and counted), rejected (invalid), pending',
    labelNames: ['type', 'outcome'],
    registers: [registry],
    async collect() {
      this.reset();
      const res = await sql<{ kind: string; status: string; outcome: string | null; n: number | string }>`
        SELECT kind, status, outcome, count(*) AS n FROM inbox WHERE received_at >= ${since()}
        GROUP BY kind, status, outcome`.execute(db);
      for (const r of res.rows)
        this.inc(
          { type: r.kind, outcome: r.status === 'processed' ? (r.outcome ?? 'handled') : r.status },
          Number(r.n),
        );
    },
  });

  new Gauge({
    name: 'sellbridge_work_found',
    help: 'Units of work first found in the last 24 h, per kind (order, feed, settlement-report) and path: event (an SP-API notification) or poll (the polling safety net found it first: a push miss)',
    labelNames: ['kind', 'via'],
    registers: [registry],
    async collect() {
      this.reset();
      const work = await sql<{ kind: string; first_via: string; n: number | string }>`
        SELECT kind, first_via, count(*) AS n FROM work_sightings WHERE first_seen_at >= ${since()}
        GROUP BY kind, first_via`.execute(db);
      for (const r of work.rows) this.inc({ kind: r.kind, via: r.first_via }, Number(r.n));
      for (const r of await countFirstSightings(store, since()))
        this.inc({ kind: 'order', via: r.source === 'push' ? 'event' : 'poll' }, r.n);
    },
  });

  new Gauge({
    name: 'sellbridge_sage_stock_full_reads',
    help: 'Sage change-tracking mode: how many times the stock watch read every linked item because no version was usable (first read, or older than the change-tracking retention), per connection, since it was installed',
    labelNames: ['connection'],
    registers: [registry],
    async collect() {
      this.reset();
      const res = await sql<{ connection_id: string; value: string }>`
        SELECT connection_id, value FROM watermarks WHERE name = 'sage.stock.ct-full-reads'`.execute(db);
      for (const r of res.rows) this.set({ connection: r.connection_id }, Number(r.value) || 0);
    },
  });

  new Gauge({
    name: 'sellbridge_sage_shipment_full_reads',
    help: 'Sage change-tracking mode: how many times shipment polling fell back to the ShipKey cursor because no version was usable (first read, or older than the change-tracking retention), per connection, since it was installed',
    labelNames: ['connection'],
    registers: [registry],
    async collect() {
      this.reset();
      const res = await sql<{ connection_id: string; value: string }>`
        SELECT connection_id, value FROM watermarks WHERE name = 'sage.shipments.ct-full-reads'`.execute(db);
      for (const r of res.rows) this.set({ connection: r.connection_id }, Number(r.value) || 0);
    },
  });

  new Histogram({
    name: 'sellbridge_settlement_lag_seconds',
    help: 'Settlement deposit date -> its journals posted to Sage (last posting of a corrected settlement), over settlements posted in the last 24 h',
    buckets: LAG_BUCKETS,
    registers: [registry],
    async collect() {
      this.reset();
      const res = await sql<{ deposit_date: string; updated_at: string }>`
        SELECT deposit_date, updated_at FROM settlements
        WHERE state = 'posted' AND updated_at >= ${since()} LIMIT ${limit}`.execute(db);
      for (const r of res.rows) {
        const lag = (ms(r.updated_at) - ms(r.deposit_date)) / 1000;
        if (Number.isFinite(lag)) this.observe(Math.max(0, lag));
      }
    },
  });
}

/**
 * The Sage gateway with order-to-Sage latency: when `createSalesOrder` creates an order (not `existing`), the
 * time since Sellbridge first saw the Amazon order (its first ORDER_CHANGE inbox row or order_sightings row) is observed in
 * `metrics.orderToSageLatency`. The look-up runs after the call returns and never fails or delays it.
 */
export function observeOrderToSage(
  sage: Sage500Gateway,
  deps: { store: Store; clock: Clock; metrics: Metrics; connectionId?: string },
): Sage500Gateway {
  const record = async (amazonOrderId: string, at: number) => {
    const row = await firstSighting(deps.store.db, amazonOrderId);
    if (!row) return;
    deps.metrics.orderToSageLatency.observe(
      { source: row.source, connection: deps.connectionId ?? 'default' },
      Math.max(0, (at - ms(row.at)) / 1000),
    );
  };
  return new Proxy(sage, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== 'createSalesOrder' || typeof value !== 'function') return value;
      const create = value as Sage500Gateway['createSalesOrder'];
      return async (...args: Parameters<Sage500Gateway['createSalesOrder']>) => {
        const result = await create.apply(target, args);
        if (result.outcome === 'created')
          void record(args[0].amazonOrderId, deps.clock.now().getTime()).catch(() => undefined);
        return result;
      };
    },
  });
}
