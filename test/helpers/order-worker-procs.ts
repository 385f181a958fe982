import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./order-worker.ts', import.meta.url));

/** What a worker reports (test/helpers/order-worker.ts), counted from the moment it was ready. */
export interface WorkerStats {
  /** CPU (user + system) of the process since ready, ms. */
  readonly cpuMs: number;
  /** Statements the process executed on Sellbridge's store (Kysely's; pg-boss's own are not counted). */
  readonly storeStatements: number;
  /** Statements and time inside the Sage sandbox's SQLite: the part SQL Server does on a real site. */
  readonly sageStatements: number;
  readonly sageMs: number;
  /** Queries sent to PostgreSQL (Sellbridge's and pg-boss's): round trips. 0 on SQLite. */
  readonly pgQueries: number;
}

/** A running order worker (test/helpers/order-worker.ts) and what it printed. */
export interface OrderWorker {
  readonly child: ChildProcess;
  /** `sage-refused` lines so far (calls refused by the test outage). */
  sageRefused(): number;
  stderr(): string;
  /** SIGTERM, wait for exit; resolves with the CPU time the process used (µs, process.cpuUsage). */
  stop(): Promise<{ user: number; system: number } | undefined>;
  /** The figures of the last stop(), or of a `snapshot()`. */
  stats(): WorkerStats | undefined;
  /** Asks the running worker for its figures so far (SIGUSR2) and resolves with them. */
  snapshot(): Promise<WorkerStats>;
  kill(): Promise<void>;
}

const READY = /(^|\n)ready\n/;

/** Starts an order worker and resolves once it printed `ready`. */
export function startOrderWorker(env: Record<string, string>): Promise<OrderWorker> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let refused = 0;
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.length > 200_000) err = err.slice(-100_000);
    });
    child.stdout!.on('data', (d: Buffer) => {
      const text = d.toString();
      refused += text.split('sage-refused').length - 1;
      out += text.replace(/sage-refused\n/g, '');
      // The line `ready` alone: a log line saying e.g. `already` must not count (a SIGUSR2 before the handler kills it).
      if (READY.test(out)) resolve(worker);
    });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.once('exit', (code, signal) => {
      if (!READY.test(out))
        reject(new Error(`order worker exited (${code ?? signal}) before it was ready: ${err.slice(-4000)}`));
    });
    const worker: OrderWorker = {
      child,
      sageRefused: () => refused,
      stderr: () => err,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
        const m = /cpu (\{.*\})/.exec(out);
        return m ? (JSON.parse(m[1]!) as { user: number; system: number }) : undefined;
      },
      stats() {
        const all = [...out.matchAll(/stats (\{.*\})/g)];
        return all.length ? (JSON.parse(all[all.length - 1]![1]!) as WorkerStats) : undefined;
      },
      snapshot() {
        const seen = out.split('stats {').length;
        child.kill('SIGUSR2');
        return new Promise<WorkerStats>((res, rej) => {
          const check = () => {
            if (out.split('stats {').length > seen && out.endsWith('\n')) {
              child.stdout!.off('data', check);
              res(worker.stats()!);
            }
          };
          child.stdout!.on('data', check);
          child.once('exit', () => rej(new Error('order worker exited before it reported its figures')));
        });
      },
      async kill() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      },
    };
  });
}
