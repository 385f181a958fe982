// npm run bench -- connections [--connections 1,10,100] [--orders 1000] [--runs 3] [--warmup 1] [--idle 10]
//                               [--mode list|runtimes]
// One process with 1, 10 and 100 connections (issue 21). Each connection is its own seller at the SP-API simulator
// (usage plans off) and books into the Sage 500 sandbox's demo company (one sandbox file). --queues shared (the
// default): every seller's notifications arrive in one SQS queue, as a hosted deployment subscribes its sellers (one
// destination of the application, a subscription per seller), read by one consumer that routes by SellerId;
// --queues per-connection: a queue and a consumer per connection.
//   idle:   the connections started, nothing to do, production job settings (jobs polled every 500 ms, shipments
//           every minute, SQS long polls of 20 s), for --idle seconds: CPU per second of the process and per
//           connection, store statements per second per connection, memory per connection (RSS and JS heap added by
//           starting the connections, after a GC).
//   warm-up: --warmup orders per connection, one connection after another's in the same burst, measured on their
//           own: a connection's first order also pays for its first LWA token exchange, its first calls and its
//           first reads of its Sage company (once per connection and process, the token once an hour), so it is
//           reported apart ("first order CPU ms/conn") and kept out of the steady-state figure.
//   orders: --orders ORDER_CHANGE notifications spread round-robin over the sellers, --runs times in
//           the same process; CPU of the process per order until every sales order is in Sage (the median of the
//           runs, and their spread), total and without the Sage sandbox's SQLite time (SQL Server's work on a real
//           site).
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
    orders: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    queues: { type: 'string', default: 'shared' },
    idle: { type: 'string', default: '10' },
    mode: { type: 'string', default: 'list' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    'npm run bench -- connections [--connections 1,10,100] [--orders 1000] [--runs 3] [--warmup 1] [--idle 10] [--mode list|runtimes]\n' +
      '  --orders   orders of one measured run, spread round-robin over the connections (0 skips the order part)\n' +
      '  --runs     measured runs in the same process; CPU per order is their median\n' +
      "  --warmup   orders per connection before the runs, measured apart (a connection's first order); 0 skips\n" +
      '  --idle     seconds of idle measurement (0 skips)\n' +
      "  --queues   shared: every seller's notifications in one SQS queue (one destination, a subscription per seller:\n" +
      '             how a hosted deployment subscribes them); per-connection: a queue per connection',
  );
  process.exit(0);
}
const COUNTS = values.connections
  .split(',')
  .map((x) => Number(x.trim()))
  .filter((n) => n > 0);
const ORDERS = Number(values.orders);
const IDLE_S = Number(values.idle);
const RUNS = Math.max(1, Number(values.runs));
const WARMUP = Math.max(0, Number(values.warmup));
const SHARED_QUEUE = values.queues !== 'per-connection';
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
  /** Lowest and highest of the runs' CPU per order. */
  cpuMsPerOrderRange: [number, number];
  sellbridgeCpuMsPerOrder: number;
  /** CPU of the warm-up (each connection's first --warmup orders) per connection. */
  firstOrderCpuMsPerConn: number;
  ordersPerSec: number;
  /** Store statements per order (Kysely's, transactions included), the median of the runs. */
  storeStatementsPerOrder: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

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
    const waiting: { resolve: (s: Stats) => void; reject: (e: Error) => void }[] = [];
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
              new Promise<Stats>((resolve, reject) => {
                if (child.exitCode !== null || child.signalCode !== null)
                  return reject(new Error(`worker exited (${child.exitCode ?? child.signalCode}): ${err}`));
                waiting.push({ resolve, reject });
                child.kill('SIGUSR2');
              }),
            stop: () =>
              new Promise<void>((r) => {
                child.once('exit', () => r());
                child.kill('SIGTERM');
              }),
          });
        } else if (line.startsWith('stats ')) waiting.shift()?.resolve(JSON.parse(line.slice(6)) as Stats);
      }
    });
    // A worker that dies fails the snapshot waiting for it (a measurement never hangs on a dead process).
    child.once('exit', (code, signal) => {
      for (const w of waiting.splice(0)) w.reject(new Error(`worker exited (${code ?? signal}): ${err}`));
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
    // Amazon's notifications go to destinations of the application, each seller subscribed to one: a hosted
    // deployment points every seller at one queue, and one consumer routes by SellerId (notification-routing.ts).
    const queueName = SHARED_QUEUE ? 'bench-conn-shared' : `bench-conn-${i}`;
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
    let cpuRange: [number, number] = [NaN, NaN];
    let ownCpuPerOrder = NaN;
    let firstOrderCpu = NaN;
    let rate = NaN;
    let statementsPerOrder = NaN;
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
      /** Adds `orders` orders round-robin over the sellers and waits for them in Sage; the CPU they cost. */
      const burst = async (orders: number, what: string) => {
        const base = await count();
        const a = await w.snapshot();
        const s0 = performance.now();
        for (let k = 0; k < orders; k++) sim.control.addOrder({ sellerId: sellers[k % n]!.sellerId });
        let last = -1;
        await waitUntil(`${orders} sales orders in Sage (${what})`, async () => {
          const c = (await count()) - base;
          if (c !== last && (c === orders || c % 100 === 0)) note(`${what}: ${c} sales orders in Sage`);
          last = c;
          return c >= orders;
        });
        const secs = (performance.now() - s0) / 1000;
        const b = await w.snapshot();
        return {
          cpuMs: b.cpuMs - a.cpuMs,
          sageMs: b.sageMs - a.sageMs,
          statements: b.storeStatements - a.storeStatements,
          secs,
        };
      };
      note('idle measured; orders arrive');
      if (WARMUP > 0) firstOrderCpu = (await burst(WARMUP * n, 'warm-up')).cpuMs / n;
      const runs: { cpu: number; own: number; rate: number; statements: number }[] = [];
      for (let r = 1; r <= RUNS; r++) {
        const m = await burst(ORDERS, `run ${r}/${RUNS}`);
        runs.push({
          cpu: m.cpuMs / ORDERS,
          own: (m.cpuMs - m.sageMs) / ORDERS,
          rate: ORDERS / m.secs,
          statements: m.statements / ORDERS,
        });
        note(
          `run ${r}/${RUNS}: ${(m.cpuMs / ORDERS).toFixed(2)} ms CPU per order, ${(ORDERS / m.secs).toFixed(1)} orders/s`,
        );
      }
      cpuPerOrder = median(runs.map((x) => x.cpu));
      cpuRange = [Math.min(...runs.map((x) => x.cpu)), Math.max(...runs.map((x) => x.cpu))];
      ownCpuPerOrder = median(runs.map((x) => x.own));
      rate = median(runs.map((x) => x.rate));
      statementsPerOrder = median(runs.map((x) => x.statements));
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
      cpuMsPerOrderRange: cpuRange,
      sellbridgeCpuMsPerOrder: ownCpuPerOrder,
      firstOrderCpuMsPerConn: firstOrderCpu,
      ordersPerSec: rate,
      storeStatementsPerOrder: statementsPerOrder,
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
    'runs min-max': `${f(r.cpuMsPerOrderRange[0])}-${f(r.cpuMsPerOrderRange[1])}`,
    'Sellbridge CPU ms/order': f(r.sellbridgeCpuMsPerOrder),
    'store stmts/order': f(r.storeStatementsPerOrder, 1),
    'orders/s': f(r.ordersPerSec, 1),
    'first order CPU ms/conn': f(r.firstOrderCpuMsPerConn, 1),
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
