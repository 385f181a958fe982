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
import { SDE } from '../connectors/sage500/sandbox/seed-sde.ts';
import { startDemoEngine, type DemoEngine } from './engine.ts';
import {
  DEMO_SKUS,
  DEMO_SPLIT_EVERY,
  MIN_GERMAN_DEMO_ORDERS,
  expectationsOf,
  planDemoScenario,
  planGermanScenario,
  totalExpectations,
  type DemoConnectionPlan,
  type DemoExpectations,
} from './scenario.ts';

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

/** One connection's part of the demo: who sold where, into which Sage company, and what became of its orders. */
export interface DemoConnectionResult {
  readonly id: string;
  readonly sellerId: string;
  readonly region: string;
  readonly marketplace: string;
  readonly currency: string;
  readonly companyId: string;
  /** The Sage customer and currency of its sales orders, as Sage holds them (`CustID CurrID`, distinct). */
  readonly sageCustomers: readonly string[];
  readonly expected: DemoExpectations;
  readonly summary: DemoCounts & { readonly packagesShipped: number; readonly packagesConfirmed: number };
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
  /** Totals over the connections. */
  readonly summary: DemoSummary;
  /** One row per connection (issue 21: a US seller into SOA, a German seller into SDE). */
  readonly connections: readonly DemoConnectionResult[];
  /** Differences between expected and summary; empty when the demo did what the scenario says. */
  readonly mismatches: readonly string[];
}

/** The demo's German seller at the simulator: Amazon.de, so its region is EU. */
export const DEMO_GERMAN_SELLER = {
  sellerId: 'A1SIMSELLERDE01',
  refreshToken: 'Atzr|sim-refresh-token-de',
  marketplaceIds: [SDE.marketplaceId],
} as const;

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const started = performance.now();
  const progress = options.onProgress ?? (() => undefined);
  const stageTimeoutMs = options.stageTimeoutMs ?? 45_000;
  const scenario = planDemoScenario(options.orders);
  const plans: DemoConnectionPlan[] = [
    {
      id: 'us',
      sellerId: DEFAULT_SELLER.sellerId,
      refreshToken: DEFAULT_SELLER.refreshToken,
      region: 'na',
      marketplaceId: 'ATVPDKIKX0DER',
      marketplace: 'Amazon.com',
      currency: 'USD',
      companyId: 'SOA',
      scenario,
    },
    {
      id: 'de',
      sellerId: DEMO_GERMAN_SELLER.sellerId,
      refreshToken: DEMO_GERMAN_SELLER.refreshToken,
      region: 'eu',
      marketplaceId: SDE.marketplaceId,
      marketplace: 'Amazon.de',
      currency: 'EUR',
      companyId: SDE.companyId,
      scenario: planGermanScenario(Math.max(MIN_GERMAN_DEMO_ORDERS, Math.round(options.orders / 3))),
    },
  ];
  const expectedOf = new Map(plans.map((p) => [p.id, expectationsOf(p.scenario)]));
  const expected = totalExpectations([...expectedOf.values()]);
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
  const warehouses = new Map<string, SandboxGateway>();
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
      // Two sellers, each with its own usage plans: the US one on Amazon.com (NA), the German one on Amazon.de (EU).
      sellers: [DEFAULT_SELLER, DEMO_GERMAN_SELLER],
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
    // Each seller's ORDER_CHANGE notifications go to its own connection's queue.
    const queueUrls = new Map(
      plans.map((p) => [
        p.id,
        sim!.control.subscribe({
          notificationType: 'ORDER_CHANGE',
          queueName: p.id === 'us' ? 'sellbridge-demo-orders' : `sellbridge-demo-orders-${p.id}`,
          sellerId: p.sellerId,
        }).queueUrl,
      ]),
    );
    // The warehouse side of Sage (this process plays it), one per company: the sandbox file (both companies) is
    // created and seeded here first.
    for (const p of plans)
      warehouses.set(
        p.id,
        await createSandboxGateway({
          path: files.sage,
          companyId: p.companyId,
          warehouseSimulator: { delayMs: 0, partialEvery: DEMO_SPLIT_EVERY, packagesPerShipment: 1 },
        }),
      );
    warehouse = warehouses.get('us');
    writeFileSync(
      files.config,
      demoConfigYaml({ simUrl: sim.url, queueUrls, storePath: files.store, sagePath: files.sage, timeScale }),
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

    const reader = createDemoReader(runtime, warehouse!, sim, plans);
    const waitFor = async (stage: DemoStage, done: (c: DemoCounts) => boolean, what: string) => {
      const deadline = Date.now() + stageTimeoutMs;
      let last = '';
      for (;;) {
        const counts = await reader.counts(idsByConnection);
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
      text: `${expected.received} orders arrive at Amazon, ${plans.map((p) => `${p.scenario.orders.length} for ${p.id} (${p.marketplace}, ${p.currency})`).join(' and ')}; one with unknown SKU, one the buyer will cancel; notifications go to each connection's SQS queue`,
    });
    const idsByConnection = new Map(
      plans.map((p) => [
        p.id,
        p.scenario.orders.map((o) => sim!.control.addOrder({ ...o.overrides, sellerId: p.sellerId }).orderId),
      ]),
    );
    const ids = idsByConnection.get('us')!;
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
    for (const w of warehouses.values())
      while ((await w.shipDueOrders()) > 0) {
        // one shipment per order per round; split orders take a second round
      }
    await waitFor(
      'ship',
      (c) => c.shipped === expected.shipped && c.confirmed === expected.shipped,
      'every shipped package to be confirmed at Amazon',
    );

    const connections = await reader.connections(idsByConnection, expectedOf);
    const summary = {
      ...(await reader.summary(idsByConnection)),
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
      scenario: { orders: expected.received, badSku: idsOf('bad-sku'), cancelled: idsOf('cancel') },
      expected,
      summary,
      connections,
      mismatches: [...compare(expected, summary), ...connections.flatMap(compareConnection)],
    };
    if (options.serve) await options.serve({ result, dashboardUrl, adminToken: adminToken! });
    return result;
  } finally {
    await server?.close().catch(() => undefined);
    await engine?.close().catch(() => undefined);
    for (const w of warehouses.values()) await w.close().catch(() => undefined);
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

function compareConnection(c: DemoConnectionResult): string[] {
  const out: string[] = [];
  const check = (name: string, want: number, got: number) =>
    void (want !== got && out.push(`${c.id}: ${name}: expected ${want}, got ${got}`));
  check('received', c.expected.received, c.summary.received);
  check('created', c.expected.created, c.summary.created);
  check('cancelled', c.expected.cancelled, c.summary.cancelled);
  check('shipped', c.expected.shipped, c.summary.shipped);
  check('confirmed orders', c.expected.shipped, c.summary.confirmed);
  check('confirmed packages', c.summary.packagesShipped, c.summary.packagesConfirmed);
  check('dead-lettered', c.expected.deadLettered, c.summary.deadLettered);
  return out;
}

/**
 * The demo's configuration, written next to its files so `sellbridge run -c <dir>/sellbridge.yaml` can reuse them:
 * what both connections share at the top, each connection's seller, region, queue, Sage company and mapping in the
 * `connections:` list. `amazon.endpoint` names the simulator's regional endpoint, so the German connection (region
 * eu) talks to the EU endpoint.
 */
function demoConfigYaml(o: {
  simUrl: string;
  queueUrls: ReadonlyMap<string, string>;
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
      endpoint: `${o.simUrl}/{region}`,
      lwaEndpoint: `${o.simUrl}/auth/o2/token`,
      lwaClientId: 'demo-client',
      lwaClientSecret: 'demo-secret',
      requestTimeoutMs: 5000,
      sqs: {
        endpoint: o.simUrl,
        accessKeyId: 'demo',
        secretAccessKey: 'demo',
        waitTimeSeconds: 1,
      },
    },
    sage500: { kind: 'sandbox', sandboxPath: o.sagePath, warehouseSimulator: { enabled: false } },
    // Sage shipments are read every half second so the demo does not wait a minute for the next poll.
    orders: { shipmentPollEveryMs: 500 },
    connections: [
      {
        id: 'us',
        amazon: {
          region: 'na',
          sellerId: DEFAULT_SELLER.sellerId,
          refreshToken: DEFAULT_SELLER.refreshToken,
          marketplaceIds: ['ATVPDKIKX0DER'],
          sqs: { queueUrl: o.queueUrls.get('us') },
        },
        sage500: { companyId: 'SOA' },
      },
      {
        id: 'de',
        amazon: {
          region: 'eu',
          sellerId: DEMO_GERMAN_SELLER.sellerId,
          refreshToken: DEMO_GERMAN_SELLER.refreshToken,
          marketplaceIds: [SDE.marketplaceId],
          sqs: { queueUrl: o.queueUrls.get('de') },
        },
        sage500: { companyId: SDE.companyId, tranNoPrefix: 'DE' },
        // The German company's own mapping: its customer and currency, warehouse, ship methods and carriers.
        orders: {
          customers: { [SDE.marketplaceId]: { customerId: SDE.customers.DE, currency: 'EUR' } },
          warehouseId: SDE.warehouse,
          shipMethods: { byServiceLevel: { ...SDE.shipMethodsByServiceLevel }, fallback: 'DHL-PAKET' },
          carriers: { ...SDE.carriers },
        },
      },
    ],
  };
  return `# Written by \`sellbridge demo\` (simulator at ${o.simUrl}, time scale ${o.timeScale}); the simulator is gone once the demo ends.\n${stringify(config)}`;
}

/** Reads the demo's state from the engine store, the Sage sandbox and the simulator, per connection. */
function createDemoReader(
  runtime: DemoEngine['runtime'],
  sage: SandboxGateway,
  sim: AmazonSimulator,
  plans: readonly DemoConnectionPlan[],
) {
  const sageOrders = async (companyId: string) =>
    sage.db.selectFrom('tsoSalesOrder').select(['SOKey', 'Status']).where('CompanyID', '=', companyId).execute();
  const shipmentsPerOrder = async (companyId: string) => {
    const rows = await sage.db
      .selectFrom('tsoShipLine as sl')
      .innerJoin('tsoSOLine as l', 'l.SOLineKey', 'sl.SOLineKey')
      .innerJoin('tsoSOLine_AMZ as x', 'x.SOLineKey', 'l.SOLineKey')
      .innerJoin('tsoSalesOrder as so', 'so.SOKey', 'l.SOKey')
      .where('so.CompanyID', '=', companyId)
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
  /** One connection's counts: its order links, its Sage company's orders, its orders at Amazon, its dead letters. */
  const countsOf = async (plan: DemoConnectionPlan, ids: readonly string[], letters: readonly DeadLetterLine[]) => {
    const orders = await sageOrders(plan.companyId);
    const { per, packages } = await shipmentsPerOrder(plan.companyId);
    const mine = new Set(ids);
    return {
      received: await countOrderLinks(runtime.store, plan.id),
      created: orders.length,
      cancelled: orders.filter((o) => Number(o.Status) === SO_STATUS.canceled).length,
      shipped: per.size,
      confirmed: ids.filter((id) => sim.control.order(id)?.status === 'SHIPPED').length,
      deadLettered: letters.filter((d) => mine.has(d.amazonOrderId)).length,
      splitShipments: [...per.values()].filter((n) => n > 1).length,
      packagesShipped: packages,
      packagesConfirmed: ids.reduce((n, id) => n + (sim.control.order(id)?.packages.length ?? 0), 0),
    };
  };
  const all = async (idsByConnection: ReadonlyMap<string, readonly string[]>) => {
    const letters = await deadLetters();
    const rows = [];
    for (const plan of plans)
      rows.push({ plan, letters, ...(await countsOf(plan, idsByConnection.get(plan.id) ?? [], letters)) });
    return rows;
  };
  const sum = (rows: { [k: string]: unknown }[], key: string) => rows.reduce((n, r) => n + Number(r[key]), 0);
  return {
    async counts(idsByConnection: ReadonlyMap<string, readonly string[]>): Promise<DemoCounts> {
      const rows = await all(idsByConnection);
      return {
        received: sum(rows, 'received'),
        created: sum(rows, 'created'),
        cancelled: sum(rows, 'cancelled'),
        shipped: sum(rows, 'shipped'),
        confirmed: sum(rows, 'confirmed'),
        deadLettered: rows[0]?.letters.length ?? 0,
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
      idsByConnection: ReadonlyMap<string, readonly string[]>,
    ): Promise<Omit<DemoSummary, 'throttled' | 'timeScale' | 'packagesConfirmedTwice'>> {
      const rows = await all(idsByConnection);
      return {
        received: sum(rows, 'received'),
        created: sum(rows, 'created'),
        cancelled: sum(rows, 'cancelled'),
        shipped: sum(rows, 'shipped'),
        splitShipments: sum(rows, 'splitShipments'),
        packagesShipped: sum(rows, 'packagesShipped'),
        packagesConfirmed: sum(rows, 'packagesConfirmed'),
        confirmed: sum(rows, 'confirmed'),
        deadLettered: rows[0]?.letters ?? [],
      };
    },
    async connections(
      idsByConnection: ReadonlyMap<string, readonly string[]>,
      expectedOf: ReadonlyMap<string, DemoExpectations>,
    ): Promise<DemoConnectionResult[]> {
      const rows = await all(idsByConnection);
      const customers = async (companyId: string) =>
        (
          await sage.db
            .selectFrom('tsoSalesOrder as so')
            .innerJoin('tarCustomer as c', 'c.CustKey', 'so.CustKey')
            .select(['c.CustID', 'so.CurrID'])
            .distinct()
            .where('so.CompanyID', '=', companyId)
            .orderBy('c.CustID')
            .execute()
        ).map((r) => `${r.CustID} ${r.CurrID}`);
      const byCompany = new Map<string, string[]>();
      for (const p of plans) byCompany.set(p.companyId, await customers(p.companyId));
      return rows.map(({ plan, letters: _letters, splitShipments: _split, ...counts }) => ({
        id: plan.id,
        sellerId: plan.sellerId,
        region: plan.region,
        marketplace: plan.marketplace,
        currency: plan.currency,
        companyId: plan.companyId,
        sageCustomers: byCompany.get(plan.companyId) ?? [],
        expected: expectedOf.get(plan.id)!,
        summary: counts,
      }));
    },
  };
}
