import type { Clock } from '../../core/ports/clock.ts';
import type { OrderSightings } from '../../core/ports/order-sightings.ts';
import type { Store, Tx } from '../../runtime/store/store.ts';

/** Row of `order_sightings` (migration 0006): which intake saw an order first. */
export type OrderSightingTables = {
  order_sightings: {
    connection_id: string;
    amazon_order_id: string;
    first_source: 'push' | 'poll';
    first_seen_at: string;
  };
};

/** Records that a notification announced an order (inside the inbox row's transaction). */
export async function notePushed(tx: Tx, connectionId: string, amazonOrderId: string, at: string): Promise<void> {
  await tx
    .withTables<OrderSightingTables>()
    .insertInto('order_sightings')
    .values({ connection_id: connectionId, amazon_order_id: amazonOrderId, first_source: 'push', first_seen_at: at })
    .onConflict((oc) => oc.columns(['connection_id', 'amazon_order_id']).doNothing())
    .execute();
}

/** Store-backed OrderSightings: an order polling inserts first was missed by push. */
export function storeOrderSightings(store: Store, clock: Clock): OrderSightings {
  const db = store.db.withTables<OrderSightingTables>();
  return {
    async notePolled(connectionId, amazonOrderIds) {
      if (amazonOrderIds.length === 0) return [];
      const at = clock.now().toISOString();
      const inserted = await db
        .insertInto('order_sightings')
        .values(
          [...new Set(amazonOrderIds)].map((id) => ({
            connection_id: connectionId,
            amazon_order_id: id,
            first_source: 'poll' as const,
            first_seen_at: at,
          })),
        )
        .onConflict((oc) => oc.columns(['connection_id', 'amazon_order_id']).doNothing())
        .returning('amazon_order_id')
        .execute();
      return inserted.map((r) => r.amazon_order_id);
    },
  };
}

/** Which intake saw an order first, if any did. */
export async function firstSightingOf(
  store: Store,
  connectionId: string,
  amazonOrderId: string,
): Promise<'push' | 'poll' | undefined> {
  const row = await store.db
    .withTables<OrderSightingTables>()
    .selectFrom('order_sightings')
    .select('first_source')
    .where('connection_id', '=', connectionId)
    .where('amazon_order_id', '=', amazonOrderId)
    .executeTakeFirst();
  return row?.first_source;
}
