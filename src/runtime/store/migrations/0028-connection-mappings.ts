import type { Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * Per-connection order mapping edited through the admin API or the dashboard (issue 21): per connection and kind
 * (`customers`, `warehouses`, `ship-methods`, `charge-items`, `policies`) the whole list of rows as one JSON document,
 * checked against the Sage company before it is saved (src/connectors/store/connection-mappings.ts). The flows lay
 * it over the sellbridge.yaml mapping (`rulesFor(connectionId)`); a missing row means the configuration applies.
 * `version` counts the saves since the kind was last emptied (an empty list deletes the row).
 */
export async function up(db: Kysely<unknown>, _dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('connection_mappings')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('rows_json', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('connection_mappings_pk', ['connection_id', 'kind'])
    .execute();
}
