import { sql, type Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * One open dead letter per (queue, job key): a poisoned order that is notified again and fails again
 * counts on its open dead letter (`occurrences`, last failure, latest job) instead of adding a row. Open duplicates
 * of an existing store are folded into the newest one (the others are closed as discarded by `migration 0014`),
 * then a partial unique index makes the rule hold across processes.
 */
export async function up(db: Kysely<unknown>, _dialect: StoreDialect): Promise<void> {
  await db.schema
    .alterTable('dead_letters')
    .addColumn('occurrences', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  const open = await sql<{ id: string; queue: string; job_key: string; last_failed_at: string }>`
    SELECT id, queue, job_key, last_failed_at FROM dead_letters WHERE status = 'open' ORDER BY last_failed_at DESC, id DESC`.execute(
    db,
  );
  const kept = new Map<string, { id: string; folded: number }>();
  const now = new Date().toISOString();
  for (const r of open.rows) {
    const k = `${r.queue}\u0000${r.job_key}`;
    const keep = kept.get(k);
    if (!keep) {
      kept.set(k, { id: r.id, folded: 0 });
      continue;
    }
    keep.folded++;
    await sql`UPDATE dead_letters SET status = 'discarded', resolved_at = ${now}, resolved_by = ${`migration 0014 (folded into ${keep.id})`} WHERE id = ${r.id}`.execute(
      db,
    );
  }
  for (const { id, folded } of kept.values())
    if (folded > 0) await sql`UPDATE dead_letters SET occurrences = ${folded + 1} WHERE id = ${id}`.execute(db);
  await sql`CREATE UNIQUE INDEX dead_letters_open_key ON dead_letters (queue, job_key) WHERE status = 'open'`.execute(
    db,
  );
}
