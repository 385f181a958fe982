import type { Circuits } from './wiring.ts';
import type { OrderWiring } from './orders.ts';
import { connectionConfigs, resolveConnectionEntry, formatProblem } from '../config/load.ts';
import type { ResolvedConfig } from '../config/schema.ts';
import type { AmazonConnector } from '../connectors/amazon/create-amazon-connector.ts';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createAgentUpgradeRouter, type AgentHubStatus } from '../connectors/sage500/remote/hub.ts';
import { SELLBRIDGE_VERSION } from '../runtime/version.ts';
import { createAgentRegistry, type AgentRegistry } from '../runtime/agents/registry.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import { SellbridgeError } from '../core/errors.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { createMetrics, type Metrics } from '../observability/metrics.ts';
import { systemClock } from '../runtime/clock.ts';
import { createInbox, type Inbox } from '../runtime/inbox/inbox.ts';
import { createJobQueue } from '../runtime/queue/create-job-queue.ts';
import { createDeadLetterService, type DeadLetterService } from '../runtime/queue/dead-letters.ts';
import type { JobQueue } from '../runtime/queue/job-queue.ts';
import type { Schedule, Scheduler } from '../runtime/scheduler.ts';
import { openStore, type Store } from '../runtime/store/store.ts';
import { createSharedCircuits } from '../runtime/circuit/shared-circuits.ts';
import { createEngineStatusSink } from '../connectors/store/engine-status.ts';
import { startOrderIntake } from './intake.ts';
import { registerStoreCollectors } from './metrics.ts';
import type { WebhookDeps } from '../server/routes/webhooks.ts';
import { buildEngine, type ConnectionEngine, type EngineShared } from './engine.ts';
import { connectionIdOfKey, createQueueRouter } from './connection-queue.ts';
import { routingInbox } from './notification-routing.ts';
import {
  storeConnectionRegistry,
  type ConnectionOrigin,
  type ConnectionRecord,
} from '../connectors/store/connection-registry.ts';
import { checkConnection, type ConnectionCheckReport } from './connection-check.ts';
import { formatMappingProblems } from '../flows/check-mapping.ts';
import { storeConnectionMappings } from '../connectors/store/connection-mappings.ts';
import {
  effectivePrefix,
  prefixHolder,
  prefixTakenProblem,
  sageCompanyOf,
  type PrefixHolder,
} from './tran-no-prefixes.ts';

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
   * Hosted mode (`sage500.kind: agent`, worker role): the HTTP server's `upgrade` handler (see `sellbridge run`), one
   * for the process whatever the number of agent connections. It checks path, protocol and version, authenticates
   * the agent's credential once, and hands the channel to the hub of the connection the agent is enrolled for
   * (each agent-mode connection's engine has its own); an agent of a connection that is not an agent-mode
   * connection of this process is refused (403).
   */
  agentUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Hosted mode: each agent-mode connection's channel as its hub sees it (online, agent, version, latency, in flight). */
  agentStatus(): readonly AgentHubStatus[];
  /** The order flows' wiring (deps and connection id), for the CLI, the admin API and tests. */
  readonly orders: OrderWiring;
  /** What `POST /webhooks/amazon` needs (`buildApp({ ...runtime })` passes it on). */
  readonly webhooks: WebhookDeps;
  /**
   * The connections this process serves (issue 21): one engine each; `amazon`, `sage`, `orders`, `circuits` and
   * `webhooks` above are those of the first configured connection (the only one in a single-connection setup).
   */
  readonly connections: Connections;
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
  /** Per connection id: use this gateway instead of opening the connection's own (tests, the demo). */
  readonly sageFor?: (connectionId: string) => Sage500Gateway | undefined;
  /** Per connection id: use this Amazon connector (tests). */
  readonly amazonFor?: (connectionId: string) => AmazonConnector | undefined;
  /**
   * Check each connection's mapping against its Sage company when the runtime starts (`sellbridge run` with several
   * connections): one that fails does not start and its work waits with the reason. Default false.
   */
  readonly checkConnections?: boolean;
  /** How often a worker reads the connection registry for changes made by other processes (default 5000 ms). */
  readonly registryPollMs?: number;
}

/** What `connections list` and GET /api/v1/connections show of one connection. */
export interface ConnectionView {
  readonly id: string;
  readonly name: string;
  readonly origin: ConnectionOrigin;
  /** `active` runs; `paused` (by an operator) and `failed` (check failed, bad stored config) wait with `reason`. */
  readonly state: 'active' | 'paused' | 'failed';
  readonly reason: string | null;
  /** Whether this process runs its engine (a client-role process runs none). */
  readonly running: boolean;
  readonly sellerId: string | null;
  readonly region: string | null;
  readonly marketplaceIds: readonly string[];
  readonly sageCompanyId: string | null;
  readonly sageKind: string | null;
}

/** A connection to add while running: the blocks of a sellbridge.yaml entry. */
export interface ConnectionInput {
  readonly id: string;
  readonly name?: string;
  readonly amazon?: Readonly<Record<string, unknown>>;
  readonly sage500?: Readonly<Record<string, unknown>>;
  readonly orders?: Readonly<Record<string, unknown>>;
  /** Its inventory and price sync (warehouses, price sheets...); its id becomes `inventory.connectionId`. */
  readonly inventory?: Readonly<Record<string, unknown>>;
  /** Its settlement accounts and schedule; its id becomes `settlements.connectionId`. */
  readonly settlements?: Readonly<Record<string, unknown>>;
}

/** One problem of a refused connection: its path in the input, and what is wrong. */
export interface ConnectionProblem {
  readonly path: string;
  readonly problem: string;
}

/** The registry of running connections: add, pause, resume, remove while the engine runs. */
export interface Connections {
  list(): Promise<ConnectionView[]>;
  engine(id: string): ConnectionEngine | undefined;
  engines(): readonly ConnectionEngine[];
  /** What this process holds of a connection now, without reading the registry (undefined: not known here). */
  current(id: string): ConnectionView | undefined;
  /**
   * Validates (schema, id, then the mapping against the Sage company), stores and, in a worker, starts it. Refused
   * input throws SB_CONNECTION_INVALID with `context.problems` (ConnectionProblem[]); nothing is stored then.
   */
  add(input: ConnectionInput, actor: string): Promise<ConnectionView>;
  pause(id: string, reason: string | null, actor: string): Promise<ConnectionView>;
  resume(id: string, actor: string): Promise<ConnectionView>;
  /** Removes an api-added connection (a sellbridge.yaml one is removed from the file). Its pending jobs wait. */
  remove(id: string, actor: string): Promise<void>;
  /** Reads the registry and applies what other processes changed (a worker does it every `registryPollMs`). */
  refresh(): Promise<void>;
  /**
   * The other connection (not failed) that reserves TranNos with `prefix` in connection `id`'s Sage company, if any
   * (tran-no-prefixes.ts): an order-policies edit to that prefix is refused.
   */
  tranNoPrefixHolder(id: string, prefix: string): Promise<string | undefined>;
}

/** SB_CONNECTION_INVALID with each problem (path and what is wrong); nothing was stored. */
export class ConnectionRefusedError extends SellbridgeError {
  readonly problems: readonly ConnectionProblem[];
  constructor(id: string, problems: readonly ConnectionProblem[]) {
    super(
      'SB_CONNECTION_INVALID',
      `connection ${id} refused, nothing stored: ${problems.map((p) => `${p.path}: ${p.problem}`).join('; ')}`,
      { context: { connectionId: id, paths: problems.map((p) => p.path) } },
    );
    this.name = 'ConnectionRefusedError';
    this.problems = problems;
  }
}

const CONNECTION_ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;

interface Entry {
  readonly id: string;
  readonly origin: ConnectionOrigin;
  readonly name: string;
  engine: ConnectionEngine | undefined;
  config: ResolvedConfig | undefined;
  state: 'active' | 'paused' | 'failed';
  reason: string | null;
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
  const registryPollMs = options.registryPollMs ?? 5_000;
  const entries = new Map<string, Entry>();
  try {
    if (options.migrate !== false) {
      const applied = await store.migrate();
      if (applied.length) logger.info({ applied }, `store migrated: ${applied.join(', ')}`);
    }
    const configured = connectionConfigs(config);
    const queue = await createJobQueue({ store, clock, logger, metrics, settings: config.jobs, role });
    const deadLetters = createDeadLetterService(store, queue, clock);
    const inbox = createInbox(store, clock);
    const agents = createAgentRegistry(store, clock);
    const registry = storeConnectionRegistry(store, clock);
    const router = createQueueRouter(
      queue,
      (id) => {
        const e = entries.get(id);
        if (!e)
          return {
            runs: false,
            reason: `connection ${id} is not known to this process (removed, or added elsewhere and not read yet)`,
          };
        if (e.state !== 'active' || !e.engine)
          return { runs: false, reason: `connection ${id} is ${e.state}${e.reason ? `: ${e.reason}` : ''}` };
        return { runs: true };
      },
      logger,
      () => registryPollMs,
    );
    // One Sage circuit per Sage server, shared by the engines of the connections on it (engine.ts).
    const sageCircuits = createSharedCircuits();
    // Worker role: one writer of every connection's engine status and job minutes (a few statements per flush,
    // however many connections there are).
    const status =
      role === 'worker'
        ? createEngineStatusSink({
            store,
            clock,
            onError: (err) => logger.debug({ err }, 'engine status not recorded; tried again with the next flush'),
          })
        : undefined;
    const shared: EngineShared = { role, store, clock, logger, metrics, inbox, agents, sleep, sageCircuits, status };
    const make = (c: ResolvedConfig, first: boolean): ConnectionEngine => {
      const id = c.orders.connectionId;
      return buildEngine(c, router.scoped(id), shared, {
        sage: options.sageFor?.(id) ?? (first ? options.sage : undefined),
        amazon: options.amazonFor?.(id) ?? (first ? options.amazon : undefined),
      });
    };
    configured.forEach((c, i) => {
      const id = c.orders.connectionId;
      entries.set(id, {
        id,
        origin: 'config',
        name: id,
        engine: make(c, i === 0),
        config: c,
        state: 'active',
        reason: null,
      });
    });
    const primary = entries.get(configured[0]!.orders.connectionId)!.engine!;
    // Jobs finished per minute for the overview's throughput in any process (engine_throughput): counted once.
    const throughput = status;
    if (throughput)
      queue.onEvent((e) => {
        const of = () => connectionIdOfKey(e.job.key, (id) => entries.has(id));
        if (e.type === 'completed') throughput.jobFinished(true, of());
        else if (e.type === 'retry' || e.type === 'dead') throughput.jobFinished(false, of());
      });
    registerStoreCollectors({
      registry: metrics.registry,
      store,
      clock,
      shipByWarningMs: config.orders.shipByWarningMs,
    }); // queue age, rate buckets, latencies, read at scrape time
    if (role === 'worker') await registry.recordConfigured(configured.map((c) => c.orders.connectionId));

    let started = false;
    let closed = false;
    const intakes = new Map<string, { abort: AbortController; done: Promise<void> }>();
    const startIntakes = () => {
      if (!started || closed) return;
      for (const e of entries.values()) {
        const url = e.engine?.config.amazon.sqs.queueUrl;
        if (!e.engine || !url || intakes.has(url)) continue;
        // One consumer per distinct queue URL; each notification goes to the connection of its SellerId.
        const abort = new AbortController();
        const routed = routingInbox(inbox, () =>
          [...entries.values()].flatMap((x) =>
            x.engine && x.engine.config.amazon.sqs.queueUrl === url
              ? [
                  {
                    id: x.id,
                    sellerId: x.engine.config.amazon.sellerId,
                    marketplaceIds: x.engine.config.amazon.marketplaceIds,
                    inbox: x.engine.inbox,
                  },
                ]
              : [],
          ),
        );
        const done = startOrderIntake({
          config: e.engine.config,
          logger,
          queue: e.engine.queue,
          inbox: routed,
          connectionId: e.id,
          signal: abort.signal,
        });
        intakes.set(url, { abort, done });
      }
    };
    const startSchedules = (e: Entry) => {
      if (started && !closed && e.state === 'active') e.engine?.scheduler.start();
    };
    const check = async (e: Entry): Promise<void> => {
      // A hosted-mode connection's Sage answers only once its agent is online: the agent checks the catalog when it
      // starts (as in a one-connection hub); the connection starts and its orders wait for the agent.
      if (!e.engine || !e.config || e.engine.agentHub) return;
      let report: ConnectionCheckReport | undefined;
      try {
        report = await checkConnection(e.config, e.id, e.engine.rawSage);
      } catch (err) {
        e.state = 'failed';
        e.reason = `connections check could not run: ${(err as Error).message}`;
        return;
      }
      if (!report.check.ok) {
        e.state = 'failed';
        e.reason = `connections check failed: ${formatMappingProblems({ ...report.check, problems: report.check.problems.filter((p) => p.severity === 'error') }).join('; ')}`;
        logger.error({ connectionId: e.id }, `connection ${e.id} not started: ${e.reason}`);
      }
    };
    const dropEngine = async (e: Entry) => {
      e.engine?.scheduler.stop();
      router.remove(e.id);
      // Its hub closes the agent's channel as for good (the agent stops instead of dialling back in).
      await e.engine?.close({ removed: `connection ${e.id} was removed from this hub` }).catch(() => undefined);
      entries.delete(e.id);
    };
    const addApiEntry = (row: ConnectionRecord): Entry => {
      const resolved = resolveConnectionEntry(config, row.id, row.config ?? {});
      const entry: Entry =
        'config' in resolved
          ? {
              id: row.id,
              origin: 'api',
              name: row.name,
              engine: make(resolved.config, false),
              config: resolved.config,
              state: row.state,
              reason: row.reason,
            }
          : {
              id: row.id,
              origin: 'api',
              name: row.name,
              engine: undefined,
              config: undefined,
              state: 'failed',
              reason: `stored configuration is invalid: ${resolved.problems.map(formatProblem).join('; ')}`,
            };
      entries.set(row.id, entry);
      return entry;
    };
    /** Applies the registry's rows: new api connections start, paused ones stop, removed ones go. */
    const apply = async (rows: readonly ConnectionRecord[]) => {
      const seen = new Set<string>();
      for (const row of rows) {
        seen.add(row.id);
        const e = entries.get(row.id);
        if (!e) {
          if (row.origin !== 'api') continue; // a sellbridge.yaml connection of another configuration
          const added = addApiEntry(row);
          if (options.checkConnections && started) await check(added);
          startSchedules(added);
          startIntakes();
          logger.info({ connectionId: row.id, state: added.state }, `connection ${row.id} added`);
          continue;
        }
        if (e.state === 'failed') continue;
        if (row.state === 'paused' && e.state === 'active') {
          e.state = 'paused';
          e.reason = row.reason;
          e.engine?.scheduler.stop();
          logger.info({ connectionId: e.id, reason: row.reason }, `connection ${e.id} paused`);
        } else if (row.state === 'active' && e.state === 'paused') {
          e.state = 'active';
          e.reason = null;
          startSchedules(e);
          logger.info({ connectionId: e.id }, `connection ${e.id} resumed`);
        }
      }
      for (const e of [...entries.values()])
        if (e.origin === 'api' && !seen.has(e.id)) {
          await dropEngine(e);
          logger.info({ connectionId: e.id }, `connection ${e.id} removed`);
        }
    };
    await apply(await registry.list());

    const view = (e: Entry): ConnectionView => ({
      id: e.id,
      name: e.name,
      origin: e.origin,
      state: e.state,
      reason: e.reason,
      running: role === 'worker' && started && e.state === 'active' && !!e.engine,
      sellerId: e.config?.amazon.sellerId ?? null,
      region: e.config?.amazon.region ?? null,
      marketplaceIds: e.config?.amazon.marketplaceIds ?? [],
      sageCompanyId: e.config?.sage500.companyId ?? null,
      sageKind: e.config?.sage500.kind ?? null,
    });
    const known = async (id: string): Promise<Entry> => {
      const e = entries.get(id);
      if (e) return e;
      await apply(await registry.list());
      const again = entries.get(id);
      if (!again)
        throw new SellbridgeError('SB_CONNECTION_NOT_FOUND', `no connection ${id}`, { context: { connectionId: id } });
      return again;
    };
    const refuse = (problems: readonly ConnectionProblem[], id: string): never => {
      throw new ConnectionRefusedError(id, problems);
    };
    const mappingEdits = storeConnectionMappings(store, clock);
    /** The TranNo prefixes the connections hold now (a failed one holds none: it books nothing). */
    const prefixHolders = async (): Promise<PrefixHolder[]> =>
      Promise.all(
        [...entries.values()]
          .filter((e) => e.config && e.state !== 'failed')
          .map(async (e) => ({
            id: e.id,
            company: sageCompanyOf(e.config!, e.id),
            prefix: await effectivePrefix(mappingEdits, e.config!, e.id),
          })),
      );
    /** A sellbridge.yaml connection whose prefix an earlier one holds in its Sage company does not start. */
    const refuseSharedPrefixes = async () => {
      const held: PrefixHolder[] = [];
      for (const h of await prefixHolders()) {
        const holder = prefixHolder(held, h.id, h.company, h.prefix);
        const e = entries.get(h.id)!;
        if (!holder) held.push(h);
        else if (e.state === 'active') {
          e.state = 'failed';
          e.reason = `sage500.tranNoPrefix: ${prefixTakenProblem(h.prefix, holder)}`;
          logger.error({ connectionId: e.id }, `connection ${e.id} not started: ${e.reason}`);
        }
      }
    };
    const connections: Connections = {
      async list() {
        await apply(await registry.list());
        return [...entries.values()].sort((a, b) => a.id.localeCompare(b.id)).map(view);
      },
      engine: (id) => entries.get(id)?.engine,
      current: (id) => {
        const e = entries.get(id);
        return e ? view(e) : undefined;
      },
      engines: () => [...entries.values()].flatMap((e) => (e.engine ? [e.engine] : [])),
      async add(input, actor) {
        const id = input.id;
        if (typeof id !== 'string' || !CONNECTION_ID.test(id))
          refuse(
            [
              {
                path: 'id',
                problem: 'lower-case letters, digits, - and _ (at most 40), starting with a letter or digit',
              },
            ],
            String(id),
          );
        if (entries.has(id) || (await registry.get(id)))
          refuse([{ path: 'id', problem: `connection ${id} exists already` }], id);
        const blocks: Record<string, unknown> = {};
        for (const k of ['amazon', 'sage500', 'orders', 'inventory', 'settlements'] as const)
          if (input[k] !== undefined) blocks[k] = input[k];
        const resolved = resolveConnectionEntry(config, id, blocks);
        if ('problems' in resolved)
          refuse(
            resolved.problems.map((p) => ({
              path: p.path,
              problem: `${p.message} (expected ${p.expected}, received ${p.received})`,
            })),
            id,
          );
        const c = (resolved as { config: ResolvedConfig }).config;
        // Checked against its Sage company before anything is stored. A hosted-mode (agent) connection's Sage is
        // reached only through its agent, which cannot be enrolled before the connection exists: it is stored
        // unchecked, gets its hub here, and the agent checks the Sage catalog when it starts.
        const given = options.sageFor?.(id);
        let report: ConnectionCheckReport | undefined;
        if (c.sage500.kind !== 'agent' || given)
          try {
            report = await checkConnection(c, id, given);
          } catch (err) {
            return refuse(
              [{ path: 'sage500', problem: `the Sage company could not be checked: ${(err as Error).message}` }],
              id,
            );
          }
        const errors = report?.check.problems.filter((p) => p.severity === 'error') ?? [];
        const holder = prefixHolder(await prefixHolders(), id, sageCompanyOf(c, id), c.sage500.tranNoPrefix);
        if (errors.length || holder)
          refuse(
            [
              ...errors.map((p) => ({ path: p.path, problem: `${JSON.stringify(p.value)}: ${p.problem}` })),
              ...(holder
                ? [
                    {
                      path: 'sage500.tranNoPrefix',
                      problem: `${JSON.stringify(c.sage500.tranNoPrefix)}: ${prefixTakenProblem(c.sage500.tranNoPrefix, holder)}`,
                    },
                  ]
                : []),
            ],
            id,
          );
        const row = await registry.add({ id, ...(input.name ? { name: input.name } : {}), config: blocks }, actor);
        await apply([...(await registry.list()).filter((r) => r.id !== row.id), row]);
        return view(entries.get(id)!);
      },
      async pause(id, reason, actor) {
        const e = await known(id);
        const why = reason ?? `paused by ${actor}`;
        if (!(await registry.setState(id, 'paused', why, actor)))
          await registry.recordConfigured([id]).then(() => registry.setState(id, 'paused', why, actor));
        if (e.state !== 'failed') {
          e.state = 'paused';
          e.reason = why;
          e.engine?.scheduler.stop();
        }
        return view(e);
      },
      async resume(id, actor) {
        const e = await known(id);
        if (!(await registry.setState(id, 'active', null, actor))) await registry.recordConfigured([id]);
        if (e.state === 'failed' && e.engine) {
          e.state = 'active';
          e.reason = null;
          if (options.checkConnections) await check(e);
        } else if (e.state === 'paused') {
          e.state = 'active';
          e.reason = null;
        }
        startSchedules(e);
        return view(e);
      },
      async remove(id, actor) {
        const e = await known(id);
        if (e.origin === 'config')
          refuse(
            [{ path: 'id', problem: `connection ${id} comes from sellbridge.yaml: remove it there (or pause it)` }],
            id,
          );
        await registry.remove(id, actor);
        await dropEngine(e);
      },
      refresh: async () => apply(await registry.list()),
      async tranNoPrefixHolder(id, prefix) {
        const e = entries.get(id);
        if (!e?.config) return undefined;
        return prefixHolder(await prefixHolders(), id, sageCompanyOf(e.config, id), prefix);
      },
    };

    const scheduler: Scheduler = {
      get schedules(): readonly Schedule[] {
        return [...entries.values()].flatMap((e) => (e.engine ? e.engine.scheduler.schedules : []));
      },
      add: (s) => primary.scheduler.add(s),
      async tick() {
        for (const e of entries.values()) if (e.state === 'active') await e.engine?.scheduler.tick();
      },
      start() {
        for (const e of entries.values()) startSchedules(e);
      },
      stop() {
        for (const e of entries.values()) e.engine?.scheduler.stop();
      },
    };
    const circuits: Circuits = Object.assign(
      () =>
        [...entries.values()].flatMap((e) =>
          // The first connection's circuits keep their shape (one-connection readiness as before); the others say whose.
          e.engine ? e.engine.circuits().map((c) => (e.engine === primary ? c : { ...c, connection: e.id })) : [],
        ),
      { sage500: primary.circuits.sage500, amazon: primary.circuits.amazon },
    );
    let poll: NodeJS.Timeout | undefined;
    const hubOf = (id: string) => entries.get(id)?.engine?.agentHub;
    const agentUpgrade = createAgentUpgradeRouter({
      registry: agents,
      hubVersion: SELLBRIDGE_VERSION,
      logger,
      // A connection added by another process (an API-role server) is read from the registry before a refusal.
      hubFor: async (id) =>
        hubOf(id) ??
        (await connections.refresh().then(
          () => hubOf(id),
          () => undefined,
        )),
      served: () => [...entries.values()].flatMap((e) => (e.engine?.agentHub ? [e.id] : [])).sort(),
      unavailable: () =>
        role !== 'worker'
          ? 'this process runs no jobs (role api): agents dial in to the process that runs them (sellbridge run --role all)'
          : closed
            ? 'the hub is stopping'
            : undefined,
    });
    const runtime: Omit<Runtime, 'amazon'> = {
      config,
      clock,
      logger,
      metrics,
      store,
      queue,
      deadLetters,
      inbox,
      sage: primary.sage,
      scheduler,
      circuits,
      agents,
      agentUpgrade,
      agentStatus: () =>
        [...entries.values()]
          .flatMap((e) => (e.engine?.agentHub ? [e.engine.agentHub.status()] : []))
          .sort((a, b) => a.connectionId.localeCompare(b.connectionId)),
      orders: primary.orders,
      connections,
      webhooks: {
        ...primary.webhooks,
        forConnection: (id) => entries.get(id)?.engine?.webhooks,
      },
      async start() {
        if (started || role !== 'worker') return;
        started = true;
        router.markStarted();
        await refuseSharedPrefixes();
        if (options.checkConnections) for (const e of entries.values()) if (e.state === 'active') await check(e);
        await queue.start();
        for (const e of entries.values()) startSchedules(e);
        startIntakes();
        // Changes made by other processes (the CLI, an API-role server) reach this worker within one poll.
        poll = setInterval(() => {
          void connections
            .refresh()
            .catch((err: unknown) =>
              logger.warn(
                { err: (err as Error).message },
                'connection registry not read; tried again at the next poll',
              ),
            );
        }, registryPollMs);
        poll.unref();
      },
      async close() {
        closed = true;
        if (poll) clearInterval(poll);
        scheduler.stop();
        for (const i of intakes.values()) i.abort.abort();
        for (const i of intakes.values()) await i.done.catch(() => undefined);
        await queue.stop();
        for (const e of entries.values()) await e.engine?.close();
        await status?.close().catch(() => undefined);
        await store.close();
      },
    };
    // Not enumerable: `{ ...runtime }` (e.g. into buildApp) must not build the connector.
    return Object.defineProperty(runtime, 'amazon', { get: primary.amazon, enumerable: false }) as Runtime;
  } catch (err) {
    for (const e of entries.values()) await e.engine?.close().catch(() => undefined);
    await store.close();
    throw err;
  }
}
