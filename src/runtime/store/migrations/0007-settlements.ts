import type { Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * Settlements to the Sage GL:
 * - `settlements`: one row per (connection, Amazon settlement id), reserved before any journal goes to Sage
 *   (like order_links reserves the TranNo): the state (`posting`, `posted`, `correcting`, `failed`), the journals
 *   posted (JSON: reference, batch key and number, date and lines, so a corrected settlement can be reversed),
 *   the revision (1, then +1 per correction), the summary (currency, total in minor units, dates) and the source.
 * - `settlement_orders`: per settlement and AmazonOrderId the sum of its rows (minor units) and row count, for
 *   reconciliation with `order_links`.
 * - `settlement_quarantine`: every file refused as a whole (malformed, unmapped categories, total mismatch) with
 *   the error code and the diagnosis (JSON issues: line, column, expected, found); nothing of it was posted.
 * Times are UTC ISO-8601 text.
 */
export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('settlements')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('settlement_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('pending_fingerprint', 'text')
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('total_minor', bigint, (c) => c.notNull())
    .addColumn('period_start', 'text', (c) => c.notNull())
    .addColumn('period_end', 'text', (c) => c.notNull())
    .addColumn('deposit_date', 'text', (c) => c.notNull())
    .addColumn('rows', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('journals', 'text', (c) => c.notNull())
    .addColumn('pending_journals', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('settlements_pk', ['connection_id', 'settlement_id'])
    .execute();
  await db.schema
    .createTable('settlement_orders')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('settlement_id', 'text', (c) => c.notNull())
    .addColumn('amazon_order_id', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount_minor', bigint, (c) => c.notNull())
    .addColumn('rows', 'integer', (c) => c.notNull())
    .addColumn('posted_at', 'text')
    .addPrimaryKeyConstraint('settlement_orders_pk', ['connection_id', 'settlement_id', 'amazon_order_id'])
    .execute();
  await db.schema
    .createIndex('settlement_orders_order')
    .on('settlement_orders')
    .columns(['connection_id', 'amazon_order_id'])
    .execute();
  await db.schema
    .createTable('settlement_quarantine')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('settlement_id', 'text')
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('issues', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('settlement_quarantine_conn')
    .on('settlement_quarantine')
    .columns(['connection_id', 'created_at'])
    .execute();
}
