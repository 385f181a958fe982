import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { ChildProcess } from 'node:child_process';
import { freshStore, makeQueue, waitUntil } from '../../helpers/queue-env.ts';
import { createEffectTables, startWorker } from '../../helpers/worker-procs.ts';
import type { Store } from '../../../src/runtime/store/store.ts';

const JOBS = 3000;
const KEYS = 150; // 20 jobs per key, so per-key order is tested under contention
const WORKERS = 3;

/**
 * Three worker processes drain 3,000 jobs from PostgreSQL (pg-boss): every job's effect happens exactly once
 * (UNIQUE constraint), none is lost, and the jobs of each key take effect in enqueue order.
 */
describe('scale on PostgreSQL', () => {
  let store: Store;
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) c.kill('SIGTERM');
    await store?.close();
  });

  it(
    `${WORKERS} worker processes drain ${JOBS} jobs exactly once, per-key order kept`,
    { timeout: 240_000 },
    async () => {
      store = await freshStore('postgres', 'scale:3x3000');
      await createEffectTables(store);
      const producer = await makeQueue(store);
      for (let seq = 0, n = 0; seq < JOBS / KEYS; seq++) {
        // One transaction per round: enqueue is transactional, so a round lands whole or not at all.
        await store.transaction(async (tx) => {
          for (let k = 0; k < KEYS; k++, n++)
            await producer.enqueue('test.effect', { key: `k${k}`, seq }, { key: `k${k}`, tx });
        });
      }
      await producer.stop();

      for (let i = 0; i < WORKERS; i++) {
        children.push(
          await startWorker({ STORE_URL: store.url, STORE_SCHEMA: store.schema, CONCURRENCY: '4', LEASE_MS: '30000' }),
        );
      }
      await waitUntil(
        async () =>
          Number((await sql<{ n: string }>`SELECT count(*) AS n FROM test_effects`.execute(store.db)).rows[0]!.n) >=
          JOBS,
        200_000,
        `${JOBS} effects`,
      );

      const effects = (
        await sql<{
          key: string;
          seq: number;
          pid: number;
        }>`SELECT key, seq, pid FROM test_effects ORDER BY id`.execute(store.db)
      ).rows;
      expect(effects).toHaveLength(JOBS);
      const starts = Number(
        (await sql<{ n: string }>`SELECT count(*) AS n FROM test_starts`.execute(store.db)).rows[0]!.n,
      );
      expect(starts).toBe(JOBS); // no job ran twice

      const perKey = new Map<string, number[]>();
      for (const e of effects) perKey.set(e.key, [...(perKey.get(e.key) ?? []), e.seq]);
      expect(perKey.size).toBe(KEYS);
      const inOrder = [...Array(JOBS / KEYS).keys()];
      for (const seqs of perKey.values()) expect(seqs).toEqual(inOrder);

      const pids = new Set(effects.map((e) => e.pid));
      expect(pids.size).toBe(WORKERS); // every process took part

      const checker = await makeQueue(store);
      await waitUntil(
        async () => {
          const counts = await checker.counts();
          return counts.find((c) => c.queue === 'test.effect' && c.state === 'completed')?.count === JOBS;
        },
        60_000,
        'every job completed',
      );
      await checker.stop();
    },
  );
});
