import type { Kysely } from 'kysely';
import type { Store } from '../store/store.ts';
import type { Database } from '../store/tables.ts';
import { leaseTokens, type BucketState, type RateLimiter, type TakeOptions } from './token-bucket.ts';

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
  /**
   * Most tokens one take leases from the store (the spare ones are spent from process memory). Default 8, and
   * never more than a quarter of the bucket's burst; 1 turns leasing off.
   */
  readonly maxLease?: number;
}

/** The bucket row as this process last read or wrote it: the compare-and-set's expected values. */
interface KnownRow {
  tokens: number;
  updatedAtMs: number;
  rate: number;
  rateFromServer: number;
}

/** Tokens taken from the store and not spent yet, valid until `until` (epoch ms). */
interface Lease {
  count: number;
  until: number;
}

/** Compare-and-set attempts before a take answers "wait 1 ms" (the caller then asks again). */
const CAS_ATTEMPTS = 5;

/**
 * Token buckets kept in the store, so every worker in every process draws from the same bucket, atomically.
 *
 * One take is one statement in the common case (issue 15: it was a BEGIN IMMEDIATE transaction of four statements
 * per call on SQLite): a compare-and-set UPDATE of the row as this process last saw it (tokens, refill time and
 * rate unchanged since), which a concurrent writer in any process makes fail; then the row is read again and the
 * take retried. Two processes can therefore never both spend the last token.
 *
 * A take leases up to `maxLease` tokens (never more than a quarter of the burst, never the low-priority reserve)
 * when the bucket has them, and the next takes in this process spend those from memory without a statement. A lease
 * lives at most max(50 ms, min(1 s, one token's refill time)): tokens held longer than that could reach Amazon later
 * than the bucket counted them, after Amazon's own bucket sat full, so the lifetime bounds that lag to about one
 * token. An unspent lease goes back into the bucket with the next take's write (no statement of its own); a crashed
 * process loses at most its lease (the bucket then runs a little slower, never faster). A 429 (`drain`) drops this
 * process's leases. A plan's burst change takes effect at once; its rate only while the server has not sent one.
 */
export function createStoreRateLimiter(store: Store, options: StoreRateLimiterOptions = {}): RateLimiter {
  const now = options.now ?? Date.now;
  const safety = options.safety ?? 0.98;
  const maxLease = Math.max(1, Math.floor(options.maxLease ?? 8));
  const db: Kysely<RateDb> = store.db.withTables<{ rate_buckets: RateBucketsTable }>();
  const known = new Map<string, KnownRow>();
  const leases = new Map<string, Lease>();
  /** The rate last stored from the server's header per key: the same header again is not written again. */
  const serverRates = new Map<string, number>();

  async function read(key: string): Promise<KnownRow | undefined> {
    const row = await db.selectFrom('rate_buckets').selectAll().where('key', '=', key).executeTakeFirst();
    if (!row) return undefined;
    const k = {
      tokens: row.tokens,
      updatedAtMs: row.updated_at_ms,
      rate: row.rate,
      rateFromServer: row.rate_from_server,
    };
    known.set(key, k);
    return k;
  }

  /** A new bucket starts full; a concurrent creator's row wins (no conflict). */
  async function createBucket(key: string, opts: TakeOptions, t: number): Promise<void> {
    await db
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

  /** Spends one leased token of `key` from memory when this process holds a live one. */
  function fromLease(key: string, priority: 'high' | 'low', t: number): boolean {
    // High priority may spend a low-priority lease too (those tokens left the reserve alone); not the reverse.
    for (const p of priority === 'high' ? ['high', 'low'] : ['low']) {
      const lease = leases.get(`${key}\n${p}`);
      if (lease && lease.count > 0 && t < lease.until) {
        lease.count--;
        return true;
      }
    }
    return false;
  }

  /** Expired leases of `key` taken out of memory: their count goes back into the bucket with the next write. */
  function expired(key: string, t: number): number {
    let n = 0;
    for (const p of ['high', 'low']) {
      const lease = leases.get(`${key}\n${p}`);
      if (lease && (t >= lease.until || lease.count === 0)) {
        n += lease.count;
        leases.delete(`${key}\n${p}`);
      }
    }
    return n;
  }

  return {
    async take(key, opts) {
      const priority = opts.priority ?? 'high';
      if (fromLease(key, priority, now())) return 0;
      const returned = expired(key, now());
      const burst = opts.plan.burst;
      const max = Math.max(1, Math.min(maxLease, Math.floor(burst / 4)));
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        let row = known.get(key) ?? (await read(key));
        if (!row) {
          await createBucket(key, opts, now());
          row = await read(key);
          if (!row) continue;
        }
        const t = now();
        const rate = row.rateFromServer ? row.rate : opts.plan.rate;
        const state: BucketState = { tokens: row.tokens, updatedAtMs: row.updatedAtMs, rate, burst };
        const next = leaseTokens(state, t, priority, { safety, max, returned });
        if (next.granted === 0 && returned === 0) {
          // Nothing taken and nothing given back: the wait needs no write. The row is read afresh next time, as
          // another process may have given tokens back meanwhile.
          known.delete(key);
          return next.waitMs;
        }
        const result = await db
          .updateTable('rate_buckets')
          .set({ tokens: next.state.tokens, updated_at_ms: next.state.updatedAtMs, rate, burst })
          .where('key', '=', key)
          .where('tokens', '=', row.tokens)
          .where('updated_at_ms', '=', row.updatedAtMs)
          .where('rate', '=', row.rate)
          .where('rate_from_server', '=', row.rateFromServer)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) {
          // Another taker (this process or another) wrote the row since it was read: read it again.
          known.delete(key);
          continue;
        }
        known.set(key, { ...row, tokens: next.state.tokens, updatedAtMs: next.state.updatedAtMs, rate });
        if (next.granted > 1) {
          const life = Math.max(50, Math.min(1000, 1000 / Math.max(rate * safety, 1e-9)));
          const slot = `${key}\n${priority}`;
          const lease = leases.get(slot);
          // A live lease of the same slot (a concurrent take's) keeps its own, earlier, end.
          if (lease && t < lease.until) lease.count += next.granted - 1;
          else leases.set(slot, { count: next.granted - 1, until: t + life });
        }
        return next.waitMs;
      }
      // The row kept changing under us: ask again shortly (the caller sleeps through a 1 ms wait).
      return 1;
    },
    async setRate(key, rate) {
      if (!(rate > 0) || serverRates.get(key) === rate) return;
      await db
        .updateTable('rate_buckets')
        .set({ rate, rate_from_server: 1 })
        .where('key', '=', key)
        .where((eb) => eb.or([eb('rate', '!=', rate), eb('rate_from_server', '=', 0)]))
        .execute();
      serverRates.set(key, rate);
      // The compare-and-set expects the row as written now (a stale expectation only costs a read).
      const k = known.get(key);
      if (k) known.set(key, { ...k, rate, rateFromServer: 1 });
    },
    async drain(key) {
      for (const p of ['high', 'low']) leases.delete(`${key}\n${p}`);
      known.delete(key);
      await db
        .updateTable('rate_buckets')
        .set((eb) => ({
          tokens: eb.case().when('tokens', '>', 0).then(0).else(eb.ref('tokens')).end(),
          updated_at_ms: now(),
        }))
        .where('key', '=', key)
        .execute();
    },
  };
}
