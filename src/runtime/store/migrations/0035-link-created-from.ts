import type { Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * `order_links.amazon_updated_at` and `order_links.ship_to_digest` (issue 15): the Amazon version a Sage order was
 * created from and its ship-to's digest, carried by the link's move to `created`, instead of an `order_changes` upsert
 * after every creation. `order_changes` keeps the later comparisons (amend-order.ts), which take precedence; orders
 * created before this keep their `order_changes` row, so nothing is backfilled.
 */
export async function up(db: Kysely<unknown>, _dialect: StoreDialect): Promise<void> {
  await db.schema.alterTable('order_links').addColumn('amazon_updated_at', 'text').execute();
  await db.schema.alterTable('order_links').addColumn('ship_to_digest', 'text').execute();
}
