import { sql, type Kysely } from 'kysely';
import { SellbridgeError } from '../../core/errors.ts';
import { advanceAlong, isSyncState, type SyncState } from '../../core/lifecycle.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type {
  OrderLink,
  OrderLinks,
  OrderLinkUpdate,
  OrderStateOf,
  OrderStates,
} from '../../core/ports/order-links.ts';
import { containsLiteral } from '../../runtime/store/like.ts';
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
  };
  tran_no_sequences: { connection_id: string; next_value: number | string };
};
export type OrderLinkRow = OrderLinkTables['order_links'];

type Db = Kysely<Database & OrderLinkTables>;
const tables = (store: Store): Db => store.db.withTables<OrderLinkTables>();

/** Store-backed OrderLinks: TranNos drawn from `tran_no_sequences` and formatted by `formatTranNo`. */
export function storeOrderLinks(store: Store, clock: Clock, formatTranNo: (sequence: number) => string): OrderLinks {
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
    async reserveTranNo(connectionId, amazonOrderId) {
      const existing = await get(connectionId, amazonOrderId);
      if (existing?.tranNo) return existing.tranNo;
      const reserved = await db.transaction().execute(async (tx) => {
        await ensure(tx, connectionId, amazonOrderId, 'received');
        const current = await tx
          .selectFrom('order_links')
          .select('tran_no')
          .where('connection_id', '=', connectionId)
          .where('amazon_order_id', '=', amazonOrderId)
          .executeTakeFirst();
        if (current?.tran_no) return current.tran_no; // reserved meanwhile by a concurrent call: draw nothing
        const row = await tx
          .insertInto('tran_no_sequences')
          .values({ connection_id: connectionId, next_value: 1 })
          .onConflict((oc) =>
            oc.column('connection_id').doUpdateSet({ next_value: sql`tran_no_sequences.next_value + 1` }),
          )
          .returning('next_value')
          .executeTakeFirstOrThrow();
        // Only the first reservation sticks: a concurrent one updates nothing and reads the winner's TranNo below.
        const updated = await tx
          .updateTable('order_links')
          .set({ tran_no: formatTranNo(Number(row.next_value)), updated_at: now() })
          .where('connection_id', '=', connectionId)
          .where('amazon_order_id', '=', amazonOrderId)
          .where('tran_no', 'is', null)
          .returning('tran_no')
          .executeTakeFirst();
        return updated?.tran_no ?? undefined;
      });
      return reserved ?? (await get(connectionId, amazonOrderId))!.tranNo!;
    },
    async setState(connectionId, amazonOrderId, state, update: OrderLinkUpdate = {}) {
      return setState(connectionId, amazonOrderId, state, update);
    },
    async advance(key, current, to, update) {
      return advanceAlong(current, to, update, (state, u) => setState(key.connectionId, key.amazonOrderId, state, u));
    },
  };

  /** One statement when the link exists (UPDATE ... RETURNING); an insert first when it does not. */
  async function setState(
    connectionId: string,
    amazonOrderId: string,
    state: SyncState,
    update: OrderLinkUpdate = {},
  ): Promise<OrderLink> {
    const write = () =>
      db
        .updateTable('order_links')
        .set({
          state,
          updated_at: now(),
          ...(update.salesOrderKey !== undefined ? { sales_order_key: update.salesOrderKey } : {}),
          ...(update.marketplaceId !== undefined ? { marketplace_id: update.marketplaceId } : {}),
          ...(update.lastError !== undefined ? { last_error: update.lastError } : {}),
          // An adopted TranNo never replaces a reserved one.
          ...(update.adoptTranNo !== undefined
            ? { tran_no: sql<string>`coalesce(tran_no, ${update.adoptTranNo})` }
            : {}),
        })
        .where('connection_id', '=', connectionId)
        .where('amazon_order_id', '=', amazonOrderId)
        .returningAll()
        .executeTakeFirst();
    const row = (await write()) ?? (await ensure(db, connectionId, amazonOrderId, state), await write());
    return linkFromRow(row)!;
  }
}

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

/** Received and last-changed times of orders now `created` that arrived since `since` (order-to-Sage latency). */
export async function createdOrderTimes(
  store: Store,
  since: string,
  limit = 10_000,
): Promise<{ created_at: string; updated_at: string }[]> {
  return tables(store)
    .selectFrom('order_links')
    .select(['created_at', 'updated_at'])
    .where('state', '=', 'created')
    .where('created_at', '>=', since)
    .limit(limit)
    .execute();
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
