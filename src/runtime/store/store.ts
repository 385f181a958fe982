import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { SellbridgeError } from '../../core/errors.ts';
import { createNodeSqliteDatabase, NodeSqliteDialect } from './node-sqlite-dialect.ts';
import { migrationProvider } from './migrations/index.ts';
import type { StoreDialect } from './migrations/types.ts';
import { assertNotNewer, migrationLevel } from './migration-level.ts';
import { SELLBRIDGE_VERSION } from '../version.ts';
import type { Database } from './tables.ts';

export type { StoreDialect } from './migrations/types.ts';
export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;

export interface StoreOptions {
  /** `sqlite:<path>`, `sqlite::memory:` or `postgres://…` */
  readonly url: string;
  readonly busyTimeoutMs?: number;
  readonly poolSize?: number;
  /** PostgreSQL schema for our tables. */
  readonly schema?: string;
}

/**
 * The one store (ARCHITECTURE.md principle 6): all middleware state in one database, so a job is enqueued in
 * the same transaction as the state change that causes it.
 */
export interface Store {
  readonly dialect: StoreDialect;
  readonly db: Db;
  /** PostgreSQL only: the schema of our tables (pg-boss lives in `<schema>_jobs`). */
  readonly schema: string;
  /** The store URL as given: pg-boss opens its own pool with it; worker processes open the same SQLite file. */
  readonly url: string;
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** Statements this process has executed on the store so far (Kysely's; pg-boss's own are not counted). */
  statements(): number;
  /**
   * Applies pending migrations; returns the names applied now. Refuses (SB_STORE_NEWER_THAN_BINARY) a store
   * migrated by a newer Sellbridge. `upTo` stops after that migration (upgrade tests build an older store so).
   */
  migrate(upTo?: string): Promise<string[]>;
  close(): Promise<void>;
}

export function parseStoreUrl(url: string): { dialect: StoreDialect; path: string } {
  if (url.startsWith('sqlite:')) return { dialect: 'sqlite', path: url.slice('sqlite:'.length) || ':memory:' };
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { dialect: 'postgres', path: url };
  throw new SellbridgeError(
    'SB_STORE_URL_INVALID',
    `store.url "${url.split('@').pop()}" is neither sqlite: nor postgres://`,
  );
}

export function openStore(options: StoreOptions): Store {
  const { dialect, path } = parseStoreUrl(options.url);
  const schema = options.schema ?? 'sellbridge';
  let db: Db;
  let statements: () => number;
  if (dialect === 'sqlite') {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const { database, raw, stats } = createNodeSqliteDatabase(path, options.busyTimeoutMs ?? 5000);
    // WAL lets readers run beside the one writer; NORMAL sync is durable across process crashes in WAL mode.
    raw.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
    db = new Kysely<Database>({ dialect: new NodeSqliteDialect(database) });
    statements = () => stats.statements;
  } else {
    const pool = new pg.Pool({
      connectionString: path,
      max: options.poolSize ?? 10,
      options: `-c search_path=${schema}`,
    });
    // Kysely calls `log` once per executed query (transactions' BEGIN/COMMIT included, as on SQLite).
    let n = 0;
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: () => void n++ });
    statements = () => n;
  }

  async function migrateOnce(upTo?: string): Promise<string[]> {
    if (dialect === 'postgres') await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db);
    assertNotNewer(await migrationLevel({ db, dialect, schema }), SELLBRIDGE_VERSION);
    const migrator = new Migrator({
      db,
      provider: migrationProvider(dialect, upTo),
      ...(dialect === 'postgres' ? { migrationTableSchema: schema } : {}),
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error) throw error;
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  }

  return {
    dialect,
    db,
    schema,
    url: options.url,
    transaction: (work) => db.transaction().execute(work),
    statements: () => statements(),
    async migrate(upTo?: string) {
      // Kysely's migrator reads the catalog of every schema; on PostgreSQL a schema dropped at that moment by
      // another process (a test, a tenant being removed) fails it once. The migration itself is locked and
      // idempotent, so try again a few times before reporting.
      for (let attempt = 1; ; attempt++) {
        try {
          return await migrateOnce(upTo);
        } catch (err) {
          if (err instanceof SellbridgeError) throw err;
          if (dialect !== 'postgres' || attempt >= 4) {
            throw new SellbridgeError('SB_STORE_MIGRATION_FAILED', `migration failed: ${(err as Error).message}`, {
              cause: err,
            });
          }
          await new Promise((r) => setTimeout(r, 100 * attempt));
        }
      }
    },
    close: () => db.destroy(),
  };
}
