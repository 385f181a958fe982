import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Metrics } from '../../observability/metrics.ts';
import type { Store } from '../store/store.ts';

/** What every job engine is built from; `settings` is the resolved `jobs` config section. */
export interface QueueSettings {
  readonly concurrency: number;
  readonly maxAttempts: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly leaseMs: number;
  readonly pollIntervalMs: number;
  /** PostgreSQL: the poll that remains once NOTIFY and this process's own wake-ups announce the jobs. */
  readonly backstopPollMs?: number;
  readonly shutdownGraceMs: number;
  readonly keepCompletedMs: number;
}

export interface QueueDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly settings: QueueSettings;
  /** Identifies this process in leases; default pid-random. */
  readonly workerId?: string;
  /** `client`: only enqueues and reads (CLI commands); no maintenance or supervision in this process. */
  readonly role?: 'worker' | 'client';
}
