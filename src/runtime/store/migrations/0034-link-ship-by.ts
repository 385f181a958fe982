import type { Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * `order_links.latest_ship_date` (issue 15): Amazon's latest ship date, carried by the writes order.sync makes to the
 * link anyway (the reservation, the move to dead-lettered, waiting or flagged), instead of a separate `order_changes`
 * upsert before mapping. The at-risk list and gauge read it where `order_changes` has no date compared after
 * creation; rows `order_changes` holds from before keep answering, so nothing is backfilled.
 */
export async function up(db: Kysely<unknown>, _dialect: StoreDialect): Promise<void> {
  await db.schema.alterTable('order_links').addColumn('latest_ship_date', 'text').execute();
}
