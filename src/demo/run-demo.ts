import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../config/load.ts';
import { createSandboxGateway, type SandboxGateway } from '../connectors/sage500/sandbox-gateway.ts';
import { SO_STATUS } from '../connectors/sage500/tables.ts';
import { createLogger } from '../observability/logger.ts';
import { createAmazonSimulator, DEFAULT_SELLER, type AmazonSimulator } from '../simulator/amazon/index.ts';
import { countOrderLinks } from '../connectors/store/order-links.ts';
import { startDemoEngine, type DemoEngine } from './engine.ts';
import { DEMO_SKUS, DEMO_SPLIT_EVERY, expectationsOf, planDemoScenario, type DemoExpectations } from './scenario.ts';

/**
 * `sellbridge demo`, the whole play: the SP-API simulator (over HTTP, usage plans on, time-scaled), the Sage 500
 * sandbox in a fresh SQLite file, and the engine (`createRuntime` on a fresh SQLite store) with its SQS intake
 * reading the simulator's notification queue. Orders arrive, one carries an unknown SKU, one is cancelled by the
 * buyer after it reached Sage, the sandbox warehouse ships the rest (every third in two parts), and the engine
 * confirms each package to Amazon. The result is read back from the three places (engine store, Sage, Amazon).
 */
export interface DemoOptions {
  readonly orders: number;
  /** Directory for the store, the Sage sandbox, the config and the log (created). */
  readonly dir: string;
  readonly seed?: number;
  /** Simulated seconds per real second at the simulator (usage plans refill that much faster). */
  readonly timeScale?: number;
  /** Longest wait for one stage before the demo gives up. */
  readonly stageTimeoutMs?: number;
  readonly onProgress?: (event: DemoProgress) => void;
  /**
   * Keep the engine and the HTTP server up after the scenario: called with the result, the dashboard URL and a
   * one-time admin token (nothing else can sign in to a demo); everything stops when it resolves.
   */
  readonly serve?: (info: DemoServeInfo) => Promise<void>;
}

export interface DemoServeInfo {
  readonly result: DemoResult;
  readonly dashboardUrl: string | undefined;
  readonly adminToken: string;
}

export type DemoStage = 'start' | 'orders' | 'cancel' | 'ship' | 'done';

export interface DemoCounts {
  readonly received: number;
  readonly created: number;
  readonly cancelled: number;
  readonly shipped: number;
  readonly confirmed: number;
  readonly deadLettered: number;
}

export type DemoProgress =
  | { readonly type: 'stage'; readonly stage: DemoStage; readonly text: string }
  | { readonly type: 'counts'; readonly stage: DemoStage; readonly counts: DemoCounts }
  | { readonly type: 'info'; readonly text: string };

export interface DeadLetterLine {
  readonly amazonOrderId: string;
  readonly code: string;
  readonly reason: string;
}

export interface DemoSummary {
  /** Orders the engine knows of (order_links). */
  readonly received: number;
  /** Sales orders in Sage. */
  readonly created: number;
  /** Sage orders cancelled after the buyer cancelled at Amazon. */
  readonly cancelled: number;
  /** Sage orders with at least one shipment; split: with two or more. */
  readonly shipped: number;
  readonly splitShipments: number;
  /** Packages the Sage warehouse shipped (with goods) and packages Amazon shows confirmed (simulator records). */
  readonly packagesShipped: number;
  readonly packagesConfirmed: number;
  /** Orders Amazon shows SHIPPED. */
  readonly confirmed: number;
  readonly deadLettered: readonly DeadLetterLine[];
  /** 429 answers the simulator gave (usage plans on, time-scaled by `timeScale`): each one waited for, none lost. */
  readonly throttled: number;
  readonly timeScale: number;
  /** Packages Amazon accepted a confirmShipment for more than once (must be 0). */
  readonly packagesConfirmedTwice: number;
}

export interface DemoResult {
  readonly dir: string;
  readonly files: { readonly store: string; readonly sage: string; readonly config: string; readonly log: string };
  readonly dashboardUrl: string | undefined;
  readonly durationMs: number;
  readonly scenario: {
    readonly orders: number;
    readonly badSku: readonly string[];
    readonly cancelled: readonly string[];
  };
  readonly expected: DemoExpectations;
  readonly summary: DemoSummary;
  /** Differences between expected and summary; empty when the demo did what the scenario says. */
  readonly mismatches: readonly string[];
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const started = performance.now();
  const progress = options.onProgress ?? (() => undefined);
  const stageTimeoutMs = options.stageTimeoutMs ?? 45_000;
  const scenario = planDemoScenario(options.orders);
  const expected = expectationsOf(scenario);
  mkdirSync(options.dir, { recursive: true });
  const files = {
    store: join(options.dir, 'sellbridge.db'),
    sage: join(options.dir, 'sage500-sandbox.db'),
    config: join(options.dir, 'sellbridge.yaml'),
    log: join(options.dir, 'sellbridge.log'),
  };

  let throttled = 0;
  /** confirmShipment calls Amazon accepted, per `<orderId>#<packageReferenceId>` (each must be 1). */
  const confirmCalls = new Map<string, number>();
  let sim: AmazonSimulator | undefined;
  let warehouse: SandboxGateway | undefined;
  let engine: DemoEngine | undefined;
  let server: { close(): Promise<unknown> } | undefined;
  const logStream = createWriteStream(files.log, { flags: 'a' });
  try {
    progress({
      type: 'stage',
      stage: 'start',
      text: `starting the SP-API simulator, the Sage 500 sandbox and the engine in ${options.dir}`,
    });
    const timeScale = options.timeScale ?? 60;
    sim = await createAmazonSimulator({
      seed: options.seed ?? 2026,
      timeScale,
      limits: true,
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
      onExchange: (e) => {
        if (e.status === 429) throttled++;
        if (e.operation !== 'ordersV0.confirmShipment' || e.status >= 300) return;
        const orderId = /orders\/([^/]+)\/shipmentConfirmation/.exec(e.path)?.[1];
        const ref = (e.requestBody as { packageDetail?: { packageReferenceId?: string } } | undefined)?.packageDetail
          ?.packageReferenceId;
        const key = `${orderId}#${ref}`;
        confirmCalls.set(key, (confirmCalls.get(key) ?? 0) + 1);
      },
    });
    const { queueUrl } = sim.control.subscribe({
      notificationType: 'ORDER_CHANGE',
      queueName: 'sellbridge-demo-orders',
    });
    // The warehouse side of Sage (this process plays it): the sandbox file is created and seeded here first.
    warehouse = await createSandboxGateway({
      path: files.sage,
      warehouseSimulator: { delayMs: 0, partialEvery: DEMO_SPLIT_EVERY, packagesPerShipment: 1 },
    });
    writeFileSync(
      files.config,
      demoConfigYaml({ simUrl: sim.url, queueUrl, storePath: files.store, sagePath: files.sage, timeScale }),
    );
    const config = loadConfig({ file: files.config, env: {} });
    engine = await startDemoEngine(config, { logger: createLogger({ level: 'info', destination: logStream }) });
    const runtime = engine.runtime;
    // Only a served demo gets a token: a demo that ends with its summary has nobody to sign in.
    const adminToken = options.serve ? randomBytes(24).toString('base64url') : config.server.adminToken;
    const dashboardUrl = await startServer(
      runtime,
      adminToken,
      (s) => (server = s),
      (text) => progress({ type: 'info', text }),
    );
    if (dashboardUrl) progress({ type: 'info', text: `dashboard (while the demo runs): ${dashboardUrl}` });

    const reader = createDemoReader(runtime, warehouse, sim);
    const waitFor = async (stage: DemoStage, done: (c: DemoCounts) => boolean, what: string) => {
      const deadline = Date.now() + stageTimeoutMs;
      let last = '';
      for (;;) {
        const counts = await reader.counts(ids);
        const text = JSON.stringify(counts);
        if (text !== last) progress({ type: 'counts', stage, counts });
        last = text;
        if (done(counts) && (await reader.idle())) return counts;
        if (Date.now() > deadline)
          throw new Error(
            `demo: gave up after ${stageTimeoutMs} ms waiting for ${what} (${text}); the log is in ${files.log}`,
          );
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    progress({
      type: 'stage',
      stage: 'orders',
      text: `${scenario.orders.length} orders arrive at Amazon (one with unknown SKU, one the buyer will cancel); notifications go to SQS`,
    });
    const ids = scenario.orders.map((o) => sim!.control.addOrder(o.overrides).orderId);
    const idsOf = (role: string) => scenario.orders.filter((o) => o.role === role).map((o) => ids[o.index]!);
    await waitFor(
      'orders',
      (c) =>
        c.received === expected.received && c.created === expected.created && c.deadLettered === expected.deadLettered,
      'every order to be created in Sage or dead-lettered',
    );

    progress({ type: 'stage', stage: 'cancel', text: `the buyer cancels ${idsOf('cancel').join(', ')} at Amazon` });
    for (const id of idsOf('cancel')) sim.control.cancelOrder(id);
    await waitFor('cancel', (c) => c.cancelled === expected.cancelled, 'the cancellation to reach Sage');

    progress({
      type: 'stage',
      stage: 'ship',
      text: `the Sage warehouse ships (every ${DEMO_SPLIT_EVERY}rd order in two parts); Sellbridge confirms each package to Amazon`,
    });
    while ((await warehouse.shipDueOrders()) > 0) {
      // one shipment per order per round; split orders take a second round
    }
    await waitFor(
      'ship',
      (c) => c.shipped === expected.shipped && c.confirmed === expected.shipped,
      'every shipped package to be confirmed at Amazon',
    );

    const summary = {
      ...(await reader.summary(ids)),
      throttled,
      timeScale,
      packagesConfirmedTwice: [...confirmCalls.values()].filter((n) => n > 1).length,
    };
    progress({ type: 'stage', stage: 'done', text: 'done' });
    const result: DemoResult = {
      dir: options.dir,
      files,
      dashboardUrl,
      durationMs: Math.round(performance.now() - started),
      scenario: { orders: ids.length, badSku: idsOf('bad-sku'), cancelled: idsOf('cancel') },
      expected,
      summary,
      mismatches: compare(expected, summary),
    };
    if (options.serve) await options.serve({ result, dashboardUrl, adminToken: adminToken! });
    return result;
  } finally {
    await server?.close().catch(() => undefined);
    await engine?.close().catch(() => undefined);
    await warehouse?.close().catch(() => undefined);
    await sim?.close().catch(() => undefined);
    await new Promise<void>((r) => logStream.end(() => r()));
  }
}

/**
 * The HTTP edge beside the engine; answers the dashboard URL when this build serves `/dashboard`, else
 * undefined. A server that cannot start costs the demo its URL, not its run.
 */
async function startServer(
  runtime: DemoEngine['runtime'],
  adminToken: string | undefined,
  keep: (s: { close(): Promise<unknown> }) => void,
  note: (text: string) => void,
): Promise<string | undefined> {
  try {
    const { buildApp } = await import('../server/app.ts');
    const app = buildApp({ ...runtime, adminToken });
    keep(app);
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const status = await fetch(`${address}/dashboard`).then(
      (r) => r.status,
      () => 404,
    );
    return status === 404 ? undefined : `${address}/dashboard`;
  } catch (err) {
    note(`(no HTTP server: ${err instanceof Error ? err.message : String(err)})`);
    return undefined;
  }
}

function compare(expected: DemoExpectations, s: DemoSummary): string[] {
  const out: string[] = [];
  const check = (name: string, want: number, got: number) =>
    void (want !== got && out.push(`${name}: expected ${want}, got ${got}`));
  check('received', expected.received, s.received);
  check('created', expected.created, s.created);
  check('cancelled', expected.cancelled, s.cancelled);
  check('shipped', expected.shipped, s.shipped);
  check('confirmed orders', expected.shipped, s.confirmed);
  check('confirmed packages', s.packagesShipped, s.packagesConfirmed);
  check('dead-lettered', expected.deadLettered, s.deadLettered.length);
  const codes = s.deadLettered
    .map((d) => d.code)
    .sort()
    .join(',');
  if (codes !== [...expected.deadLetterCodes].sort().join(','))
    out.push(`dead-letter codes: expected ${expected.deadLetterCodes.join(',')}, got ${codes}`);
  if (s.packagesConfirmedTwice > 0) out.push(`packages confirmed twice: ${s.packagesConfirmedTwice}`);
  if (s.splitShipments < 1) out.push('split shipments: expected at least one order shipped in two parts');
  return out;
}

/** The demo's configuration, written next to its files so `sellbridge run -c <dir>/sellbridge.yaml` can reuse them. */
function demoConfigYaml(o: {
  simUrl: string;
  queueUrl: string;
  storePath: string;
  sagePath: string;
  timeScale: number;
}): string {
  const config = {
    store: { url: `sqlite:${o.storePath}` },
    jobs: {
      concurrency: 4,
      backoffBaseMs: 200,
      backoffMaxMs: 2000,
      leaseMs: 15_000,
      pollIntervalMs: 50,
      shutdownGraceMs: 2000,
    },
    log: { level: 'info' },
    server: { host: '127.0.0.1', port: 0 },
    amazon: {
      endpoint: o.simUrl,
      lwaEndpoint: `${o.simUrl}/auth/o2/token`,
      lwaClientId: 'demo-client',
      lwaClientSecret: 'demo-secret',
      refreshToken: DEFAULT_SELLER.refreshToken,
      sellerId: DEFAULT_SELLER.sellerId,
      requestTimeoutMs: 5000,
      sqs: {
        queueUrl: o.queueUrl,
        endpoint: o.simUrl,
        accessKeyId: 'demo',
        secretAccessKey: 'demo',
        waitTimeSeconds: 1,
      },
    },
    sage500: { kind: 'sandbox', sandboxPath: o.sagePath, warehouseSimulator: { enabled: false } },
    // Sage shipments are read every half second so the demo does not wait a minute for the next poll.
    orders: { shipmentPollEveryMs: 500 },
  };
  return `# Written by \`sellbridge demo\` (simulator at ${o.simUrl}, time scale ${o.timeScale}); the simulator is gone once the demo ends.\n${stringify(config)}`;
}

/** Reads the demo's state from the engine store, the Sage sandbox and the simulator. */
function createDemoReader(runtime: DemoEngine['runtime'], sage: SandboxGateway, sim: AmazonSimulator) {
  const sageOrders = async () => {
    const rows = await sage.db.selectFrom('tsoSalesOrder').select(['SOKey', 'Status']).execute();
    return rows;
  };
  const shipmentsPerOrder = async () => {
    const rows = await sage.db
      .selectFrom('tsoShipLine as sl')
      .innerJoin('tsoSOLine as l', 'l.SOLineKey', 'sl.SOLineKey')
      .innerJoin('tsoSOLine_AMZ as x', 'x.SOLineKey', 'l.SOLineKey')
      .select(['l.SOKey', 'sl.ShipKey'])
      .distinct()
      .execute();
    const per = new Map<number, number>();
    for (const r of rows) per.set(Number(r.SOKey), (per.get(Number(r.SOKey)) ?? 0) + 1);
    return { per, packages: rows.length };
  };
  const deadLetters = async (): Promise<DeadLetterLine[]> =>
    (await runtime.deadLetters.list({ status: 'open' })).map((d) => ({
      amazonOrderId: String((d.payload as { amazonOrderId?: unknown } | null)?.amazonOrderId ?? d.jobKey),
      code: d.error.code,
      reason: d.error.issues?.length
        ? d.error.issues
            .map(
              (i) =>
                `${i.field}: ${i.problem}${i.suggestions?.length ? ` (did you mean ${i.suggestions.join(', ')}?)` : ''}`,
            )
            .join('; ')
        : d.error.message,
    }));
  return {
    async counts(ids: readonly string[]): Promise<DemoCounts> {
      const received = await countOrderLinks(runtime.store, runtime.orders.connectionId);
      const orders = await sageOrders();
      const { per } = await shipmentsPerOrder();
      return {
        received,
        created: orders.length,
        cancelled: orders.filter((o) => Number(o.Status) === SO_STATUS.canceled).length,
        shipped: per.size,
        confirmed: ids.filter((id) => sim.control.order(id)?.status === 'SHIPPED').length,
        deadLettered: (await runtime.deadLetters.list({ status: 'open' })).length,
      };
    },
    /** No order or shipment work pending or running (the recurring shipment poll aside). */
    async idle(): Promise<boolean> {
      const counts = await runtime.queue.counts();
      return counts.every(
        (c) => c.queue === 'shipment.poll' || (c.state !== 'pending' && c.state !== 'running') || c.count === 0,
      );
    },
    async summary(
      ids: readonly string[],
    ): Promise<Omit<DemoSummary, 'throttled' | 'timeScale' | 'packagesConfirmedTwice'>> {
      const counts = await this.counts(ids);
      const { per, packages } = await shipmentsPerOrder();
      const packagesConfirmed = ids.reduce((n, id) => n + (sim.control.order(id)?.packages.length ?? 0), 0);
      return {
        received: counts.received,
        created: counts.created,
        cancelled: counts.cancelled,
        shipped: counts.shipped,
        splitShipments: [...per.values()].filter((n) => n > 1).length,
        packagesShipped: packages,
        packagesConfirmed,
        confirmed: counts.confirmed,
        deadLettered: await deadLetters(),
      };
    },
  };
}
