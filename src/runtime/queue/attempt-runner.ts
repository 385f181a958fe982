import { EventEmitter } from 'node:events';
import { coerceError, type SellbridgeError } from '../../core/errors.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../observability/logger.ts';
import { connectionLabelOf, type Metrics } from '../../observability/metrics.ts';
import type { Db } from '../store/store.ts';
import { recordDeadLetter } from './dead-letters.ts';
import type { JobEvent, JobHandler, JobRef } from './job-queue.ts';
import { decideAfterFailure, type RetrySettings } from './retry-policy.ts';

/** What the engine adapter must do with the job after one attempt. */
export type AttemptOutcome =
  | { readonly kind: 'completed' }
  | { readonly kind: 'retry'; readonly delayMs: number; readonly error: SellbridgeError }
  | { readonly kind: 'defer'; readonly delayMs: number; readonly error: SellbridgeError }
  | { readonly kind: 'dead'; readonly error: SellbridgeError; readonly deadLetterId: string }
  | { readonly kind: 'released' };

export interface Attempt extends JobRef {
  readonly payload: unknown;
}

export interface AttemptRunnerDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly retry: RetrySettings;
  readonly random?: () => number;
}

/**
 * Runs one attempt of a job and classifies its end, the same way for every engine: the adapters only
 * fetch, lease and store. Failures are logged in one line (job id, queue, attempt N of M, duration, code,
 * message; Graphile's failure log) and a dead letter is written before the adapter marks the job dead.
 */
export class AttemptRunner {
  readonly #deps: AttemptRunnerDeps;
  readonly #events = new EventEmitter();

  constructor(deps: AttemptRunnerDeps) {
    this.#deps = deps;
    this.#events.setMaxListeners(0);
  }

  onEvent(listener: (event: JobEvent) => void): () => void {
    this.#events.on('job', listener);
    return () => this.#events.off('job', listener);
  }

  emit(event: JobEvent): void {
    this.#events.emit('job', event);
  }

  async run(
    attempt: Attempt,
    handler: JobHandler,
    signal: AbortSignal,
  ): Promise<{ outcome: AttemptOutcome; durationMs: number }> {
    const { metrics } = this.#deps;
    const job: JobRef = {
      id: attempt.id,
      queue: attempt.queue,
      key: attempt.key,
      attempt: attempt.attempt,
      maxAttempts: attempt.maxAttempts,
    };
    const connection = connectionLabelOf(attempt.payload);
    const started = performance.now();
    metrics.jobsStarted.inc({ queue: job.queue, connection });
    this.emit({ type: 'started', job });
    let outcome: AttemptOutcome;
    try {
      await handler(attempt.payload, { ...job, signal });
      outcome = { kind: 'completed' };
    } catch (thrown) {
      outcome = signal.aborted ? { kind: 'released' } : await this.#classify(job, attempt.payload, coerceError(thrown));
    }
    const durationMs = Math.round(performance.now() - started);
    metrics.jobsFinished.inc({ queue: job.queue, outcome: outcome.kind, connection });
    metrics.jobDuration.observe({ queue: job.queue, outcome: outcome.kind, connection }, durationMs / 1000);
    this.#log(job, outcome, durationMs, connection);
    return { outcome, durationMs };
  }

  /** Emits the event of an outcome; adapters call it once the outcome is stored, so listeners see settled state. */
  announce(job: JobRef, outcome: AttemptOutcome, durationMs: number): void {
    switch (outcome.kind) {
      case 'completed':
        this.emit({ type: 'completed', job, durationMs });
        return;
      case 'released':
        this.emit({ type: 'released', job });
        return;
      case 'dead':
        this.emit({ type: 'dead', job, deadLetterId: outcome.deadLetterId, code: outcome.error.code });
        return;
      default:
        this.emit({
          type: outcome.kind === 'retry' ? 'retry' : 'deferred',
          job,
          delayMs: outcome.delayMs,
          code: outcome.error.code,
        });
    }
  }

  #log(job: JobRef, outcome: AttemptOutcome, durationMs: number, connection: string): void {
    const { logger, metrics } = this.#deps;
    switch (outcome.kind) {
      case 'completed':
        logger.debug({ jobId: job.id, queue: job.queue, attempt: job.attempt, durationMs }, 'job completed');
        return;
      case 'released':
        logger.info(
          { jobId: job.id, queue: job.queue },
          `job ${job.id} ${job.queue} released at shutdown after ${durationMs}ms`,
        );
        return;
      default: {
        const { error } = outcome;
        const next =
          outcome.kind === 'dead'
            ? `dead-lettered as ${outcome.deadLetterId}`
            : `${outcome.kind === 'retry' ? 'retry' : 'waiting, no attempt spent,'} in ${outcome.delayMs}ms`;
        const fields = {
          jobId: job.id,
          queue: job.queue,
          attempt: job.attempt,
          maxAttempts: job.maxAttempts,
          durationMs,
          code: error.code,
          kind: error.kind,
          context: error.context,
        };
        const line = `job ${job.id} ${job.queue} attempt ${job.attempt} of ${job.maxAttempts} failed after ${durationMs}ms: ${error.code} ${error.message}; ${next}`;
        if (outcome.kind === 'defer') logger.info(fields, line);
        else logger[outcome.kind === 'dead' ? 'error' : 'warn'](fields, line);
        if (outcome.kind === 'dead') metrics.deadLetters.inc({ queue: job.queue, code: error.code, connection });
      }
    }
  }

  async #classify(job: JobRef, payload: unknown, error: SellbridgeError): Promise<AttemptOutcome> {
    const firstFailedAt = await this.#recordFailure(job.id, error);
    const decision = decideAfterFailure(error, job.attempt, job.maxAttempts, this.#deps.retry, this.#deps.random);
    if (decision.action === 'retry') return { kind: 'retry', delayMs: decision.delayMs, error };
    if (decision.action === 'defer') return { kind: 'defer', delayMs: decision.delayMs, error };
    const deadLetterId = await this.deadLetter(job, payload, error, firstFailedAt);
    return { kind: 'dead', error, deadLetterId };
  }

  /** Upserts the job's failure history; returns the time of its first failure. */
  async #recordFailure(jobId: string, error: SellbridgeError): Promise<Date> {
    const now = this.#deps.clock.now().toISOString();
    const lastError = `${error.code}: ${error.message}`.slice(0, 2000);
    const row = await this.#deps.db
      .insertInto('job_failures')
      .values({ job_id: jobId, first_failed_at: now, last_failed_at: now, last_error: lastError, failures: 1 })
      .onConflict((oc) =>
        oc.column('job_id').doUpdateSet((eb) => ({
          last_failed_at: now,
          last_error: lastError,
          failures: eb('job_failures.failures', '+', 1),
        })),
      )
      .returning('first_failed_at')
      .executeTakeFirstOrThrow();
    return new Date(row.first_failed_at);
  }

  /** Writes the dead letter (once per job id). Also used by adapters for jobs whose lease ran out for good. */
  async deadLetter(job: JobRef, payload: unknown, error: SellbridgeError, firstFailedAt?: Date): Promise<string> {
    const now = this.#deps.clock.now();
    return recordDeadLetter(this.#deps.db, {
      queue: job.queue,
      jobId: job.id,
      jobKey: job.key,
      payload,
      error: error.toJSON(),
      attempts: job.attempt,
      firstFailedAt: firstFailedAt ?? now,
      lastFailedAt: now,
    });
  }
}
