// npm run bench -- connections [--connections 1,10,100] [--orders 100] [--idle 10] [--mode list|runtimes]
// One process with 1, 10 and 100 connections (issue 21). Each connection is its own seller at the SP-API simulator
// (its own SQS queue, usage plans off) and books into the Sage 500 sandbox's demo company (one sandbox file).
//   idle:   the connections started, nothing to do, production job settings (jobs polled every 500 ms, shipments
//           every minute, SQS long polls of 20 s), for --idle seconds: CPU per second of the process and per
//           connection, store statements per second per connection, memory per connection (RSS and JS heap added by
//           starting the connections, after a GC).
//   orders: --orders ORDER_CHANGE notifications spread round-robin over the connections' queues; CPU of the process
//           per order until every sales order is in Sage, total and without the Sage sandbox's SQLite time (SQL
//           Server's work on a real site).
// Goals (issue 21): CPU per order at 100 connections within 1.1x of one connection; an idle connection under 1 MB
// and under 1 store query per second.
//
// --mode list (the multi-connection runtime): one `createRuntime` on one sellbridge.yaml whose `connections:` list
// holds them all (one store, one queue, per-connection engines). --mode runtimes (the baseline from before it): one
// `createRuntime` per connection in the process, each with its own store file, queue, scheduler and SQS intake (one
// engine per connection, as one process per connection would run them, put side by side).
// "Sellbridge CPU" subtracts the wall time spent inside the sandbox's SQLite: on a loaded machine that time includes
// waiting for a core, so only the total CPU per order is reliable there.
// Figures vary with the machine and with what else runs on it; compare the ratios, measured back to back.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { createSandboxGateway } from '../src/connectors/sage500/sandbox-gateway.ts';
import { DEMO_SKUS } from '../src/demo/scenario.ts';
import { openStore } from '../src/runtime/store/store.ts';
import { createAmazonSimulator } from '../src/simulator/amazon/index.ts';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '1,10,100' },
    orders: { type: 'string', default: '100' },
    idle: { type: 'string', default: '10' },
    mode: { type: 'string', default: 'list' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    'npm run bench -- connections [--connections 1,10,100] [--orders 100] [--idle 10] [--mode list|runtimes]\n(--orders 0 or --idle 0 skips that part)',
  );
  process.exit(0);
}
const COUNTS = values.connections
  .split(',')
  .map((x) => Number(x.trim()))
  .filter((n) => n > 0);
const ORDERS = Number(values.orders);
const IDLE_S = Number(values.idle);
const MODE = values.mode === 'runtimes' ? 'runtimes' : 'list';
const TIMEOUT = Number(process.env['BENCH_TIMEOUT_MS'] ?? 600_000);
const WORKER = fileURLToPath(new URL('./lib/connections-worker.ts', import.meta.url));

interface Stats {
  cpuMs: number;
  storeStatements: number;
  sageMs: number;
  rssBytes: number;
  heapBytes: number;
}

interface Row {
  connections: number;
  startMs: number;
  rssPerConnKb: number;
  heapPerConnKb: number;
  idleCpuMsPerSec: number;
  idleCpuMsPerSecPerConn: number;
  idleStoreStatementsPerSecPerConn: number;
  cpuMsPerOrder: number;
  sellbridgeCpuMsPerOrder: number;
  ordersPerSec: number;
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench connections: gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts the measured process; resolves with it and its start-up figures once it printed `ready`. */
function startWorker(configs: string[], n: number) {
  return new Promise<{
    child: ChildProcess;
    ready: { connections: number; rssBytes: number; heapBytes: number };
    snapshot: () => Promise<Stats>;
    stop: () => Promise<void>;
  }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', WORKER], {
      env: {
        ...process.env,
        SB_BENCH_CONFIGS: JSON.stringify(configs),
        SB_BENCH_MODE: MODE,
        SB_BENCH_CONNECTIONS: String(n),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const waiting: ((s: Stats) => void)[] = [];
    child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (line.startsWith('ready ')) {
          const ready = JSON.parse(line.slice(6)) as { connections: number; rssBytes: number; heapBytes: number };
          resolve({
            child,
            ready,
            snapshot: () =>
              new Promise<Stats>((r) => {
                waiting.push(r);
                child.kill('SIGUSR2');
              }),
            stop: () =>
              new Promise<void>((r) => {
                child.once('exit', () => r());
                child.kill('SIGTERM');
              }),
          });
        } else if (line.startsWith('stats ')) waiting.shift()?.(JSON.parse(line.slice(6)) as Stats);
      }
    });
    child.once('exit', (code, signal) => {
      if (waiting.length) reject(new Error(`worker exited (${code ?? signal}): ${err}`));
    });
    child.once('exit', (code, signal) => reject(new Error(`worker exited (${code ?? signal}) before ready: ${err}`)));
  });
}

async function measure(n: number): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-connections-'));
  const sellers = Array.from({ length: n }, (_, i) => ({
    sellerId: `A1BENCH${String(i).padStart(8, '0')}`,
    refreshToken: `Atzr|bench-${i}`,
    marketplaceIds: ['ATVPDKIKX0DER'],
  }));
  const sim = await createAmazonSimulator({
    seed: 21,
    timeScale: 1,
    limits: false,
    sellers,
    scenario: {
      skus: DEMO_SKUS,
      unknownSkuRate: 0,
      afnRate: 0,
      pendingRate: 0,
      cancelledRate: 0,
      businessRate: 0,
      nonAsciiRate: 0,
      longAddressRate: 0,
    },
  });
  const sagePath = join(dir, 'sage500-sandbox.db');
  const sage = await createSandboxGateway({ path: sagePath, warehouseSimulator: { enabled: false } });
  // One migrated store file, copied per connection (`runtimes`: one engine, one store per connection).
  const template = join(dir, 'template.db');
  const store = openStore({ url: `sqlite:${template}` });
  await store.migrate();
  await store.close();
  const queues = sellers.map((s, i) => {
    const queueName = `bench-conn-${i}`;
    sim.control.subscribe({ notificationType: 'ORDER_CHANGE', queueName, sellerId: s.sellerId });
    return sim.control.sqsQueueUrl(queueName);
  });
  const amazonFor = (i: number) => ({
    endpoint: sim.url,
    lwaEndpoint: `${sim.url}/auth/o2/token`,
    lwaClientId: 'bench',
    lwaClientSecret: 'bench',
    refreshToken: sellers[i]!.refreshToken,
    sellerId: sellers[i]!.sellerId,
    requestTimeoutMs: 10_000,
    sqs: {
      queueUrl: queues[i],
      endpoint: sim.url,
      accessKeyId: 'bench',
      secretAccessKey: 'bench',
      waitTimeSeconds: 20,
      maxMessages: 10,
    },
    usagePlans: Object.fromEntries(
      ['orders.getOrder', 'orders.searchOrders', 'ordersV0.confirmShipment', 'tokens.createRestrictedDataToken'].map(
        (op) => [op, { rate: 100_000, burst: 100_000 }],
      ),
    ),
  });
  const common = {
    jobs: { pollIntervalMs: 500, backoffBaseMs: 2000, backoffMaxMs: 900_000, leaseMs: 60_000, concurrency: 4 },
    log: { level: 'warn' },
    sage500: { kind: 'sandbox', sandboxPath: sagePath, warehouseSimulator: { enabled: false } },
  };
  const orders = (i: number) => ({ connectionId: `c${i}`, shipmentPollEveryMs: 60_000, poll: { enabled: false } });
  // Every connection books into the demo company: each needs its own TranNo prefix (C + two letters), as each keeps
  // its own TranNo counter.
  const sageFor = (i: number) => ({
    ...common.sage500,
    tranNoPrefix: `C${String.fromCharCode(65 + Math.floor(i / 26))}${String.fromCharCode(65 + (i % 26))}`,
  });
  const configs: string[] = [];
  if (MODE === 'list') {
    const file = join(dir, 'sellbridge.yaml');
    copyFileSync(template, join(dir, 'store.db'));
    writeFileSync(
      file,
      stringify(
        {
          ...common,
          store: { url: `sqlite:${join(dir, 'store.db')}` },
          amazon: amazonFor(0),
          connections: sellers.map((_, i) => ({
            id: `c${i}`,
            amazon: amazonFor(i),
            sage500: sageFor(i),
            orders: orders(i),
          })),
        },
        // The connections share objects (usage plans): written out in full, since the loader refuses many aliases.
        { aliasDuplicateObjects: false },
      ),
    );
    configs.push(file);
  } else {
    for (let i = 0; i < n; i++) {
      const storeFile = join(dir, `store-${i}.db`);
      copyFileSync(template, storeFile);
      const file = join(dir, `sellbridge-${i}.yaml`);
      writeFileSync(
        file,
        stringify({
          ...common,
          store: { url: `sqlite:${storeFile}` },
          amazon: amazonFor(i),
          sage500: sageFor(i),
          orders: orders(i),
        }),
      );
      configs.push(file);
    }
  }
  const note = (text: string) => process.stderr.write(`  ${text}\n`);
  const t0 = performance.now();
  const w = await startWorker(configs, n);
  note(`started in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const startMs = performance.now() - t0;
  try {
    let idleCpu = NaN;
    let idleStatements = NaN;
    if (IDLE_S > 0) {
      // Let start-up work (first schedules, the first SQS long polls) pass before measuring.
      await new Promise((r) => setTimeout(r, 3000));
      const a = await w.snapshot();
      const s0 = performance.now();
      await new Promise((r) => setTimeout(r, IDLE_S * 1000));
      const b = await w.snapshot();
      const secs = (performance.now() - s0) / 1000;
      idleCpu = (b.cpuMs - a.cpuMs) / secs;
      idleStatements = (b.storeStatements - a.storeStatements) / secs;
    }
    let cpuPerOrder = NaN;
    let ownCpuPerOrder = NaN;
    let rate = NaN;
    if (ORDERS > 0) {
      const count = async () =>
        Number(
          (
            await sage.db
              .selectFrom('tsoSalesOrder')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirst()
          )?.n ?? 0,
        );
      const a = await w.snapshot();
      note('idle measured; orders arrive');
      const s0 = performance.now();
      for (let k = 0; k < ORDERS; k++) sim.control.addOrder({ sellerId: sellers[k % n]!.sellerId });
      let last = -1;
      await waitUntil(`${ORDERS} sales orders in Sage`, async () => {
        const c = await count();
        if (c !== last) note(`${c} sales orders in Sage`);
        last = c;
        return c >= ORDERS;
      });
      const secs = (performance.now() - s0) / 1000;
      const b = await w.snapshot();
      cpuPerOrder = (b.cpuMs - a.cpuMs) / ORDERS;
      ownCpuPerOrder = (b.cpuMs - a.cpuMs - (b.sageMs - a.sageMs)) / ORDERS;
      rate = ORDERS / secs;
    }
    return {
      connections: w.ready.connections,
      startMs,
      rssPerConnKb: w.ready.rssBytes / 1024 / n,
      heapPerConnKb: w.ready.heapBytes / 1024 / n,
      idleCpuMsPerSec: idleCpu,
      idleCpuMsPerSecPerConn: idleCpu / n,
      idleStoreStatementsPerSecPerConn: idleStatements / n,
      cpuMsPerOrder: cpuPerOrder,
      sellbridgeCpuMsPerOrder: ownCpuPerOrder,
      ordersPerSec: rate,
    };
  } finally {
    await w.stop();
    await sage.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
for (const n of COUNTS) {
  console.log(`connections: ${n} in one process (${MODE}) ...`);
  rows.push(await measure(n));
}
const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
console.log(
  `\nconnections in one process, mode ${MODE}${MODE === 'runtimes' ? ' (one createRuntime, store file, queue and SQS intake per connection: how connections run today)' : ' (one runtime, a connections: list)'}`,
);
console.table(
  rows.map((r) => ({
    connections: r.connections,
    'start s': f(r.startMs / 1000, 1),
    'RSS KB/conn': f(r.rssPerConnKb, 0),
    'heap KB/conn': f(r.heapPerConnKb, 0),
    'idle CPU ms/s': f(r.idleCpuMsPerSec),
    'idle CPU ms/s/conn': f(r.idleCpuMsPerSecPerConn, 3),
    'idle store stmts/s/conn': f(r.idleStoreStatementsPerSecPerConn),
    'CPU ms/order': f(r.cpuMsPerOrder),
    'Sellbridge CPU ms/order': f(r.sellbridgeCpuMsPerOrder),
    'orders/s': f(r.ordersPerSec, 1),
  })),
);
const one = rows.find((r) => r.connections === 1);
if (one)
  for (const r of rows.filter((x) => x.connections > 1)) {
    // The first connection also pays for modules loaded on first use; the marginal cost is what one more adds.
    const marginal = (per: (x: Row) => number) => (per(r) * r.connections - per(one)) / (r.connections - 1) / 1024;
    console.log(
      `${r.connections} connections vs 1: CPU per order x${f(r.cpuMsPerOrder / one.cpuMsPerOrder)} (Sellbridge's own x${f(r.sellbridgeCpuMsPerOrder / one.sellbridgeCpuMsPerOrder)}; goal <= 1.1); one more idle connection adds ${f(marginal((x) => x.rssPerConnKb))} MB RSS, ${f(marginal((x) => x.heapPerConnKb))} MB heap (goal < 1 MB); ${f(r.idleStoreStatementsPerSecPerConn)} store statements/s per idle connection (goal < 1)`,
    );
  }
