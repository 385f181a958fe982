import type { Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * Order to fulfillment (ARCHITECTURE.md "Exactly once into Sage 500 and Amazon"):
 * - `order_links`: one row per (connection, AmazonOrderId) with its lifecycle state, the Sage TranNo reserved
 *   before creation (unique per connection, so one TranNo can never serve two orders) and the Sage SOKey;
 * - `tran_no_sequences`: the next TranNo sequence number per connection;
 * - `sku_aliases`: SellerSKU -> Sage ItemID per connection;
 * - `shipment_confirmations`: one row per (connection, order, Sage shipment, package), unique, with the
 *   packageReferenceId (unique within the order) and the state of the confirmShipment call.
 * Polling cursors reuse `watermarks`.
 */
export async function up(db: Kysely<unknown>, _dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('order_links')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('amazon_order_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('tran_no', 'text')
    .addColumn('sales_order_key', 'text')
    .addColumn('marketplace_id', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('order_links_pk', ['connection_id', 'amazon_order_id'])
    .addUniqueConstraint('order_links_tran_no', ['connection_id', 'tran_no'])
    .execute();
  await db.schema.createIndex('order_links_state').on('order_links').columns(['connection_id', 'state']).execute();
  await db.schema
    .createTable('tran_no_sequences')
    .addColumn('connection_id', 'text', (c) => c.primaryKey())
    .addColumn('next_value', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('sku_aliases')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('seller_sku', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sku_aliases_pk', ['connection_id', 'seller_sku'])
    .execute();
  await db.schema
    .createTable('shipment_confirmations')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('amazon_order_id', 'text', (c) => c.notNull())
    .addColumn('shipment_key', 'text', (c) => c.notNull())
    .addColumn('package_no', 'text', (c) => c.notNull())
    .addColumn('package_reference_id', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('send_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('shipment_confirmations_pk', [
      'connection_id',
      'amazon_order_id',
      'shipment_key',
      'package_no',
    ])
    .addUniqueConstraint('shipment_confirmations_ref', ['connection_id', 'amazon_order_id', 'package_reference_id'])
    .execute();
}
