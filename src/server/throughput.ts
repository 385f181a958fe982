import type { Clock } from '../core/ports/clock.ts';
import type { JobQueue } from '../runtime/queue/job-queue.ts';

export interface ThroughputMinute {
  /** Start of the minute, UTC ISO-8601. */
  readonly minute: string;
  readonly completed: number;
  readonly failed: number;
}

/**
 * Jobs completed and failed (retry or dead) per minute over the last hour, counted from this process's queue
 * events. In a split deployment (`run --role api` beside workers) the API process sees no events; the
 * overview then shows an empty series and Prometheus (`sellbridge_jobs_finished_total`) is the source.
 */
export interface Throughput {
  series(): ThroughputMinute[];
  stop(): void;
}

const WINDOW_MINUTES = 60;

export function createThroughput(queue: Pick<JobQueue, 'onEvent'>, clock: Clock): Throughput {
  const buckets = new Map<number, { completed: number; failed: number }>();
  const minuteOf = (ms: number) => Math.floor(ms / 60_000);
  const off = queue.onEvent((e) => {
    if (e.type !== 'completed' && e.type !== 'retry' && e.type !== 'dead') return;
    const m = minuteOf(clock.now().getTime());
    const b = buckets.get(m) ?? { completed: 0, failed: 0 };
    if (e.type === 'completed') b.completed += 1;
    else b.failed += 1;
    buckets.set(m, b);
    for (const k of buckets.keys()) if (k <= m - WINDOW_MINUTES) buckets.delete(k);
  });
  return {
    series() {
      const now = minuteOf(clock.now().getTime());
      const out: ThroughputMinute[] = [];
      for (let m = now - WINDOW_MINUTES + 1; m <= now; m++) {
        const b = buckets.get(m);
        out.push({ minute: new Date(m * 60_000).toISOString(), completed: b?.completed ?? 0, failed: b?.failed ?? 0 });
      }
      return out;
    },
    stop: off,
  };
}
