import type { Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * Shared token buckets (ARCHITECTURE.md principle 5): one row per bucket key, e.g.
 * `<application>|<seller>|<region>|<operation>`. Times are epoch milliseconds stored as double precision, so
 * both drivers return numbers (pg returns bigint as text).
 */
export async function up(db: Kysely<unknown>, _dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('rate_buckets')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('tokens', 'double precision', (c) => c.notNull())
    .addColumn('updated_at_ms', 'double precision', (c) => c.notNull())
    .addColumn('rate', 'double precision', (c) => c.notNull())
    .addColumn('burst', 'double precision', (c) => c.notNull())
    .addColumn('rate_from_server', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
