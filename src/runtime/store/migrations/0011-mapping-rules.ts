import type { Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * Operator-edited mapping rules: per connection and kind (`carrier`, `gl`, `custom-field`) an ordered
 * list of rows (JSON, validated by src/connectors/store/mapping-rules.ts) that the flows use before the configured or
 * default rules. A PUT or CSV import replaces a kind's whole list.
 */
export async function up(db: Kysely<unknown>, _dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('mapping_rules')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('row_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('mapping_rules_pk', ['connection_id', 'kind', 'position'])
    .execute();
}
