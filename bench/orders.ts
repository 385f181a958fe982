// npm run bench -- orders [--orders N] [--workers W]
// Orders end to end through worker processes (createRuntime role worker, as `sellbridge run --role worker`), over
// HTTP to the SP-API simulator with its usage plans OFF, into the Sage 500 sandbox (a SQLite file all processes open):
//   import: ORDER_CHANGE put on the SQS queue -> inbox -> order.sync -> getOrder -> Sage sales order (orders/s, and
//           p50/p99 latency from the notification to the sales order, from order_links.updated_at of state created);
//   ship:   the sandbox warehouse ships everything (every third order in two parts) -> shipment.poll ->
//           shipment.confirm -> confirmShipment at the simulator (orders/s until Amazon shows every order shipped);
//   CPU:    process.cpuUsage of the worker processes (user + system) per order, both phases together.
// On the SQLite store and on PostgreSQL (pg-boss). Figures vary with the machine; compare the ratios.
import { parseArgs } from 'node:util';
import { pgAvailable, waitUntil, type StoreKind } from '../test/helpers/queue-env.ts';
import { startHarness } from '../test/integration/orders-e2e/harness.ts';

const { values } = parseArgs({
  options: { orders: { type: 'string', default: '300' }, workers: { type: 'string', default: '3' } },
});
const N = Number(values.orders);
const W = Number(values.workers);

interface Row {
  store: string;
  importPerSec: number;
  p50: number;
  p99: number;
  shipPerSec: number;
  endToEndPerSec: number;
  cpuMsPerOrder: number;
}
const rows: Row[] = [];

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

for (const kind of ['sqlite', 'postgres'] as StoreKind[]) {
  if (kind === 'postgres' && !(await pgAvailable())) {
    console.log('PostgreSQL not reachable at 127.0.0.1:5432: skipping it');
    continue;
  }
  const h = await startHarness({
    kind,
    name: `bench-orders-${kind}`,
    seed: 42,
    timeScale: 1,
    limits: false,
    unknownSkuRate: 0,
    shipmentPollEveryMs: 500,
  });
  try {
    await h.startWorkers(W);
    const sageCount = async () =>
      Number(
        (
          await h.sage.db
            .selectFrom('tsoSalesOrder')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const orders = h.sim.control.addOrders(N, { status: 'UNSHIPPED' });
    const deliveredAt = new Map<string, number>();
    const t0 = Date.now();
    for (const id of h.deliver(1, false)) deliveredAt.set(id, Date.now());
    await waitUntil(
      async () => (await sageCount()) >= N,
      Number(process.env['BENCH_TIMEOUT_MS'] ?? 600_000),
      'every order in Sage',
    );
    const t1 = Date.now();
    const links = await h.store.db
      .withTables<{ order_links: { amazon_order_id: string; state: string; updated_at: string } }>()
      .selectFrom('order_links')
      .select(['amazon_order_id', 'updated_at'])
      .where('state', '=', 'created')
      .execute();
    const latencies = links
      .map((l) => Date.parse(l.updated_at) - deliveredAt.get(l.amazon_order_id)!)
      .filter((x) => Number.isFinite(x))
      .sort((a, b) => a - b);

    await h.shipAll();
    await waitUntil(
      async () => orders.every((o) => h.sim.control.order(o.orderId)?.status === 'SHIPPED'),
      600_000,
      'every order confirmed shipped',
    );
    const t2 = Date.now();
    const cpu = await Promise.all(h.workers.map((w) => w.stop()));
    const cpuMs = cpu.reduce((s, c) => s + (c ? (c.user + c.system) / 1000 : 0), 0);
    rows.push({
      store: kind === 'sqlite' ? 'SQLite (embedded queue)' : 'PostgreSQL (pg-boss)',
      importPerSec: N / ((t1 - t0) / 1000),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      shipPerSec: N / ((t2 - t1) / 1000),
      endToEndPerSec: N / ((t2 - t0) / 1000),
      cpuMsPerOrder: cpuMs / N,
    });
  } finally {
    await h.close();
  }
}

console.log(
  `\norders benchmark: ${N} orders, ${W} worker processes (concurrency 4 each), simulator limits off, Sage sandbox (SQLite file)`,
);
console.log(
  `All ${N} notifications are put on the queue at once, so the latency includes the wait behind that backlog (a burst, not a steady trickle).`,
);
console.table(
  rows.map((r) => ({
    store: r.store,
    'import orders/s': r.importPerSec.toFixed(1),
    'notification->SO p50 ms': Math.round(r.p50),
    'notification->SO p99 ms': Math.round(r.p99),
    'ship+confirm orders/s': r.shipPerSec.toFixed(1),
    'end to end orders/s': r.endToEndPerSec.toFixed(1),
    'worker CPU ms/order': r.cpuMsPerOrder.toFixed(1),
  })),
);
if (rows.length === 2) {
  const [s, p] = rows as [Row, Row];
  console.log(
    `ratio SQLite/PostgreSQL: end to end ${(s.endToEndPerSec / p.endToEndPerSec).toFixed(2)}x, import ${(s.importPerSec / p.importPerSec).toFixed(2)}x, p50 latency ${(s.p50 / p.p50).toFixed(2)}x, CPU per order ${(s.cpuMsPerOrder / p.cpuMsPerOrder).toFixed(2)}x`,
  );
}
