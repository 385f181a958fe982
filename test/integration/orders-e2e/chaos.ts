import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { StoreKind } from '../../helpers/queue-env.ts';
import type { OrderWorker } from '../../helpers/order-worker-procs.ts';
import { SHIPMENT_CONFIRM_QUEUE } from '../../../src/flows/confirm-shipment.ts';
import { ORDER_SYNC_QUEUE } from '../../../src/flows/sync-order.ts';
import { startHarness, type Harness } from './harness.ts';

/**
 * The chaos run (issue 13; `npm run bench -- chaos` and test/integration/orders-e2e/chaos.test.ts), on the order
 * end-to-end harness: N orders (some with planted unknown SKUs), W worker processes and one API process
 * (`sellbridge run --role api`) that receives every ORDER_CHANGE three times, out of order, on its webhook (the run
 * plays EventBridge: a delivery that fails or gets a 5xx is delivered again later); 10% 429 and 20% 5xx from the
 * simulator all along; Amazon unreachable (every SP-API and LWA call 503) for a window, then Sage for a window; K
 * SIGKILLs spread over the workers and the API process at random points of the progress (each killed process is
 * started again); the warehouse ships whatever is open. Then it waits for every order to reach a final state and
 * counts what went wrong. Outage windows end on a state (enough refused calls) and, for the bench, a duration.
 */
export interface ChaosOptions {
  readonly kind: StoreKind;
  readonly name: string;
  readonly orders: number;
  readonly workers: number;
  readonly kills: number;
  readonly seed: number;
  /** Share of orders with a planted unknown SKU (they must end as SB_MAP_* dead letters, nothing else may). */
  readonly badSkuRate: number;
  /** Simulator time scale (usage plans refill this much faster). */
  readonly timeScale: number;
  /** Amazon down: at least this long and at least this many refused calls. */
  readonly amazonOutage: { readonly minMs: number; readonly minRefused: number };
  /** Sage down: at least this long and at least this many refused calls. */
  readonly sageOutage: { readonly minMs: number; readonly minRefused: number };
  /** Gives up waiting for the drain after this long (the report then shows what is not final). */
  readonly drainTimeoutMs: number;
  readonly trace?: (what: string) => void;
}

export interface ChaosReport {
  readonly store: StoreKind;
  readonly orders: number;
  readonly planted: number;
  readonly lost: number;
  readonly duplicateSageOrders: number;
  readonly duplicateConfirmations: number;
  readonly notFinal: number;
  readonly withoutExtensionRows: number;
  readonly deadLettersByCode: Readonly<Record<string, number>>;
  /** Open dead letters that are not a planted bad order with an SB_MAP_* code. */
  readonly unexpectedDeadLetters: number;
  readonly kills: { readonly workers: number; readonly api: number };
  readonly amazonRefused: number;
  readonly sageRefused: number;
  readonly webhookRedeliveries: number;
  /** From the end of the last outage until every order was final (and stayed so through the kills still due). */
  readonly drainMs: number;
  readonly totalMs: number;
  readonly drained: boolean;
  /** The first orders not in a final state, with where they are (for a failure message). */
  readonly stuck: readonly string[];
  /** Each lost order's link, jobs and dead letters (any status). */
  readonly lostTrail: readonly string[];
}

const BIN = fileURLToPath(new URL('../../../bin/sellbridge.js', import.meta.url));
const WEBHOOK_KEY = 'chaos-webhook-key';
const FINAL = ['confirmed', 'dead-lettered', 'cancelled', 'skipped'];
const RATES = { throttle: 0.1, serverError: 0.2 };
const ORDER_QUEUES = [ORDER_SYNC_QUEUE, SHIPMENT_CONFIRM_QUEUE];

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const trace = o.trace ?? (() => undefined);
  const confirmCalls = new Map<string, number>();
  let amazonDown = false;
  let amazonRefused = 0;
  const apiPort = await freePort();
  const h: Harness = await startHarness({
    kind: o.kind,
    name: o.name,
    seed: o.seed,
    timeScale: o.timeScale,
    limits: true,
    unknownSkuRate: o.badSkuRate,
    outage: true,
    jobs: { maxAttempts: 8 },
    amazon: { circuit: { failureThreshold: 5, openMs: 1000 } },
    orders: { webhook: { apiKey: WEBHOOK_KEY } },
    server: { host: '127.0.0.1', port: apiPort },
    onExchange: (e) => {
      if (amazonDown && e.status === 503) amazonRefused++;
      if (e.operation !== 'ordersV0.confirmShipment' || e.status >= 300) return;
      const orderId = /orders\/([^/]+)\/shipmentConfirmation/.exec(e.path)?.[1];
      const ref = (e.requestBody as { packageDetail?: { packageReferenceId?: string } } | undefined)?.packageDetail
        ?.packageReferenceId;
      const key = `${orderId}#${ref}`;
      confirmCalls.set(key, (confirmCalls.get(key) ?? 0) + 1);
    },
  });
  const api = new ApiProcess(h.configFile, apiPort);
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;
  try {
    const alive: OrderWorker[] = await h.startWorkers(o.workers);
    await api.start();
    const t0 = Date.now();
    const orders = h.sim.control.addOrders(o.orders, { status: 'UNSHIPPED' });
    const planted = new Set(orders.filter((x) => x.items.some((i) => i.unknownSku)).map((x) => x.orderId));
    const valid = orders.filter((x) => !planted.has(x.orderId));
    h.sim.control.setFaultRates(RATES);
    trace(`${orders.length} orders, ${planted.size} with planted bad SKUs`);

    // EventBridge: every notification three times, shuffled; failed deliveries (API down, 5xx) go again later.
    const outbox: string[] = [];
    let redeliveries = 0;
    let posting = false;
    const post = async () => {
      if (posting) return;
      posting = true;
      try {
        outbox.push(...h.take(3, true).map((d) => d.body));
        const batch = outbox.splice(0, 64);
        const failed: string[] = [];
        await Promise.all(
          batch.map(async (body) => {
            const status = await fetch(`${api.url}/webhooks/amazon`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-api-key': WEBHOOK_KEY },
              body,
              signal: AbortSignal.timeout(10_000),
            })
              .then((r) => r.status)
              .catch(() => 0);
            if (status === 0 || status >= 500) failed.push(body);
          }),
        );
        redeliveries += failed.length;
        outbox.push(...failed);
      } finally {
        posting = false;
      }
    };
    timers.push(setInterval(() => void post(), 50));
    let shipping: Promise<unknown> | undefined;
    timers.push(
      setInterval(
        () =>
          void (shipping ??= h
            .shipAll()
            .catch(() => undefined)
            .finally(() => (shipping = undefined))),
        500,
      ),
    );

    const sageCount = async () =>
      Number(
        (
          await h.sage.db
            .selectFrom('tsoSalesOrder')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const shippedCount = () => valid.filter((x) => h.sim.control.order(x.orderId)?.status === 'SHIPPED').length;
    const sageRefused = () => h.workers.reduce((n, w) => n + w.sageRefused(), 0);
    const linkStates = async () => {
      const rows = await h.store.db
        .withTables<{ order_links: { amazon_order_id: string; state: string } }>()
        .selectFrom('order_links')
        .select(['amazon_order_id', 'state'])
        .execute();
      return new Map(rows.map((r) => [r.amazon_order_id, r.state]));
    };
    const notFinalOrders = async () => {
      const state = await linkStates();
      return orders
        .filter((x) => !FINAL.includes(state.get(x.orderId) ?? ''))
        .map((x) => ({ orderId: x.orderId, state: state.get(x.orderId) ?? '(no link)' }));
    };
    const notFinalCount = async () => (await notFinalOrders()).length;
    // A job still in flight: a worker killed between an order's move to dead-lettered and its dead letter leaves its
    // job running until the lease runs out; the rerun writes the letter. Final links alone are not drained.
    const ordersInFlight = async () =>
      (await h.client.queue.counts())
        .filter((c) => ORDER_QUEUES.includes(c.queue) && (c.state === 'running' || c.state === 'pending'))
        .reduce((n, c) => n + c.count, 0);

    // K kills at random points of the progress (orders in Sage + orders confirmed, over 2N), over workers and the API.
    let rng = o.seed >>> 0 || 1;
    const random = () => {
      rng ^= rng << 13;
      rng ^= rng >>> 17;
      rng ^= rng << 5;
      return (rng >>> 0) / 0x1_0000_0000;
    };
    const killAt = Array.from({ length: o.kills }, () => 0.02 + random() * 0.9).sort((a, b) => a - b);
    const kills = { workers: 0, api: 0 };
    let killing: Promise<void> | undefined;
    const killOne = async () => {
      // Every (W+1)th kill is the API process, the others a random worker.
      const n = kills.workers + kills.api;
      if (n % (alive.length + 1) === 1) {
        kills.api++;
        await api.kill();
        await api.start();
      } else {
        kills.workers++;
        const [w] = alive.splice(Math.floor(random() * alive.length), 1);
        await w!.kill();
        alive.push(...(await h.startWorkers(1)));
      }
    };

    // Faults follow the progress: Amazon goes down at 15% of the orders in Sage, Sage once 10% more got in.
    type Phase = 'before' | 'amazon-down' | 'between' | 'sage-down' | 'after';
    let phase: Phase = 'before';
    let phaseAt = Date.now();
    let sageAtRecovery = 0;
    let refusedAtSageDown = 0;
    let lastOutageEnd = Date.now();
    const deadline = Date.now() + o.drainTimeoutMs;
    let drained = false;
    /** Since when every order has been final (the kills still due may come later: they are spread over progress). */
    let allFinalAt: number | undefined;
    while (Date.now() < deadline) {
      const inSage = await sageCount();
      const progress = (inSage + shippedCount()) / (2 * orders.length);
      if (!killing && killAt.length > 0 && progress >= killAt[0]!) {
        killAt.shift();
        killing = killOne().finally(() => (killing = undefined));
      }
      if (phase === 'before' && inSage >= valid.length * 0.15) {
        phase = 'amazon-down';
        phaseAt = Date.now();
        amazonDown = true;
        h.sim.control.injectFault({ kind: 'unavailable', operation: '*', count: 1_000_000_000 });
        trace(`Amazon down (${inSage} in Sage)`);
      } else if (
        phase === 'amazon-down' &&
        Date.now() - phaseAt >= o.amazonOutage.minMs &&
        amazonRefused >= o.amazonOutage.minRefused
      ) {
        h.sim.control.clearFaults();
        h.sim.control.setFaultRates(RATES);
        amazonDown = false;
        phase = 'between';
        sageAtRecovery = inSage;
        trace(`Amazon back after ${Date.now() - phaseAt} ms, ${amazonRefused} calls refused`);
      } else if (phase === 'between' && inSage >= Math.min(valid.length, sageAtRecovery + valid.length * 0.1)) {
        phase = 'sage-down';
        phaseAt = Date.now();
        refusedAtSageDown = sageRefused();
        writeFileSync(h.outageFile, 'down');
        trace(`Sage down (${inSage} in Sage)`);
      } else if (
        phase === 'sage-down' &&
        Date.now() - phaseAt >= o.sageOutage.minMs &&
        sageRefused() - refusedAtSageDown >= o.sageOutage.minRefused
      ) {
        rmSync(h.outageFile, { force: true });
        phase = 'after';
        lastOutageEnd = Date.now();
        trace(`Sage back after ${Date.now() - phaseAt} ms, ${sageRefused() - refusedAtSageDown} calls refused`);
      }
      if (phase === 'after') {
        const notFinal = await notFinalCount();
        if (notFinal === 0) allFinalAt ??= Date.now();
        else allFinalAt = undefined;
        if (
          killAt.length === 0 &&
          !killing &&
          outbox.length === 0 &&
          h.pendingNotifications() === 0 &&
          notFinal === 0 &&
          (await ordersInFlight()) === 0
        ) {
          drained = true;
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const drainedAt = Date.now();
    const finalAt = allFinalAt ?? drainedAt;
    trace(
      drained
        ? `every order final ${finalAt - lastOutageEnd} ms after the last outage; last kill done ${drainedAt - lastOutageEnd} ms after it`
        : 'gave up waiting for the drain',
    );
    stopped = true;
    for (const t of timers) clearInterval(t);
    await shipping;
    await killing;

    // What went wrong.
    const salesOrders = await h.sage.db.selectFrom('tsoSalesOrder').select(['SOKey', 'TranCmnt']).execute();
    const perOrder = new Map<string, number>();
    for (const so of salesOrders) perOrder.set(so.TranCmnt ?? '', (perOrder.get(so.TranCmnt ?? '') ?? 0) + 1);
    const duplicateSageOrders = [...perOrder.values()].reduce((s, n) => s + Math.max(0, n - 1), 0);
    const extension = new Set(
      (await h.sage.db.selectFrom('tsoSalesOrder_AMZ').select('SOKey').execute()).map((r) => r.SOKey),
    );
    const withoutExtensionRows = salesOrders.filter((so) => !extension.has(so.SOKey)).length;
    const letters = await h.client.deadLetters.list({ status: 'open', limit: 100_000 });
    const deadLettersByCode: Record<string, number> = {};
    for (const l of letters) deadLettersByCode[l.error.code] = (deadLettersByCode[l.error.code] ?? 0) + 1;
    const lettered = new Set(letters.map((l) => (l.payload as { amazonOrderId?: string } | null)?.amazonOrderId));
    const unexpectedDeadLetters = letters.filter(
      (l) =>
        !planted.has((l.payload as { amazonOrderId?: string } | null)?.amazonOrderId ?? '') ||
        !l.error.code.startsWith('SB_MAP_'),
    ).length;
    const lostOrders = orders.filter((x) => !perOrder.has(x.orderId) && !lettered.has(x.orderId));
    const lost = lostOrders.length;
    const duplicateConfirmations = [...confirmCalls.values()].reduce((s, n) => s + Math.max(0, n - 1), 0);
    const stuck: string[] = [];
    for (const x of (await notFinalOrders()).slice(0, 10)) {
      const so = await h.sage.findSalesOrder({ amazonOrderId: x.orderId }).catch(() => undefined);
      const jobs = (await h.client.queue.listJobs({ limit: 100_000 }))
        .filter((j) => j.key.endsWith(x.orderId))
        .map((j) => `${j.queue} ${j.state} attempt ${j.attempt}`);
      const confirmations = await h.client.orders.deps.confirmations.listForOrder(
        h.client.orders.connectionId,
        x.orderId,
      );
      stuck.push(
        `${x.orderId}: link ${x.state}, Sage ${so ? `${so.tranNo} ${so.status} shipped ${so.lines.map((l) => `${l.quantityShipped}/${l.quantity}`).join(',')}` : 'none'}, Amazon ${h.sim.control.order(x.orderId)?.status}, packages ${confirmations.map((c) => c.state).join(',') || 'none'}, jobs ${jobs.join('; ') || 'none'}`,
      );
    }
    // A lost order's trail: its link, its jobs and every dead letter of it (open or not), for the failure message.
    const lostTrail: string[] = [];
    const allLetters = lostOrders.length ? await h.client.deadLetters.list({ status: 'all', limit: 100_000 }) : [];
    const links = await linkStates();
    for (const x of lostOrders.slice(0, 10)) {
      const jobs = (await h.client.queue.listJobs({ limit: 100_000 }))
        .filter((j) => j.key.endsWith(x.orderId))
        .map((j) => `${j.queue} ${j.state} attempt ${j.attempt}`);
      const mine = allLetters
        .filter((l) => (l.payload as { amazonOrderId?: string } | null)?.amazonOrderId === x.orderId)
        .map((l) => `${l.status} ${l.error.code}`);
      lostTrail.push(
        `${x.orderId}: planted ${planted.has(x.orderId)}, link ${links.get(x.orderId) ?? '(none)'}, jobs ${jobs.join('; ') || 'none'}, dead letters ${mine.join('; ') || 'none'}`,
      );
    }
    return {
      stuck,
      lostTrail,
      store: o.kind,
      orders: orders.length,
      planted: planted.size,
      lost,
      duplicateSageOrders,
      duplicateConfirmations,
      notFinal: await notFinalCount(),
      withoutExtensionRows,
      deadLettersByCode,
      unexpectedDeadLetters,
      kills,
      amazonRefused,
      sageRefused: sageRefused(),
      webhookRedeliveries: redeliveries,
      drainMs: finalAt - lastOutageEnd,
      totalMs: finalAt - t0,
      drained,
    };
  } finally {
    if (!stopped) for (const t of timers) clearInterval(t);
    await api.kill();
    await h.close();
  }
}

/** `sellbridge run --role api` on the harness config (the webhook and the admin API, no worker). */
class ApiProcess {
  #child: ChildProcess | undefined;
  readonly url: string;
  readonly #configFile: string;
  readonly #port: number;

  constructor(configFile: string, port: number) {
    this.#configFile = configFile;
    this.#port = port;
    this.url = `http://127.0.0.1:${port}`;
  }

  start(): Promise<void> {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SELLBRIDGE_')));
    const child = spawn(
      process.execPath,
      [BIN, 'run', '--role', 'api', '-c', this.#configFile, '--set', `server.port=${this.#port}`],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#child = child;
    return new Promise((resolve, reject) => {
      let out = '';
      let err = '';
      child.stderr!.on('data', (d: Buffer) => void (err = (err + d.toString()).slice(-8000)));
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('sellbridge is running')) resolve();
      });
      child.once('exit', (code, signal) => {
        if (!out.includes('sellbridge is running'))
          reject(new Error(`API process exited (${code ?? signal}) before it listened: ${err}`));
      });
    });
  }

  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await exited;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The report as lines for a console (bench) or a failure message (test). */
export function formatChaosReport(r: ChaosReport): string {
  const codes =
    Object.entries(r.deadLettersByCode)
      .map(([c, n]) => `${c} ${n}`)
      .join(', ') || 'none';
  return [
    `store ${r.store}: ${r.orders} orders (${r.planted} with planted bad SKUs), kills: ${r.kills.workers} workers + ${r.kills.api} API, Amazon refused ${r.amazonRefused} calls, Sage refused ${r.sageRefused}, webhook redeliveries ${r.webhookRedeliveries}`,
    `  orders lost                        ${r.lost}`,
    `  duplicate Sage orders              ${r.duplicateSageOrders}`,
    `  duplicate package confirmations    ${r.duplicateConfirmations}`,
    `  orders not in a final state        ${r.notFinal}`,
    `  Sage orders without extension rows ${r.withoutExtensionRows}`,
    `  dead letters by code               ${codes} (unexpected: ${r.unexpectedDeadLetters})`,
    ...r.stuck.map((x) => `  not final: ${x}`),
    ...r.lostTrail.map((x) => `  lost: ${x}`),
    `  time to drain after the last outage ${(r.drainMs / 1000).toFixed(1)} s (whole run ${(r.totalMs / 1000).toFixed(1)} s)${r.drained ? '' : ' - NOT DRAINED'}`,
  ].join('\n');
}
