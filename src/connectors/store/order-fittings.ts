import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../core/ports/clock.ts';
import type { OrderFitting, OrderFittings } from '../../core/ports/order-fittings.ts';
import { ADDRESS_CHANGE_KINDS, type AddressChange, type AddressChangeKind } from '../../core/transform/fit-address.ts';
import type { Store } from '../../runtime/store/store.ts';
import type { Database } from '../../runtime/store/tables.ts';

/** Row type of migration 0017-order-fittings-and-hand-links. */
export type OrderFittingTables = {
  order_fittings: {
    connection_id: string;
    amazon_order_id: string;
    changes: string;
    original_kept: number;
    fitted_at: string;
  };
};
type OrderFittingRow = OrderFittingTables['order_fittings'];

type Db = Kysely<Database & OrderFittingTables>;
const tables = (store: Store): Db => store.db.withTables<OrderFittingTables>();

/** Store-backed OrderFittings. */
export function storeOrderFittings(store: Store, clock: Clock): OrderFittings {
  const db = tables(store);
  const get = async (connectionId: string, amazonOrderId: string) => {
    const row = await db
      .selectFrom('order_fittings')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .where('amazon_order_id', '=', amazonOrderId)
      .executeTakeFirst();
    return row ? fittingFromRow(row) : undefined;
  };
  return {
    get,
    async record(key, changes, originalKept) {
      const row: OrderFittingRow = {
        connection_id: key.connectionId,
        amazon_order_id: key.amazonOrderId,
        changes: JSON.stringify(changes),
        original_kept: originalKept ? 1 : 0,
        fitted_at: clock.now().toISOString(),
      };
      await db
        .insertInto('order_fittings')
        .values(row)
        .onConflict((oc) =>
          oc
            .columns(['connection_id', 'amazon_order_id'])
            .doUpdateSet({ changes: row.changes, original_kept: row.original_kept, fitted_at: row.fitted_at }),
        )
        .execute();
      return fittingFromRow(row);
    },
  };
}

/**
 * Fitted orders per connection and change kind (the `sellbridge_orders_address_fitted` gauge): one aggregate over
 * the JSON text, so a scrape stays one statement however many orders there are.
 */
export async function countFittings(
  store: Store,
): Promise<readonly { connectionId: string; kind: AddressChangeKind; orders: number }[]> {
  const db = tables(store);
  const has = (kind: AddressChangeKind) =>
    sql<number>`SUM(CASE WHEN changes LIKE ${`%"kind":"${kind}"%`} THEN 1 ELSE 0 END)`.as(kind);
  const rows = await db
    .selectFrom('order_fittings')
    .select(['connection_id', ...ADDRESS_CHANGE_KINDS.map(has)])
    .groupBy('connection_id')
    .execute();
  return rows.flatMap((r) =>
    ADDRESS_CHANGE_KINDS.map((kind) => ({
      connectionId: r.connection_id,
      kind,
      orders: Number((r as Record<string, unknown>)[kind] ?? 0),
    })),
  );
}

function fittingFromRow(r: OrderFittingRow): OrderFitting {
  return {
    connectionId: r.connection_id,
    amazonOrderId: r.amazon_order_id,
    changes: JSON.parse(r.changes) as AddressChange[],
    originalKept: Number(r.original_kept) === 1,
    fittedAt: r.fitted_at,
  };
}
