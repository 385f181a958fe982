import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createRuntime, type Runtime } from '../../../src/bootstrap/index.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import {
  createAmazonSimulator,
  DEFAULT_SELLER,
  type AmazonSimulator,
  type CatalogItem,
  type Exchange,
} from '../../../src/simulator/amazon/index.ts';
import { dropSchemas, freshStore, PG_URL, type StoreKind } from '../../helpers/queue-env.ts';
import { startOrderWorker, type OrderWorker } from '../../helpers/order-worker-procs.ts';

/**
 * The order end-to-end harness (the Must-show test and `npm run bench -- orders`): the SP-API simulator over HTTP,
 * the Sage 500 sandbox in a SQLite file every process opens, a fresh store (SQLite file or PostgreSQL schema), and
 * N worker processes (test/helpers/order-worker.ts: `createRuntime` role worker + `start()`). The test plays the
 * notification transport: every ORDER_CHANGE the simulator publishes is captured and put on the workers' SQS queue
 * by `deliver` (as many copies as asked, in shuffled order), and the test plays the warehouse (`shipAll`).
 */

/** The Sage sandbox demo company's stock items (src/connectors/sage500/sandbox/seed.ts), one through its Sage alias. */
export const SAGE_SKUS: CatalogItem[] = [
  { sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 },
  { sku: 'WIDGET-BLUE', title: 'Widget, blue', priceMinor: 1999 },
  { sku: 'GADGET-PRO', title: 'Gadget Pro', priceMinor: 14900 },
  { sku: 'CABLE-USB-C', title: 'USB-C cable 1 m', priceMinor: 949 },
  { sku: 'AMZ-RED-WIDGET', title: 'Red widget (alias)', priceMinor: 1999 },
];

export const INTAKE_QUEUE = 'sellbridge-orders-in';

export interface HarnessOptions {
  readonly kind: StoreKind;
  readonly name: string;
  readonly seed: number;
  /** Simulator time scale (usage plans refill this much faster). */
  readonly timeScale: number;
  readonly limits: boolean;
  readonly unknownSkuRate: number;
  /** Sage shipments poll interval of the workers. */
  readonly shipmentPollEveryMs?: number;
  /** SQS long-poll wait of the workers (default 1 s, so tests end quickly; production waits 20 s). */
  readonly sqsWaitTimeSeconds?: number;
  /** When set, workers refuse every Sage call while this file exists (see order-worker.ts). */
  readonly outage?: boolean;
  readonly jobs?: Record<string, number>;
  /** More settings of the `amazon`, `orders` and `server` sections (the chaos run: circuits, webhook, API port). */
  readonly amazon?: Record<string, unknown>;
  readonly orders?: Record<string, unknown>;
  readonly server?: Record<string, unknown>;
  readonly onExchange?: (e: Exchange) => void;
}

export interface Harness {
  readonly dir: string;
  readonly sim: AmazonSimulator;
  /** The test's own connection to the Sage sandbox file (the warehouse, and reading Sage back). */
  readonly sage: SandboxGateway;
  /** The store, for reading state back. */
  readonly store: Store;
  /** A runtime in the client role on the same config: dead letters, aliases, order links. */
  readonly client: Runtime;
  readonly configFile: string;
  readonly outageFile: string;
  readonly workers: OrderWorker[];
  startWorkers(n: number): Promise<OrderWorker[]>;
  /** Notifications captured and not yet delivered. */
  pendingNotifications(): number;
  /**
   * Puts every captured, undelivered ORDER_CHANGE on the intake queue `copies` times; `shuffle` mixes all copies
   * (a seeded shuffle), so duplicates and reordering span orders. Returns the order ids delivered, first copy first.
   */
  deliver(copies: number, shuffle: boolean): string[];
  /** Like `deliver`, but hands the copies to the caller (who delivers them some other way, e.g. to the webhook). */
  take(copies: number, shuffle: boolean): { orderId: string; body: string }[];
  /** Ships every open order at the sandbox warehouse, round after round (split orders take two), until none is due. */
  shipAll(): Promise<number>;
  close(): Promise<void>;
}

export async function startHarness(o: HarnessOptions): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-orders-e2e-'));
  const captured: { orderId: string; body: string }[] = [];
  const sim = await createAmazonSimulator({
    seed: o.seed,
    timeScale: o.timeScale,
    limits: o.limits,
    scenario: {
      skus: SAGE_SKUS,
      unknownSkuRate: o.unknownSkuRate,
      afnRate: 0,
      pendingRate: 0,
      cancelledRate: 0,
      businessRate: 0,
      // Addresses as the simulator makes them by default: non-Latin names, long lines, long cities, the odd
      // address in Japanese or Chinese script. All of them must reach Sage (address policy `fit`).
    },
    ...(o.onExchange ? { onExchange: o.onExchange } : {}),
    onNotification: (n) => {
      if (n.notificationType !== 'ORDER_CHANGE') return;
      const payload = (n.document['Payload'] as { OrderChangeNotification?: { AmazonOrderId?: string } } | undefined)
        ?.OrderChangeNotification;
      captured.push({ orderId: payload?.AmazonOrderId ?? '?', body: JSON.stringify(n.document) });
    },
  });
  // The simulator publishes to a subscription's queue nobody reads; the test delivers the captured documents itself.
  sim.control.subscribe({ notificationType: 'ORDER_CHANGE', queueName: 'captured-not-read' });
  const queueUrl = sim.control.sqsQueueUrl(INTAKE_QUEUE);
  const sagePath = join(dir, 'sage500-sandbox.db');
  const sage = await createSandboxGateway({
    path: sagePath,
    warehouseSimulator: { delayMs: 0, partialEvery: 3, packagesPerShipment: 1 },
  });
  const store = await freshStore(o.kind, o.name);
  const storeConfig = o.kind === 'sqlite' ? { url: store.url } : { url: PG_URL, schema: store.schema, poolSize: 6 };
  const configFile = join(dir, 'sellbridge.yaml');
  writeFileSync(
    configFile,
    stringify({
      store: storeConfig,
      jobs: {
        concurrency: 4,
        maxAttempts: 15,
        backoffBaseMs: 100,
        backoffMaxMs: 1000,
        leaseMs: 10_000,
        pollIntervalMs: 50,
        shutdownGraceMs: 1000,
        ...o.jobs,
      },
      log: { level: 'warn' },
      amazon: {
        endpoint: sim.url,
        lwaEndpoint: `${sim.url}/auth/o2/token`,
        lwaClientId: 'cid',
        lwaClientSecret: 'secret',
        refreshToken: DEFAULT_SELLER.refreshToken,
        sellerId: DEFAULT_SELLER.sellerId,
        requestTimeoutMs: 5000,
        sqs: {
          queueUrl,
          endpoint: sim.url,
          accessKeyId: 'sim',
          secretAccessKey: 'sim',
          waitTimeSeconds: o.sqsWaitTimeSeconds ?? 1,
          maxMessages: 10,
        },
        // Limits off at the simulator: the client's own buckets must not hold it to Amazon's published plans either
        // (with limits on, the simulator's x-amzn-RateLimit-Limit header sets the time-scaled rate).
        ...(o.limits
          ? {}
          : {
              usagePlans: Object.fromEntries(
                [
                  'orders.getOrder',
                  'orders.searchOrders',
                  'ordersV0.confirmShipment',
                  'tokens.createRestrictedDataToken',
                ].map((op) => [op, { rate: 100_000, burst: 100_000 }]),
              ),
            }),
        ...o.amazon,
      },
      // The test process is the only writer of shipments (in key order), so a short rewind is enough.
      sage500: {
        kind: 'sandbox',
        sandboxPath: sagePath,
        warehouseSimulator: { enabled: false },
        shipmentRewindKeys: 50,
      },
      orders: {
        shipmentPollEveryMs: o.shipmentPollEveryMs ?? 1000,
        poll: { enabled: false },
        sageCircuit: { failureThreshold: 3, openMs: 500 },
        ...o.orders,
      },
      ...(o.server ? { server: o.server } : {}),
    }),
  );
  const config = loadConfig({ file: configFile, env: {} });
  const client = await createRuntime(config, { role: 'client', logger: silentLogger(), migrate: false, sage });
  const outageFile = join(dir, 'sage-outage');
  const workers: OrderWorker[] = [];
  let rng = o.seed >>> 0 || 1;
  const random = () => {
    rng ^= rng << 13;
    rng ^= rng >>> 17;
    rng ^= rng << 5;
    return (rng >>> 0) / 0x1_0000_0000;
  };
  const take = (copies: number, shuffle: boolean) => {
    const docs = captured.splice(0);
    const all = docs.flatMap((d) => Array.from({ length: copies }, () => d));
    if (shuffle) {
      for (let i = all.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [all[i], all[j]] = [all[j]!, all[i]!];
      }
    }
    return all;
  };
  return {
    dir,
    sim,
    sage,
    store,
    client,
    configFile,
    outageFile,
    workers,
    async startWorkers(n) {
      const env: Record<string, string> = {
        SB_WORKER_CONFIG: configFile,
        ...(o.outage ? { SB_SAGE_OUTAGE_FILE: outageFile } : {}),
      };
      const started = await Promise.all(Array.from({ length: n }, () => startOrderWorker(env)));
      workers.push(...started);
      return started;
    },
    pendingNotifications: () => captured.length,
    deliver(copies, shuffle) {
      const all = take(copies, shuffle);
      for (const d of all) sim.control.sendRawMessage(INTAKE_QUEUE, d.body);
      return all.map((d) => d.orderId);
    },
    take: (copies, shuffle) => take(copies, shuffle),
    async shipAll() {
      let total = 0;
      for (;;) {
        const n = await sage.shipDueOrders();
        if (n === 0) return total;
        total += n;
      }
    },
    async close() {
      await Promise.all(workers.map((w) => w.kill()));
      // ORDERS_E2E_LOGS=<dir> (with LOG_LEVEL=<level>) keeps each worker's log for a look afterwards.
      const logs = process.env['ORDERS_E2E_LOGS'];
      if (logs)
        workers.forEach((w, i) => writeFileSync(join(logs, `orders-e2e-${o.kind}-worker-${i}.log`), w.stderr()));
      await client.close().catch(() => undefined); // closes `sage` too (passed as options.sage)
      await store.close().catch(() => undefined);
      await sim.close();
      if (o.kind === 'postgres') await dropSchemas(store.schema).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
