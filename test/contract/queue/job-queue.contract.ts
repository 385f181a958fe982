import { sql, type SqlBool } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SellbridgeError } from '../../../src/core/errors.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { createDeadLetterService } from '../../../src/runtime/queue/dead-letters.ts';
import type { JobContext, JobQueue } from '../../../src/runtime/queue/job-queue.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { listAudit } from '../../../src/runtime/audit.ts';
import { freshStore, makeQueue, waitForEvent, waitUntil, type StoreKind } from '../../helpers/queue-env.ts';

/**
 * The JobQueue contract: one suite, run once per engine (sqlite-job-queue.test.ts, pgboss-job-queue.test.ts).
 * Tests wait for job events or states; nothing sleeps.
 */
export function describeJobQueue(kind: StoreKind): void {
  describe(`JobQueue contract on ${kind}`, () => {
    let store: Store;
    let queue: JobQueue;
    const extra: JobQueue[] = [];

    beforeEach(async (ctx) => {
      store = await freshStore(kind, `${kind}:${ctx.task.name}`);
      queue = await makeQueue(store);
    });
    afterEach(async () => {
      for (const q of [queue, ...extra.splice(0)]) await q.stop({ graceMs: 200 });
      await store.close();
    });

    it('runs a job with its payload, attempt 1 of maxAttempts', async () => {
      const seen: { payload: unknown; ctx: JobContext }[] = [];
      queue.register('t.hello', async (payload, ctx) => void seen.push({ payload, ctx }));
      await queue.start();
      const { id } = await queue.enqueue('t.hello', { orderId: '111-1' });
      await waitForEvent(queue, (e) => e.type === 'completed' && e.job.id === id);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.payload).toEqual({ orderId: '111-1' });
      expect(seen[0]!.ctx.attempt).toBe(1);
      expect(seen[0]!.ctx.maxAttempts).toBe(3);
      expect((await queue.getJob(id))?.state).toBe('completed');
    });

    it('runs the jobs of a queue registered after start (a connection added while the worker runs)', async () => {
      queue.register('t.first', async () => undefined);
      await queue.start();
      const ran: unknown[] = [];
      queue.register('t.late', async (p) => void ran.push(p));
      const { id } = await queue.enqueue('t.late', { n: 'late' });
      await waitForEvent(queue, (e) => e.type === 'completed' && e.job.id === id);
      expect(ran).toEqual([{ n: 'late' }]);
    });

    it("lists one connection's jobs: its payload's connectionId, default when it has none", async () => {
      await queue.enqueue('t.conn', { n: 1, connectionId: 'eu' });
      await queue.enqueue('t.conn', { n: 2 });
      await queue.enqueue('t.conn', { n: 3, connectionId: 'us' });
      const of = async (connectionId: string) =>
        (await queue.listJobs({ queue: 't.conn', connectionId })).map((j) => (j.payload as { n: number }).n);
      expect(await of('eu')).toEqual([1]);
      expect(await of('default')).toEqual([2]);
      expect(await of('us')).toEqual([3]);
      expect(await of('nope')).toEqual([]);
    });

    it('enqueues inside a store transaction: rolled back leaves no job, committed runs', async () => {
      const ran: unknown[] = [];
      queue.register('t.tx', async (p) => void ran.push(p));
      await expect(
        store.transaction(async (tx) => {
          await queue.enqueue('t.tx', { n: 'rolled-back' }, { tx });
          throw new Error('abort the transaction');
        }),
      ).rejects.toThrow('abort the transaction');
      const { id } = await store.transaction((tx) => queue.enqueue('t.tx', { n: 'committed' }, { tx }));
      await queue.start();
      await waitForEvent(queue, (e) => e.type === 'completed' && e.job.id === id);
      expect(ran).toEqual([{ n: 'committed' }]);
      expect((await queue.listJobs({ queue: 't.tx' })).map((j) => j.payload)).toEqual([{ n: 'committed' }]);
    });

    it('holds a delayed job until its time', async () => {
      const startedAt = new Map<string, number>();
      queue.register('t.delay', async (p) => void startedAt.set((p as { n: string }).n, Date.now()));
      const runAt = new Date(Date.now() + 1500);
      const later = await queue.enqueue('t.delay', { n: 'later' }, { runAt });
      const now = await queue.enqueue('t.delay', { n: 'now' });
      await queue.start();
      await waitForEvent(queue, (e) => e.type === 'completed' && e.job.id === now.id);
      expect((await queue.getJob(later.id))?.state).toBe('pending');
      await waitForEvent(queue, (e) => e.type === 'completed' && e.job.id === later.id);
      expect(startedAt.get('later')!).toBeGreaterThanOrEqual(runAt.getTime() - 5);
    });

    it('de-duplicates by key while a job is pending', async () => {
      const first = await queue.enqueue('t.dedupe', { v: 1 }, { key: 'order.import:111', dedupe: true });
      const second = await queue.enqueue('t.dedupe', { v: 2 }, { key: 'order.import:111', dedupe: true });
      const other = await queue.enqueue('t.dedupe', { v: 3 }, { key: 'order.import:222', dedupe: true });
      expect(second).toEqual({ id: first.id, deduplicated: true });
      expect(other.deduplicated).toBe(false);
      const runs: unknown[] = [];
      queue.register('t.dedupe', async (p) => void runs.push(p));
      await queue.start();
      await waitUntil(
        async () =>
          (await queue.getJob(first.id))?.state === 'completed' &&
          (await queue.getJob(other.id))?.state === 'completed',
        10_000,
        'both jobs',
      );
      expect(runs).toContainEqual({ v: 1 });
      expect(runs).not.toContainEqual({ v: 2 });
      // Once the first has run, the same key can be queued again.
      const third = await queue.enqueue('t.dedupe', { v: 4 }, { key: 'order.import:111', dedupe: true });
      expect(third.deduplicated).toBe(false);
    });

    it('enqueues guarded by an SQL condition in one statement on SQLite (issue 15); pg-boss has no enqueueIf', async () => {
      if (queue.engine === 'pg-boss') {
        expect(queue.enqueueIf).toBeUndefined();
        return;
      }
      const never = sql<SqlBool>`1 = 0`;
      const always = sql<SqlBool>`1 = 1`;
      const enqueueIf = queue.enqueueIf!.bind(queue);
      expect(await enqueueIf('t.guarded', { v: 0 }, { key: 'k:1', dedupe: true }, never)).toBe(false);
      expect(await enqueueIf('t.guarded', { v: 1 }, { key: 'k:1', dedupe: true }, always)).toBe(true);
      // A pending job of the key joins the second (nothing added), as enqueue's dedupe.
      expect(await enqueueIf('t.guarded', { v: 2 }, { key: 'k:1', dedupe: true }, always)).toBe(false);
      const jobs = await queue.listJobs({ queue: 't.guarded' });
      expect(jobs.map((j) => ({ key: j.key, state: j.state, payload: j.payload }))).toEqual([
        { key: 'k:1', state: 'pending', payload: { v: 1 } },
      ]);
      const runs: unknown[] = [];
      queue.register('t.guarded', async (p) => void runs.push(p));
      await queue.start();
      await waitUntil(async () => (await queue.getJob(jobs[0]!.id))?.state === 'completed', 10_000, 'the job');
      expect(runs).toEqual([{ v: 1 }]);
    });

    it('runs jobs of one key one at a time, in enqueue order, while other keys run in parallel', async () => {
      const running = new Map<string, number>();
      let maxPerKey = 0;
      let maxOverall = 0;
      const order: { a: number[]; b: number[] } = { a: [], b: [] };
      let releaseGate!: () => void;
      const gate = new Promise<void>((r) => (releaseGate = r));
      queue.register('t.serial', async (p) => {
        const { key, seq } = p as { key: 'a' | 'b'; seq: number };
        running.set(key, (running.get(key) ?? 0) + 1);
        maxPerKey = Math.max(maxPerKey, running.get(key)!);
        maxOverall = Math.max(
          maxOverall,
          [...running.values()].reduce((x, y) => x + y, 0),
        );
        if (seq === 0) await gate; // hold the first job of each key until both keys are running
        order[key].push(seq);
        running.set(key, running.get(key)! - 1);
      });
      const ids: string[] = [];
      for (let seq = 0; seq < 6; seq++) {
        for (const key of ['a', 'b'] as const)
          ids.push((await queue.enqueue('t.serial', { key, seq }, { key: `k:${key}` })).id);
      }
      await queue.start();
      await waitUntil(async () => maxOverall >= 2, 10_000, 'both keys running');
      releaseGate();
      await waitUntil(async () => order.a.length + order.b.length === 12, 30_000, 'all twelve jobs');
      expect(maxPerKey).toBe(1);
      expect(maxOverall).toBe(2);
      expect(order.a).toEqual([0, 1, 2, 3, 4, 5]);
      expect(order.b).toEqual([0, 1, 2, 3, 4, 5]);
    });

    it('enqueues many jobs at once: one result per item in order, jobs of one key run in item order (issue 15)', async () => {
      expect(await queue.enqueueMany('t.many', [])).toEqual([]);
      const order: { a: number[]; b: number[] } = { a: [], b: [] };
      queue.register('t.many', async (p) => {
        const { key, seq } = p as { key: 'a' | 'b'; seq: number };
        order[key].push(seq);
      });
      const items = [0, 1, 2, 3].flatMap((seq) =>
        (['a', 'b'] as const).map((key) => ({ payload: { key, seq }, options: { key: `k:${key}`, priority: 10 } })),
      );
      const results = await queue.enqueueMany('t.many', items);
      expect(results).toHaveLength(8);
      expect(new Set(results.map((r) => r.id)).size).toBe(8);
      expect(results.every((r) => !r.deduplicated)).toBe(true);
      // Each result is its item's job.
      for (const [i, r] of results.entries()) expect((await queue.getJob(r.id))?.payload).toEqual(items[i]!.payload);
      await queue.start();
      await waitUntil(async () => order.a.length + order.b.length === 8, 30_000, 'all eight jobs');
      expect(order.a).toEqual([0, 1, 2, 3]);
      expect(order.b).toEqual([0, 1, 2, 3]);
    });

    it('enqueues many: de-duplicating items return the pending job of their key, within the batch too', async () => {
      const pending = await queue.enqueue('t.many-dedupe', { v: 0 }, { key: 'k:held', dedupe: true });
      const results = await queue.enqueueMany('t.many-dedupe', [
        { payload: { v: 1 }, options: { key: 'k:held', dedupe: true } },
        { payload: { v: 2 }, options: { key: 'k:new', dedupe: true } },
        { payload: { v: 3 }, options: { key: 'k:new', dedupe: true } },
        { payload: { v: 4 }, options: { key: 'k:new' } },
      ]);
      expect(results[0]).toEqual({ id: pending.id, deduplicated: true });
      expect(results[1]!.deduplicated).toBe(false);
      expect(results[2]).toEqual({ id: results[1]!.id, deduplicated: true });
      expect(results[3]!.deduplicated).toBe(false);
      const runs: unknown[] = [];
      queue.register('t.many-dedupe', async (p) => void runs.push(p));
      await queue.start();
      await waitUntil(async () => runs.length === 3, 10_000, 'three jobs');
      expect(runs).toEqual(expect.arrayContaining([{ v: 0 }, { v: 2 }, { v: 4 }]));
      expect((await queue.listJobs({ queue: 't.many-dedupe' })).length).toBe(3);
    });

    it('enqueues many inside a store transaction: rolled back leaves no job, committed run', async () => {
      const ran: unknown[] = [];
      queue.register('t.many-tx', async (p) => void ran.push(p));
      const items = [{ payload: { n: 1 } }, { payload: { n: 2 }, options: { key: 'k:tx' } }];
      await expect(
        store.transaction(async (tx) => {
          await queue.enqueueMany('t.many-tx', [{ payload: { n: 'rolled-back' } }], { tx });
          throw new Error('abort the transaction');
        }),
      ).rejects.toThrow('abort the transaction');
      const results = await store.transaction((tx) => queue.enqueueMany('t.many-tx', items, { tx }));
      await queue.start();
      for (const { id } of results)
        await waitUntil(async () => (await queue.getJob(id))?.state === 'completed', 10_000, id);
      expect(ran).toEqual(expect.arrayContaining([{ n: 1 }, { n: 2 }]));
      expect(ran).toHaveLength(2);
    });

    it('enqueues many with a delayed item: held until its time, the others run now', async () => {
      const startedAt = new Map<string, number>();
      queue.register('t.many-delay', async (p) => void startedAt.set((p as { n: string }).n, Date.now()));
      const runAt = new Date(Date.now() + 1500);
      const [later, now] = await queue.enqueueMany('t.many-delay', [
        { payload: { n: 'later' }, options: { runAt } },
        { payload: { n: 'now' } },
      ]);
      await queue.start();
      await waitForEvent(queue, (e) => e.type === 'completed' && e.job.id === now!.id);
      expect((await queue.getJob(later!.id))?.state).toBe('pending');
      await waitForEvent(queue, (e) => e.type === 'completed' && e.job.id === later!.id);
      expect(startedAt.get('later')!).toBeGreaterThanOrEqual(runAt.getTime() - 5);
    });

    it('retries transient errors with backoff until they succeed', async () => {
      let calls = 0;
      queue.register('t.flaky', async () => {
        calls++;
        if (calls < 3) throw new SellbridgeError('SB_JOB_HANDLER_CRASHED', `flaky call ${calls}`);
      });
      const retries: number[] = [];
      queue.onEvent((e) => e.type === 'retry' && retries.push(e.job.attempt));
      await queue.start();
      const { id } = await queue.enqueue('t.flaky', {});
      const done = await waitForEvent(queue, (e) => e.type === 'completed' && e.job.id === id);
      expect(done.job.attempt).toBe(3);
      expect(retries).toEqual([1, 2]);
      expect(calls).toBe(3);
    });

    it('dead-letters validation errors at once, with payload, error, attempts and failure times', async () => {
      queue.register('t.bad', async () => {
        throw new SellbridgeError('SB_JOB_PAYLOAD_INVALID', 'order 111-2: field sku: unknown', {
          context: { amazonOrderId: '111-2' },
        });
      });
      await queue.start();
      const { id } = await queue.enqueue('t.bad', { amazonOrderId: '111-2' }, { key: 'order:111-2' });
      const dead = await waitForEvent(queue, (e) => e.type === 'dead' && e.job.id === id);
      expect(dead.job.attempt).toBe(1);
      const dlq = createDeadLetterService(store, queue, systemClock);
      const [letter] = await dlq.list();
      expect(letter).toMatchObject({
        queue: 't.bad',
        jobId: id,
        jobKey: 'order:111-2',
        payload: { amazonOrderId: '111-2' },
        attempts: 1,
        status: 'open',
        error: { code: 'SB_JOB_PAYLOAD_INVALID', kind: 'validation', context: { amazonOrderId: '111-2' } },
      });
      expect(letter!.firstFailedAt <= letter!.lastFailedAt).toBe(true);
      expect((await queue.getJob(id))?.state).toBe('dead');
    });

    it('dead-letters a job whose retryable failures use up every attempt', async () => {
      queue.register('t.down', async () => {
        throw new SellbridgeError('SB_JOB_HANDLER_CRASHED', 'still down');
      });
      await queue.start();
      const { id } = await queue.enqueue('t.down', { n: 1 }, { maxAttempts: 2 });
      const dead = await waitForEvent(queue, (e) => e.type === 'dead' && e.job.id === id);
      expect(dead.job.attempt).toBe(2);
      const dlq = createDeadLetterService(store, queue, systemClock);
      const letter = (await dlq.list()).find((l) => l.jobId === id)!;
      expect(letter.attempts).toBe(2);
      expect(letter.error.code).toBe('SB_JOB_HANDLER_CRASHED');
    });

    it('waits on throttled errors without spending attempts', async () => {
      let calls = 0;
      const attempts: number[] = [];
      queue.register('t.throttled', async (_p, ctx) => {
        calls++;
        attempts.push(ctx.attempt);
        if (calls <= 3) throw new SellbridgeError('SB_STORE_UNAVAILABLE', 'rate limit', { retryAfterMs: 30 });
      });
      await queue.start();
      // maxAttempts 2 < 3 throttles: this only completes if waiting spends no attempt.
      await queue.enqueue('t.throttled', { n: 1 }, { maxAttempts: 2, key: 'k:throttle', dedupe: true });
      await waitForEvent(queue, (e) => e.type === 'completed' && e.job.queue === 't.throttled');
      expect(calls).toBe(4);
      expect(attempts).toEqual([1, 1, 1, 1]);
    });

    it('replays a dead letter with an edited payload, discards another, and audits both', async () => {
      queue.register('t.fixme', async (p) => {
        if ((p as { sku: string }).sku === 'BAD')
          throw new SellbridgeError('SB_JOB_PAYLOAD_INVALID', 'sku: BAD is unknown');
      });
      await queue.start();
      const a = await queue.enqueue('t.fixme', { sku: 'BAD', n: 1 }, { key: 'fix:1' });
      const b = await queue.enqueue('t.fixme', { sku: 'BAD', n: 2 }, { key: 'fix:2' });
      await waitForEvent(queue, (e) => e.type === 'dead' && e.job.id === a.id);
      await waitUntil(async () => (await queue.getJob(b.id))?.state === 'dead', 10_000, 'second dead letter');
      const dlq = createDeadLetterService(store, queue, systemClock);
      const letters = await dlq.list();
      const la = letters.find((l) => l.jobId === a.id)!;
      const lb = letters.find((l) => l.jobId === b.id)!;

      const replayed = await dlq.replay(la.id, { actor: 'operator:ana', payload: { sku: 'GOOD', n: 1 } });
      await waitUntil(async () => (await queue.getJob(replayed.jobId))?.state === 'completed', 10_000, 'replayed job');
      expect((await queue.getJob(replayed.jobId))?.payload).toEqual({ sku: 'GOOD', n: 1 });
      expect(await dlq.get(la.id)).toMatchObject({
        status: 'replayed',
        resolvedBy: 'operator:ana',
        replayJobId: replayed.jobId,
      });

      await dlq.discard(lb.id, { actor: 'operator:ana', reason: 'test order' });
      expect((await dlq.get(lb.id)).status).toBe('discarded');
      await expect(dlq.replay(lb.id, { actor: 'operator:ana' })).rejects.toMatchObject({
        code: 'SB_DLQ_ALREADY_RESOLVED',
      });
      await expect(dlq.get('no-such-id')).rejects.toMatchObject({ code: 'SB_DLQ_NOT_FOUND' });
      expect(await dlq.list()).toHaveLength(0);

      const audit = await listAudit(store.db);
      expect(audit.map((r) => r.action).sort()).toEqual(['dlq.discard', 'dlq.replay']);
      expect(audit.every((r) => r.actor === 'operator:ana')).toBe(true);
    });

    it('keeps one open dead letter per key: a repeat counts on it, a replay closes it and a later failure opens a new one (issue 13)', async () => {
      queue.register('t.poisoned', async (p) => {
        if ((p as { sku: string }).sku === 'BAD')
          throw new SellbridgeError('SB_JOB_PAYLOAD_INVALID', 'sku: BAD is unknown');
      });
      await queue.start();
      const ids: string[] = [];
      for (let n = 1; n <= 3; n++) {
        const { id } = await queue.enqueue('t.poisoned', { sku: 'BAD', n }, { key: 'order.sync:111-9', dedupe: true });
        await waitUntil(async () => (await queue.getJob(id))?.state === 'dead', 10_000, `repeat ${n} dead-lettered`);
        ids.push(id);
      }
      const dlq = createDeadLetterService(store, queue, systemClock);
      const open = await dlq.list();
      expect(open).toHaveLength(1);
      expect(open[0]).toMatchObject({
        queue: 't.poisoned',
        jobKey: 'order.sync:111-9',
        occurrences: 3,
        jobId: ids[2],
        payload: { sku: 'BAD', n: 3 },
      });
      expect(open[0]!.firstFailedAt <= open[0]!.lastFailedAt).toBe(true);

      const replayed = await dlq.replay(open[0]!.id, { actor: 'operator:ana', payload: { sku: 'BAD', n: 4 } });
      await waitUntil(
        async () => (await queue.getJob(replayed.jobId))?.state === 'dead',
        10_000,
        'replay dead-lettered again',
      );
      const after = await dlq.list();
      expect(after).toHaveLength(1);
      expect(after[0]).toMatchObject({ jobId: replayed.jobId, occurrences: 1, status: 'open' });
      expect((await dlq.get(open[0]!.id)).status).toBe('replayed');
      expect(await dlq.list({ status: 'all' })).toHaveLength(2);
    });

    it('on stop, releases jobs that outlive the grace period without spending an attempt', async () => {
      let started!: () => void;
      const startedP = new Promise<void>((r) => (started = r));
      queue.register('t.long', (_p, ctx) => {
        started();
        return new Promise((_resolve, reject) =>
          ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))),
        );
      });
      await queue.start();
      const { id } = await queue.enqueue('t.long', { n: 1 }, { key: 'long:1', dedupe: true });
      await startedP;
      const released = waitForEvent(queue, (e) => e.type === 'released');
      await queue.stop({ graceMs: 100 });
      await released;

      const second = await makeQueue(store);
      extra.push(second);
      const attempts: number[] = [];
      second.register('t.long', async (_p, ctx) => void attempts.push(ctx.attempt));
      await second.start();
      await waitUntil(async () => attempts.length === 1, 30_000, 'the released job to run again');
      expect(attempts).toEqual([1]);
      void id;
    });

    it('lists jobs and counts them per queue and state', async () => {
      queue.register('t.count', async () => undefined);
      await queue.enqueue('t.count', { n: 1 });
      await queue.enqueue('t.count', { n: 2 }, { delayMs: 60_000 });
      const pending = await queue.listJobs({ queue: 't.count', state: 'pending' });
      expect(pending).toHaveLength(2);
      const counts = await queue.counts();
      expect(counts).toContainEqual(expect.objectContaining({ queue: 't.count', state: 'pending', count: 2 }));
    });

    it('counts per connection with the oldest due pending job (the queue-age metric), on every engine', async () => {
      // Not started: nothing runs, so what is due stays due.
      const now = Date.now();
      await queue.enqueue('t.age', { n: 1, connectionId: 'eu' }, { runAt: new Date(now - 120_000) });
      await queue.enqueue('t.age', { n: 2, connectionId: 'eu' }, { runAt: new Date(now - 30_000) });
      await queue.enqueue('t.age', { n: 3 }, { delayMs: 600_000 }); // pending, not due
      const rows = (await queue.counts({ byConnection: true })).filter((c) => c.queue === 't.age');
      const eu = rows.find((c) => c.connectionId === 'eu')!;
      expect(eu).toMatchObject({ state: 'pending', count: 2 });
      // Within a second of the earliest runAt (engines store milliseconds or microseconds).
      expect(Math.abs(Date.parse(eu.oldestDueAt!) - (now - 120_000))).toBeLessThan(1000);
      const defaults = rows.find((c) => c.connectionId === 'default')!;
      expect(defaults).toMatchObject({ state: 'pending', count: 1 });
      expect(defaults.oldestDueAt).toBeUndefined();
    });
  });
}
