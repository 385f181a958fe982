import { registerOrders, type OrderWiring } from './orders.ts';
import type { Circuits, FlowWiring } from './wiring.ts';
import { registerSettlements } from './settlements.ts';
import { registerFbaReturns } from './fba-returns.ts';
import { registerInventory } from './inventory.ts';
import type { ResolvedConfig } from '../config/schema.ts';
import { createAmazonConnector, type AmazonConnector } from '../connectors/amazon/create-amazon-connector.ts';
import { storedRefreshTokenLookup } from '../runtime/onboarding/amazon-authorization.ts';
import { piiVaultFromConfig } from './admin.ts';
import { createAmazonCircuits, type AmazonCircuits } from '../connectors/amazon/sp-api/circuit-transport.ts';
import { openSage500Gateway } from '../connectors/sage500/create-gateway.ts';
import { createAgentHub, type AgentHub } from '../connectors/sage500/remote/hub.ts';
import { createAgentRegistry, type AgentRegistry } from '../runtime/agents/registry.ts';
import { SELLBRIDGE_VERSION } from '../runtime/version.ts';
import type { AmazonMarketplace } from '../core/ports/amazon-marketplace.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { createMetrics, type Metrics } from '../observability/metrics.ts';
import { CIRCUIT_STATE_VALUE, createCircuitBreaker, guardWithCircuit } from '../runtime/circuit/circuit-breaker.ts';
import { systemClock } from '../runtime/clock.ts';
import { createInbox, type Inbox } from '../runtime/inbox/inbox.ts';
import { createJobQueue } from '../runtime/queue/create-job-queue.ts';
import { createDeadLetterService, type DeadLetterService } from '../runtime/queue/dead-letters.ts';
import type { JobQueue } from '../runtime/queue/job-queue.ts';
import { createScheduler, type Scheduler } from '../runtime/scheduler.ts';
import { openStore, type Store } from '../runtime/store/store.ts';
import { notificationDispatchingInbox, startOrderIntake, type NotificationHandlers } from './intake.ts';
import { amazonNotificationHandlers } from './notification-handlers.ts';
import { observeOrderToSage, registerStoreCollectors } from './metrics.ts';
import type { WebhookDeps } from '../server/routes/webhooks.ts';
import {
  createEngineStatusRecorder,
  failureLabel,
  type EngineStatusRecorder,
} from '../connectors/store/engine-status.ts';

/**
 * The composition root (STYLE.md §8.1): the only module that imports every layer. Config in, wired runtime out.
 * Connectors and flows are registered here (`registerFlows`, one line per flow family); nothing is wired through
 * import side effects.
 *
 * Cheap clients: building a runtime does no network I/O. The Amazon connector is built on first use (a CLI command
 * that only reads the store never needs Amazon credentials), the Sage 500 gateway is opened on its first call
 * (so a worker starts while Sage is down; the circuit breaker makes its jobs wait), and the SQS intake and the
 * scheduler run only after `start()` in the worker role.
 */
export interface Runtime {
  readonly config: ResolvedConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly store: Store;
  readonly queue: JobQueue;
  readonly deadLetters: DeadLetterService;
  readonly inbox: Inbox;
  /** The Amazon connector (SP-API client, marketplace port, SQS intake); built on first access. */
  readonly amazon: AmazonConnector;
  /** The Sage 500 gateway `sage500.kind` asks for, opened on its first call, behind `circuits.sage500`. */
  readonly sage: Sage500Gateway;
  /** Recurring durable jobs (shipment.poll, order.poll, ...); runs after `start()` in the worker role. */
  readonly scheduler: Scheduler;
  /** Circuit breakers by target; their states are the gauge `sellbridge_circuit_state{target}`. */
  readonly circuits: Circuits;
  /** Hosted mode's agents beside Sage: enrolment tokens, credentials, revocation, last seen state. */
  readonly agents: AgentRegistry;
  /**
   * Hosted mode (`sage500.kind: agent`, worker role): the agent channel `sage` goes through; the HTTP server hands
   * it its `upgrade` events (see `sellbridge run`).
   */
  readonly agentHub: AgentHub | undefined;
  /** The order flows' wiring (deps and connection id), for the CLI, the admin API and tests. */
  readonly orders: OrderWiring;
  /** What `POST /webhooks/amazon` needs (`buildApp({ ...runtime })` passes it on). */
  readonly webhooks: WebhookDeps;
  /** Worker role: starts the queue, the scheduler and the SQS intake. Client role: does nothing. Idempotent. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** `client` for CLI commands that only read or enqueue; `worker` runs jobs. */
  readonly role?: 'worker' | 'client';
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Apply pending migrations first (default true). */
  readonly migrate?: boolean;
  /** Use this gateway instead of opening the one in `config.sage500` (tests, the demo); it is still put behind the circuit and closed with the runtime. */
  readonly sage?: Sage500Gateway;
  /** Use this Amazon connector instead of building one from `config.amazon` (tests). */
  readonly amazon?: AmazonConnector;
  /** Sleep for short rate-bucket waits (default: a timer). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export async function createRuntime(config: ResolvedConfig, options: RuntimeOptions = {}): Promise<Runtime> {
  const role = options.role ?? 'worker';
  const clock = options.clock ?? systemClock;
  const logger =
    options.logger ??
    createLogger({ level: config.log.level, format: config.log.format, windowsEventLog: config.log.windowsEventLog });
  const metrics = createMetrics({ defaultMetrics: role !== 'client' });
  const store = openStore(config.store);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  try {
    if (options.migrate !== false) {
      const applied = await store.migrate();
      if (applied.length) logger.info({ applied }, `store migrated: ${applied.join(', ')}`);
    }
    const queue = await createJobQueue({ store, clock, logger, metrics, settings: config.jobs, role });
    const deadLetters = createDeadLetterService(store, queue, clock);
    const inbox = createInbox(store, clock);
    const scheduler = createScheduler({ queue, logger });

    // Worker role: what its circuits see (last answered call, outages, state) goes to the store for every process
    // that serves the dashboard (engine_status); a client-role process makes no calls worth recording.
    const status =
      role === 'worker'
        ? createEngineStatusRecorder({
            store,
            clock,
            connectionId: config.orders.connectionId,
            onError: (err) => logger.debug({ err }, 'engine status not recorded; tried again with the next call'),
          })
        : undefined;
    // Jobs finished per minute for the overview's throughput in any process (engine_throughput).
    if (status)
      queue.onEvent((e) => {
        if (e.type === 'completed') status.jobFinished(true);
        else if (e.type === 'retry' || e.type === 'dead') status.jobFinished(false);
      });
    const amazonCircuits = observedAmazonCircuits(config, clock, metrics, logger, status);
    let amazonConnector = options.amazon;
    const amazon = (): AmazonConnector =>
      (amazonConnector ??= createAmazonConnector(config.amazon, {
        store,
        clock,
        sleep,
        inbox,
        connectionId: config.orders.connectionId,
        onThrottled: (operation) => metrics.amazonThrottled.inc({ operation }),
        circuits: amazonCircuits,
        storedRefreshToken: storedRefreshToken(store, clock, config.security),
      }));

    const sageCircuit = createCircuitBreaker({
      target: 'sage500',
      failureThreshold: config.orders.sageCircuit.failureThreshold,
      openMs: config.orders.sageCircuit.openMs,
      now: () => clock.now().getTime(),
      onStateChange: (state, previous) => {
        metrics.circuitState.set({ target: 'sage500' }, CIRCUIT_STATE_VALUE[state]);
        logger.warn({ circuit: 'sage500', state, previous }, `Sage 500 circuit ${previous} -> ${state}`);
        status?.circuit('sage500', state);
      },
      ...(status
        ? {
            onOutcome: (ok: boolean, err?: unknown) =>
              status.outcome('sage500', ok, ok ? undefined : failureLabel(err)),
          }
        : {}),
    });
    metrics.circuitState.set({ target: 'sage500' }, CIRCUIT_STATE_VALUE.closed);
    const circuits: Circuits = Object.assign(
      () => [sageCircuit, ...amazonCircuits.list()].map((c) => ({ target: c.target, state: c.state() })),
      { sage500: sageCircuit, amazon: amazonCircuits },
    );
    const agents = createAgentRegistry(store, clock);
    // Hosted mode: Sage is on the customer's network; the agent there dials in and carries every gateway call.
    const agentHub =
      !options.sage && config.sage500.kind === 'agent' && role === 'worker'
        ? createAgentHub({
            connectionId: config.orders.connectionId,
            registry: agents,
            hubVersion: SELLBRIDGE_VERSION,
            logger,
            metrics,
            requestTimeoutMs: config.sage500.agent.requestTimeoutMs,
            heartbeatMs: config.sage500.agent.heartbeatMs,
            offlineRetryMs: config.sage500.unavailableRetryMs,
          })
        : undefined;
    const opened = lazyGateway(
      options.sage
        ? () => Promise.resolve(options.sage!)
        : agentHub
          ? () => Promise.resolve(agentHub.gateway)
          : () => openSage500Gateway(config.sage500, clock),
    );
    const sage = observeOrderToSage(guardWithCircuit(opened.gateway, sageCircuit), { store, clock, metrics });
    registerStoreCollectors({
      registry: metrics.registry,
      store,
      clock,
      shipByWarningMs: config.orders.shipByWarningMs,
    }); // queue age, rate buckets, latencies, read at scrape time

    const flows: FlowWiring = {
      config,
      store,
      clock,
      logger,
      metrics,
      queue,
      scheduler,
      inbox,
      amazon: lazyMarketplace(amazon),
      amazonConnector: amazon,
      sage,
      circuits,
    };
    const { orders, notifications } = registerFlows(flows);
    const dispatching = notificationDispatchingInbox(inbox, notifications, orders.connectionId, clock);

    let started = false;
    const intake = new AbortController();
    let intakeDone: Promise<void> | undefined;
    const runtime: Omit<Runtime, 'amazon'> = {
      config,
      clock,
      logger,
      metrics,
      store,
      queue,
      deadLetters,
      inbox,
      sage,
      scheduler,
      circuits,
      agents,
      agentHub,
      orders,
      webhooks: {
        inbox: dispatching,
        connectionId: orders.connectionId,
        settings: config.orders.webhook,
      },
      async start() {
        if (started || role !== 'worker') return;
        started = true;
        await queue.start();
        scheduler.start();
        intakeDone = startOrderIntake({
          ...flows,
          inbox: dispatching,
          connectionId: orders.connectionId,
          signal: intake.signal,
        });
      },
      async close() {
        scheduler.stop();
        intake.abort();
        await intakeDone?.catch(() => undefined);
        await queue.stop();
        await agentHub?.close();
        await opened.close();
        await status?.close().catch(() => undefined);
        await store.close();
      },
    };
    // Not enumerable: `{ ...runtime }` (e.g. into buildApp) must not build the connector.
    return Object.defineProperty(runtime, 'amazon', { get: amazon, enumerable: false }) as Runtime;
  } catch (err) {
    await store.close();
    throw err;
  }
}

/**
 * The refresh token sealed for a connection by the authorization workflow (`sellbridge connections authorize`), read
 * when the connection has no `amazon.refreshToken`. The vault is opened on first use: a setup without a PII key
 * (or with a configured token) never reads the key.
 */
function storedRefreshToken(
  store: Store,
  clock: Clock,
  security: ResolvedConfig['security'],
): (connectionId: string) => Promise<string | undefined> {
  let lookup: ((connectionId: string) => Promise<string | undefined>) | undefined;
  return (connectionId) =>
    (lookup ??= storedRefreshTokenLookup(piiVaultFromConfig(store, clock, security)))(connectionId);
}

/** Amazon's circuits per endpoint family, each state on the gauge and logged when it changes. */
function observedAmazonCircuits(
  config: ResolvedConfig,
  clock: Clock,
  metrics: Metrics,
  logger: Logger,
  status: EngineStatusRecorder | undefined,
): AmazonCircuits {
  const circuits = createAmazonCircuits({
    failureThreshold: config.amazon.circuit.failureThreshold,
    openMs: config.amazon.circuit.openMs,
    now: () => clock.now().getTime(),
    onStateChange: (target, state, previous) => {
      metrics.circuitState.set({ target }, CIRCUIT_STATE_VALUE[state]);
      logger.warn({ circuit: target, state, previous }, `Amazon circuit ${target} ${previous} -> ${state}`);
      status?.circuit(target, state);
    },
    ...(status
      ? {
          onOutcome: (target: string, ok: boolean, err?: unknown) =>
            status.outcome(target, ok, ok ? undefined : failureLabel(err)),
        }
      : {}),
  });
  for (const c of circuits.list()) metrics.circuitState.set({ target: c.target }, CIRCUIT_STATE_VALUE.closed);
  return circuits;
}

/**
 * Job handlers and schedules of the flows: ONE LINE PER FLOW FAMILY, each registering its queues on `w.queue` and
 * its recurring jobs on `w.scheduler` (before `queue.start()`). Settlement, inventory and price flows add theirs here.
 */
function registerFlows(w: FlowWiring): { orders: OrderWiring; notifications: NotificationHandlers } {
  const orders = registerOrders(w); // order.sync, order.poll, shipment.poll, shipment.confirm
  const settlements = registerSettlements(w); // settlement.discover (+ schedule when settlements.enabled), settlement.import
  registerFbaReturns(w); // fba-returns.poll (+ schedule), fba-returns.import, fba-return.record when orders.fbaReturns is on
  const inventory = registerInventory(w); // inventory.sync, listing.feed(.sweep), listing.block, listing.issues, inventory.watch (+ schedules)
  const notifications = amazonNotificationHandlers({
    queue: w.queue,
    settlementConnectionId: settlements.connectionId,
    inventoryConnectionId: inventory.connectionId,
  });
  return { orders, notifications };
}

/** The marketplace port over a connector built on the first call. */
function lazyMarketplace(connector: () => AmazonConnector): AmazonMarketplace {
  return {
    getOrder: (id, o) => connector().marketplace.getOrder(id, o),
    searchOrders: (q) => connector().marketplace.searchOrders(q),
    confirmShipment: (s) => connector().marketplace.confirmShipment(s),
  };
}

/** A gateway opened on its first call; a failed open (Sage down) is tried again on the next call. */
function lazyGateway(open: () => Promise<Sage500Gateway>): { gateway: Sage500Gateway; close(): Promise<void> } {
  let opening: Promise<Sage500Gateway> | undefined;
  const get = () => {
    opening ??= open().catch((err: unknown) => {
      opening = undefined;
      throw err;
    });
    return opening;
  };
  const gateway = new Proxy({} as Sage500Gateway, {
    get(_t, prop) {
      if (prop === 'then') return undefined; // not a thenable
      if (prop === 'close') return async () => (opening ? (await opening.catch(() => undefined))?.close() : undefined);
      return async (...args: unknown[]) => {
        const g = await get();
        const f = (g as unknown as Record<string | symbol, unknown>)[prop];
        if (typeof f !== 'function') throw new TypeError(`Sage500Gateway has no method ${String(prop)}`);
        return (f as (...a: unknown[]) => Promise<unknown>).apply(g, args);
      };
    },
  });
  return {
    gateway,
    async close() {
      const g = opening ? await opening.catch(() => undefined) : undefined;
      opening = undefined;
      await g?.close();
    },
  };
}
