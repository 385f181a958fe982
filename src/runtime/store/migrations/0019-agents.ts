import type { Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * Hosted mode's agents beside Sage 500:
 * - `agent_enrolments`: single-use enrolment tokens, one connection each; only the SHA-256 of the token is kept
 *   (the token is shown once), `used_at` marks it spent;
 * - `agents`: the agent credentials they were exchanged for (SHA-256 of a 32-byte random secret), their
 *   connection, revocation, and the last state the hub saw (online, version, latency, in-flight), so every API
 *   process can show it. Numbered 0019 so it does not collide with migrations on other branches.
 */
export async function up(db: Kysely<unknown>, _dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('agent_enrolments')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('agent_id', 'text')
    .execute();
  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('online', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'text')
    .addColumn('last_seen_at', 'text')
    .addColumn('latency_ms', 'integer')
    .addColumn('in_flight', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('agents_connection').on('agents').column('connection_id').execute();
}
