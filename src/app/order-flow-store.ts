import { sql, type Kysely } from 'kysely';
import { SellbridgeError } from '../core/errors.ts';
import { isSyncState, type SyncState } from '../core/lifecycle.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { OrderLink, OrderLinks, OrderLinkUpdate } from '../core/ports/order-links.ts';
import type { ConfirmationDetail, ConfirmationKey, ConfirmationState, ShipmentConfirmation, ShipmentConfirmations } from '../core/ports/shipment-confirmations.ts';
import type { SkuAliasSource } from '../core/ports/sku-alias-source.ts';
import type { Watermarks } from '../core/ports/watermarks.ts';
import type { OrderSightings } from '../flows/poll-orders.ts';
import type { Database } from '../runtime/store/tables.ts';
import type { Store } from '../runtime/store/store.ts';

/** Row types of migration 0005-order-links (kept here, beside their only users). */
export type OrderFlowTables = {
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
  sku_aliases: { connection_id: string; seller_sku: string; item_id: string; updated_at: string };
  shipment_confirmations: {
    connection_id: string;
    amazon_order_id: string;
    shipment_key: string;
    package_no: string;
    package_reference_id: number | string;
    state: string;
    detail: string;
    send_attempts: number;
    created_at: string;
    updated_at: string;
  };
};

type Db = Kysely<Database & OrderFlowTables>;
const tables = (store: Store): Db => store.db.withTables<OrderFlowTables>();

/** Store-backed OrderLinks: TranNos drawn from `tran_no_sequences` and formatted by `formatTranNo`. */
export function storeOrderLinks(store: Store, clock: Clock, formatTranNo: (sequence: number) => string): OrderLinks {
  const db = tables(store);
  const now = () => clock.now().toISOString();
  const get = async (connectionId: string, amazonOrderId: string) =>
    linkFromRow(await db.selectFrom('order_links').selectAll().where('connection_id', '=', connectionId).where('amazon_order_id', '=', amazonOrderId).executeTakeFirst());
  const ensure = (d: Db, connectionId: string, amazonOrderId: string, state: SyncState) =>
    d
      .insertInto('order_links')
      .values({ connection_id: connectionId, amazon_order_id: amazonOrderId, state, tran_no: null, sales_order_key: null, marketplace_id: null, last_error: null, created_at: now(), updated_at: now() })
      .onConflict((oc) => oc.columns(['connection_id', 'amazon_order_id']).doNothing())
      .execute();
  return {
    get,
    async findByTranNo(connectionId, tranNo) {
      return linkFromRow(await db.selectFrom('order_links').selectAll().where('connection_id', '=', connectionId).where('tran_no', '=', tranNo).executeTakeFirst());
    },
    async reserveTranNo(connectionId, amazonOrderId) {
      const existing = await get(connectionId, amazonOrderId);
      if (existing?.tranNo) return existing.tranNo;
      await db.transaction().execute(async (tx) => {
        await ensure(tx, connectionId, amazonOrderId, 'received');
        const current = await tx.selectFrom('order_links').select('tran_no').where('connection_id', '=', connectionId).where('amazon_order_id', '=', amazonOrderId).executeTakeFirst();
        if (current?.tran_no) return; // reserved meanwhile by a concurrent call: draw nothing
        const row = await tx
          .insertInto('tran_no_sequences')
          .values({ connection_id: connectionId, next_value: 1 })
          .onConflict((oc) => oc.column('connection_id').doUpdateSet({ next_value: sql`tran_no_sequences.next_value + 1` }))
          .returning('next_value')
          .executeTakeFirstOrThrow();
        // Only the first reservation sticks: a concurrent one updates nothing and reads the winner's TranNo below.
        await tx
          .updateTable('order_links')
          .set({ tran_no: formatTranNo(Number(row.next_value)), updated_at: now() })
          .where('connection_id', '=', connectionId)
          .where('amazon_order_id', '=', amazonOrderId)
          .where('tran_no', 'is', null)
          .execute();
      });
      const link = await get(connectionId, amazonOrderId);
      return link!.tranNo!;
    },
    async setState(connectionId, amazonOrderId, state, update: OrderLinkUpdate = {}) {
      await ensure(db, connectionId, amazonOrderId, state);
      await db
        .updateTable('order_links')
        .set({
          state,
          updated_at: now(),
          ...(update.salesOrderKey !== undefined ? { sales_order_key: update.salesOrderKey } : {}),
          ...(update.marketplaceId !== undefined ? { marketplace_id: update.marketplaceId } : {}),
          ...(update.lastError !== undefined ? { last_error: update.lastError } : {}),
        })
        .where('connection_id', '=', connectionId)
        .where('amazon_order_id', '=', amazonOrderId)
        .execute();
      if (update.adoptTranNo !== undefined) {
        await db
          .updateTable('order_links')
          .set({ tran_no: update.adoptTranNo })
          .where('connection_id', '=', connectionId)
          .where('amazon_order_id', '=', amazonOrderId)
          .where('tran_no', 'is', null)
          .execute();
      }
      return (await get(connectionId, amazonOrderId))!;
    },
  };
}

function linkFromRow(row: OrderFlowTables['order_links'] | undefined): OrderLink | undefined {
  if (!row) return undefined;
  if (!isSyncState(row.state)) throw new SellbridgeError('SB_JOB_HANDLER_CRASHED', `order_links row of ${row.amazon_order_id} has unknown state ${row.state}`);
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

export function storeSkuAliases(store: Store, clock: Clock): SkuAliasSource {
  const db = tables(store);
  return {
    async aliasesFor(connectionId) {
      const rows = await db.selectFrom('sku_aliases').select(['seller_sku', 'item_id']).where('connection_id', '=', connectionId).orderBy('seller_sku').execute();
      return Object.fromEntries(rows.map((r) => [r.seller_sku, r.item_id]));
    },
    async setAlias(connectionId, sellerSku, itemId) {
      await db
        .insertInto('sku_aliases')
        .values({ connection_id: connectionId, seller_sku: sellerSku, item_id: itemId, updated_at: clock.now().toISOString() })
        .onConflict((oc) => oc.columns(['connection_id', 'seller_sku']).doUpdateSet({ item_id: itemId, updated_at: clock.now().toISOString() }))
        .execute();
    },
  };
}

export function storeShipmentConfirmations(store: Store, clock: Clock): ShipmentConfirmations {
  const db = tables(store);
  const byKey = (d: Db, k: ConfirmationKey) =>
    d
      .selectFrom('shipment_confirmations')
      .selectAll()
      .where('connection_id', '=', k.connectionId)
      .where('amazon_order_id', '=', k.amazonOrderId)
      .where('shipment_key', '=', k.shipmentKey)
      .where('package_no', '=', k.packageNo);
  const get = async (k: ConfirmationKey) => confirmationFromRow(await byKey(db, k).executeTakeFirst());
  return {
    get,
    async record(k: ConfirmationKey, detail: ConfirmationDetail) {
      const existing = await get(k);
      if (existing) return existing;
      await db.transaction().execute(async (tx) => {
        const max = await tx
          .selectFrom('shipment_confirmations')
          .select((eb) => eb.fn.max('package_reference_id').as('n'))
          .where('connection_id', '=', k.connectionId)
          .where('amazon_order_id', '=', k.amazonOrderId)
          .executeTakeFirst();
        const at = clock.now().toISOString();
        await tx
          .insertInto('shipment_confirmations')
          .values({
            connection_id: k.connectionId, amazon_order_id: k.amazonOrderId, shipment_key: k.shipmentKey, package_no: k.packageNo,
            package_reference_id: Number(max?.n ?? 0) + 1, state: 'pending', detail: JSON.stringify(detail), send_attempts: 0, created_at: at, updated_at: at,
          })
          .onConflict((oc) => oc.columns(['connection_id', 'amazon_order_id', 'shipment_key', 'package_no']).doNothing())
          .execute();
      });
      return (await get(k))!;
    },
    async setState(k: ConfirmationKey, state: ConfirmationState) {
      await db
        .updateTable('shipment_confirmations')
        .set((eb) => ({ state, updated_at: clock.now().toISOString(), ...(state === 'sending' ? { send_attempts: eb('send_attempts', '+', 1) } : {}) }))
        .where('connection_id', '=', k.connectionId)
        .where('amazon_order_id', '=', k.amazonOrderId)
        .where('shipment_key', '=', k.shipmentKey)
        .where('package_no', '=', k.packageNo)
        .execute();
    },
    async claimSend(k: ConfirmationKey, fenceMs: number) {
      const now = clock.now();
      const staleBefore = new Date(now.getTime() - fenceMs).toISOString();
      const result = await db
        .updateTable('shipment_confirmations')
        .set((eb) => ({ state: 'sending', updated_at: now.toISOString(), send_attempts: eb('send_attempts', '+', 1) }))
        .where('connection_id', '=', k.connectionId)
        .where('amazon_order_id', '=', k.amazonOrderId)
        .where('shipment_key', '=', k.shipmentKey)
        .where('package_no', '=', k.packageNo)
        .where((eb) => eb.or([eb('state', 'in', ['pending', 'unknown']), eb.and([eb('state', '=', 'sending'), eb('updated_at', '<', staleBefore)])]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async listForOrder(connectionId, amazonOrderId) {
      const rows = await db.selectFrom('shipment_confirmations').selectAll().where('connection_id', '=', connectionId).where('amazon_order_id', '=', amazonOrderId).orderBy('package_reference_id').execute();
      return rows.map((r) => confirmationFromRow(r)!);
    },
  };
}

function confirmationFromRow(row: OrderFlowTables['shipment_confirmations'] | undefined): ShipmentConfirmation | undefined {
  if (!row) return undefined;
  return {
    connectionId: row.connection_id,
    amazonOrderId: row.amazon_order_id,
    shipmentKey: row.shipment_key,
    packageNo: row.package_no,
    packageReferenceId: String(row.package_reference_id),
    state: row.state as ConfirmationState,
    detail: JSON.parse(row.detail) as ConfirmationDetail,
    sendAttempts: Number(row.send_attempts),
  };
}

export function storeWatermarks(store: Store, clock: Clock): Watermarks {
  return {
    async get(connectionId, name) {
      const row = await store.db.selectFrom('watermarks').select('value').where('connection_id', '=', connectionId).where('name', '=', name).executeTakeFirst();
      return row?.value;
    },
    async set(connectionId, name, value) {
      const at = clock.now().toISOString();
      await store.db
        .insertInto('watermarks')
        .values({ connection_id: connectionId, name, value, updated_at: at })
        .onConflict((oc) => oc.columns(['connection_id', 'name']).doUpdateSet({ value, updated_at: at }))
        .execute();
    },
  };
}

/** Row of `order_sightings` (migration 0006): which intake saw an order first. */
export type OrderSightingTables = {
  order_sightings: { connection_id: string; amazon_order_id: string; first_source: 'push' | 'poll'; first_seen_at: string };
};

/** Records that a notification announced an order (inside the inbox row's transaction when `db` is one). */
export async function notePushed(db: Kysely<OrderSightingTables>, connectionId: string, amazonOrderId: string, at: string): Promise<void> {
  await db
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
        .values([...new Set(amazonOrderIds)].map((id) => ({ connection_id: connectionId, amazon_order_id: id, first_source: 'poll' as const, first_seen_at: at })))
        .onConflict((oc) => oc.columns(['connection_id', 'amazon_order_id']).doNothing())
        .returning('amazon_order_id')
        .execute();
      return inserted.map((r) => r.amazon_order_id);
    },
  };
}
