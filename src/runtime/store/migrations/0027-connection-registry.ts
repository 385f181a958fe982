import type { Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * The registry of connections one process serves (issue 21): the `connections` table gains
 * - `origin`: `config` (a sellbridge.yaml connection, recorded at start) or `api` (added through the admin API or
 *   the CLI while the engine runs);
 * - `state`: `active` or `paused` (paused: its schedules stop and its jobs wait, with `reason`);
 * - `reason`: why it is paused (shown by `connections list` and on each waiting job);
 * - `config`: JSON of an api-added connection's `amazon`, `sage500` and `orders` blocks (no secrets: credentials
 *   stay in the vault), merged over the process's configuration as a sellbridge.yaml entry would be.
 * Rows made before this migration are `config` connections and `active` (or `paused` when `enabled` was 0).
 */
export async function up(db: Kysely<unknown>, _dialect: StoreDialect): Promise<void> {
  await db.schema
    .alterTable('connections')
    .addColumn('origin', 'text', (c) => c.notNull().defaultTo('config'))
    .execute();
  await db.schema
    .alterTable('connections')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('active'))
    .execute();
  await db.schema.alterTable('connections').addColumn('reason', 'text').execute();
  await db.schema.alterTable('connections').addColumn('config', 'text').execute();
  await (db as Kysely<{ connections: { state: string; enabled: number } }>)
    .updateTable('connections')
    .set({ state: 'paused' })
    .where('enabled', '=', 0)
    .execute();
}
