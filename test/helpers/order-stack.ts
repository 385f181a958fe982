import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../src/bootstrap/index.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { ResolvedConfig } from '../../src/config/schema.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createAmazonSimulator, type AmazonSimulator } from '../../src/simulator/amazon/index.ts';
import { simulatorConfigOverrides } from './simulator-connection.ts';

/**
 * The system as `sellbridge run --role worker` composes it, for integration and e2e tests: the SP-API simulator over
 * HTTP (optionally with an ORDER_CHANGE SQS subscription the runtime's intake reads), the Sage 500 sandbox in a fresh
 * temp directory, a fresh SQLite store beside it, and createRuntime (worker role) started. `close()` stops the
 * runtime, the simulator and removes the directory.
 */
export interface OrderStackOptions {
  /** Temp directory prefix (`sb-<name>-`). */
  readonly name: string;
  /** Options of the simulator (seed, timeScale, scenario, onExchange). */
  readonly simulator: Parameters<typeof createAmazonSimulator>[0];
  /** Subscribe ORDER_CHANGE to this SQS queue name and point `amazon.sqs.*` at it (default: no SQS intake). */
  readonly sqsQueue?: string;
  /**
   * The Sage sandbox as `sage500.kind`: `warehouse` ships orders by itself (no delay, no partial shipments),
   * `no-warehouse` leaves them `created`, `none` sets no sage500 config (pass a gateway in `prepare`).
   */
  readonly sage: 'warehouse' | 'no-warehouse' | 'none';
  /** More config overrides (path → value), after the ones above. */
  readonly overrides?: Readonly<Record<string, string>>;
  /** Runs before the config is loaded (e.g. set up the sandbox at `sagePath`); may return more runtime options. */
  readonly prepare?: (paths: { dir: string; sagePath: string }) => Promise<Partial<RuntimeOptions> | void>;
  /** Runtime options (default: a silent logger). */
  readonly runtime?: Partial<RuntimeOptions>;
  /** Called with the runtime before `runtime.start()` (e.g. to subscribe to queue events). */
  readonly beforeStart?: (runtime: Runtime) => void;
}

export interface OrderStack {
  readonly dir: string;
  /** The Sage sandbox database file (`<dir>/sage.db`). */
  readonly sagePath: string;
  readonly sim: AmazonSimulator;
  readonly config: ResolvedConfig;
  readonly runtime: Runtime;
  close(): Promise<void>;
}

export async function startOrderStack(options: OrderStackOptions): Promise<OrderStack> {
  const dir = mkdtempSync(join(tmpdir(), `sb-${options.name}-`));
  const sagePath = join(dir, 'sage.db');
  let sim: AmazonSimulator | undefined;
  let runtime: Runtime | undefined;
  const close = async () => {
    await runtime?.close();
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    sim = await createAmazonSimulator(options.simulator);
    const extra = (await options.prepare?.({ dir, sagePath })) ?? {};
    const set = (path: string, value: string) => ({ path, value });
    const overrides = [...simulatorConfigOverrides(sim.url), set('store.url', `sqlite:${join(dir, 'sellbridge.db')}`)];
    if (options.sqsQueue) {
      const { queueUrl } = sim.control.subscribe({ notificationType: 'ORDER_CHANGE', queueName: options.sqsQueue });
      overrides.push(
        set('amazon.sqs.queueUrl', queueUrl),
        set('amazon.sqs.endpoint', sim.url),
        set('amazon.sqs.waitTimeSeconds', '1'),
        set('amazon.sqs.accessKeyId', 'sim'),
        set('amazon.sqs.secretAccessKey', 'sim'),
      );
    }
    if (options.sage === 'warehouse')
      overrides.push(
        set('sage500.kind', 'sandbox'),
        set('sage500.sandboxPath', sagePath),
        set('sage500.warehouseSimulator.enabled', 'true'),
        set('sage500.warehouseSimulator.delayMs', '0'),
        set('sage500.warehouseSimulator.partialEvery', '0'),
      );
    if (options.sage === 'no-warehouse')
      overrides.push(
        set('sage500.kind', 'sandbox'),
        set('sage500.sandboxPath', sagePath),
        set('sage500.warehouseSimulator.enabled', 'false'),
      );
    for (const [path, value] of Object.entries(options.overrides ?? {})) overrides.push(set(path, value));
    const config = loadConfig({ file: '/dev/null', overrides });
    runtime = await createRuntime(config, {
      role: 'worker',
      logger: createLogger({ level: 'silent', format: 'json' }),
      ...options.runtime,
      ...extra,
    });
    options.beforeStart?.(runtime);
    await runtime.start();
    return { dir, sagePath, sim, config, runtime, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
