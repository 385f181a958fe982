// A worker process for the crash and scale tests (and the queue benchmark): runs the `test.effect` queue
// against the store given in the environment. Each job's effect is one INSERT into test_effects, whose
// UNIQUE(job_key) constraint would reject a second run of the same job's effect.
//   STORE_URL, STORE_SCHEMA: the store;  MODE=normal|hang (hang: record the start, then never finish);
//   CONCURRENCY, LEASE_MS: queue settings.  Prints "ready" once it is fetching.
import { sql } from 'kysely';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createLogger, silentLogger } from '../../src/observability/logger.ts';
import { systemClock } from '../../src/runtime/clock.ts';
import { createJobQueue } from '../../src/runtime/queue/create-job-queue.ts';
import { openStore } from '../../src/runtime/store/store.ts';

const env = process.env;
const store = openStore({ url: env['STORE_URL']!, schema: env['STORE_SCHEMA'] ?? 'sellbridge', poolSize: 6 });
const mode = env['MODE'] ?? 'normal';
const queue = await createJobQueue({
  store,
  clock: systemClock,
  logger: env['LOG_LEVEL'] ? createLogger({ level: env['LOG_LEVEL'], destination: process.stderr }) : silentLogger(),
  metrics: createMetrics(),
  settings: {
    concurrency: Number(env['CONCURRENCY'] ?? 4),
    maxAttempts: 5,
    backoffBaseMs: 1000,
    backoffMaxMs: 5000,
    leaseMs: Number(env['LEASE_MS'] ?? 2000),
    pollIntervalMs: 100,
    shutdownGraceMs: 2000,
    keepCompletedMs: 3_600_000,
  },
});

queue.register('test.effect', async (payload, ctx) => {
  const { key, seq } = payload as { key: string; seq: number };
  await sql`INSERT INTO test_starts (job_id, pid, attempt) VALUES (${ctx.id}, ${process.pid}, ${ctx.attempt})`.execute(
    store.db,
  );
  if (mode === 'hang') await new Promise(() => undefined); // killed here, in the middle of the job
  await sql`INSERT INTO test_effects (job_key, key, seq, pid) VALUES (${`${key}#${seq}`}, ${key}, ${seq}, ${process.pid})`.execute(
    store.db,
  );
});
await queue.start();
process.stdout.write('ready\n');

process.on('SIGTERM', () => {
  void queue
    .stop()
    .then(() => store.close())
    .then(() => process.exit(0));
});
