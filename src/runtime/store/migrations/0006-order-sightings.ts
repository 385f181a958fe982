import type { Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * Order intake: `order_sightings` has one row per (connection, AmazonOrderId), written by whichever
 * intake saw the order first: a notification (`push`: SQS or webhook, in the inbox row's transaction) or the
 * polling safety net (`poll`). A `poll` row is an order push missed; the metric
 * `sellbridge_orders_first_seen_by_polling_total` counts them.
 */
export async function up(db: Kysely<unknown>, _dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('order_sightings')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('amazon_order_id', 'text', (c) => c.notNull())
    .addColumn('first_source', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('order_sightings_pk', ['connection_id', 'amazon_order_id'])
    .execute();
  await db.schema
    .createIndex('order_sightings_source')
    .on('order_sightings')
    .columns(['connection_id', 'first_source'])
    .execute();
}
