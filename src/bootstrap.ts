import type { ResolvedConfig } from './config/schema.ts';
import type { Clock } from './core/ports.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { systemClock } from './runtime/clock.ts';
import { createJobQueue } from './runtime/queue/create-job-queue.ts';
import { createDeadLetterService, type DeadLetterService } from './runtime/queue/dead-letters.ts';
import type { JobQueue } from './runtime/queue/job-queue.ts';
import { openStore, type Store } from './runtime/store/store.ts';

/**
 * The composition root (STYLE.md §8.1): the only module that imports every layer. Config in, wired runtime out.
 * Connectors and flows are registered here as their issues land; nothing is wired through import side effects.
 */
export interface Runtime {
  readonly config: ResolvedConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly store: Store;
  readonly queue: JobQueue;
  readonly deadLetters: DeadLetterService;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** `client` for CLI commands that only read or enqueue; `worker` runs jobs. */
  readonly role?: 'worker' | 'client';
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Apply pending migrations first (default true). */
  readonly migrate?: boolean;
}

export async function createRuntime(config: ResolvedConfig, options: RuntimeOptions = {}): Promise<Runtime> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger({ level: config.log.level, format: config.log.format });
  const metrics = createMetrics({ defaultMetrics: options.role !== 'client' });
  const store = openStore(config.store);
  try {
    if (options.migrate !== false) {
      const applied = await store.migrate();
      if (applied.length) logger.info({ applied }, `store migrated: ${applied.join(', ')}`);
    }
    const queue = await createJobQueue({ store, clock, logger, metrics, settings: config.jobs, role: options.role ?? 'worker' });
    const deadLetters = createDeadLetterService(store, queue, clock);
    registerFlows(queue);
    return {
      config,
      clock,
      logger,
      metrics,
      store,
      queue,
      deadLetters,
      async close() {
        await queue.stop();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** Job handlers of the flows. Each connector/flow issue adds its registrations here. */
function registerFlows(_queue: JobQueue): void {
  // order.sync, shipment.confirm, inventory.sync, price.sync and settlement.post are added by their issues.
}
