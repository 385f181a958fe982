import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { ChildProcess } from 'node:child_process';
import { freshStore, makeQueue, waitUntil, type StoreKind } from '../../helpers/queue-env.ts';
import { createEffectTables, startWorker, waitForExit } from '../../helpers/worker-procs.ts';
import type { Store } from '../../../src/runtime/store/store.ts';

/**
 * A worker killed with SIGKILL in the middle of a job: after its lease runs out, another process runs the job to
 * completion, and the effect (an INSERT under a UNIQUE constraint) happens exactly once.
 */
describe.each<StoreKind>(['sqlite', 'postgres'])('crash recovery on %s', (kind) => {
  let store: Store;
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    await store?.close();
  });

  it('runs the job of a SIGKILLed worker once, in another process, after the lease', async (ctx) => {
    store = await freshStore(kind, `crash:${kind}:${ctx.task.name}`);
    await createEffectTables(store);
    const env = { STORE_URL: store.url, STORE_SCHEMA: store.schema };

    const producer = await makeQueue(store);
    const { id } = await producer.enqueue('test.effect', { key: 'order-1', seq: 0 }, { key: 'order-1' });
    await producer.stop();

    const doomed = await startWorker({ ...env, MODE: 'hang', LEASE_MS: '2000', CONCURRENCY: '1' });
    children.push(doomed);
    const first = await waitUntil(
      async () =>
        (await sql<{ pid: number }>`SELECT pid FROM test_starts WHERE job_id = ${id}`.execute(store.db)).rows[0],
      30_000,
      'the first worker to start the job',
    );
    expect(first.pid).toBe(doomed.pid);
    doomed.kill('SIGKILL');
    await waitForExit(doomed);

    const survivor = await startWorker({ ...env, MODE: 'normal', LEASE_MS: '2000', CONCURRENCY: '1' });
    children.push(survivor);
    const effect = await waitUntil(
      async () =>
        (await sql<{ pid: number }>`SELECT pid FROM test_effects WHERE job_key = 'order-1#0'`.execute(store.db))
          .rows[0],
      60_000,
      'the job to complete in the second worker',
    );
    expect(effect.pid).toBe(survivor.pid);

    const checker = await makeQueue(store);
    await waitUntil(async () => (await checker.getJob(id))?.state === 'completed', 30_000, 'completed state');
    const starts = (
      await sql<{
        pid: number;
        attempt: number;
      }>`SELECT pid, attempt FROM test_starts WHERE job_id = ${id} ORDER BY id`.execute(store.db)
    ).rows;
    const effects = (await sql<{ n: number }>`SELECT count(*) AS n FROM test_effects`.execute(store.db)).rows[0]!;
    expect(Number(effects.n)).toBe(1);
    expect(starts.map((s) => s.pid)).toEqual([doomed.pid, survivor.pid]);
    expect(starts.map((s) => s.attempt)).toEqual([1, 2]); // the lost attempt counts
    await checker.stop();
  });
});
