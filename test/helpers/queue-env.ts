import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { createMetrics } from '../../src/observability/metrics.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { systemClock } from '../../src/runtime/clock.ts';
import { createJobQueue } from '../../src/runtime/queue/create-job-queue.ts';
import type { JobQueue, JobEvent } from '../../src/runtime/queue/job-queue.ts';
import type { QueueSettings } from '../../src/runtime/queue/queue-deps.ts';
import { openStore, type Store } from '../../src/runtime/store/store.ts';

export const PG_URL = process.env['SELLBRIDGE_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Settings that keep tests quick: short backoff and lease, fast polling. */
export const FAST_SETTINGS: QueueSettings = {
  concurrency: 4,
  maxAttempts: 3,
  backoffBaseMs: 20,
  backoffMaxMs: 200,
  leaseMs: 2000,
  pollIntervalMs: 50,
  shutdownGraceMs: 1000,
  keepCompletedMs: 3_600_000,
};

export type StoreKind = 'sqlite' | 'postgres';

/** A fresh store: a temp SQLite file, or a PostgreSQL schema named from a hash of the test name (pg-boss style). */
export async function freshStore(kind: StoreKind, name: string): Promise<Store> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'sellbridge-test-'));
    const store = openStore({ url: `sqlite:${join(dir, 'state.db')}` });
    await store.migrate();
    return store;
  }
  const schema = `t_${createHash('sha1').update(name).digest('hex').slice(0, 12)}`;
  await dropSchemas(schema);
  const store = openStore({ url: PG_URL, schema, poolSize: 5 });
  await store.migrate();
  return store;
}

export async function dropSchemas(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_jobs CASCADE;`);
  } finally {
    await client.end();
  }
}

export async function makeQueue(
  store: Store,
  settings: Partial<QueueSettings> = {},
  workerId?: string,
): Promise<JobQueue> {
  return createJobQueue({
    store,
    clock: systemClock,
    logger: silentLogger(),
    metrics: createMetrics(),
    settings: { ...FAST_SETTINGS, ...settings },
    ...(workerId ? { workerId } : {}),
  });
}

/** Resolves with the first event that matches; rejects after `timeoutMs` (a safety net, not a timing assertion). */
export function waitForEvent(queue: JobQueue, match: (e: JobEvent) => boolean, timeoutMs = 30_000): Promise<JobEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs}ms waiting for a job event`));
    }, timeoutMs);
    const off = queue.onEvent((e) => {
      if (match(e)) {
        clearTimeout(timer);
        off();
        resolve(e);
      }
    });
  });
}

/** Polls until `check` returns a truthy value (waiting for a state, across processes); rejects after timeoutMs. */
export async function waitUntil<T>(
  check: () => Promise<T | undefined | false | null>,
  timeoutMs = 60_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const pgAvailable = async (url: string = PG_URL): Promise<boolean> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
};
