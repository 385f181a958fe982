import type { Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * Encrypted data at rest (issue 6, sp-api-facts §13):
 * - `buyer_pii`: buyer name, address, phone and e-mail of one order, sealed with AES-256-GCM under the key `key_id`
 *   (so `sellbridge keys rotate` finds what to re-encrypt); `purge_after` is set once the order is delivered and the
 *   purge job deletes the row after it;
 * - `sealed_secrets`: write-only credentials of a connection, sealed the same way.
 */
export async function up(db: Kysely<unknown>, _dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('buyer_pii')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('amazon_order_id', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'text')
    .addColumn('purge_after', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('buyer_pii_pk', ['connection_id', 'amazon_order_id'])
    .execute();
  await db.schema.createIndex('buyer_pii_purge').on('buyer_pii').column('purge_after').execute();
  await db.schema.createIndex('buyer_pii_key').on('buyer_pii').column('key_id').execute();
  await db.schema
    .createTable('sealed_secrets')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sealed_secrets_pk', ['scope', 'name'])
    .execute();
}
