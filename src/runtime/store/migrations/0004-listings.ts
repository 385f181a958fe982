import { sql, type Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * Listings sync state:
 * - `listing_sent`: what was last sent to Amazon and accepted, per connection, marketplace and SKU — the
 *   baseline of delta sync (only values that differ from it go out). Quantity and price are nullable (an FBA
 *   SKU has no quantity from Sage; a SKU without a price row has no price); price in integer minor units.
 *   `attributes` is the JSON of the attributes last sent.
 * - `listing_feed`: one row per JSON_LISTINGS_FEED built, from building to Amazon's final status.
 * - `listing_feed_message`: one row per message of a feed (SKU, the change carried, Amazon's verdict and
 *   issues), so only failed SKUs are retried or dead-lettered, and a SKU's history can be shown.
 * Times are UTC ISO-8601 text, as in the other tables.
 */
export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('listing_sent')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('marketplace_id', 'text', (c) => c.notNull())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer')
    .addColumn('price_minor', bigint)
    .addColumn('currency', 'text')
    .addColumn('attributes', 'text')
    .addColumn('feed_id', 'text')
    .addColumn('sent_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('listing_sent_pk', ['connection_id', 'marketplace_id', 'sku'])
    .addCheckConstraint('listing_sent_quantity', sql`quantity IS NULL OR quantity >= 0`)
    .execute();
  await db.schema.createIndex('listing_sent_item').on('listing_sent').columns(['connection_id', 'item_id']).execute();

  await db.schema
    .createTable('listing_feed')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('marketplace_id', 'text', (c) => c.notNull())
    // Amazon's ids; null until the document is uploaded and the feed created.
    .addColumn('feed_document_id', 'text')
    .addColumn('feed_id', 'text')
    // built | submitted | IN_QUEUE | IN_PROGRESS | DONE | CANCELLED | FATAL
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('message_count', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('fast_lane', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('accepted', 'integer')
    .addColumn('warnings', 'integer')
    .addColumn('rejected', 'integer')
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'text')
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('listing_feed_amazon_id').on('listing_feed').column('feed_id').execute();
  await db.schema
    .createIndex('listing_feed_status')
    .on('listing_feed')
    .columns(['connection_id', 'status', 'created_at'])
    .execute();

  await db.schema
    .createTable('listing_feed_message')
    .addColumn('feed_row_id', 'text', (c) => c.notNull().references('listing_feed.id').onDelete('cascade'))
    .addColumn('message_id', 'integer', (c) => c.notNull())
    .addColumn('sku', 'text', (c) => c.notNull())
    // The ListingChange carried (JSON): what changed, from, to, why.
    .addColumn('change', 'text', (c) => c.notNull())
    // pending | accepted | accepted-with-warnings | rejected
    .addColumn('outcome', 'text', (c) => c.notNull())
    // done | retry | dead-letter, once the report is read
    .addColumn('next', 'text')
    .addColumn('issues', 'text')
    .addPrimaryKeyConstraint('listing_feed_message_pk', ['feed_row_id', 'message_id'])
    .execute();
  await db.schema
    .createIndex('listing_feed_message_sku')
    .on('listing_feed_message')
    .columns(['sku', 'feed_row_id'])
    .execute();
}
