import { sql } from 'kysely';
import type { DatabaseSync } from 'node:sqlite';
import type { ChangeTrackingBackend } from '../gateway/backend.ts';
import {
  CHANGE_KEY_COLUMN,
  TRACKED_TABLES,
  type ChangeKeys,
  type ChangeSource,
  type TrackedTable,
} from '../sql/change-tracking.ts';
import { tableSpec } from '../tables.ts';
import type { SageDb } from '../sql/db.ts';

/**
 * SQL Server change tracking, emulated in the sandbox with the same semantics the gateway relies on: one version
 * counter for the database (`CHANGE_TRACKING_CURRENT_VERSION()`), one change table per tracked table holding the
 * primary key of every row inserted, updated or deleted with the version of its last change (what
 * `CHANGETABLE(CHANGES t, @v)` returns for versions above @v), kept by triggers, and a minimum valid version per
 * table (`CHANGE_TRACKING_MIN_VALID_VERSION`) that `expire` raises as the retention cleanup would.
 */
const DATABASE = 'sb_change_tracking_database';
const TABLES = 'sb_change_tracking_tables';
const changeTable = (t: TrackedTable) => `sb_ct_${t}`;

function tableStatements(table: TrackedTable): string[] {
  const pk = tableSpec(table).primaryKey!;
  const cols = pk.map((c) => `"${c}"`).join(', ');
  const record = (row: 'NEW' | 'OLD', op: string) =>
    `UPDATE ${DATABASE} SET current_version = current_version + 1;
     INSERT INTO "${changeTable(table)}" (${cols}, SYS_CHANGE_VERSION, SYS_CHANGE_OPERATION)
       VALUES (${pk.map((c) => `${row}."${c}"`).join(', ')}, (SELECT current_version FROM ${DATABASE}), '${op}')
       ON CONFLICT (${cols}) DO UPDATE SET SYS_CHANGE_VERSION = excluded.SYS_CHANGE_VERSION,
         SYS_CHANGE_OPERATION = excluded.SYS_CHANGE_OPERATION;`;
  return [
    `CREATE TABLE IF NOT EXISTS "${changeTable(table)}" (${pk.map((c) => `"${c}" INTEGER NOT NULL`).join(', ')}, SYS_CHANGE_VERSION INTEGER NOT NULL, SYS_CHANGE_OPERATION TEXT NOT NULL, PRIMARY KEY (${cols}))`,
    `CREATE INDEX IF NOT EXISTS "XIE_${changeTable(table)}_version" ON "${changeTable(table)}" (SYS_CHANGE_VERSION)`,
    `CREATE TRIGGER IF NOT EXISTS "${changeTable(table)}_i" AFTER INSERT ON "${table}" BEGIN ${record('NEW', 'I')} END`,
    `CREATE TRIGGER IF NOT EXISTS "${changeTable(table)}_u" AFTER UPDATE ON "${table}" BEGIN ${record('OLD', 'U')} ${record('NEW', 'U')} END`,
    `CREATE TRIGGER IF NOT EXISTS "${changeTable(table)}_d" AFTER DELETE ON "${table}" BEGIN ${record('OLD', 'D')} END`,
  ];
}

const exists = (raw: DatabaseSync, name: string) =>
  Number(
    (
      raw.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) as {
        n: number;
      }
    ).n,
  ) > 0;

export interface SandboxChangeTracking extends ChangeTrackingBackend {
  /** As if the retention ran out: every change up to now is cleaned up and the minimum valid version moves to now. */
  expire(): void;
}

export function sandboxChangeTracking(raw: DatabaseSync, db: SageDb): SandboxChangeTracking {
  const source: ChangeSource = <T extends TrackedTable>(table: T, since: number) =>
    sql<
      ChangeKeys[T]
    >`(SELECT DISTINCT ${sql.ref(CHANGE_KEY_COLUMN[table])} FROM ${sql.table(changeTable(table))} WHERE "SYS_CHANGE_VERSION" > ${since})`;
  const current = (): number | null => {
    if (!exists(raw, DATABASE)) return null;
    const row = raw.prepare(`SELECT current_version AS v FROM ${DATABASE}`).get() as { v: number } | undefined;
    return row ? Number(row.v) : null;
  };
  const minValidOf = (t: TrackedTable): number | null => {
    if (!exists(raw, TABLES)) return null;
    const row = raw.prepare(`SELECT min_valid_version AS v FROM ${TABLES} WHERE name = ?`).get(t) as
      { v: number } | undefined;
    return row ? Number(row.v) : null;
  };
  return {
    source,
    async versions(tables) {
      // One statement, as CHANGE_TRACKING_CURRENT_VERSION() / _MIN_VALID_VERSION() on SQL Server (counted alike).
      if (!exists(raw, DATABASE) || !exists(raw, TABLES)) return { current: current(), minValid: null };
      const { rows } = await sql<{ current: number | null; tracked: number; minValid: number | null }>`
        SELECT (SELECT current_version FROM ${sql.table(DATABASE)}) AS current,
               (SELECT count(*) FROM ${sql.table(TABLES)} WHERE name IN (${sql.join([...tables])})) AS tracked,
               (SELECT max(min_valid_version) FROM ${sql.table(TABLES)} WHERE name IN (${sql.join([...tables])})) AS minValid`.execute(
        db,
      );
      const r = rows[0]!;
      return {
        current: r.current === null ? null : Number(r.current),
        minValid: Number(r.tracked) === tables.length && r.minValid !== null ? Number(r.minValid) : null,
      };
    },
    async settings() {
      if (current() === null) return { retention: undefined, autoCleanup: false, tables: [] };
      const days = raw.prepare(`SELECT retention_days AS d FROM ${DATABASE}`).get() as { d: number };
      return {
        retention: `${days.d} DAYS`,
        autoCleanup: true,
        tables: TRACKED_TABLES.filter((t) => minValidOf(t) !== null),
      };
    },
    async enable(retentionDays) {
      const statements = [
        `CREATE TABLE IF NOT EXISTS ${DATABASE} (id INTEGER PRIMARY KEY CHECK (id = 1), current_version INTEGER NOT NULL, retention_days INTEGER NOT NULL)`,
        `INSERT OR IGNORE INTO ${DATABASE} (id, current_version, retention_days) VALUES (1, 0, ${Math.max(1, Math.floor(retentionDays))})`,
        `CREATE TABLE IF NOT EXISTS ${TABLES} (name TEXT PRIMARY KEY, min_valid_version INTEGER NOT NULL)`,
        ...TRACKED_TABLES.flatMap((t) => [
          ...tableStatements(t),
          // Tracking starts now: versions before it are not valid (as SQL Server's minimum valid version).
          `INSERT OR IGNORE INTO ${TABLES} (name, min_valid_version) SELECT '${t}', current_version FROM ${DATABASE}`,
        ]),
      ];
      for (const s of statements) raw.exec(s);
      return statements;
    },
    expire() {
      const now = current();
      if (now === null) return;
      for (const t of TRACKED_TABLES) {
        if (minValidOf(t) === null) continue;
        raw.prepare(`UPDATE ${TABLES} SET min_valid_version = ? WHERE name = ?`).run(now, t);
        raw.prepare(`DELETE FROM "${changeTable(t)}" WHERE SYS_CHANGE_VERSION <= ?`).run(now);
      }
    },
  };
}
