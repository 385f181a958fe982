import { sql, type Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * API token names are unique: sessions opened with a token and the audit log name it `token:<name>`,
 * so two tokens with one name made revoking one end the other's sessions. Existing duplicates (all but the
 * oldest of a name) get `-<first 8 of id>` appended before the unique index is made. Numbered 0013 so it does not
 * collide with 0012 on another branch.
 */
export async function up(db: Kysely<unknown>, _dialect: StoreDialect): Promise<void> {
  await sql`
    UPDATE api_tokens SET name = name || '-' || substr(id, 1, 8)
    WHERE EXISTS (
      SELECT 1 FROM api_tokens older
      WHERE older.name = api_tokens.name AND (older.created_at < api_tokens.created_at OR (older.created_at = api_tokens.created_at AND older.id < api_tokens.id))
    )`.execute(db);
  await db.schema.createIndex('api_tokens_name_unique').unique().on('api_tokens').column('name').execute();
}
