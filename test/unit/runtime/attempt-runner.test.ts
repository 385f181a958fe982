import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SellbridgeError } from '../../../src/core/errors.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { AttemptRunner } from '../../../src/runtime/queue/attempt-runner.ts';
import type { Db } from '../../../src/runtime/store/store.ts';

/** A db stub that answers the failure-history upsert; the runner's only store call on a retry. */
const db = {
  insertInto: () => ({
    values: () => ({
      onConflict: () => ({
        returning: () => ({ executeTakeFirstOrThrow: async () => ({ first_failed_at: new Date(0).toISOString() }) }),
      }),
    }),
  }),
} as unknown as Db;

describe('attempt runner', () => {
  it('logs a failure in one line: job id, queue, attempt N of M, duration, code, message, next step', async () => {
    const lines: string[] = [];
    const destination = new Writable({ write: (c, _e, cb) => (lines.push(c.toString()), cb()) });
    const metrics = createMetrics();
    const runner = new AttemptRunner({
      db,
      clock: { now: () => new Date() },
      logger: createLogger({ level: 'info', destination }),
      metrics,
      retry: { backoffBaseMs: 1000, backoffMaxMs: 1000 },
      random: () => 0,
    });
    const { outcome } = await runner.run(
      {
        id: 'job-1',
        queue: 'order.sync',
        key: 'order.sync:111',
        attempt: 2,
        maxAttempts: 5,
        payload: { buyerEmail: 'x@y.z' },
      },
      async () => {
        throw new SellbridgeError('SB_JOB_HANDLER_CRASHED', 'Sage timed out', { context: { amazonOrderId: '111' } });
      },
      new AbortController().signal,
    );
    expect(outcome).toMatchObject({ kind: 'retry', delayMs: 500 });
    await new Promise((r) => setImmediate(r));
    const entry = JSON.parse(lines.join('')) as { msg: string; attempt: number; code: string; level: string };
    expect(entry.msg).toMatch(
      /^job job-1 order\.sync attempt 2 of 5 failed after \d+ms: SB_JOB_HANDLER_CRASHED Sage timed out; retry in 500ms$/,
    );
    expect(entry).toMatchObject({ level: 'warn', attempt: 2, code: 'SB_JOB_HANDLER_CRASHED' });
    expect(lines.join('')).not.toContain('x@y.z');
    expect(await metrics.registry.getSingleMetricAsString('sellbridge_jobs_finished_total')).toContain(
      'outcome="retry",connection="default"} 1',
    );
  });
});

describe('attempt runner metrics (issue 21)', () => {
  it('labels the job metrics and dead letters with the connection of the job payload, default when none', async () => {
    const metrics = createMetrics();
    const runner = new AttemptRunner({
      db,
      clock: { now: () => new Date() },
      logger: createLogger({ level: 'fatal' }),
      metrics,
      retry: { backoffBaseMs: 1000, backoffMaxMs: 1000 },
      random: () => 0,
    });
    runner.deadLetter = async () => 'dl-1';
    const attempt = (payload: unknown, n: number) => ({
      id: `job-${n}`,
      queue: 'order.sync',
      key: `order.sync:${n}`,
      attempt: 1,
      maxAttempts: 1,
      payload,
    });
    const signal = new AbortController().signal;
    await runner.run(attempt({ amazonOrderId: '1', connectionId: 'eu' }, 1), async () => {}, signal);
    await runner.run(attempt({ amazonOrderId: '2' }, 2), async () => {}, signal);
    const dead = await runner.run(
      attempt({ amazonOrderId: '3', connectionId: 'eu' }, 3),
      async () => {
        throw new SellbridgeError('SB_JOB_HANDLER_CRASHED', 'Sage refused');
      },
      signal,
    );
    expect(dead.outcome.kind).toBe('dead');
    const text = await metrics.registry.metrics();
    expect(text).toContain('sellbridge_jobs_started_total{queue="order.sync",connection="eu"} 2');
    expect(text).toContain('sellbridge_jobs_started_total{queue="order.sync",connection="default"} 1');
    expect(text).toContain('sellbridge_jobs_finished_total{queue="order.sync",outcome="completed",connection="eu"} 1');
    expect(text).toContain(
      'sellbridge_jobs_finished_total{queue="order.sync",outcome="completed",connection="default"} 1',
    );
    expect(text).toContain('sellbridge_jobs_finished_total{queue="order.sync",outcome="dead",connection="eu"} 1');
    expect(text).toMatch(
      /sellbridge_job_duration_seconds_count\{queue="order\.sync",outcome="dead",connection="eu"\} 1/,
    );
    expect(text).toContain(
      'sellbridge_dead_letters_total{queue="order.sync",code="SB_JOB_HANDLER_CRASHED",connection="eu"} 1',
    );
    expect(text).not.toMatch(/sellbridge_dead_letters_total\{[^}]*connection="default"/);
  });
});
