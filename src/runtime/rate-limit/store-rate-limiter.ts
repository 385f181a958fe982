import { sql, type Kysely, type Transaction } from 'kysely';
import type { Store } from '../store/store.ts';
import type { Database } from '../store/tables.ts';
import { reserveFor, takeToken, type BucketState, type RateLimiter, type TakeOptions } from './token-bucket.ts';

/** Row of `rate_buckets` (migration 0002). Declared here: the table belongs to the rate limiter. */
export type RateBucketsTable = {
  key: string;
  tokens: number;
  updated_at_ms: number;
  rate: number;
  burst: number;
  /** 1 once the server told us the rate (then a changed plan default does not overwrite it). */
  rate_from_server: number;
};

type RateDb = Database & {
  rate_buckets: RateBucketsTable;
};

export interface StoreRateLimiterOptions {
  /** Epoch milliseconds; inject a fake in tests. */
  readonly now?: () => number;
  /**
   * Rates are multiplied by this (< 1) so our buckets run a hair slower than the server's: network jitter
   * then finds a spare token on the server side instead of a 429. Default 0.98.
   */
  readonly safety?: number;
}

/**
 * Token buckets kept in the store, so every worker in every process draws from the same bucket, atomically:
 * on SQLite each take is one BEGIN IMMEDIATE transaction; on PostgreSQL a take that gets a token is one
 * conditional `UPDATE … WHERE <enough tokens> RETURNING` (the row lock lasts one statement, and READ COMMITTED
 * re-checks the condition on the latest row), so two processes can never both spend the last token. A plan's
 * burst change takes effect at once; its rate only while the server has not sent one.
 */
export function createStoreRateLimiter(store: Store, options: StoreRateLimiterOptions = {}): RateLimiter {
  const now = options.now ?? Date.now;
  const safety = options.safety ?? 0.98;
  const db: Kysely<RateDb> = store.db.withTables<{ rate_buckets: RateBucketsTable }>();
  const forUpdate = store.dialect === 'postgres';

  async function locked(tx: Transaction<RateDb>, key: string) {
    let q = tx.selectFrom('rate_buckets').selectAll().where('key', '=', key);
    if (forUpdate) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  /** A new bucket starts full; a concurrent creator's row wins (no conflict). */
  async function createBucket(q: Kysely<RateDb>, key: string, opts: TakeOptions, t: number): Promise<void> {
    await q
      .insertInto('rate_buckets')
      .values({
        key,
        tokens: opts.plan.burst,
        updated_at_ms: t,
        rate: opts.plan.rate,
        burst: opts.plan.burst,
        rate_from_server: 0,
      })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
  }

  /** PostgreSQL: one statement takes the token when there is one; otherwise a plain read computes the wait. */
  async function takePostgres(key: string, opts: TakeOptions): Promise<number> {
    const priority = opts.priority ?? 'high';
    const need = 1 + (priority === 'low' ? reserveFor(opts.plan.burst) : 0);
    for (let attempt = 0; attempt < 2; attempt++) {
      const t = now();
      const rate = sql`(CASE WHEN rate_from_server = 1 THEN rate ELSE ${opts.plan.rate}::float8 END)`;
      const available = sql`LEAST(${opts.plan.burst}::float8, tokens + (GREATEST(${t}::float8, updated_at_ms) - updated_at_ms) * ${rate} * ${safety}::float8 / 1000.0)`;
      const taken = await sql<{ tokens: number }>`
        UPDATE rate_buckets
           SET tokens = ${available} - 1,
               updated_at_ms = GREATEST(${t}::float8, updated_at_ms),
               rate = ${rate},
               burst = ${opts.plan.burst}::float8
         WHERE key = ${key} AND ${available} >= ${need - 1e-9}::float8
        RETURNING tokens`.execute(db);
      if (taken.rows.length > 0) return 0;
      const row = await db.selectFrom('rate_buckets').selectAll().where('key', '=', key).executeTakeFirst();
      if (row) {
        const state: BucketState = {
          tokens: row.tokens,
          updatedAtMs: row.updated_at_ms,
          rate: row.rate_from_server ? row.rate : opts.plan.rate,
          burst: opts.plan.burst,
        };
        return Math.max(1, takeToken(state, now(), priority, safety).waitMs);
      }
      await createBucket(db, key, opts, t);
    }
    return 1;
  }

  return {
    async take(key, opts) {
      if (store.dialect === 'postgres') return takePostgres(key, opts);
      return db.transaction().execute(async (tx) => {
        let row = await locked(tx, key);
        if (!row) {
          const t = now();
          await createBucket(tx, key, opts, t);
          row = (await locked(tx, key))!;
        }
        // Read the clock once the row is locked, so the time of this take is after the previous one's.
        const t = now();
        const state: BucketState = {
          tokens: row.tokens,
          updatedAtMs: row.updated_at_ms,
          rate: row.rate_from_server ? row.rate : opts.plan.rate,
          burst: opts.plan.burst,
        };
        const { state: next, waitMs } = takeToken(state, t, opts.priority ?? 'high', safety);
        await tx
          .updateTable('rate_buckets')
          .set({ tokens: next.tokens, updated_at_ms: next.updatedAtMs, rate: next.rate, burst: next.burst })
          .where('key', '=', key)
          .execute();
        return waitMs;
      });
    },
    async setRate(key, rate) {
      if (!(rate > 0)) return;
      await db
        .updateTable('rate_buckets')
        .set({ rate, rate_from_server: 1 })
        .where('key', '=', key)
        .where((eb) => eb.or([eb('rate', '!=', rate), eb('rate_from_server', '=', 0)]))
        .execute();
    },
    async drain(key) {
      await db.transaction().execute(async (tx) => {
        const row = await locked(tx, key);
        if (!row) return;
        await tx
          .updateTable('rate_buckets')
          .set({ tokens: Math.min(0, row.tokens), updated_at_ms: now() })
          .where('key', '=', key)
          .execute();
      });
    },
  };
}
