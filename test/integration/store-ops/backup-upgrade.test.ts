import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import type { CliContext } from '../../../src/cli/context.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { backupStore, inspectStoreFile, restoreStore } from '../../../src/runtime/store/backup.ts';
import { MIGRATION_NAMES } from '../../../src/runtime/store/migrations/index.ts';
import { migrationLevel } from '../../../src/runtime/store/migration-level.ts';
import { openStore } from '../../../src/runtime/store/store.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PREVIOUS = MIGRATION_NAMES[MIGRATION_NAMES.length - 2]!;
const LATEST = MIGRATION_NAMES[MIGRATION_NAMES.length - 1]!;

function cli(): { ctx: CliContext; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    env: {},
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    config: (cmd) => {
      const opts = cmd.optsWithGlobals<{ store?: string }>();
      return loadConfig({
        file: '/dev/null',
        env: {},
        overrides: opts.store ? [{ path: 'store.url', value: opts.store }] : [],
      });
    },
  };
  return { ctx, out, err };
}

async function run(args: string[]) {
  const c = cli();
  process.exitCode = undefined;
  const code = await main(args, c.ctx);
  process.exitCode = undefined;
  return { code, out: c.out.join('\n'), err: c.err.join('\n') };
}

/** A store as the previous release left it: migrated up to N-1, with a job and a connection row in it. */
async function previousReleaseStore(path: string): Promise<void> {
  const store = openStore({ url: `sqlite:${path}` });
  try {
    await store.migrate(PREVIOUS);
    await sql`INSERT INTO connections (id, name, enabled, settings, created_at, updated_at) VALUES ('default', 'Shop', 1, '{"region":"na"}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`.execute(
      store.db,
    );
    await sql`INSERT INTO watermarks (connection_id, name, value, updated_at) VALUES ('default', 'orders.lastUpdatedAfter', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z')`.execute(
      store.db,
    );
  } finally {
    await store.close();
  }
}

describe('upgrades: the store of the previous release', () => {
  it('is upgraded by this binary with its data intact', async () => {
    const path = join(dir, 'upgrade.db');
    await previousReleaseStore(path);
    expect(inspectStoreFile(path).level).toBe(PREVIOUS);

    const { code, out } = await run(['--store', `sqlite:${path}`, 'migrate']);
    expect(code).toBe(0);
    expect(out).toBe(`applied 1 migration(s): ${LATEST}`);
    const store = openStore({ url: `sqlite:${path}` });
    try {
      expect((await migrationLevel(store)).pending).toEqual([]);
      const conn = await sql<{
        name: string;
        settings: string;
      }>`SELECT name, settings FROM connections WHERE id = 'default'`.execute(store.db);
      expect(conn.rows).toEqual([{ name: 'Shop', settings: '{"region":"na"}' }]);
      const wm = await sql<{
        value: string;
      }>`SELECT value FROM watermarks WHERE name = 'orders.lastUpdatedAfter'`.execute(store.db);
      expect(wm.rows[0]!.value).toBe('2026-01-02T00:00:00Z');
    } finally {
      await store.close();
    }
  });

  it('refuses to migrate a store newer than the binary, naming both levels', async () => {
    const path = join(dir, 'newer.db');
    const store = openStore({ url: `sqlite:${path}` });
    await store.migrate();
    await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('9999-from-the-future', '2030-01-01T00:00:00Z')`.execute(
      store.db,
    );
    await store.close();

    const { code, err } = await run(['--store', `sqlite:${path}`, 'migrate']);
    expect(code).toBe(2);
    expect(err).toContain('SB_STORE_NEWER_THAN_BINARY');
    expect(err).toContain('9999-from-the-future');
    expect(err).toContain(`knows migrations up to ${LATEST}`);
  });
});

describe('sellbridge backup / restore (SQLite)', () => {
  it('backs up a store that is open and being written, and restores it after --force', async () => {
    const path = join(dir, 'live.db');
    const store = openStore({ url: `sqlite:${path}` });
    await store.migrate();
    await sql`INSERT INTO watermarks (connection_id, name, value, updated_at) VALUES ('default', 'a', '1', 'x')`.execute(
      store.db,
    );
    const backupFile = join(dir, 'live-backup.db');
    const { code, out } = await run(['--store', `sqlite:${path}`, 'backup', backupFile]);
    expect(code, out).toBe(0);
    expect(out).toMatch(new RegExp(`backed up the store to .*live-backup.db: \\d+ bytes, migration ${LATEST}`));

    await sql`UPDATE watermarks SET value = '2' WHERE name = 'a'`.execute(store.db);
    // The store is open (a running Sellbridge): refused, even with --force.
    const busy = await run(['--store', `sqlite:${path}`, 'restore', '--force', backupFile]);
    expect(busy.code).toBe(2);
    expect(busy.err).toContain('SB_STORE_IN_USE');
    await store.close();

    const noForce = await run(['--store', `sqlite:${path}`, 'restore', backupFile]);
    expect(noForce.code).toBe(2);
    expect(noForce.err).toMatch(/SB_STORE_IN_USE: .*--force/);

    const restored = await run(['--store', `sqlite:${path}`, 'restore', '--force', backupFile]);
    expect(restored.code, restored.err).toBe(0);
    const again = openStore({ url: `sqlite:${path}` });
    try {
      expect(
        (await sql<{ value: string }>`SELECT value FROM watermarks WHERE name = 'a'`.execute(again.db)).rows[0]!.value,
      ).toBe('1');
    } finally {
      await again.close();
    }
  });

  it('restores a previous release backup and says migrations are pending', async () => {
    const old = join(dir, 'old-release.db');
    await previousReleaseStore(old);
    const target = join(dir, 'fresh', 'sellbridge.db');
    rmSync(join(dir, 'fresh'), { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'fresh'));
    const r = await restoreStore(`sqlite:${target}`, 'sellbridge', old);
    expect(r.pending).toEqual([LATEST]);
  });

  it('refuses a file that is not a Sellbridge store', async () => {
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'not a database at all, just text that is long enough to be a page '.repeat(100));
    const { code, err } = await run(['--store', `sqlite:${join(dir, 'x.db')}`, 'restore', junk]);
    expect(code).toBe(2);
    expect(err).toContain('SB_STORE_BACKUP_INVALID');
    expect(existsSync(join(dir, 'x.db'))).toBe(false);
  });

  it('on PostgreSQL prints pg_dump guidance without the password and exits non-zero', async () => {
    const { code, err } = await run([
      '--store',
      'postgres://sb:Pa55word@db.example:5432/sellbridge',
      'backup',
      join(dir, 'pg.db'),
    ]);
    expect(code).toBe(2);
    expect(err).toContain('SB_STORE_BACKUP_UNSUPPORTED');
    expect(err).toContain('pg_dump --format=custom --schema=sellbridge');
    expect(err).not.toContain('Pa55word');
    await expect(backupStore('sqlite::memory:', 'sellbridge', join(dir, 'm.db'))).rejects.toThrow(/in memory/);
  });
});
