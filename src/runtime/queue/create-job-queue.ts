import type { JobQueue } from './job-queue.ts';
import { PgBossJobQueue } from './pgboss-job-queue.ts';
import type { QueueDeps } from './queue-deps.ts';
import { SqliteJobQueue } from './sqlite-job-queue.ts';

/** The engine follows the store: pg-boss on PostgreSQL, the embedded queue on SQLite. */
export async function createJobQueue(deps: QueueDeps): Promise<JobQueue> {
  return deps.store.dialect === 'postgres' ? PgBossJobQueue.create(deps) : new SqliteJobQueue(deps);
}
