import type { JobQueue } from './job-queue.ts';
import type { QueueDeps } from './queue-deps.ts';
import { SqliteJobQueue } from './sqlite-job-queue.ts';

/** The engine follows the store: pg-boss on PostgreSQL, the embedded queue on SQLite. */
export async function createJobQueue(deps: QueueDeps): Promise<JobQueue> {
  if (deps.store.dialect !== 'postgres') return new SqliteJobQueue(deps);
  // Loaded only on PostgreSQL: pg-boss and its dependencies are some 25 MB of memory an embedded process never uses.
  const { PgBossJobQueue } = await import('./pgboss-job-queue.ts');
  return PgBossJobQueue.create(deps);
}
