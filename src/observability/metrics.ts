import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The Prometheus registry of one process, with the job metrics every flow shares. */
export interface Metrics {
  readonly registry: Registry;
  /** The job metrics carry the job's connection (issue 21): its payload's `connectionId`, `default` when none. */
  readonly jobsStarted: Counter<'queue' | 'connection'>;
  readonly jobsFinished: Counter<'queue' | 'outcome' | 'connection'>;
  readonly jobDuration: Histogram<'queue' | 'outcome' | 'connection'>;
  readonly deadLetters: Counter<'queue' | 'code' | 'connection'>;
  readonly queueDepth: Gauge<'queue' | 'state' | 'connection'>;
  /** Age of the oldest due pending job per queue and connection, set from the queue's counts at scrape time. */
  readonly queueOldestDueAge: Gauge<'queue' | 'connection'>;
  /** Circuit breakers (src/runtime/circuit): 0 closed, 1 half-open, 2 open. */
  readonly circuitState: Gauge<'target' | 'connection'>;
  /** Orders the polling safety net found before any notification did (push intake missed them). */
  readonly ordersFirstSeenByPolling: Counter<'connection'>;
  /** SP-API answers with HTTP 429, per operation (seen by the rate-limited transport; each drains its bucket). */
  readonly amazonThrottled: Counter<'operation' | 'connection'>;
  /** First sighting of an Amazon order (push or poll) -> its Sage sales order created (src/bootstrap/metrics.ts). */
  readonly orderToSageLatency: Histogram<'source' | 'connection'>;
  /** Hosted mode: 1 while an agent beside Sage holds its channel to this hub open, per connection. */
  readonly agentOnline: Gauge<'connection'>;
  /** Hosted mode: the agent's version (value 1 on the label of the version connected). */
  readonly agentInfo: Gauge<'connection' | 'version'>;
  /** Hosted mode: heartbeat round trip to the agent. */
  readonly agentLatency: Gauge<'connection'>;
  /** Hosted mode: Sage operations sent to the agent and not yet answered. */
  readonly agentInFlight: Gauge<'connection'>;
  /** Hosted mode: Sage operations over the agent channel, hub side, by outcome (ok, error, offline, timeout). */
  readonly agentCalls: Histogram<'operation' | 'outcome'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  // The event loop lag histogram samples the loop every `eventLoopMonitoringPrecision` ms: prom-client's default
  // of 10 ms woke an idle worker 100 times a second, most of its idle CPU (issue 15: ~5 ms/s). Every 100 ms
  // still catches any stall longer than 100 ms and samples shorter ones 10 times a second.
  if (options.defaultMetrics)
    collectDefaultMetrics({ register: registry, prefix: 'sellbridge_', eventLoopMonitoringPrecision: 100 });
  return {
    registry,
    jobsStarted: new Counter({
      name: 'sellbridge_jobs_started_total',
      help: 'Job attempts started, per queue and connection',
      labelNames: ['queue', 'connection'],
      registers: [registry],
    }),
    jobsFinished: new Counter({
      name: 'sellbridge_jobs_finished_total',
      help: 'Job attempts finished, by outcome (completed, retry, deferred, dead, released) and connection',
      labelNames: ['queue', 'outcome', 'connection'],
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'sellbridge_job_duration_seconds',
      help: 'Duration of job attempts, per queue, outcome and connection',
      labelNames: ['queue', 'outcome', 'connection'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'sellbridge_dead_letters_total',
      help: 'Jobs moved to the dead-letter queue, per queue, code and connection',
      labelNames: ['queue', 'code', 'connection'],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'sellbridge_jobs',
      help: "Jobs per queue, state and connection (the job payload's connectionId, default when none)",
      labelNames: ['queue', 'state', 'connection'],
      registers: [registry],
    }),
    queueOldestDueAge: new Gauge({
      name: 'sellbridge_queue_oldest_due_age_seconds',
      help: "Age of the oldest pending job per queue and connection (the job payload's connectionId) that is due (run_at reached): how long the backlog head has waited; 0 when nothing is due",
      labelNames: ['queue', 'connection'],
      registers: [registry],
    }),
    circuitState: new Gauge({
      name: 'sellbridge_circuit_state',
      help: 'Circuit breaker state per target and connection: 0 closed, 1 half-open, 2 open',
      labelNames: ['target', 'connection'],
      registers: [registry],
    }),
    ordersFirstSeenByPolling: new Counter({
      name: 'sellbridge_orders_first_seen_by_polling_total',
      help: 'Orders first seen by the polling safety net, not by a notification (push intake missed them)',
      labelNames: ['connection'],
      registers: [registry],
    }),
    amazonThrottled: new Counter({
      name: 'sellbridge_amazon_throttled_total',
      help: 'SP-API responses with HTTP 429 (throttled), per operation and connection',
      labelNames: ['operation', 'connection'],
      registers: [registry],
    }),
    orderToSageLatency: new Histogram({
      name: 'sellbridge_order_to_sage_latency_seconds',
      help: 'Amazon order first seen by Sellbridge (source push or poll) -> Sage sales order created, per connection',
      labelNames: ['source', 'connection'],
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 1800, 3600, 14400, 86400],
      registers: [registry],
    }),
    agentOnline: new Gauge({
      name: 'sellbridge_agent_online',
      help: 'Hosted mode: 1 while the agent beside Sage 500 is connected to this hub, per connection',
      labelNames: ['connection'],
      registers: [registry],
    }),
    agentInfo: new Gauge({
      name: 'sellbridge_agent_info',
      help: 'Hosted mode: 1 on the version of the agent connected, per connection',
      labelNames: ['connection', 'version'],
      registers: [registry],
    }),
    agentLatency: new Gauge({
      name: 'sellbridge_agent_latency_seconds',
      help: 'Hosted mode: heartbeat round trip between the hub and the agent',
      labelNames: ['connection'],
      registers: [registry],
    }),
    agentInFlight: new Gauge({
      name: 'sellbridge_agent_in_flight',
      help: 'Hosted mode: Sage operations sent to the agent and not yet answered',
      labelNames: ['connection'],
      registers: [registry],
    }),
    agentCalls: new Histogram({
      name: 'sellbridge_agent_call_seconds',
      help: 'Hosted mode: Sage operations through the agent channel, hub side, by outcome (ok, error, offline, timeout)',
      labelNames: ['operation', 'outcome'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
  };
}

/** The `connection` label of a job's metrics: its payload's `connectionId`; `default` when it has none (issue 21). */
export function connectionLabelOf(payload: unknown): string {
  const id =
    typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)['connectionId'] : undefined;
  return typeof id === 'string' && id.trim() !== '' ? id.trim() : 'default';
}
