import type { Kysely } from 'kysely';
import type { Clock } from '../../core/ports/clock.ts';
import type { HandLink, HandLinkLine, HandLinks } from '../../core/ports/hand-links.ts';
import type { Store } from '../../runtime/store/store.ts';
import type { Database } from '../../runtime/store/tables.ts';
import type { OrderLinkTables } from './order-links.ts';

/** Row type of `order_hand_links` (migration 0017-order-fittings-and-hand-links). */
export type HandLinkTables = {
  order_hand_links: {
    connection_id: string;
    amazon_order_id: string;
    tran_no: string;
    sales_order_key: string;
    marketplace_id: string | null;
    lines: string;
    forced: number;
    linked_by: string;
    linked_at: string;
  };
};
type Row = HandLinkTables['order_hand_links'];
type Db = Kysely<Database & HandLinkTables & OrderLinkTables>;

/** Store-backed HandLinks; `record` writes the hand link and the order's link in one transaction. */
export function storeHandLinks(store: Store, clock: Clock): HandLinks {
  const db: Db = store.db.withTables<HandLinkTables & OrderLinkTables>();
  return {
    async record(link) {
      const at = clock.now().toISOString();
      const row: Row = {
        connection_id: link.connectionId,
        amazon_order_id: link.amazonOrderId,
        tran_no: link.tranNo,
        sales_order_key: link.salesOrderKey,
        marketplace_id: link.marketplaceId ?? null,
        lines: JSON.stringify(link.lines),
        forced: link.forced ? 1 : 0,
        linked_by: link.linkedBy,
        linked_at: at,
      };
      await db.transaction().execute(async (tx) => {
        await tx.insertInto('order_hand_links').values(row).execute();
        const linkRow = {
          state: 'created',
          tran_no: link.tranNo,
          sales_order_key: link.salesOrderKey,
          marketplace_id: link.marketplaceId ?? null,
          last_error: null,
          updated_at: at,
        };
        await tx
          .insertInto('order_links')
          .values({ connection_id: link.connectionId, amazon_order_id: link.amazonOrderId, created_at: at, ...linkRow })
          .onConflict((oc) => oc.columns(['connection_id', 'amazon_order_id']).doUpdateSet(linkRow))
          .execute();
      });
      return fromRow(row);
    },
    async get(key) {
      const row = await db
        .selectFrom('order_hand_links')
        .selectAll()
        .where('connection_id', '=', key.connectionId)
        .where('amazon_order_id', '=', key.amazonOrderId)
        .executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },
    async byTranNos(connectionId, tranNos) {
      if (tranNos.length === 0) return new Map();
      const rows = await db
        .selectFrom('order_hand_links')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .where('tran_no', 'in', [...new Set(tranNos)])
        .execute();
      return new Map(rows.map((r) => [r.tran_no, fromRow(r)]));
    },
  };
}

function fromRow(r: Row): HandLink {
  return {
    connectionId: r.connection_id,
    amazonOrderId: r.amazon_order_id,
    tranNo: r.tran_no,
    salesOrderKey: r.sales_order_key,
    ...(r.marketplace_id ? { marketplaceId: r.marketplace_id } : {}),
    lines: JSON.parse(r.lines) as HandLinkLine[],
    forced: Number(r.forced) === 1,
    linkedBy: r.linked_by,
    linkedAt: r.linked_at,
  };
}
