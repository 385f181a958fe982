import type { ResolvedConfig } from '../config/schema.ts';
import type { AmazonConnector } from '../connectors/amazon/create-amazon-connector.ts';
import type { AmazonMarketplace } from '../core/ports/amazon-marketplace.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { CircuitBreaker } from '../runtime/circuit/circuit-breaker.ts';
import type { Inbox } from '../runtime/inbox/inbox.ts';
import type { JobQueue } from '../runtime/queue/job-queue.ts';
import type { Scheduler } from '../runtime/scheduler.ts';
import type { Store } from '../runtime/store/store.ts';
import type { AmazonCircuits } from '../connectors/amazon/sp-api/circuit-transport.ts';

/**
 * The circuit breakers: call it for the list of states (the admin API's `circuits` dependency has this shape, so
 * the runtime can be passed to `buildApp` as it is), or pick one by target.
 */
export type Circuits = (() => readonly { target: string; state: string }[]) & {
  readonly sage500: CircuitBreaker;
  readonly amazon: AmazonCircuits;
};

/** What every flow family's registration gets. */
export interface FlowWiring {
  readonly config: ResolvedConfig;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly queue: JobQueue;
  readonly scheduler: Scheduler;
  readonly inbox: Inbox;
  /** The marketplace port; the connector behind it is built on the first call. */
  readonly amazon: AmazonMarketplace;
  /** The whole connector (feeds, reports, listings clients); building it needs the amazon config. */
  readonly amazonConnector: () => AmazonConnector;
  /** Sage 500 behind its circuit breaker. */
  readonly sage: Sage500Gateway;
  /** The breakers; `circuits.sage500.ensureAvailable()` lets a job wait before it spends Amazon calls on work Sage cannot take. */
  readonly circuits: Circuits;
}
