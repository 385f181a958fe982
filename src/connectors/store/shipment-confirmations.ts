import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../core/ports/clock.ts';
import type {
  ConfirmationDetail,
  ConfirmationKey,
  ConfirmationState,
  ShipmentConfirmation,
  ShipmentConfirmations,
} from '../../core/ports/shipment-confirmations.ts';
import type { Store } from '../../runtime/store/store.ts';
import type { Database } from '../../runtime/store/tables.ts';

/** Row type of `shipment_confirmations` (migration 0005): one per (order, Sage shipment, package). */
export type ShipmentConfirmationTables = {
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
export type ShipmentConfirmationRow = ShipmentConfirmationTables['shipment_confirmations'];

type Db = Kysely<Database & ShipmentConfirmationTables>;
const tables = (store: Store): Db => store.db.withTables<ShipmentConfirmationTables>();

/** Packages per statement of recordMany (6 bound parameters each, under SQLite's and PostgreSQL's limits). */
const RECORD_BATCH = 500;

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
  const claimPendingMany = async (keys: readonly ConfirmationKey[]): Promise<ShipmentConfirmation[]> => {
    // One UPDATE ... RETURNING for the job's packages (issue 15: a claim per package before): only rows still
    // `pending` match, so a package another worker claimed first is not returned and is left to the caller.
    const out: ShipmentConfirmation[] = [];
    const at = clock.now().toISOString();
    for (const [order, some] of byOrder(keys)) {
      const [connectionId, amazonOrderId] = order.split('\n') as [string, string];
      const rows = await db
        .updateTable('shipment_confirmations')
        .set((eb) => ({ state: 'sending', updated_at: at, send_attempts: eb('send_attempts', '+', 1) }))
        .where('connection_id', '=', connectionId)
        .where('amazon_order_id', '=', amazonOrderId)
        .where('state', '=', 'pending')
        .where((eb) =>
          eb.or(some.map((k) => eb.and([eb('shipment_key', '=', k.shipmentKey), eb('package_no', '=', k.packageNo)]))),
        )
        .returningAll()
        .execute();
      for (const r of rows) out.push(confirmationFromRow(r)!);
    }
    return out;
  };
  const get = async (k: ConfirmationKey) => confirmationFromRow(await byKey(db, k).executeTakeFirst());
  const listForOrders = async (connectionId: string, amazonOrderIds: readonly string[]) => {
    const out: ShipmentConfirmation[] = [];
    const ids = [...new Set(amazonOrderIds)];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await db
        .selectFrom('shipment_confirmations')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .where('amazon_order_id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const r of rows) out.push(confirmationFromRow(r)!);
    }
    return out;
  };
  return {
    get,
    async record(k: ConfirmationKey, detail: ConfirmationDetail) {
      // One statement for a new package (issue 15: it was a read, a transaction of two and a read again): the next
      // packageReferenceId is drawn inside the INSERT, so the statement is atomic on both stores. A package recorded
      // before returns nothing here and is read. Two packages of one order inserted at the same instant on
      // PostgreSQL may draw the same number: the unique (order, packageReferenceId) constraint refuses the second,
      // whose job then retries (shipment polls of a connection run one at a time, so this is rare).
      const at = clock.now().toISOString();
      const inserted = await db
        .insertInto('shipment_confirmations')
        .values({
          connection_id: k.connectionId,
          amazon_order_id: k.amazonOrderId,
          shipment_key: k.shipmentKey,
          package_no: k.packageNo,
          package_reference_id: sql<number>`(SELECT coalesce(max(package_reference_id), 0) + 1 FROM shipment_confirmations WHERE connection_id = ${k.connectionId} AND amazon_order_id = ${k.amazonOrderId})`,
          state: 'pending',
          detail: JSON.stringify(detail),
          send_attempts: 0,
          created_at: at,
          updated_at: at,
        })
        .onConflict((oc) => oc.columns(['connection_id', 'amazon_order_id', 'shipment_key', 'package_no']).doNothing())
        .returningAll()
        .executeTakeFirst();
      return confirmationFromRow(inserted) ?? (await get(k))!;
    },
    async recordMany(entries) {
      // One statement per RECORD_BATCH packages (issue 15: a poll's new packages were an INSERT each). Each row's
      // packageReferenceId is its order's recorded maximum plus its rank among the batch's new rows of that order,
      // so numbers stay dense per order; rows of packages recorded before are left out before they are ranked (NOT
      // EXISTS) and returned by one read after. As with `record`, a concurrent writer of the same order on
      // PostgreSQL may draw the same number: the unique (order, packageReferenceId) constraint refuses the
      // statement and the poll's job retries.
      const keyOf = (k: ConfirmationKey) => `${k.connectionId}\n${k.amazonOrderId}\n${k.shipmentKey}\n${k.packageNo}`;
      // A package named twice is recorded once, as its first entry says (as `record` called twice would).
      const firsts = new Map<string, (typeof entries)[number]>();
      for (const e of entries) if (!firsts.has(keyOf(e.key))) firsts.set(keyOf(e.key), e);
      const fresh = [...firsts.values()];
      const at = clock.now().toISOString();
      const found = new Map<string, ShipmentConfirmation>();
      for (let i = 0; i < fresh.length; i += RECORD_BATCH) {
        const values = sql.join(
          fresh
            .slice(i, i + RECORD_BATCH)
            .map(
              ({ key: k, detail }, n) =>
                sql`(${sql.lit(n)}, ${k.connectionId}, ${k.amazonOrderId}, ${k.shipmentKey}, ${k.packageNo}, ${JSON.stringify(detail)})`,
            ),
        );
        const sameOrder = sql`s.connection_id = v.connection_id AND s.amazon_order_id = v.amazon_order_id`;
        const { rows } = await sql<ShipmentConfirmationRow>`
          WITH v (ord, connection_id, amazon_order_id, shipment_key, package_no, detail) AS (VALUES ${values})
          INSERT INTO shipment_confirmations (connection_id, amazon_order_id, shipment_key, package_no,
            package_reference_id, state, detail, send_attempts, created_at, updated_at)
          SELECT v.connection_id, v.amazon_order_id, v.shipment_key, v.package_no,
            (SELECT coalesce(max(s.package_reference_id), 0) FROM shipment_confirmations s WHERE ${sameOrder})
              + row_number() OVER (PARTITION BY v.connection_id, v.amazon_order_id ORDER BY v.ord),
            'pending', v.detail, 0, ${at}, ${at}
          FROM v
          WHERE NOT EXISTS (SELECT 1 FROM shipment_confirmations s
            WHERE ${sameOrder} AND s.shipment_key = v.shipment_key AND s.package_no = v.package_no)
          ON CONFLICT (connection_id, amazon_order_id, shipment_key, package_no) DO NOTHING
          RETURNING *`.execute(db);
        for (const r of rows) found.set(keyOf(confirmationKeyOf(r)), confirmationFromRow(r)!);
      }
      const missing = fresh.filter((e) => !found.has(keyOf(e.key)));
      const connections = [...new Set(missing.map((e) => e.key.connectionId))];
      for (const connectionId of connections) {
        const ids = missing.filter((e) => e.key.connectionId === connectionId).map((e) => e.key.amazonOrderId);
        for (const r of await listForOrders(connectionId, ids)) if (!found.has(keyOf(r))) found.set(keyOf(r), r);
      }
      return entries.map((e) => found.get(keyOf(e.key))!);
    },
    async setState(k: ConfirmationKey, state: ConfirmationState) {
      await db
        .updateTable('shipment_confirmations')
        .set((eb) => ({
          state,
          updated_at: clock.now().toISOString(),
          ...(state === 'sending' ? { send_attempts: eb('send_attempts', '+', 1) } : {}),
        }))
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
        .where((eb) =>
          eb.or([
            eb('state', 'in', ['pending', 'unknown']),
            eb.and([eb('state', '=', 'sending'), eb('updated_at', '<', staleBefore)]),
          ]),
        )
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async claimPending(k: ConfirmationKey) {
      return (await claimPendingMany([k]))[0];
    },
    claimPendingMany,
    async releaseClaims(claims: readonly ShipmentConfirmation[]) {
      // The attempt count is the claim's token: a claim taken over past the fence counted one more, so it is left.
      for (const c of claims)
        await db
          .updateTable('shipment_confirmations')
          .set((eb) => ({
            state: 'pending',
            updated_at: clock.now().toISOString(),
            send_attempts: eb('send_attempts', '-', 1),
          }))
          .where('connection_id', '=', c.connectionId)
          .where('amazon_order_id', '=', c.amazonOrderId)
          .where('shipment_key', '=', c.shipmentKey)
          .where('package_no', '=', c.packageNo)
          .where('state', '=', 'sending')
          .where('send_attempts', '=', c.sendAttempts)
          .execute();
    },
    async markConfirmed(k: ConfirmationKey) {
      // One UPDATE over the order's records (a handful) that changes only this package's and returns them all:
      // the state write and the read of its siblings in one statement (issue 15). Confirmations of one order run
      // one at a time (job key), so touching the sibling rows contends with nothing.
      const at = clock.now().toISOString();
      const mine = sql<boolean>`shipment_key = ${k.shipmentKey} AND package_no = ${k.packageNo}`;
      const rows = await db
        .updateTable('shipment_confirmations')
        .set({
          state: sql<string>`CASE WHEN ${mine} THEN 'confirmed' ELSE state END`,
          updated_at: sql<string>`CASE WHEN ${mine} THEN ${at} ELSE updated_at END`,
        })
        .where('connection_id', '=', k.connectionId)
        .where('amazon_order_id', '=', k.amazonOrderId)
        .returningAll()
        .execute();
      return rows
        .sort((a, b) => Number(a.package_reference_id) - Number(b.package_reference_id))
        .map((r) => confirmationFromRow(r)!);
    },
    listForOrders,
    async listForOrder(connectionId, amazonOrderId) {
      const rows = await listConfirmationRows(store, connectionId, amazonOrderId);
      return rows.map((r) => confirmationFromRow(r)!);
    },
  };
}

/** Keys grouped by order (`connectionId\namazonOrderId`), in first-seen order. */
function byOrder(keys: readonly ConfirmationKey[]): Map<string, ConfirmationKey[]> {
  const out = new Map<string, ConfirmationKey[]>();
  for (const k of keys) {
    const order = `${k.connectionId}\n${k.amazonOrderId}`;
    out.set(order, [...(out.get(order) ?? []), k]);
  }
  return out;
}

const confirmationKeyOf = (row: ShipmentConfirmationRow): ConfirmationKey => ({
  connectionId: row.connection_id,
  amazonOrderId: row.amazon_order_id,
  shipmentKey: row.shipment_key,
  packageNo: row.package_no,
});

function confirmationFromRow(row: ShipmentConfirmationRow | undefined): ShipmentConfirmation | undefined {
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

/** The stored confirmation rows of one order, by packageReferenceId (the admin API's order detail). */
export async function listConfirmationRows(
  store: Store,
  connectionId: string,
  amazonOrderId: string,
): Promise<ShipmentConfirmationRow[]> {
  return tables(store)
    .selectFrom('shipment_confirmations')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .where('amazon_order_id', '=', amazonOrderId)
    .orderBy('package_reference_id')
    .execute();
}
