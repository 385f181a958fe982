import { storedRefreshTokenLookup } from '../runtime/onboarding/amazon-authorization.ts';
import { piiVaultFromConfig } from './admin.ts';
import { registerOrders, type OrderWiring } from './orders.ts';
import type { Circuits, FlowWiring } from './wiring.ts';
import { registerSettlements } from './settlements.ts';
import { registerFbaReturns } from './fba-returns.ts';
import { registerInventory } from './inventory.ts';
import type { ResolvedConfig } from '../config/schema.ts';
import { createAmazonConnector, type AmazonConnector } from '../connectors/amazon/create-amazon-connector.ts';
import { createAmazonCircuits, type AmazonCircuits } from '../connectors/amazon/sp-api/circuit-transport.ts';
import { openSage500Gateway } from '../connectors/sage500/create-gateway.ts';
import { createAgentHub, type AgentHub } from '../connectors/sage500/remote/hub.ts';
import type { AgentRegistry } from '../runtime/agents/registry.ts';
import { SELLBRIDGE_VERSION } from '../runtime/version.ts';
import type { AmazonMarketplace } from '../core/ports/amazon-marketplace.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { CIRCUIT_STATE_VALUE, guardWithCircuit } from '../runtime/circuit/circuit-breaker.ts';
import type { SharedCircuits } from '../runtime/circuit/shared-circuits.ts';
import { sageServerKey } from '../connectors/sage500/server-identity.ts';
import type { Inbox } from '../runtime/inbox/inbox.ts';
import type { JobQueue } from '../runtime/queue/job-queue.ts';
import { createScheduler, type Scheduler } from '../runtime/scheduler.ts';
import type { Store } from '../runtime/store/store.ts';
import { notificationDispatchingInbox, type NotificationHandlers } from './intake.ts';
import { amazonNotificationHandlers } from './notification-handlers.ts';
import { observeOrderToSage } from './metrics.ts';
import type { WebhookDeps } from '../server/routes/webhooks.ts';
import { failureLabel, type EngineStatusRecorder, type EngineStatusSink } from '../connectors/store/engine-status.ts';

/** What every connection's engine shares in one process. */
export interface EngineShared {
  readonly role: 'worker' | 'client';
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly inbox: Inbox;
  readonly agents: AgentRegistry;
  readonly sleep: (ms: number) => Promise<void>;
  /**
   * The process's Sage circuits, one per Sage server (`sageServerKey`): the engines of connections whose companies
   * are on one server share its circuit; each engine releases its lease when it closes.
   */
  readonly sageCircuits: SharedCircuits;
  /**
   * Worker role: the process's engine status writer (engine_status, engine_throughput), every connection's rows
   * written together; each engine records through its own view. Undefined in a client: nothing is recorded.
   */
  readonly status: EngineStatusSink | undefined;
}

/**
 * One connection's engine (issue 21): its own Amazon connector (rate buckets per application, seller and region),
 * Amazon circuits, Sage gateway behind the circuit of its Sage server (shared with the connections whose companies are
 * on the same server, never with another server's: one Sage server down makes only its connections wait), scheduler, notification handlers and flows, all keyed by its connection id; the job queue is the process's,
 * seen through the connection's scoped view (its job keys and payloads carry its id).
 */
export interface ConnectionEngine {
  readonly id: string;
  readonly config: ResolvedConfig;
  readonly queue: JobQueue;
  readonly scheduler: Scheduler;
  /** The inbox that runs this connection's notification handlers in the row's transaction. */
  readonly inbox: Inbox;
  readonly circuits: Circuits;
  /** Which Sage server the connection's company is on (`sageServerKey`: no secret in it); its circuit is that server's. */
  readonly sageServer: string;
  /** Sage behind the circuit of the connection's Sage server. */
  readonly sage: Sage500Gateway;
  /** Sage without the circuit, for `connections check` (a failing check must not open the circuit). */
  readonly rawSage: Sage500Gateway;
  readonly amazon: () => AmazonConnector;
  readonly orders: OrderWiring;
  readonly agentHub: AgentHub | undefined;
  readonly webhooks: WebhookDeps;
  readonly status: EngineStatusRecorder | undefined;
  /** `removed`: the connection is gone (its agent's channel is closed for good, not as a restart). */
  close(how?: { removed?: string }): Promise<void>;
}

export interface EngineOverrides {
  readonly sage?: Sage500Gateway | undefined;
  readonly amazon?: AmazonConnector | undefined;
}

export function buildEngine(
  config: ResolvedConfig,
  queue: JobQueue,
  shared: EngineShared,
  overrides: EngineOverrides = {},
): ConnectionEngine {
  const { store, clock, logger: processLogger, metrics, role } = shared;
  const connectionId = config.orders.connectionId;
  // `connection`, not `connectionId`: the flows log their own connectionId field (a JSON key must not repeat).
  const logger = processLogger.child({ connection: connectionId });
  const scheduler = createScheduler({ queue, logger });
  // Worker role: what its circuits see (last answered call, outages, state) goes to the store for every process
  // that serves the dashboard (engine_status), per connection, through the process's one writer.
  const status = role === 'worker' ? shared.status?.connection(connectionId) : undefined;
  const amazonCircuits = observedAmazonCircuits(config, clock, metrics, logger, status);
  let amazonConnector = overrides.amazon;
  const amazon = (): AmazonConnector =>
    (amazonConnector ??= createAmazonConnector(config.amazon, {
      store,
      clock,
      sleep: shared.sleep,
      inbox: shared.inbox,
      connectionId,
      onThrottled: (operation) => metrics.amazonThrottled.inc({ operation, connection: connectionId }),
      circuits: amazonCircuits,
      storedRefreshToken: storedRefreshToken(store, clock, config.security),
    }));

  // The circuit is the Sage server's (from the configuration, never from a gateway given for tests): connections on
  // one server learn together that it is down and send it one probe; another server's connections are not touched.
  const sageServer = sageServerKey(config.sage500, connectionId);
  const sageLease = shared.sageCircuits.acquire(
    sageServer,
    {
      target: 'sage500',
      failureThreshold: config.orders.sageCircuit.failureThreshold,
      openMs: config.orders.sageCircuit.openMs,
      now: () => clock.now().getTime(),
    },
    {
      onStateChange: (state, previous) => {
        metrics.circuitState.set({ target: 'sage500', connection: connectionId }, CIRCUIT_STATE_VALUE[state]);
        logger.warn(
          { circuit: 'sage500', state, previous, connectionId, sageServer },
          `Sage 500 circuit ${previous} -> ${state}`,
        );
        status?.circuit('sage500', state);
      },
      ...(status
        ? {
            onOutcome: (ok: boolean, err?: unknown) =>
              status.outcome('sage500', ok, ok ? undefined : failureLabel(err)),
          }
        : {}),
    },
  );
  const sageCircuit = sageLease.circuit;
  const { failureThreshold, openMs } = config.orders.sageCircuit;
  if (sageLease.settings.failureThreshold !== failureThreshold || sageLease.settings.openMs !== openMs)
    logger.warn(
      { sageServer, configured: { failureThreshold, openMs }, applied: sageLease.settings },
      `orders.sageCircuit of connection ${connectionId} differs from the circuit its Sage server already has (another connection's settings); the server's circuit keeps those`,
    );
  // A connection that joins a server's circuit while it is open starts with its state, not `closed`.
  metrics.circuitState.set({ target: 'sage500', connection: connectionId }, CIRCUIT_STATE_VALUE[sageCircuit.state()]);
  if (sageCircuit.state() !== 'closed') status?.circuit('sage500', sageCircuit.state());
  const circuits: Circuits = Object.assign(
    () => [sageCircuit, ...amazonCircuits.list()].map((c) => ({ target: c.target, state: c.state() })),
    { sage500: sageCircuit, amazon: amazonCircuits },
  );
  // Hosted mode: Sage is on the customer's network; the agent there dials in and carries every gateway call.
  const agentHub =
    !overrides.sage && config.sage500.kind === 'agent' && role === 'worker'
      ? createAgentHub({
          connectionId,
          registry: shared.agents,
          hubVersion: SELLBRIDGE_VERSION,
          logger,
          metrics,
          requestTimeoutMs: config.sage500.agent.requestTimeoutMs,
          heartbeatMs: config.sage500.agent.heartbeatMs,
          offlineRetryMs: config.sage500.unavailableRetryMs,
        })
      : undefined;
  const given = overrides.sage;
  const opened = lazyGateway(
    given
      ? () => Promise.resolve(given)
      : agentHub
        ? () => Promise.resolve(agentHub.gateway)
        : () => openSage500Gateway(config.sage500, clock),
  );
  const sage = observeOrderToSage(guardWithCircuit(opened.gateway, sageCircuit), {
    store,
    clock,
    metrics,
    connectionId,
  });

  const flows: FlowWiring = {
    config,
    store,
    clock,
    logger,
    metrics,
    queue,
    scheduler,
    inbox: shared.inbox,
    amazon: lazyMarketplace(amazon),
    amazonConnector: amazon,
    sage,
    circuits,
  };
  const { orders, notifications } = registerFlows(flows);
  const inbox = notificationDispatchingInbox(shared.inbox, notifications, connectionId, clock);
  return {
    id: connectionId,
    config,
    queue,
    scheduler,
    inbox,
    circuits,
    sageServer,
    sage,
    rawSage: opened.gateway,
    amazon,
    orders,
    agentHub,
    status,
    webhooks: { inbox, connectionId, settings: config.orders.webhook },
    async close(how = {}) {
      scheduler.stop();
      sageLease.release();
      await agentHub?.close(how);
      await opened.close();
      await status?.close().catch(() => undefined);
    },
  };
}

/** Amazon's circuits per endpoint family, each state on the gauge (per connection) and logged when it changes. */
function observedAmazonCircuits(
  config: ResolvedConfig,
  clock: Clock,
  metrics: Metrics,
  logger: Logger,
  status: EngineStatusRecorder | undefined,
): AmazonCircuits {
  const connection = config.orders.connectionId;
  const circuits = createAmazonCircuits({
    failureThreshold: config.amazon.circuit.failureThreshold,
    openMs: config.amazon.circuit.openMs,
    now: () => clock.now().getTime(),
    onStateChange: (target, state, previous) => {
      metrics.circuitState.set({ target, connection }, CIRCUIT_STATE_VALUE[state]);
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
  for (const c of circuits.list())
    metrics.circuitState.set({ target: c.target, connection }, CIRCUIT_STATE_VALUE.closed);
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
