import type { Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * Listing sync, part two:
 * - `listing_links`: which Amazon SKU (per marketplace) draws on which Sage item, its product type and channel
 *   (MFN/FBA). Delta sync and reconciliation read it.
 * - `listing_blocks`: a SKU change that must not be sent again until a person acts: Amazon rejected it
 *   (`rejected`) or a price is outside the guard rails (`price-held`). `target` is the JSON of the value held;
 *   state `new` -> `open` (dead-lettered) -> `released` (the dead letter was replayed: resend / approved).
 * - `listing_flags`: read-back findings, e.g. `not-applied` (Amazon accepted the feed, the listing shows
 *   something else).
 */
export async function up(db: Kysely<unknown>, _dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('listing_links')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('marketplace_id', 'text', (c) => c.notNull())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('product_type', 'text', (c) => c.notNull())
    .addColumn('fulfillment', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('listing_links_pk', ['connection_id', 'marketplace_id', 'sku'])
    .execute();

  await db.schema
    .createTable('listing_blocks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('marketplace_id', 'text', (c) => c.notNull())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('listing_blocks_sku')
    .on('listing_blocks')
    .columns(['connection_id', 'marketplace_id', 'sku', 'state'])
    .execute();

  await db.schema
    .createTable('listing_flags')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('marketplace_id', 'text', (c) => c.notNull())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('feed_id', 'text')
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('listing_flags_sku').on('listing_flags').columns(['connection_id', 'sku']).execute();
}
