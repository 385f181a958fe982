import type { Db, Store } from '../../runtime/store/store.ts';

/** Row of `fba_stock` (migration 0015): FBA availability as FBA_INVENTORY_AVAILABILITY_CHANGES last reported it. */
export type FbaStockTables = {
  fba_stock: {
    connection_id: string;
    marketplace_id: string;
    sku: string;
    fnsku: string | null;
    fulfillable: number;
    inbound: number;
    reserved: number;
    unfulfillable: number;
    event_time: string;
    updated_at: string;
  };
};

export interface FbaStockRow {
  readonly marketplaceId: string;
  readonly sku: string;
  readonly fnsku?: string;
  readonly fulfillable: number;
  readonly inbound: number;
  readonly reserved: number;
  readonly unfulfillable: number;
  readonly eventTime: string;
}

/** Upserts the SKU's availability per marketplace, in the inbox row's transaction; an older EventTime loses. */
export async function recordFbaStockIn(
  tx: Db,
  connectionId: string,
  rows: readonly (FbaStockRow & { readonly at: string })[],
): Promise<void> {
  const db = tx.withTables<FbaStockTables>();
  for (const r of rows) {
    const values = {
      fnsku: r.fnsku ?? null,
      fulfillable: r.fulfillable,
      inbound: r.inbound,
      reserved: r.reserved,
      unfulfillable: r.unfulfillable,
      event_time: r.eventTime,
      updated_at: r.at,
    };
    await db
      .insertInto('fba_stock')
      .values({ connection_id: connectionId, marketplace_id: r.marketplaceId, sku: r.sku, ...values })
      .onConflict((oc) =>
        oc
          .columns(['connection_id', 'marketplace_id', 'sku'])
          .doUpdateSet(values)
          .where('fba_stock.event_time', '<=', r.eventTime),
      )
      .execute();
  }
}

/** What the notifications said of FBA stock, per marketplace and SKU (reconciliation reads it). */
export async function listFbaStock(store: Store, connectionId: string, marketplaceId?: string): Promise<FbaStockRow[]> {
  let q = store.db
    .withTables<FbaStockTables>()
    .selectFrom('fba_stock')
    .selectAll()
    .where('connection_id', '=', connectionId);
  if (marketplaceId) q = q.where('marketplace_id', '=', marketplaceId);
  const rows = await q.orderBy('sku').execute();
  return rows.map((r) => ({
    marketplaceId: r.marketplace_id,
    sku: r.sku,
    ...(r.fnsku ? { fnsku: r.fnsku } : {}),
    fulfillable: Number(r.fulfillable),
    inbound: Number(r.inbound),
    reserved: Number(r.reserved),
    unfulfillable: Number(r.unfulfillable),
    eventTime: r.event_time,
  }));
}
