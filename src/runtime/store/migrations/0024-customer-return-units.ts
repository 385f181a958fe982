import type { Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * `customer_return_units` (issue 17): per Amazon order item, each refund (source `refund`, key the adjustment id)
 * and each FBA customer return line (source `fba-return`, key the license plate number or return date and SKU) with
 * its quantity and the units it entered in Sage (the rest were already entered by the other source) under which
 * TranNo. Primary key per source line and item: decided once. `seq` numbers the rows of one order item; its unique
 * index makes two concurrent decisions for the same item conflict instead of both counting the same goods.
 */
export async function up(db: Kysely<unknown>, _dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('customer_return_units')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('amazon_order_id', 'text', (c) => c.notNull())
    .addColumn('amazon_order_item_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('source_key', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('entered', 'integer', (c) => c.notNull())
    .addColumn('tran_no', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('customer_return_units_pk', [
      'connection_id',
      'amazon_order_id',
      'source',
      'source_key',
      'amazon_order_item_id',
    ])
    .execute();
  await db.schema
    .createIndex('customer_return_units_seq')
    .on('customer_return_units')
    .columns(['connection_id', 'amazon_order_id', 'amazon_order_item_id', 'seq'])
    .unique()
    .execute();
}
