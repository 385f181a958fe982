import type { Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * `order_fittings`: one row per order whose ship-to was fitted to Sage's columns (address policy `fit`), beside its
 * `order_links` row: what changed, by field and kind (lengths, never the text: buyer PII), and whether the Amazon
 * original is kept sealed in `buyer_pii` (it is when a PII key is configured).
 *
 * `order_hand_links`: an Amazon order an operator linked to a Sage order keyed by hand (`sellbridge orders link`),
 * with the line map the shipment poll needs (that Sage order has no Sellbridge extension rows).
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
  await db.schema
    .createTable('order_hand_links')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('amazon_order_id', 'text', (c) => c.notNull())
    .addColumn('tran_no', 'text', (c) => c.notNull())
    .addColumn('sales_order_key', 'text', (c) => c.notNull())
    .addColumn('marketplace_id', 'text')
    .addColumn('lines', 'text', (c) => c.notNull())
    .addColumn('forced', 'integer', (c) => c.notNull())
    .addColumn('linked_by', 'text', (c) => c.notNull())
    .addColumn('linked_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('order_hand_links_pk', ['connection_id', 'amazon_order_id'])
    .addUniqueConstraint('order_hand_links_tran_no', ['connection_id', 'tran_no'])
    .execute();
}
