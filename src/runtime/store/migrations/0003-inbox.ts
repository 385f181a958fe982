import type { Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * The inbox (ARCHITECTURE.md principle 4): every inbound event is stored here before its source is
 * acknowledged. The unique key (source, dedupe_key) — for SP-API notifications the NotificationId — is where
 * duplicates die, whichever process received them.
 */
export async function up(db: Kysely<unknown>, _dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('inbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('connection_id', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('processed_at', 'text')
    .addUniqueConstraint('inbox_dedupe', ['source', 'dedupe_key'])
    .execute();
  await db.schema.createIndex('inbox_status').on('inbox').columns(['status', 'received_at']).execute();
  await db.schema.createIndex('inbox_subject').on('inbox').column('subject').execute();
}
