import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { backup, DatabaseSync } from 'node:sqlite';
import { SellbridgeError } from '../../core/errors.ts';
import { MIGRATION_NAMES } from './migrations/index.ts';
import { parseStoreUrl } from './store.ts';

/**
 * `sellbridge backup` / `sellbridge restore`. SQLite only: an online copy with SQLite's backup API
 * (`node:sqlite` `backup()`), consistent while workers keep writing. PostgreSQL has its own tools; the commands
 * print how to use them and refuse.
 */
export interface StoreFileInfo {
  readonly path: string;
  readonly bytes: number;
  /** Newest migration applied in the file. */
  readonly level: string | undefined;
  readonly migrations: number;
  readonly applied: readonly string[];
  /** Applied in the file, unknown to this binary (made by a newer Sellbridge). */
  readonly unknown: readonly string[];
}

/** Guidance for a PostgreSQL store: the URL without its password. */
export function pgDumpGuidance(url: string, schema: string): string {
  const safe = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1@');
  return [
    'the store is on PostgreSQL: back it up with the database tools, for example',
    `  pg_dump --format=custom --schema=${schema} --schema=${schema}_jobs --file=sellbridge.dump "${safe}"`,
    'and restore into a stopped installation with',
    `  pg_restore --clean --if-exists --dbname="${safe}" sellbridge.dump`,
    '(the password comes from PGPASSWORD or ~/.pgpass; see docs/deploy.md, "Backups")',
  ].join('\n');
}

function sqlitePath(url: string, schema: string, verb: string): string {
  const { dialect, path } = parseStoreUrl(url);
  if (dialect === 'postgres')
    throw new SellbridgeError('SB_STORE_BACKUP_UNSUPPORTED', `${verb}: ${pgDumpGuidance(url, schema)}`);
  if (path === ':memory:')
    throw new SellbridgeError(
      'SB_STORE_BACKUP_UNSUPPORTED',
      `${verb}: the store is in memory (sqlite::memory:); there is nothing to ${verb}`,
    );
  return resolve(path);
}

/** Reads what a SQLite file holds without changing it; throws SB_STORE_BACKUP_INVALID when it is no Sellbridge store. */
export function inspectStoreFile(path: string): StoreFileInfo {
  if (!existsSync(path)) throw new SellbridgeError('SB_STORE_BACKUP_INVALID', `${path} does not exist`);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { readOnly: true });
  } catch (err) {
    throw new SellbridgeError(
      'SB_STORE_BACKUP_INVALID',
      `${path} cannot be opened as SQLite: ${(err as Error).message}`,
      { cause: err },
    );
  }
  try {
    let names: string[];
    try {
      names = (db.prepare('SELECT name FROM kysely_migration ORDER BY name').all() as { name: string }[]).map(
        (r) => r.name,
      );
    } catch (err) {
      throw new SellbridgeError(
        'SB_STORE_BACKUP_INVALID',
        `${path} is not a Sellbridge store (no migration table: ${(err as Error).message})`,
        { cause: err },
      );
    }
    if (!names.includes('0001-foundation'))
      throw new SellbridgeError(
        'SB_STORE_BACKUP_INVALID',
        `${path} is not a Sellbridge store (migration 0001-foundation missing)`,
      );
    const known = new Set(MIGRATION_NAMES);
    return {
      path,
      bytes: statSync(path).size,
      level: names[names.length - 1],
      migrations: names.length,
      applied: names,
      unknown: names.filter((n) => !known.has(n)),
    };
  } finally {
    db.close();
  }
}

/** Online backup of the SQLite store to `file` (which must not exist). */
export async function backupStore(storeUrl: string, schema: string, file: string): Promise<StoreFileInfo> {
  const source = sqlitePath(storeUrl, schema, 'backup');
  const target = resolve(file);
  if (!existsSync(source))
    throw new SellbridgeError('SB_STORE_BACKUP_INVALID', `the store ${source} does not exist: nothing to back up`);
  if (existsSync(target)) throw new SellbridgeError('SB_CLI_USAGE', `${target} exists already; give a new file name`);
  const db = new DatabaseSync(source, { timeout: 5000 });
  try {
    await backup(db, target);
  } finally {
    db.close();
  }
  return inspectStoreFile(target);
}

/**
 * True when another connection has the SQLite file open: in WAL mode the last connection to close removes the
 * `-wal` file, so opening and closing once leaves it behind only when someone else still holds the database.
 */
export function sqliteInUse(path: string): boolean {
  if (!existsSync(path)) return false;
  const db = new DatabaseSync(path, { timeout: 2000 });
  db.exec('PRAGMA journal_mode = WAL');
  db.close();
  return existsSync(`${path}-wal`);
}

export interface RestoreResult {
  readonly restored: StoreFileInfo;
  readonly target: string;
  /** Migrations of this binary the restored store has not applied yet (`sellbridge migrate` / `run` applies them). */
  readonly pending: readonly string[];
}

/**
 * Replaces the SQLite store with `file`. Refuses a file that is no Sellbridge store or was made by a newer
 * Sellbridge, a store in use, and (without `force`) any existing store.
 */
export async function restoreStore(
  storeUrl: string,
  schema: string,
  file: string,
  options: { readonly force?: boolean } = {},
): Promise<RestoreResult> {
  const target = sqlitePath(storeUrl, schema, 'restore');
  const info = inspectStoreFile(resolve(file));
  if (info.unknown.length)
    throw new SellbridgeError(
      'SB_STORE_BACKUP_INVALID',
      `${info.path} is at migration ${info.level}, made by a newer Sellbridge (${info.unknown.join(', ')}); this one knows up to ${MIGRATION_NAMES[MIGRATION_NAMES.length - 1]}`,
    );
  if (existsSync(target)) {
    if (sqliteInUse(target))
      throw new SellbridgeError(
        'SB_STORE_IN_USE',
        `the store ${target} is open in another process (a running Sellbridge?): stop it first`,
      );
    if (!options.force)
      throw new SellbridgeError(
        'SB_STORE_IN_USE',
        `the store ${target} exists; restoring replaces it: stop Sellbridge, then run again with --force (or back it up first)`,
      );
  }
  // Copy beside the target, then rename over it: a crash midway leaves the old store whole.
  const staging = `${target}.restoring`;
  rmSync(staging, { force: true });
  const src = new DatabaseSync(info.path, { readOnly: true });
  try {
    await backup(src, staging);
  } finally {
    src.close();
  }
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  if (!existsSync(dirname(target)))
    throw new SellbridgeError('SB_STORE_BACKUP_INVALID', `the store folder ${dirname(target)} does not exist`);
  renameSync(staging, target);
  const applied = new Set(inspectStoreFile(target).applied);
  return { restored: info, target, pending: MIGRATION_NAMES.filter((n) => !applied.has(n)) };
}
