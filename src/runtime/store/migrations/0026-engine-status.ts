import type { Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * What the workers know that every process serving the dashboard must show (issue 21): the engine's state kept in
 * the store, not in the worker's memory.
 * - `engine_status`: one row per (connection, circuit target: `sage500`, `amazon.orders`, ...) with the last call
 *   the dependency answered, the last outage failure (code only, no payload) and the circuit state the workers last
 *   reported. Workers write it at most every few seconds per target (and at once when a circuit changes state).
 * - `engine_throughput`: jobs completed and failed per minute (UTC minute start), added to by every worker at most
 *   every few seconds, kept 24 h: the overview's throughput chart in a process that runs no jobs.
 * - `order_links.sage_created_at`: when the Sage sales order was recorded for the order (set once), so the
 *   order-to-Sage latency survives the order moving on to shipped or confirmed; indexed for the overview's window,
 *   and (connection_id, created_at) indexed for each connection's latest order.
 */
export async function up(db: Kysely<unknown>, _dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('engine_status')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('circuit_state', 'text', (c) => c.notNull())
    .addColumn('last_ok_at', 'text')
    .addColumn('last_failure_at', 'text')
    .addColumn('last_failure', 'text')
    .addColumn('reported_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('engine_status_pk', ['connection_id', 'target'])
    .execute();
  await db.schema
    .createTable('engine_throughput')
    .addColumn('minute', 'text', (c) => c.primaryKey())
    .addColumn('completed', 'integer', (c) => c.notNull())
    .addColumn('failed', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('order_links').addColumn('sage_created_at', 'text').execute();
  await db.schema.createIndex('order_links_sage_created').on('order_links').columns(['sage_created_at']).execute();
  // The latest order per connection (the overview's connection rows) is then one index read.
  await db.schema
    .createIndex('order_links_connection_created')
    .on('order_links')
    .columns(['connection_id', 'created_at'])
    .execute();
}
