import type { Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * Issue 21: the overview filtered by connection shows that connection's throughput. `engine_throughput_by_connection`
 * holds jobs completed and failed per (connection, UTC minute start), added to by the workers beside
 * `engine_throughput` (every connection's, kept as it was) and kept 24 h like it. A job's connection is the one its
 * key names (`<id>/...`), `default` otherwise. Minutes recorded before this migration are in `engine_throughput` only.
 */
export async function up(db: Kysely<unknown>, _dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('engine_throughput_by_connection')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('minute', 'text', (c) => c.notNull())
    .addColumn('completed', 'integer', (c) => c.notNull())
    .addColumn('failed', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('engine_throughput_by_connection_pk', ['connection_id', 'minute'])
    .execute();
}
