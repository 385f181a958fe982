import type { Expression, SqlBool } from 'kysely';
import type { Tx } from '../store/store.ts';

/**
 * The JobQueue port: every flow's work goes through it (ARCHITECTURE.md "Runtime"). Two adapters implement it:
 * pg-boss on PostgreSQL and a small SQLite queue for the embedded mode; one contract suite
 * (test/contract/queue/) runs against both.
 *
 * Delivery is at least once: a job may run more than once (a crash after the effect, a lease that expired),
 * so handlers make their effects idempotent. What the queue guarantees:
 * - **transactional enqueue**: `enqueue(..., { tx })` commits or rolls back with the caller's transaction;
 * - **de-duplication**: with `dedupe: true`, enqueueing a key that already has a pending job returns that job;
 * - **per-key serialization**: two jobs with the same key never run at the same time, and run in enqueue order;
 * - **retries** with capped exponential backoff and jitter for retryable errors; validation and mapping errors
 *   go to the dead-letter queue at once; throttled and unavailable errors wait `retryAfterMs` without
 *   spending an attempt;
 * - **leases**: a job held by a process that died runs again in another once its lease expires;
 * - **graceful stop**: in-flight jobs get `shutdownGraceMs` to finish, then are released (no attempt spent).
 */
export interface JobQueue {
  readonly engine: 'sqlite' | 'pg-boss';
  /**
   * Adds a job. Inside `tx` it becomes visible only when that transaction commits.
   * @returns the job id, and whether an already-pending job with the same key was returned instead.
   */
  enqueue(queue: string, payload: unknown, options?: EnqueueOptions): Promise<EnqueueResult>;
  /**
   * Adds several jobs of one queue as `enqueue` would, one by one in this order, in one store statement (issue 15:
   * a shipment poll queues a confirmation per package). Items that ask for `dedupe` keep their semantics (within
   * the batch too: a second item with a pending key returns the first's job); on pg-boss each of them costs its own
   * transaction (an advisory lock per key), so batch those only where few ask for it. Items' own `tx` is ignored:
   * pass the transaction as `tx` here.
   * @returns one result per item, in the items' order.
   */
  enqueueMany(queue: string, items: readonly EnqueueItem[], options?: { readonly tx?: Tx }): Promise<EnqueueResult[]>;
  /**
   * Adds a job only while `guard` holds, guard and insert in one store statement without a transaction (issue 15:
   * an intake queues its job only if the notification's inbox row is not there yet, then inserts that row: two
   * statements where a transaction was four). `guard` is an SQL condition on the store's own tables. A de-duplicating
   * job whose key has a pending job joins it, as with `enqueue`. True when a job was added; false when the guard
   * failed or a pending job of the key will do the work. Only on a queue whose jobs live in the store's database
   * (SQLite); absent on pg-boss, whose callers use `enqueue` in a transaction.
   */
  enqueueIf?(
    queue: string,
    payload: unknown,
    options: Omit<EnqueueOptions, 'tx'>,
    guard: Expression<SqlBool>,
  ): Promise<boolean>;
  /** Registers the handler of a queue; call before `start()`. */
  register(queue: string, handler: JobHandler, options?: HandlerOptions): void;
  /** Starts fetching and running jobs of the registered queues. Enqueue works without start. */
  start(): Promise<void>;
  /** Stops fetching; waits up to `graceMs` for in-flight jobs, then aborts and releases them. */
  stop(options?: { graceMs?: number }): Promise<void>;
  getJob(id: string): Promise<JobInfo | undefined>;
  listJobs(filter?: JobFilter): Promise<JobInfo[]>;
  /**
   * Counts per queue and state, for metrics and `sellbridge jobs list`; with `connectionId`, only jobs whose payload's
   * `connectionId` is that one (`default` for a payload without one; issue 21); with `byConnection`, per connection
   * too (each count then has its `connectionId`).
   */
  counts(filter?: { readonly connectionId?: string; readonly byConnection?: boolean }): Promise<QueueCount[]>;
  /** Subscribes to job events (tests wait on these instead of sleeping). Returns an unsubscribe function. */
  onEvent(listener: (event: JobEvent) => void): () => void;
}

export interface EnqueueOptions {
  /** Jobs with the same key never run at once and run in order. Default: the job's own id (no ordering). */
  readonly key?: string;
  /** With a key: when a pending job with this key exists, return it instead of adding another. */
  readonly dedupe?: boolean;
  /** Run no earlier than this. */
  readonly runAt?: Date;
  /** Run no earlier than now + delayMs. */
  readonly delayMs?: number;
  /** Higher runs first (order and shipment work before bulk work). Default 0. */
  readonly priority?: number;
  /** Default: jobs.maxAttempts. */
  readonly maxAttempts?: number;
  /** Enqueue inside this store transaction. */
  readonly tx?: Tx;
  /** Internal: attempts already spent, carried by replays and continuations. */
  readonly attemptsSpent?: number;
}

/** One job of `enqueueMany`. */
export interface EnqueueItem {
  readonly payload: unknown;
  readonly options?: Omit<EnqueueOptions, 'tx'>;
}

export interface EnqueueResult {
  readonly id: string;
  readonly deduplicated: boolean;
}

export interface HandlerOptions {
  /** Jobs of this queue this process runs at once (default jobs.concurrency). */
  readonly concurrency?: number;
}

export interface JobContext {
  readonly id: string;
  readonly queue: string;
  readonly key: string;
  /** 1-based attempt number. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Aborted when the process shuts down past the grace period; long handlers should pass it on. */
  readonly signal: AbortSignal;
}

/** Returns normally on success; throws a SellbridgeError (or anything, which counts as internal) on failure. */
export type JobHandler = (payload: unknown, context: JobContext) => Promise<unknown>;

export type JobState = 'pending' | 'running' | 'completed' | 'dead';

export interface JobInfo {
  readonly id: string;
  readonly queue: string;
  readonly key: string;
  readonly state: JobState;
  /** Attempts started so far. */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly runAt: string;
  readonly createdAt: string;
  readonly payload: unknown;
  readonly lastError: string | null;
}

export interface JobFilter {
  readonly queue?: string;
  readonly state?: JobState;
  /** Only the jobs of this connection (their payload's `connectionId`; `default` when it has none). */
  readonly connectionId?: string;
  readonly limit?: number;
}

export interface QueueCount {
  readonly queue: string;
  readonly state: JobState;
  readonly count: number;
  /** Only when counted `byConnection`. */
  readonly connectionId?: string;
  /** State `pending`: when the oldest of them that is due (run_at reached) became due (ISO); absent when none is. */
  readonly oldestDueAt?: string;
}

export type JobEvent =
  | { readonly type: 'started'; readonly job: JobRef }
  | { readonly type: 'completed'; readonly job: JobRef; readonly durationMs: number }
  | { readonly type: 'retry'; readonly job: JobRef; readonly delayMs: number; readonly code: string }
  | { readonly type: 'deferred'; readonly job: JobRef; readonly delayMs: number; readonly code: string }
  | { readonly type: 'dead'; readonly job: JobRef; readonly deadLetterId: string; readonly code: string }
  | { readonly type: 'released'; readonly job: JobRef };

export interface JobRef {
  readonly id: string;
  readonly queue: string;
  readonly key: string;
  readonly attempt: number;
  readonly maxAttempts: number;
}
