import type { Clock } from '../../core/ports/clock.ts';
import type { ReturnUnits } from '../../core/ports/return-units.ts';
import { unitsToEnter, type ReturnSource } from '../../core/transform/return-reconciliation.ts';
import type { Store } from '../../runtime/store/store.ts';

/** Row type of migration 0024-customer-return-units. */
export type ReturnUnitTables = {
  customer_return_units: {
    connection_id: string;
    amazon_order_id: string;
    amazon_order_item_id: string;
    source: string;
    source_key: string;
    seq: number;
    quantity: number;
    entered: number;
    tran_no: string;
    created_at: string;
  };
};

/** Store-backed ReturnUnits: one transaction per decision; the unique `seq` index settles a race. */
export function storeReturnUnits(store: Store, clock: Clock): ReturnUnits {
  const db = store.db.withTables<ReturnUnitTables>();
  return {
    async decide(key, claims) {
      return db.transaction().execute(async (tx) => {
        const rows = await tx
          .selectFrom('customer_return_units')
          .select(['amazon_order_item_id', 'source', 'source_key', 'seq', 'quantity', 'entered'])
          .where('connection_id', '=', key.connectionId)
          .where('amazon_order_id', '=', key.amazonOrderId)
          .execute();
        const decided: { amazonOrderItemId: string; enter: number }[] = [];
        for (const claim of claims) {
          const ofItem = rows.filter((r) => r.amazon_order_item_id === claim.amazonOrderItemId);
          const mine = ofItem.find((r) => r.source === key.source && r.source_key === key.sourceKey);
          if (mine) {
            decided.push({ amazonOrderItemId: claim.amazonOrderItemId, enter: Number(mine.entered) });
            continue;
          }
          const prior = ofItem.map((r) => ({
            source: r.source as ReturnSource,
            quantity: Number(r.quantity),
            entered: Number(r.entered),
          }));
          const enter = unitsToEnter(prior, key.source, claim.quantity);
          await tx
            .insertInto('customer_return_units')
            .values({
              connection_id: key.connectionId,
              amazon_order_id: key.amazonOrderId,
              amazon_order_item_id: claim.amazonOrderItemId,
              source: key.source,
              source_key: key.sourceKey,
              seq: ofItem.reduce((m, r) => Math.max(m, Number(r.seq)), 0) + 1,
              quantity: claim.quantity,
              entered: enter,
              tran_no: key.tranNo,
              created_at: clock.now().toISOString(),
            })
            .execute();
          decided.push({ amazonOrderItemId: claim.amazonOrderItemId, enter });
        }
        return decided;
      });
    },
  };
}
