// A Sellbridge worker process for the order end-to-end test and the orders benchmark: `createRuntime` in the worker
// role from a config file, then `start()` (queue, scheduler, SQS intake), exactly as `sellbridge run --role worker`
// does, with one test hook: the Sage sandbox gateway is injected (options.sage) behind a switchable outage.
//   SB_WORKER_CONFIG: the YAML config file (store, amazon -> simulator, sage500 sandbox file, jobs, orders).
//   SB_SAGE_OUTAGE_FILE: while this file exists, every Sage call fails as SB_SAGE_UNAVAILABLE (Sage down); each
//     refused call prints `sage-refused` on stdout.
//   LOG_LEVEL: log to stderr at this level (default silent).
// Prints `ready` once started. On SIGTERM it stops, prints `cpu {"user":..,"system":..}` (µs, process.cpuUsage since
// `ready`: start-up excluded) and `stats {...}` (what `WorkerStats` in order-worker-procs.ts describes) and exits 0.
// On SIGUSR2 it prints `stats {...}` and goes on (benchmarks read an idle period's figures so).
import { existsSync } from 'node:fs';
import pg from 'pg';
import { createRuntime } from '../../src/bootstrap/index.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createSandboxGateway, type SandboxGateway } from '../../src/connectors/sage500/sandbox-gateway.ts';
import { SellbridgeError } from '../../src/core/errors.ts';
import type { Sage500Gateway } from '../../src/core/ports/sage500-gateway.ts';
import { createLogger } from '../../src/observability/logger.ts';

// Every query this process sends to PostgreSQL (Sellbridge's pool and pg-boss's, which share the `pg` package):
// the benchmark's round trips per order and an idle worker's queries per second.
let pgQueries = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  pgQueries++;
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

const env = process.env;
const config = loadConfig({ file: env['SB_WORKER_CONFIG']!, env: {} });
const outageFile = env['SB_SAGE_OUTAGE_FILE'];
const s = config.sage500;
const sandbox = await createSandboxGateway({
  measureCpu: true,
  path: s.sandboxPath,
  companyId: s.companyId,
  userId: s.userId,
  shipmentRewindKeys: s.shipmentRewindKeys,
  shipmentPageKeys: s.shipmentPageKeys,
  importMaxCalls: s.importMaxCalls,
  warehouseSimulator: { enabled: false },
});
const runtime = await createRuntime(config, {
  role: 'worker',
  logger: createLogger({ level: env['LOG_LEVEL'] ?? 'silent', destination: process.stderr }),
  sage: outageFile ? withOutage(sandbox, outageFile) : sandbox,
  // The harness migrated the store before starting workers (one migrator, not three racing at start).
  migrate: false,
});
await runtime.start();
const cpuAtReady = process.cpuUsage();
process.stdout.write('ready\n');

/**
 * CPU since ready, store statements, and the sandbox's share: the CPU time inside its SQLite (Sage's work on a real
 * site; wall time there holds commit fsyncs and lock waits, which are not CPU).
 */
const stats = () => {
  const cpu = process.cpuUsage(cpuAtReady);
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    storeStatements: runtime.store.statements(),
    sageStatements: sandbox.sqlite.statements,
    sageMs: sandbox.sqlite.cpuMicros / 1000,
    pgQueries,
  };
};
process.on('SIGUSR2', () => process.stdout.write(`stats ${JSON.stringify(stats())}\n`));
process.once('SIGTERM', () => {
  void runtime.close().then(() => {
    const s = stats();
    process.stdout.write(`cpu ${JSON.stringify(process.cpuUsage(cpuAtReady))}\nstats ${JSON.stringify(s)}\n`, () =>
      process.exit(0),
    );
  });
});

/** The gateway with every call refused while `file` exists, as the SQL Server adapter refuses them when Sage is down. */
function withOutage(gateway: SandboxGateway, file: string): Sage500Gateway {
  return new Proxy(gateway, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || prop === 'close') return value;
      return async (...args: unknown[]) => {
        if (existsSync(file)) {
          process.stdout.write('sage-refused\n');
          throw new SellbridgeError(
            'SB_SAGE_UNAVAILABLE',
            `Sage 500 is unavailable (test outage) during ${String(prop)}`,
            { retryAfterMs: 300, context: { operation: String(prop) } },
          );
        }
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
}
