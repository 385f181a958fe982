import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { SellbridgeError } from '../../core/errors.ts';
import { isSyncState, pathTo, SYNC_STATES, type SyncState } from '../../core/lifecycle.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type {
  OrderLink,
  OrderLinks,
  OrderLinkUpdate,
  OrderStateOf,
  OrderStates,
} from '../../core/ports/order-links.ts';
import { containsLiteral } from '../../runtime/store/like.ts';
import { pushedAtSql } from './order-sightings.ts';
import type { Store } from '../../runtime/store/store.ts';
import type { Database } from '../../runtime/store/tables.ts';

/** Row types of migration 0005-order-links: where each Amazon order is, and the TranNo sequence per connection. */
export type OrderLinkTables = {
  order_links: {
    connection_id: string;
    amazon_order_id: string;
    state: string;
    tran_no: string | null;
    sales_order_key: string | null;
    marketplace_id: string | null;
    last_error: string | null;
    created_at: string;
    updated_at: string;
    /** When the Sage sales order was recorded (first move to `created`); migration 0026, null before it. */
    sage_created_at?: string | null;
    /** Amazon's latest ship date as order.sync last wrote the link; migration 0034, null before it. */
    latest_ship_date?: string | null;
    /** The Amazon version the Sage order was created from, and its ship-to's digest; migration 0035. */
    amazon_updated_at?: string | null;
    ship_to_digest?: string | null;
  };
  tran_no_sequences: { connection_id: string; next_value: number | string };
};
export type OrderLinkRow = OrderLinkTables['order_links'];

type Db = Kysely<Database & OrderLinkTables>;
const tables = (store: Store): Db => store.db.withTables<OrderLinkTables>();

/** Store-backed OrderLinks: TranNos drawn from `tran_no_sequences` and formatted by `formatTranNo`. */
export function storeOrderLinks(
  store: Store,
  clock: Clock,
  formatTranNo: (sequence: number, prefix?: string) => string,
): OrderLinks {
  const db = tables(store);
  const now = () => clock.now().toISOString();
  const get = async (connectionId: string, amazonOrderId: string) =>
    linkFromRow(
      await db
        .selectFrom('order_links')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .where('amazon_order_id', '=', amazonOrderId)
        .executeTakeFirst(),
    );
  const ensure = (d: Db, connectionId: string, amazonOrderId: string, state: SyncState) =>
    d
      .insertInto('order_links')
      .values({
        connection_id: connectionId,
        amazon_order_id: amazonOrderId,
        state,
        tran_no: null,
        sales_order_key: null,
        marketplace_id: null,
        last_error: null,
        created_at: now(),
        updated_at: now(),
      })
      .onConflict((oc) => oc.columns(['connection_id', 'amazon_order_id']).doNothing())
      .execute();
  /** Sequences known to exist in this process, by connection. */
  const sequences = new Map<string, Promise<string>>();
  /** `n` numbers of the connection's PostgreSQL sequence in one round trip (not contiguous under concurrency). */
  async function drawFromSequence(connectionId: string, n: number): Promise<number[]> {
    let name = sequences.get(connectionId);
    if (!name) {
      name = ensureSequence(connectionId);
      sequences.set(connectionId, name);
      name.catch(() => sequences.delete(connectionId));
    }
    const seq = await name;
    const rows = await sql<{
      v: string;
    }>`SELECT nextval(${seq}::regclass) AS v FROM generate_series(1, ${n}::int)`.execute(db);
    return rows.rows.map((r) => Number(r.v));
  }
  /** `n` numbers of the connection's `tran_no_sequences` counter (SQLite), in one upsert. */
  async function drawFromCounter(connectionId: string, n: number): Promise<number[]> {
    const row = await db
      .insertInto('tran_no_sequences')
      .values({ connection_id: connectionId, next_value: n })
      .onConflict((oc) =>
        oc.column('connection_id').doUpdateSet({ next_value: sql`tran_no_sequences.next_value + ${n}` }),
      )
      .returning('next_value')
      .executeTakeFirstOrThrow();
    const last = Number(row.next_value);
    return Array.from({ length: n }, (_, i) => last - n + 1 + i);
  }
  const pools = new Map<string, NumberPool>();
  const poolOf = (connectionId: string) => {
    let pool = pools.get(connectionId);
    if (!pool) {
      pool = new NumberPool((n) =>
        store.dialect === 'postgres' ? drawFromSequence(connectionId, n) : drawFromCounter(connectionId, n),
      );
      pools.set(connectionId, pool);
    }
    return pool;
  };
  /**
   * Creates the connection's sequence once (under an advisory lock, so two processes do not both create it),
   * starting after the `tran_no_sequences` counter a store made before this change left for the connection.
   */
  async function ensureSequence(connectionId: string): Promise<string> {
    const name = `tran_no_seq_${createHash('sha256').update(connectionId).digest('hex').slice(0, 16)}`;
    const qualified = `${store.schema}.${name}`;
    await db.transaction().execute(async (tx) => {
      await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`tran_no_seq:${connectionId}`}, 0))`.execute(tx);
      const exists = await sql<{ r: string | null }>`SELECT to_regclass(${qualified}) AS r`.execute(tx);
      if (exists.rows[0]?.r) return;
      const counter = await tx
        .selectFrom('tran_no_sequences')
        .select('next_value')
        .where('connection_id', '=', connectionId)
        .executeTakeFirst();
      const start = Number(counter?.next_value ?? 0) + 1;
      await sql`CREATE SEQUENCE ${sql.id(store.schema, name)} START WITH ${sql.lit(start)}`.execute(tx);
    });
    return qualified;
  }
  return {
    get,
    async findByTranNo(connectionId, tranNo) {
      return linkFromRow(
        await db
          .selectFrom('order_links')
          .selectAll()
          .where('connection_id', '=', connectionId)
          .where('tran_no', '=', tranNo)
          .executeTakeFirst(),
      );
    },
    async findByTranNos(connectionId, tranNos) {
      const found = new Map<string, OrderLink>();
      const wanted = [...new Set(tranNos)];
      // One statement per 500 TranNos (a page of shipments names far fewer).
      for (let i = 0; i < wanted.length; i += 500) {
        const rows = await db
          .selectFrom('order_links')
          .selectAll()
          .where('connection_id', '=', connectionId)
          .where('tran_no', 'in', wanted.slice(i, i + 500))
          .execute();
        for (const row of rows) found.set(row.tran_no!, linkFromRow(row)!);
      }
      return found;
    },
    async reserveTranNo(connectionId, amazonOrderId, known, prefix) {
      // The caller's link (just written by the flow) spares a read; the claim below checks again atomically.
      const existing = known ?? (await get(connectionId, amazonOrderId));
      if (existing?.tranNo) return existing.tranNo;
      const claim = (d: Db, sequence: number) =>
        d
          .insertInto('order_links')
          .values({
            connection_id: connectionId,
            amazon_order_id: amazonOrderId,
            state: 'received',
            tran_no: formatTranNo(sequence, prefix),
            sales_order_key: null,
            marketplace_id: null,
            last_error: null,
            created_at: now(),
            updated_at: now(),
          })
          // Only the first reservation sticks: a concurrent one keeps the winner's TranNo (its number goes back).
          .onConflict((oc) =>
            oc.columns(['connection_id', 'amazon_order_id']).doUpdateSet({
              tran_no: sql`coalesce(order_links.tran_no, excluded.tran_no)`,
              updated_at: sql`case when order_links.tran_no is null then excluded.updated_at else order_links.updated_at end`,
            }),
          )
          .returning('tran_no')
          .executeTakeFirstOrThrow();
      const pool = poolOf(connectionId);
      const sequence = await pool.take();
      const row = await claim(db, sequence);
      const tranNo = formatTranNo(sequence, prefix);
      // A concurrent call reserved first: the number goes back to be the next order's (no gap).
      if (row.tran_no !== tranNo) pool.giveBack(sequence);
      return row.tran_no!;
    },
    async reserve(key, current, update = {}, prefix) {
      // As `advance`, with the TranNo claimed by the same write: the moves to `mapped` and `reserved` and the claim
      // were three writes (and a read, on SQLite) before (issue 15).
      let link = current;
      for (let attempt = 1; attempt <= MAX_ADVANCE_ATTEMPTS; attempt++) {
        const steps = pathTo(link?.state, 'reserved');
        const state = steps.length > 0 ? steps[steps.length - 1]! : link!.state;
        const row = await claimAs(key.connectionId, key.amazonOrderId, state, update, link, prefix);
        if (row) return linkFromRow(row)!;
        link = await get(key.connectionId, key.amazonOrderId);
      }
      throw new SellbridgeError(
        'SB_STORE_UNAVAILABLE',
        `order ${key.amazonOrderId}: its link changed under every one of ${MAX_ADVANCE_ATTEMPTS} attempts to reserve its TranNo`,
        { retryAfterMs: 1000, context: { amazonOrderId: key.amazonOrderId, to: 'reserved' } },
      );
    },
    async setState(connectionId, amazonOrderId, state, update: OrderLinkUpdate = {}) {
      return setState(connectionId, amazonOrderId, state, update);
    },
    async advance(key, current, to, update) {
      // One write per move (issue 15): the steps of `pathTo` in between are not recorded one by one (nothing reads
      // them: the row holds only the state it is in), only the last, with a compare-and-set on the state `current`
      // holds, widened to every state whose path to `to` ends in the same write (a link that moved from `created` to
      // `shipped-partially` meanwhile takes the same `confirmed`: the read and re-plan below would write just that).
      // A link in any other state is read again and the path taken from where it stands; an absent one is inserted
      // in the target state unless a concurrent writer made it first.
      let link = current;
      for (let attempt = 1; attempt <= MAX_ADVANCE_ATTEMPTS; attempt++) {
        const steps = pathTo(link?.state, to);
        if (link && steps.length === 0 && update === undefined) return link;
        const state = steps.length > 0 ? steps[steps.length - 1]! : link!.state;
        const row = link
          ? await write(
              key.connectionId,
              key.amazonOrderId,
              state,
              update ?? {},
              steps.length > 0 ? statesWritingTheSame(to, state) : [link.state],
            )
          : await insertAs(key.connectionId, key.amazonOrderId, state, update ?? {});
        if (row) return linkFromRow(row)!;
        link = await get(key.connectionId, key.amazonOrderId);
      }
      throw new SellbridgeError(
        'SB_STORE_UNAVAILABLE',
        `order ${key.amazonOrderId}: its link changed under every one of ${MAX_ADVANCE_ATTEMPTS} attempts to move it to ${to}`,
        { retryAfterMs: 1000, context: { amazonOrderId: key.amazonOrderId, to } },
      );
    },
  };

  /**
   * The link moved to `state` with `update`'s fields and a TranNo, in one upsert: `expected` (the link the caller
   * holds) is the compare-and-set (undefined: no link, so an existing row is left alone). A TranNo already stored is
   * kept (only the first reservation sticks). A number is drawn only when `expected` has none: on PostgreSQL from
   * the connection's sequence (a lost race leaves a gap, as in reserveTranNo); on SQLite from the counter row in a
   * transaction with the upsert, rolled back when the upsert did not claim that number (a lost race draws nothing).
   * Undefined when the stored link is not `expected` (or, on SQLite, had a TranNo `expected` did not show).
   */
  async function claimAs(
    connectionId: string,
    amazonOrderId: string,
    state: SyncState,
    update: OrderLinkUpdate,
    expected: OrderLink | undefined,
    prefix: string | undefined,
  ): Promise<OrderLinkRow | undefined> {
    const upsert = (d: Db, tranNo: string) =>
      d
        .insertInto('order_links')
        .values({
          connection_id: connectionId,
          amazon_order_id: amazonOrderId,
          state,
          tran_no: tranNo,
          sales_order_key: update.salesOrderKey ?? null,
          marketplace_id: update.marketplaceId ?? null,
          last_error: update.lastError ?? null,
          latest_ship_date: update.latestShipDate ?? null,
          created_at: now(),
          updated_at: now(),
        })
        .onConflict((oc) =>
          expected
            ? oc
                .columns(['connection_id', 'amazon_order_id'])
                .doUpdateSet({
                  state,
                  updated_at: now(),
                  tran_no: sql<string>`coalesce(order_links.tran_no, excluded.tran_no)`,
                  ...fieldsOf(update),
                })
                .where('order_links.state', '=', expected.state)
            : oc.columns(['connection_id', 'amazon_order_id']).doNothing(),
        )
        .returningAll()
        .executeTakeFirst();
    if (expected?.tranNo) return upsert(db, expected.tranNo);
    const pool = poolOf(connectionId);
    const sequence = await pool.take();
    const tranNo = formatTranNo(sequence, prefix);
    const row = await upsert(db, tranNo);
    // The compare-and-set missed, or the link had a TranNo already: the number goes back (the next order takes it,
    // so no gap), and the caller reads the link again.
    if (row?.tran_no === tranNo) return row;
    pool.giveBack(sequence);
    return undefined;
  }

  /** The link inserted in `state` with `update`'s fields; undefined when it exists already (nothing written). */
  async function insertAs(
    connectionId: string,
    amazonOrderId: string,
    state: SyncState,
    update: OrderLinkUpdate,
  ): Promise<OrderLinkRow | undefined> {
    return db
      .insertInto('order_links')
      .values({
        connection_id: connectionId,
        amazon_order_id: amazonOrderId,
        state,
        tran_no: update.adoptTranNo ?? null,
        sales_order_key: update.salesOrderKey ?? null,
        marketplace_id: update.marketplaceId ?? null,
        last_error: update.lastError ?? null,
        latest_ship_date: update.latestShipDate ?? null,
        amazon_updated_at: update.createdFrom?.amazonUpdatedAt ?? null,
        ship_to_digest: update.createdFrom?.shipToDigest ?? null,
        created_at: now(),
        updated_at: now(),
        ...(state === 'created' ? { sage_created_at: now() } : {}),
      })
      .onConflict((oc) => oc.columns(['connection_id', 'amazon_order_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
  }

  /**
   * Records `state` and `update`'s fields in one UPDATE ... RETURNING; with `expected`, only while the stored state
   * is one of those (undefined: no row, or the state moved elsewhere).
   */
  function write(
    connectionId: string,
    amazonOrderId: string,
    state: SyncState,
    update: OrderLinkUpdate,
    expected?: readonly SyncState[],
  ): Promise<OrderLinkRow | undefined> {
    let q = db
      .updateTable('order_links')
      .set({
        state,
        updated_at: now(),
        // Set once: the order-to-Sage latency still reads it after the order moved on (shipped, confirmed).
        ...(state === 'created' ? { sage_created_at: sql<string>`coalesce(sage_created_at, ${now()})` } : {}),
        ...fieldsOf(update),
        // An adopted TranNo never replaces a reserved one.
        ...(update.adoptTranNo !== undefined ? { tran_no: sql<string>`coalesce(tran_no, ${update.adoptTranNo})` } : {}),
      })
      .where('connection_id', '=', connectionId)
      .where('amazon_order_id', '=', amazonOrderId);
    if (expected !== undefined)
      q = expected.length === 1 ? q.where('state', '=', expected[0]!) : q.where('state', 'in', [...expected]);
    return q.returningAll().executeTakeFirst();
  }

  /** One statement when the link exists (UPDATE ... RETURNING); an insert first when it does not. */
  async function setState(
    connectionId: string,
    amazonOrderId: string,
    state: SyncState,
    update: OrderLinkUpdate = {},
  ): Promise<OrderLink> {
    const row =
      (await write(connectionId, amazonOrderId, state, update)) ??
      (await ensure(db, connectionId, amazonOrderId, state), await write(connectionId, amazonOrderId, state, update));
    return linkFromRow(row)!;
  }
}

/** The columns `update` sets (its adopted TranNo aside: `write` sets that one only where none is stored). */
function fieldsOf(update: OrderLinkUpdate) {
  return {
    ...(update.salesOrderKey !== undefined ? { sales_order_key: update.salesOrderKey } : {}),
    ...(update.marketplaceId !== undefined ? { marketplace_id: update.marketplaceId } : {}),
    ...(update.lastError !== undefined ? { last_error: update.lastError } : {}),
    ...(update.latestShipDate !== undefined ? { latest_ship_date: update.latestShipDate } : {}),
    ...(update.createdFrom
      ? {
          amazon_updated_at: update.createdFrom.amazonUpdatedAt,
          ship_to_digest: update.createdFrom.shipToDigest ?? null,
        }
      : {}),
  };
}

/**
 * The TranNo numbers this process holds for one connection, drawn from the store in blocks (issue 15: a reservation
 * was a transaction of four statements on SQLite, two round trips on PostgreSQL). The block grows while orders come
 * quickly (doubling when the last draw ran out within a second, up to MAX_BLOCK) and is one number otherwise, so a
 * quiet connection's TranNos stay consecutive; numbers held when the process stops are gaps, as a number drawn by a
 * lost race on PostgreSQL always was. The lowest number is handed out first, and one a lost race did not use goes back.
 */
class NumberPool {
  static readonly MAX_BLOCK = 32;
  readonly #draw: (n: number) => Promise<number[]>;
  #free: number[] = [];
  #block = 1;
  #lastDrawMs = 0;
  #drawing: Promise<void> | undefined;

  constructor(draw: (n: number) => Promise<number[]>) {
    this.#draw = draw;
  }

  async take(): Promise<number> {
    while (this.#free.length === 0) {
      this.#drawing ??= this.#refill().finally(() => (this.#drawing = undefined));
      await this.#drawing;
    }
    return this.#free.shift()!;
  }

  giveBack(n: number): void {
    this.#free.push(n);
    this.#free.sort((a, b) => a - b);
  }

  async #refill(): Promise<void> {
    const now = Date.now();
    this.#block = now - this.#lastDrawMs < 1000 ? Math.min(this.#block * 2, NumberPool.MAX_BLOCK) : 1;
    this.#lastDrawMs = now;
    for (const n of await this.#draw(this.#block)) this.#free.push(n);
    this.#free.sort((a, b) => a - b);
  }
}

/**
 * The states from which `pathTo(from, to)` ends in `state` (a move, not a stay): a link stored in any of them gets
 * the same write from `advance`, so its compare-and-set accepts them all. By target and state, computed once.
 */
function statesWritingTheSame(to: SyncState, state: SyncState): readonly SyncState[] {
  const key = `${to}>${state}`;
  let states = SAME_WRITE.get(key);
  if (!states) {
    states = SYNC_STATES.filter((from) => {
      const steps = pathTo(from, to);
      return steps.length > 0 && steps[steps.length - 1] === state;
    });
    SAME_WRITE.set(key, states);
  }
  return states;
}
const SAME_WRITE = new Map<string, readonly SyncState[]>();

/** Compare-and-set attempts of one `advance` before it gives up (each lost one means another job moved the order). */
const MAX_ADVANCE_ATTEMPTS = 10;

function linkFromRow(row: OrderLinkRow | undefined): OrderLink | undefined {
  if (!row) return undefined;
  if (!isSyncState(row.state))
    throw new SellbridgeError(
      'SB_JOB_HANDLER_CRASHED',
      `order_links row of ${row.amazon_order_id} has unknown state ${row.state}`,
    );
  return {
    connectionId: row.connection_id,
    amazonOrderId: row.amazon_order_id,
    state: row.state,
    ...(row.tran_no ? { tranNo: row.tran_no } : {}),
    ...(row.sales_order_key ? { salesOrderKey: row.sales_order_key } : {}),
    ...(row.marketplace_id ? { marketplaceId: row.marketplace_id } : {}),
    ...(row.last_error ? { lastError: row.last_error } : {}),
    ...(row.latest_ship_date ? { latestShipDate: row.latest_ship_date } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Where a page of `listOrderLinks` ends: the last row's (updated_at, connection_id, amazon_order_id). */
export type OrderLinkCursor = readonly [updatedAt: string, connectionId: string, amazonOrderId: string];

export interface OrderLinkQuery {
  /** Part of an AmazonOrderId or Sage TranNo. */
  readonly q?: string;
  readonly state?: string;
  readonly connectionId?: string;
  readonly limit: number;
  readonly after?: OrderLinkCursor;
}

/** Order links, most recently changed first (the admin API's order list); keyset-paged by `after`. */
export async function listOrderLinks(store: Store, query: OrderLinkQuery): Promise<OrderLinkRow[]> {
  let q = tables(store)
    .selectFrom('order_links')
    .selectAll()
    .orderBy('updated_at', 'desc')
    .orderBy('connection_id', 'desc')
    .orderBy('amazon_order_id', 'desc')
    .limit(query.limit);
  const text = query.q;
  if (text) q = q.where((eb) => eb.or([containsLiteral('amazon_order_id', text), containsLiteral('tran_no', text)]));
  if (query.state) q = q.where('state', '=', query.state);
  if (query.connectionId) q = q.where('connection_id', '=', query.connectionId);
  const c = query.after;
  if (c) {
    q = q.where((eb) =>
      eb.or([
        eb('updated_at', '<', c[0]),
        eb.and([eb('updated_at', '=', c[0]), eb('connection_id', '<', c[1])]),
        eb.and([eb('updated_at', '=', c[0]), eb('connection_id', '=', c[1]), eb('amazon_order_id', '<', c[2])]),
      ]),
    );
  }
  return q.execute();
}

/** The link of one AmazonOrderId; without a connection, the most recently changed one of any connection. */
export async function findOrderLinkRow(
  store: Store,
  amazonOrderId: string,
  connectionId?: string,
): Promise<OrderLinkRow | undefined> {
  let q = tables(store).selectFrom('order_links').selectAll().where('amazon_order_id', '=', amazonOrderId);
  if (connectionId) q = q.where('connection_id', '=', connectionId);
  return q.orderBy('updated_at', 'desc').executeTakeFirst();
}

/** One order's way into Sage: first seen (notification or poll; else the link's creation) and Sage order recorded. */
export interface OrderToSageTime {
  readonly firstSeenAt: string;
  readonly sageCreatedAt: string;
}

/**
 * The latest `limit` orders whose Sage sales order was recorded since `since` (order_links.sage_created_at, indexed),
 * each with when Sellbridge first saw the order: its first ORDER_CHANGE inbox row or its order_sightings row (the
 * notification or the poll that named it), else the link's creation. Bounded: one index range read and at most
 * `limit` look-ups of each by key.
 */
export async function orderToSageTimes(
  store: Store,
  since: string,
  limit = 2000,
  connectionId?: string,
): Promise<OrderToSageTime[]> {
  const rows = await sql<{
    created_at: string;
    sage_created_at: string;
    first_seen_at: string | null;
    pushed_at: string | null;
  }>`
    SELECT l.created_at, l.sage_created_at, s.first_seen_at,
      ${pushedAtSql(sql.ref('l.connection_id'), sql.ref('l.amazon_order_id'))} AS pushed_at
    FROM order_links l
    LEFT JOIN order_sightings s ON s.connection_id = l.connection_id AND s.amazon_order_id = l.amazon_order_id
    WHERE l.sage_created_at >= ${since}${connectionId ? sql` AND l.connection_id = ${connectionId}` : sql``}
    ORDER BY l.sage_created_at DESC
    LIMIT ${limit}`.execute(store.db);
  const earliest = (...ts: (string | null)[]) => ts.reduce<string | null>((m, t) => (t && (!m || t < m) ? t : m), null);
  return rows.rows.map((r) => ({
    firstSeenAt: earliest(r.first_seen_at, r.pushed_at, r.created_at)!,
    sageCreatedAt: r.sage_created_at,
  }));
}

/** When the connection's latest order arrived (an index read: order_links is keyed by connection first). */
export async function lastOrderAt(store: Store, connectionId: string): Promise<string | null> {
  const row = await tables(store)
    .selectFrom('order_links')
    .select((eb) => eb.fn.max('created_at').as('at'))
    .where('connection_id', '=', connectionId)
    .executeTakeFirst();
  return (row?.at as string | null | undefined) ?? null;
}

/** A connection's orders in the given states, counted per state (index `order_links_state`: connection, state). */
export async function countOrderLinksByState(
  store: Store,
  connectionId: string,
  states: readonly string[],
): Promise<{ state: string; n: number }[]> {
  const rows = await tables(store)
    .selectFrom('order_links')
    .select((eb) => ['state', eb.fn.countAll<number | string>().as('n')])
    .where('connection_id', '=', connectionId)
    .where('state', 'in', [...states])
    .groupBy('state')
    .execute();
  return rows.map((r) => ({ state: r.state, n: Number(r.n) }));
}

/** How many orders a connection has a link for (the demo's "received" count). */
export async function countOrderLinks(store: Store, connectionId: string): Promise<number> {
  const row = await tables(store)
    .selectFrom('order_links')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('connection_id', '=', connectionId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Store-backed OrderStates: one query per 200 orders. */
export function storeOrderStates(store: Store): OrderStates {
  return {
    async statesOf(refs) {
      const out: OrderStateOf[] = [];
      const db = tables(store);
      for (let i = 0; i < refs.length; i += 200) {
        const part = refs.slice(i, i + 200);
        const rows = await db
          .selectFrom('order_links')
          .select(['connection_id', 'amazon_order_id', 'state', 'updated_at'])
          .where((eb) =>
            eb.or(
              part.map((r) =>
                eb.and([eb('connection_id', '=', r.connectionId), eb('amazon_order_id', '=', r.amazonOrderId)]),
              ),
            ),
          )
          .execute();
        for (const r of rows)
          out.push({
            connectionId: r.connection_id,
            amazonOrderId: r.amazon_order_id,
            state: r.state,
            updatedAt: r.updated_at,
          });
      }
      return out;
    },
  };
}
