import type { Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * `order_changes`: one row per Amazon order beside its `order_links` row (issue 17): the Amazon version last
 * compared with the Sage order (a replayed notification of that version changes nothing) and a digest of its ship-to
 * as Amazon sent it (to tell an address changed at Amazon from one an operator corrected; not reversible), the differences a person
 * must look at (JSON; fields, ids and quantities, no buyer text), the changes applied to Sage after import (JSON,
 * appended), and Amazon's latest ship date (orders at risk of shipping late). Indexed by ship-by date for the
 * at-risk list.
 */
export async function up(db: Kysely<unknown>, _dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('order_changes')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('amazon_order_id', 'text', (c) => c.notNull())
    .addColumn('amazon_updated_at', 'text')
    .addColumn('latest_ship_date', 'text')
    .addColumn('ship_to_digest', 'text')
    .addColumn('differences', 'text', (c) => c.notNull())
    .addColumn('applied', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('order_changes_pk', ['connection_id', 'amazon_order_id'])
    .execute();
  await db.schema.createIndex('order_changes_ship_by').on('order_changes').columns(['latest_ship_date']).execute();
}
