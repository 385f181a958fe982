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
      'outcome="retry"} 1',
    );
  });
});
