import { sql, type Kysely } from 'kysely';
import { SellbridgeError } from '../../core/errors.ts';
import { MIGRATION_NAMES } from './migrations/index.ts';
import type { StoreDialect } from './migrations/types.ts';
import type { Database } from './tables.ts';

/** Kysely's bookkeeping table (kysely/migration DEFAULT_MIGRATION_TABLE). */
const MIGRATION_TABLE = 'kysely_migration';

export interface MigrationLevel {
  /** Migrations this store has applied, in name order. */
  readonly applied: readonly string[];
  /** Known to this binary, not applied yet. */
  readonly pending: readonly string[];
  /** Applied to the store but unknown to this binary: the store was migrated by a newer Sellbridge. */
  readonly unknown: readonly string[];
  /** The newest migration this binary knows. */
  readonly latestKnown: string;
  /** The newest migration the store has applied (none: an empty store). */
  readonly latestApplied: string | undefined;
}

/** The part of a Store the level is read from (a Store fits; store.ts passes it before the Store exists). */
export interface MigrationLevelSource {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  /** PostgreSQL only: the schema of our tables. */
  readonly schema: string;
}

/**
 * Which migrations the store has, read from Kysely's table without changing anything: `sellbridge doctor`,
 * `sellbridge restore` and the guard that refuses to migrate a store newer than the binary use it.
 */
export async function migrationLevel(store: MigrationLevelSource): Promise<MigrationLevel> {
  let applied: string[] = [];
  const table =
    store.dialect === 'postgres' ? sql`${sql.id(store.schema)}.${sql.id(MIGRATION_TABLE)}` : sql.id(MIGRATION_TABLE);
  const exists =
    store.dialect === 'postgres'
      ? (
          await sql<{
            n: number;
          }>`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = ${store.schema} AND table_name = ${MIGRATION_TABLE}`.execute(
            store.db,
          )
        ).rows[0]!.n > 0
      : (
          await sql<{
            n: number;
          }>`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ${MIGRATION_TABLE}`.execute(
            store.db,
          )
        ).rows[0]!.n > 0;
  if (exists)
    applied = (await sql<{ name: string }>`SELECT name FROM ${table} ORDER BY name`.execute(store.db)).rows.map(
      (r) => r.name,
    );
  const known = new Set(MIGRATION_NAMES);
  const has = new Set(applied);
  return {
    applied,
    pending: MIGRATION_NAMES.filter((n) => !has.has(n)),
    unknown: applied.filter((n) => !known.has(n)),
    latestKnown: MIGRATION_NAMES[MIGRATION_NAMES.length - 1]!,
    latestApplied: applied[applied.length - 1],
  };
}

/** Throws SB_STORE_NEWER_THAN_BINARY when the store holds migrations this binary does not know. */
export function assertNotNewer(level: MigrationLevel, binaryVersion: string): void {
  if (!level.unknown.length) return;
  throw new SellbridgeError(
    'SB_STORE_NEWER_THAN_BINARY',
    `the store is at migration ${level.latestApplied} (applied by a newer Sellbridge: ${level.unknown.join(', ')}), but this Sellbridge ${binaryVersion} knows migrations up to ${level.latestKnown}; nothing was changed`,
    { context: { storeLevel: level.latestApplied ?? null, binaryLevel: level.latestKnown, binaryVersion } },
  );
}
