// npm run bench -- orders [--orders N] [--workers 1,2,4] [--stores sqlite,postgres] [--trickle 10,20]
//                        [--trickle-seconds S] [--idle S]
// Orders end to end through worker processes (createRuntime role worker, as `sellbridge run --role worker`), over
// HTTP to the SP-API simulator with its usage plans OFF, into the Sage 500 sandbox (a SQLite file all processes
// open). The simulator and the warehouse run in this process; only the worker processes are measured.
//   burst:   N ORDER_CHANGE notifications put on the SQS queue at once -> inbox -> order.sync -> getOrder -> Sage
//            sales order (orders/s; p50/p99 from the notification to the sales order, order_links.updated_at);
//            then the sandbox warehouse ships everything (every third order in two parts) -> shipment.poll ->
//            shipment.confirm -> confirmShipment (orders/s until Amazon shows every order shipped).
//            Per order: worker CPU from `ready` on (start-up excluded), split into the Sage sandbox's part (the
//            CPU time inside its SQLite: on a real site SQL Server does that work; its commits' fsyncs and lock waits
//            are not CPU and not counted) and Sellbridge's own (the rest); store
//            statements (Kysely's, transactions included; pg-boss's own statements are not in it); Sage statements.
//            Once per worker count in --workers: the scale-out table.
//   trickle: a steady rate of notifications (each --trickle rate for --trickle-seconds, one worker): latency
//            notification -> sales order p50/p99 without a backlog.
//   idle:    one worker with nothing to do for --idle seconds (production job settings): its CPU per second, its
//            store statements per second, and on PostgreSQL every query it sends per second (pg-boss's included).
//   On PostgreSQL the queries a worker sends (Sellbridge's and pg-boss's: round trips) are counted per order too.
// Figures vary with the machine and with what else runs on it; compare the ratios, measured back to back.
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { WorkerStats } from '../test/helpers/order-worker-procs.ts';
import { pgAvailable, waitUntil, type StoreKind } from '../test/helpers/queue-env.ts';
import { startHarness, type Harness } from '../test/integration/orders-e2e/harness.ts';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '300' },
    workers: { type: 'string', default: '1,2,4' },
    stores: { type: 'string', default: 'sqlite,postgres' },
    trickle: { type: 'string', default: '10,20' },
    'trickle-seconds': { type: 'string', default: '10' },
    idle: { type: 'string', default: '10' },
    runs: { type: 'string', default: '1' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    'npm run bench -- orders [--orders 300] [--workers 1,2,4] [--stores sqlite,postgres] [--trickle 10,20] [--trickle-seconds 10] [--idle 10] [--runs 1]\n(--orders 0, --trickle "" or --idle 0 skips that part; --runs N runs each burst N times and shows the median of each column, with the range of CPU ms/order)',
  );
  process.exit(0);
}
const N = Number(values.orders);
const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const WORKERS = list(values.workers).map(Number);
const STORES = list(values.stores) as StoreKind[];
const RATES = list(values.trickle).map(Number);
const TRICKLE_S = Number(values['trickle-seconds']);
const IDLE_S = Number(values.idle);
const TIMEOUT = Number(process.env['BENCH_TIMEOUT_MS'] ?? 600_000);
const RUNS = Math.max(1, Math.floor(Number(values.runs)) || 1);

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]! : NaN;
const sum = (stats: (WorkerStats | undefined)[], f: (s: WorkerStats) => number) =>
  stats.reduce((t, s) => t + (s ? f(s) : 0), 0);
const storeName = (k: StoreKind) => (k === 'sqlite' ? 'SQLite (embedded queue)' : 'PostgreSQL (pg-boss)');

async function harness(
  kind: StoreKind,
  name: string,
  production?: { jobs: Record<string, number>; shipmentPollEveryMs: number; sqsWaitTimeSeconds: number },
): Promise<Harness> {
  return startHarness({
    kind,
    name,
    seed: 42,
    timeScale: 1,
    limits: false,
    unknownSkuRate: 0,
    shipmentPollEveryMs: production?.shipmentPollEveryMs ?? 500,
    ...(production ? { jobs: production.jobs, sqsWaitTimeSeconds: production.sqsWaitTimeSeconds } : {}),
  });
}

async function sageOrders(h: Harness): Promise<number> {
  const row = await h.sage.db
    .selectFrom('tsoSalesOrder')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Milliseconds from delivery to the sales order, per order delivered (order_links state `created`). */
async function latencies(h: Harness, deliveredAt: Map<string, number>): Promise<number[]> {
  const links = await h.store.db
    .withTables<{ order_links: { amazon_order_id: string; state: string; updated_at: string } }>()
    .selectFrom('order_links')
    .select(['amazon_order_id', 'updated_at'])
    .where('state', '=', 'created')
    .execute();
  return links
    .filter((l) => deliveredAt.has(l.amazon_order_id))
    .map((l) => Date.parse(l.updated_at) - deliveredAt.get(l.amazon_order_id)!)
    .filter((x) => Number.isFinite(x))
    .sort((a, b) => a - b);
}

interface BurstRow {
  store: string;
  workers: number;
  importPerSec: number;
  p50: number;
  p99: number;
  shipPerSec: number;
  endToEndPerSec: number;
  cpuMs: number;
  ownMs: number;
  sageMs: number;
  storeStatements: number;
  sageStatements: number;
  pgQueries: number;
  /** With --runs: how many runs the medians are of, and the lowest and highest CPU ms/order. */
  runs?: number;
  cpuRange?: readonly [number, number];
}

async function burst(kind: StoreKind, W: number): Promise<BurstRow> {
  const h = await harness(kind, `bench-orders-${kind}-${W}`);
  try {
    await h.startWorkers(W);
    const before = await Promise.all(h.workers.map((w) => w.snapshot()));
    const orders = h.sim.control.addOrders(N, { status: 'UNSHIPPED' });
    const deliveredAt = new Map<string, number>();
    const t0 = Date.now();
    for (const id of h.deliver(1, false)) deliveredAt.set(id, Date.now());
    await waitUntil(async () => (await sageOrders(h)) >= N, TIMEOUT, 'every order in Sage');
    const t1 = Date.now();
    const lat = await latencies(h, deliveredAt);
    await h.shipAll();
    await waitUntil(
      async () => orders.every((o) => h.sim.control.order(o.orderId)?.status === 'SHIPPED'),
      TIMEOUT,
      'every order confirmed shipped',
    );
    const t2 = Date.now();
    await Promise.all(h.workers.map((w) => w.stop()));
    const after = h.workers.map((w) => w.stats());
    const d = (f: (s: WorkerStats) => number) => (sum(after, f) - sum(before, f)) / N;
    const cpuMs = d((s) => s.cpuMs);
    const sageMs = d((s) => s.sageMs);
    return {
      store: storeName(kind),
      workers: W,
      importPerSec: N / ((t1 - t0) / 1000),
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
      shipPerSec: N / ((t2 - t1) / 1000),
      endToEndPerSec: N / ((t2 - t0) / 1000),
      cpuMs,
      ownMs: cpuMs - sageMs,
      sageMs,
      storeStatements: d((s) => s.storeStatements),
      sageStatements: d((s) => s.sageStatements),
      pgQueries: d((s) => s.pgQueries),
    };
  } finally {
    await h.close();
  }
}

/**
 * Each numeric column's median over the runs (one machine's run-to-run spread of CPU per order was about +-15% on a
 * 2-core machine: single runs mislead), with the CPU range kept for the table.
 */
function medianRow(runs: readonly BurstRow[]): BurstRow {
  const median = (f: (r: BurstRow) => number) => {
    const v = runs.map(f).sort((a, b) => a - b);
    const mid = Math.floor(v.length / 2);
    return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  };
  const numeric = Object.keys(runs[0]!).filter(
    (k) => typeof runs[0]![k as keyof BurstRow] === 'number',
  ) as (keyof BurstRow)[];
  const row = { ...runs[0]! } as Record<string, unknown>;
  for (const k of numeric) row[k] = median((r) => r[k] as number);
  const cpu = runs.map((r) => r.cpuMs);
  return { ...(row as unknown as BurstRow), runs: runs.length, cpuRange: [Math.min(...cpu), Math.max(...cpu)] };
}

interface TrickleRow {
  store: string;
  rate: number;
  orders: number;
  p50: number;
  p99: number;
}

async function trickle(kind: StoreKind): Promise<TrickleRow[]> {
  const h = await harness(kind, `bench-trickle-${kind}`);
  const rows: TrickleRow[] = [];
  try {
    await h.startWorkers(1);
    for (const rate of RATES) {
      const count = Math.max(1, Math.round(rate * TRICKLE_S));
      const start = await sageOrders(h);
      h.sim.control.addOrders(count, { status: 'UNSHIPPED' });
      const docs = h.take(1, false);
      const deliveredAt = new Map<string, number>();
      const t0 = performance.now();
      for (let i = 0; i < docs.length; i++) {
        // Paced by the schedule, not by the previous send: a late timer sends the next one sooner.
        const due = t0 + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        h.sim.control.sendRawMessage('sellbridge-orders-in', docs[i]!.body);
        deliveredAt.set(docs[i]!.orderId, Date.now());
      }
      await waitUntil(async () => (await sageOrders(h)) >= start + docs.length, TIMEOUT, 'trickled orders in Sage');
      const lat = await latencies(h, deliveredAt);
      rows.push({
        store: storeName(kind),
        rate,
        orders: docs.length,
        p50: percentile(lat, 50),
        p99: percentile(lat, 99),
      });
    }
  } finally {
    await h.close();
  }
  return rows;
}

interface IdleRow {
  store: string;
  cpuMsPerSec: number;
  storeStatementsPerSec: number;
  pgQueriesPerSec: number | undefined;
}

async function idle(kind: StoreKind): Promise<IdleRow> {
  // Production settings: jobs as configured by default, shipments polled every minute, SQS long polls of 20 s (the
  // burst harness polls jobs every 50 ms, shipments every 500 ms and SQS every second to keep tests quick).
  const h = await harness(kind, `bench-idle-${kind}`, {
    jobs: { pollIntervalMs: 500, backoffBaseMs: 2000, backoffMaxMs: 900_000, leaseMs: 60_000 },
    shipmentPollEveryMs: 60_000,
    sqsWaitTimeSeconds: 20,
  });
  try {
    const [w] = await h.startWorkers(1);
    // Let start-up work (first schedules, the first SQS long poll) pass before measuring.
    await new Promise((r) => setTimeout(r, 3000));
    const a = await w!.snapshot();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    const b = await w!.snapshot();
    const secs = (performance.now() - t0) / 1000;
    return {
      store: storeName(kind),
      cpuMsPerSec: (b.cpuMs - a.cpuMs) / secs,
      storeStatementsPerSec: (b.storeStatements - a.storeStatements) / secs,
      pgQueriesPerSec: kind === 'postgres' ? (b.pgQueries - a.pgQueries) / secs : undefined,
    };
  } finally {
    await h.close();
  }
}

const bursts: BurstRow[] = [];
const trickles: TrickleRow[] = [];
const idles: IdleRow[] = [];
for (const kind of STORES) {
  if (kind === 'postgres' && !(await pgAvailable())) {
    console.log('PostgreSQL not reachable at 127.0.0.1:5432: skipping it');
    continue;
  }
  if (N > 0)
    for (const W of WORKERS) {
      const runs: BurstRow[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await burst(kind, W));
      bursts.push(medianRow(runs));
    }
  if (RATES.length) trickles.push(...(await trickle(kind)));
  if (IDLE_S > 0) idles.push(await idle(kind));
}

console.log(
  `\norders benchmark on ${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}: ${N} orders per burst, worker concurrency 4, simulator limits off, Sage sandbox (SQLite file)`,
);
console.log('burst: every notification put on the queue at once (latency includes the wait behind the backlog)');
console.table(
  bursts.map((r) => ({
    store: r.store,
    workers: r.workers,
    'import orders/s': r.importPerSec.toFixed(1),
    'p50 ms': Math.round(r.p50),
    'p99 ms': Math.round(r.p99),
    'ship+confirm orders/s': r.shipPerSec.toFixed(1),
    'end to end orders/s': r.endToEndPerSec.toFixed(1),
    'CPU ms/order': r.cpuMs.toFixed(2),
    ...(RUNS > 1
      ? { runs: r.runs, 'CPU range': r.cpuRange ? `${r.cpuRange[0].toFixed(1)}-${r.cpuRange[1].toFixed(1)}` : '-' }
      : {}),
    'own ms/order': r.ownMs.toFixed(2),
    'Sage sandbox ms/order': r.sageMs.toFixed(2),
    'store stmts/order': r.storeStatements.toFixed(1),
    'Sage stmts/order': r.sageStatements.toFixed(1),
    'PostgreSQL queries/order': r.pgQueries ? r.pgQueries.toFixed(1) : '-',
  })),
);
for (const kind of STORES) {
  const mine = bursts.filter((r) => r.store === storeName(kind));
  const one = mine.find((r) => r.workers === 1);
  if (!one || mine.length < 2) continue;
  console.log(
    `scale-out, ${storeName(kind)}: ` +
      mine.map((r) => `${r.workers} workers ${(r.endToEndPerSec / one.endToEndPerSec).toFixed(2)}x`).join(', ') +
      ' of one worker (end to end orders/s)',
  );
}
if (trickles.length) {
  console.log(`trickle: a steady rate for ${TRICKLE_S} s, one worker (notification -> Sage sales order)`);
  console.table(
    trickles.map((r) => ({
      store: r.store,
      'orders/s': r.rate,
      orders: r.orders,
      'p50 ms': Math.round(r.p50),
      'p99 ms': Math.round(r.p99),
    })),
  );
}
if (idles.length) {
  console.log(
    `idle: one worker with nothing to do for ${IDLE_S} s (default job settings, shipments polled every minute, SQS long polls of 20 s)`,
  );
  console.table(
    idles.map((r) => ({
      store: r.store,
      'CPU ms/s': r.cpuMsPerSec.toFixed(1),
      'store stmts/s': r.storeStatementsPerSec.toFixed(1),
      'PostgreSQL queries/s': r.pgQueriesPerSec === undefined ? '-' : r.pgQueriesPerSec.toFixed(1),
    })),
  );
}
