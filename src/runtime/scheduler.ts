import type { Logger } from '../observability/logger.ts';
import type { JobQueue } from './queue/job-queue.ts';

/**
 * Recurring work (shipment polling, the order polling safety net, inventory and price sync, settlement discovery)
 * as durable jobs: every `everyMs` each worker process enqueues the schedule's job with its key and
 * `dedupe: true`, so however many workers tick, one job per key is pending at a time and the queue's retries,
 * dead letters and per-key serialization apply to it. The timer itself holds no state worth losing: a missed tick is
 * the next tick.
 */
export interface Schedule {
  /** Shown in logs, e.g. `shipment.poll`. */
  readonly name: string;
  readonly queue: string;
  readonly key: string;
  readonly payload: unknown;
  readonly everyMs: number;
  readonly priority?: number;
  /** Enqueue at start instead of waiting one period (default true). */
  readonly runAtStart?: boolean;
  /**
   * Asked before each enqueue: false skips this tick (work a setting turns on and off while running, e.g. a mode an
   * edit changes, costs one read per period while off instead of a job). An error enqueues: the job decides.
   */
  readonly when?: () => Promise<boolean>;
}

export interface Scheduler {
  add(schedule: Schedule): void;
  /** Enqueues every schedule once now (used by `run --once` and tests). */
  tick(): Promise<void>;
  start(): void;
  stop(): void;
  readonly schedules: readonly Schedule[];
}

export function createScheduler(deps: {
  readonly queue: Pick<JobQueue, 'enqueue'>;
  readonly logger: Logger;
}): Scheduler {
  const schedules: Schedule[] = [];
  const timers: NodeJS.Timeout[] = [];
  let started = false;

  async function fire(s: Schedule): Promise<void> {
    if (s.when && !(await s.when().catch(() => true))) return;
    try {
      await deps.queue.enqueue(s.queue, s.payload, {
        key: s.key,
        dedupe: true,
        ...(s.priority !== undefined ? { priority: s.priority } : {}),
      });
    } catch (err) {
      // The next tick tries again; a failing store shows up in readiness and in the job metrics.
      deps.logger.warn({ schedule: s.name, err: (err as Error).message }, `schedule ${s.name}: enqueue failed`);
    }
  }

  function arm(s: Schedule): void {
    if (s.runAtStart !== false) void fire(s);
    const t = setInterval(() => void fire(s), s.everyMs);
    t.unref();
    timers.push(t);
  }

  return {
    schedules,
    add(schedule) {
      if (!(schedule.everyMs > 0)) throw new Error(`schedule ${schedule.name}: everyMs must be positive`);
      schedules.push(schedule);
      if (started) arm(schedule);
    },
    async tick() {
      for (const s of schedules) await fire(s);
    },
    start() {
      if (started) return;
      started = true;
      for (const s of schedules) arm(s);
    },
    stop() {
      started = false;
      for (const t of timers.splice(0)) clearInterval(t);
    },
  };
}
