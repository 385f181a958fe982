import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Store } from '../../src/runtime/store/store.ts';

const WORKER = fileURLToPath(new URL('./queue-worker.ts', import.meta.url));

/** Starts a worker process and resolves once it prints "ready". */
export function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready: ${err}`)));
  });
}

export function waitForExit(child: ChildProcess): Promise<void> {
  return new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );
}

/** The tables the worker writes: job starts (every attempt) and effects (unique per job). */
export async function createEffectTables(store: Store): Promise<void> {
  const id = store.dialect === 'postgres' ? sql`id bigserial PRIMARY KEY` : sql`id INTEGER PRIMARY KEY AUTOINCREMENT`;
  await sql`CREATE TABLE test_starts (${id}, job_id text NOT NULL, pid integer NOT NULL, attempt integer NOT NULL)`.execute(
    store.db,
  );
  await sql`CREATE TABLE test_effects (${id}, job_key text NOT NULL UNIQUE, key text NOT NULL, seq integer NOT NULL, pid integer NOT NULL)`.execute(
    store.db,
  );
}
