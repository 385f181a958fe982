import type { Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * `order_fittings`: one row per order whose ship-to was fitted to Sage's columns (address policy `fit`), beside its
 * `order_links` row: what changed, by field and kind (lengths, never the text: buyer PII), and whether the Amazon
 * original is kept sealed in `buyer_pii` (it is when a PII key is configured).
 */
export async function up(db: Kysely<unknown>, _dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('order_fittings')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('amazon_order_id', 'text', (c) => c.notNull())
    .addColumn('changes', 'text', (c) => c.notNull())
    .addColumn('original_kept', 'integer', (c) => c.notNull())
    .addColumn('fitted_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('order_fittings_pk', ['connection_id', 'amazon_order_id'])
    .execute();
}
