import type { Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * Amazon's website authorization workflow (issue 21, onboarding a seller):
 * - `amazon_auth_states`: one row per consent URL handed out. Only the SHA-256 of the `state` is kept (a copy of
 *   the store cannot complete a pending consent); the row binds it to the connection and to the admin who asked
 *   for it, expires, and `used_at` makes it single-use (set in the same statement that checks it is unset).
 * - `amazon_authorizations`: per connection, the `selling_partner_id` Amazon returned and who authorized when.
 *   The refresh token itself is in `sealed_secrets` (scope `connection:<id>`, name `amazon.refreshToken`).
 */
export async function up(db: Kysely<unknown>, _dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('amazon_auth_states')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('outcome', 'text')
    .execute();
  await db.schema.createIndex('amazon_auth_states_expires').on('amazon_auth_states').columns(['expires_at']).execute();
  await db.schema
    .createTable('amazon_authorizations')
    .addColumn('connection_id', 'text', (c) => c.primaryKey())
    .addColumn('selling_partner_id', 'text', (c) => c.notNull())
    .addColumn('authorized_by', 'text', (c) => c.notNull())
    .addColumn('authorized_at', 'text', (c) => c.notNull())
    .execute();
}
