import type { Kysely, Transaction } from 'kysely';
import type { Store } from '../store/store.ts';
import { takeToken, type BucketState, type RateLimiter } from './token-bucket.ts';

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

type RateDb = {
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
 * Token buckets kept in the store, so every worker in every process draws from the same bucket. Each take is
 * one transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: the row is locked with SELECT … FOR UPDATE), so two
 * processes can never both spend the last token. A plan's burst change takes effect at once; its rate only
 * while the server has not sent one.
 */
export function createStoreRateLimiter(store: Store, options: StoreRateLimiterOptions = {}): RateLimiter {
  const now = options.now ?? Date.now;
  const safety = options.safety ?? 0.98;
  const db = store.db.withTables<RateDb>() as unknown as Kysely<RateDb>;
  const forUpdate = store.dialect === 'postgres';

  async function locked(tx: Transaction<RateDb>, key: string) {
    let q = tx.selectFrom('rate_buckets').selectAll().where('key', '=', key);
    if (forUpdate) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  return {
    async take(key, opts) {
      return db.transaction().execute(async (tx) => {
        let row = await locked(tx, key);
        if (!row) {
          const t = now();
          await tx
            .insertInto('rate_buckets')
            .values({ key, tokens: opts.plan.burst, updated_at_ms: t, rate: opts.plan.rate, burst: opts.plan.burst, rate_from_server: 0 })
            .onConflict((oc) => oc.column('key').doNothing())
            .execute();
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
      await db.updateTable('rate_buckets').set({ rate, rate_from_server: 1 }).where('key', '=', key).where((eb) => eb.or([eb('rate', '!=', rate), eb('rate_from_server', '=', 0)])).execute();
    },
    async drain(key) {
      await db.transaction().execute(async (tx) => {
        const row = await locked(tx, key);
        if (!row) return;
        await tx.updateTable('rate_buckets').set({ tokens: Math.min(0, row.tokens), updated_at_ms: now() }).where('key', '=', key).execute();
      });
    },
  };
}
