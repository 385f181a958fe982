// npm run bench -- queue [--jobs N] [--concurrency C]
// Enqueue and complete rates (jobs/s) of the job engines: the embedded SQLite queue and pg-boss on PostgreSQL.
// Each engine: enqueue N jobs one by one (each its own transaction, as flows do), then one process with
// C concurrent slots drains them with a no-op handler. Figures vary with the machine; compare the ratios.
import { parseArgs } from 'node:util';
import { freshStore, makeQueue, waitUntil, dropSchemas, pgAvailable } from '../test/helpers/queue-env.ts';

const { values } = parseArgs({
  options: { jobs: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '8' } },
});
const N = Number(values.jobs);
const C = Number(values.concurrency);

interface Row {
  engine: string;
  enqueuePerSec: number;
  completePerSec: number;
  keyedCompletePerSec: number;
}
const rows: Row[] = [];

for (const kind of ['sqlite', 'postgres'] as const) {
  if (kind === 'postgres' && !(await pgAvailable())) {
    console.log('PostgreSQL not reachable at 127.0.0.1:5432: skipping it');
    continue;
  }
  const store = await freshStore(kind, `bench-queue-${kind}`);
  const queue = await makeQueue(store, { concurrency: C, pollIntervalMs: 50 });
  let done = 0;
  queue.register('bench.noop', async () => void done++);

  const measure = async (keyed: boolean) => {
    done = 0;
    let t = performance.now();
    for (let i = 0; i < N; i++) await queue.enqueue('bench.noop', { i }, keyed ? { key: `k${i % 50}` } : {});
    const enqueueSec = (performance.now() - t) / 1000;
    t = performance.now();
    await queue.start();
    await waitUntil(async () => done >= N, 600_000, 'drain');
    const drainSec = (performance.now() - t) / 1000;
    return { enqueueSec, drainSec };
  };
  const plain = await measure(false);
  await queue.stop();
  const queue2 = await makeQueue(store, { concurrency: C, pollIntervalMs: 50 });
  queue2.register('bench.noop', async () => void done++);
  done = 0;
  for (let i = 0; i < N; i++) await queue2.enqueue('bench.noop', { i }, { key: `k${i % 50}` });
  const t = performance.now();
  await queue2.start();
  await waitUntil(async () => done >= N, 600_000, 'drain keyed');
  const keyedSec = (performance.now() - t) / 1000;
  await queue2.stop();
  rows.push({
    engine: kind === 'sqlite' ? 'sqlite (embedded)' : 'pg-boss (PostgreSQL)',
    enqueuePerSec: Math.round(N / plain.enqueueSec),
    completePerSec: Math.round(N / plain.drainSec),
    keyedCompletePerSec: Math.round(N / keyedSec),
  });
  await store.close();
  if (kind === 'postgres') await dropSchemas(store.schema);
}

console.log(`\nqueue benchmark: ${N} jobs, ${C} concurrent slots in one process, no-op handler`);
console.table(
  rows.map((r) => ({
    engine: r.engine,
    'enqueue jobs/s': r.enqueuePerSec,
    'complete jobs/s': r.completePerSec,
    'complete jobs/s (50 keys, serialized)': r.keyedCompletePerSec,
  })),
);
if (rows.length === 2) {
  console.log(
    `ratio sqlite/pg-boss: enqueue ${(rows[0]!.enqueuePerSec / rows[1]!.enqueuePerSec).toFixed(2)}x, complete ${(rows[0]!.completePerSec / rows[1]!.completePerSec).toFixed(2)}x`,
  );
}
process.exit(0);
