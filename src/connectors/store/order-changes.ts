import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../core/ports/clock.ts';
import type { AppliedOrderChange, OrderAtRisk, OrderChanges, OrderRevision } from '../../core/ports/order-changes.ts';
import { knownShipBy, NOT_SHIPPED_STATES, type OrderDifference } from '../../core/transform/order-changes.ts';
import type { Store } from '../../runtime/store/store.ts';
import type { Database } from '../../runtime/store/tables.ts';
import type { OrderLinkTables } from './order-links.ts';

/** Row type of migration 0023-order-changes. */
export type OrderChangeTables = {
  order_changes: {
    connection_id: string;
    amazon_order_id: string;
    amazon_updated_at: string | null;
    latest_ship_date: string | null;
    ship_to_digest: string | null;
    differences: string;
    applied: string;
    updated_at: string;
  };
};
type OrderChangeRow = OrderChangeTables['order_changes'];

type Db = Kysely<Database & OrderChangeTables & OrderLinkTables>;

/**
 * An order's ship-by over `order_links as l` left-joined with `order_changes as c` (knownShipBy in
 * core/transform/order-changes.ts): the date compared after creation, else the link's, else one noted before mapping
 * by a Sellbridge from before migration 0034.
 */
const shipBySql = sql<
  string | null
>`coalesce(case when c.amazon_updated_at is not null then c.latest_ship_date end, l.latest_ship_date, c.latest_ship_date)`;
const tables = (store: Store): Db => store.db.withTables<OrderChangeTables & OrderLinkTables>();

/** Store-backed OrderChanges. */
export function storeOrderChanges(store: Store, clock: Clock): OrderChanges {
  const db = tables(store);
  /**
   * The last comparison (`order_changes`), else what the link's move to `created` recorded (migration 0035: a creation
   * writes no `order_changes` row): one read over the link, and a second only for a row without a link.
   */
  const get = async (connectionId: string, amazonOrderId: string): Promise<OrderRevision | undefined> => {
    const row = await db
      .selectFrom('order_links as l')
      .leftJoin('order_changes as c', (j) =>
        j.onRef('c.connection_id', '=', 'l.connection_id').onRef('c.amazon_order_id', '=', 'l.amazon_order_id'),
      )
      .select([
        'c.amazon_order_id as c_order',
        'c.amazon_updated_at',
        'c.latest_ship_date',
        'c.ship_to_digest',
        'c.differences',
        'c.applied',
        'c.updated_at',
        'l.amazon_updated_at as l_amazon_updated_at',
        'l.ship_to_digest as l_ship_to_digest',
        'l.latest_ship_date as l_latest_ship_date',
        'l.sage_created_at as l_sage_created_at',
        'l.updated_at as l_updated_at',
      ])
      .where('l.connection_id', '=', connectionId)
      .where('l.amazon_order_id', '=', amazonOrderId)
      .executeTakeFirst();
    if (!row) {
      const alone = await db
        .selectFrom('order_changes')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .where('amazon_order_id', '=', amazonOrderId)
        .executeTakeFirst();
      return alone ? revisionFromRow(alone) : undefined;
    }
    const compared = row.c_order !== null;
    if (!compared && !row.l_amazon_updated_at) return undefined;
    // A comparison's version and ship-to first, then the creation's on the link; the ship-by by knownShipBy's rule
    // (a row noted before creation by an older Sellbridge has a ship-by only, never a version or a ship-to).
    const amazonUpdatedAt = row.amazon_updated_at ?? row.l_amazon_updated_at;
    const latestShipDate = knownShipBy(
      { amazonUpdatedAt: row.amazon_updated_at ?? undefined, latestShipDate: row.latest_ship_date ?? undefined },
      row.l_latest_ship_date,
    );
    const shipToDigest = row.ship_to_digest ?? row.l_ship_to_digest;
    return {
      connectionId,
      amazonOrderId,
      ...(amazonUpdatedAt ? { amazonUpdatedAt } : {}),
      ...(latestShipDate ? { latestShipDate } : {}),
      ...(shipToDigest ? { shipToDigest } : {}),
      differences: compared ? (JSON.parse(row.differences!) as OrderDifference[]) : [],
      applied: compared ? (JSON.parse(row.applied!) as AppliedOrderChange[]) : [],
      updatedAt: row.updated_at ?? row.l_sage_created_at ?? row.l_updated_at,
    };
  };
  return {
    get,
    async noteShipBy(key, latestShipDate) {
      const now = clock.now().toISOString();
      await db
        .insertInto('order_changes')
        .values({
          connection_id: key.connectionId,
          amazon_order_id: key.amazonOrderId,
          amazon_updated_at: null,
          latest_ship_date: latestShipDate,
          ship_to_digest: null,
          differences: '[]',
          applied: '[]',
          updated_at: now,
        })
        .onConflict((oc) =>
          oc
            .columns(['connection_id', 'amazon_order_id'])
            .doUpdateSet({ latest_ship_date: latestShipDate, updated_at: now }),
        )
        .execute();
    },
    async recordComparison(key, c) {
      const now = clock.now().toISOString();
      if (c.applied.length === 0) {
        // Nothing applied to append (every order's creation records its version so): one upsert that keeps the
        // applied list and the dates it does not carry, without a read or a transaction.
        const row = await db
          .insertInto('order_changes')
          .values({
            connection_id: key.connectionId,
            amazon_order_id: key.amazonOrderId,
            amazon_updated_at: c.amazonUpdatedAt,
            latest_ship_date: c.latestShipDate ?? null,
            ship_to_digest: c.shipToDigest ?? null,
            differences: JSON.stringify(c.differences),
            applied: '[]',
            updated_at: now,
          })
          .onConflict((oc) =>
            oc.columns(['connection_id', 'amazon_order_id']).doUpdateSet({
              amazon_updated_at: c.amazonUpdatedAt,
              latest_ship_date: sql`coalesce(excluded.latest_ship_date, order_changes.latest_ship_date)`,
              ship_to_digest: sql`coalesce(excluded.ship_to_digest, order_changes.ship_to_digest)`,
              differences: JSON.stringify(c.differences),
              updated_at: now,
            }),
          )
          .returningAll()
          .executeTakeFirstOrThrow();
        return revisionFromRow(row);
      }
      // One transaction: the applied list is read and appended to without losing a concurrent append.
      return store.transaction(async (trx) => {
        const t = trx.withTables<OrderChangeTables>();
        const read = t
          .selectFrom('order_changes')
          .selectAll()
          .where('connection_id', '=', key.connectionId)
          .where('amazon_order_id', '=', key.amazonOrderId);
        // SQLite serialises writers itself; PostgreSQL locks the row.
        const before = await (store.dialect === 'postgres' ? read.forUpdate() : read).executeTakeFirst();
        const applied: AppliedOrderChange[] = [
          ...(before ? (JSON.parse(before.applied) as AppliedOrderChange[]) : []),
          ...c.applied.map((a) => ({ ...a, at: now })),
        ];
        const row: OrderChangeRow = {
          connection_id: key.connectionId,
          amazon_order_id: key.amazonOrderId,
          amazon_updated_at: c.amazonUpdatedAt,
          latest_ship_date: c.latestShipDate ?? before?.latest_ship_date ?? null,
          ship_to_digest: c.shipToDigest ?? before?.ship_to_digest ?? null,
          differences: JSON.stringify(c.differences),
          applied: JSON.stringify(applied),
          updated_at: now,
        };
        await t
          .insertInto('order_changes')
          .values(row)
          .onConflict((oc) =>
            oc.columns(['connection_id', 'amazon_order_id']).doUpdateSet({
              amazon_updated_at: row.amazon_updated_at,
              latest_ship_date: row.latest_ship_date,
              ship_to_digest: row.ship_to_digest,
              differences: row.differences,
              applied: row.applied,
              updated_at: row.updated_at,
            }),
          )
          .execute();
        return revisionFromRow(row);
      });
    },
    async atRisk({ before, now, connectionId, limit = 500 }) {
      // Driven by the links of orders not shipped (index order_links_state): an order that failed before creation
      // has its ship-by on the link only (issue 15), one created has it in order_changes too.
      let q = db
        .selectFrom('order_links as l')
        .leftJoin('order_changes as c', (j) =>
          j.onRef('c.connection_id', '=', 'l.connection_id').onRef('c.amazon_order_id', '=', 'l.amazon_order_id'),
        )
        .select(['l.connection_id', 'l.amazon_order_id', 'l.state', 'l.tran_no', shipBySql.as('ship_by')])
        .where('l.state', 'in', NOT_SHIPPED_STATES)
        .where(shipBySql, '<', before);
      if (connectionId) q = q.where('l.connection_id', '=', connectionId);
      const rows = await q.orderBy(shipBySql).limit(limit).execute();
      return rows.map((r): OrderAtRisk => ({
        connectionId: r.connection_id,
        amazonOrderId: r.amazon_order_id,
        state: r.state,
        ...(r.tran_no ? { tranNo: r.tran_no } : {}),
        latestShipDate: r.ship_by!,
        late: r.ship_by! < now,
      }));
    },
  };
}

/**
 * For the gauges: per connection, the orders with open differences, the changes applied by kind, and the orders at
 * risk of shipping late (ship-by before `before`) and already late (before `now`).
 */
export async function countOrderChanges(
  store: Store,
  at: { readonly before: string; readonly now: string },
): Promise<
  readonly {
    connectionId: string;
    flagged: number;
    lineCancelled: number;
    shipToUpdated: number;
    atRisk: number;
    late: number;
  }[]
> {
  const db = tables(store);
  const rows = await db
    .selectFrom('order_changes as c')
    .select(['c.connection_id', 'c.differences', 'c.applied'])
    .where((eb) => eb.or([eb('c.differences', '!=', '[]'), eb('c.applied', '!=', '[]')]))
    .execute();
  // At risk and late: by the links of orders not shipped, with the ship-by as atRisk reads it.
  const risk = await db
    .selectFrom('order_links as l')
    .leftJoin('order_changes as c', (j) =>
      j.onRef('c.connection_id', '=', 'l.connection_id').onRef('c.amazon_order_id', '=', 'l.amazon_order_id'),
    )
    .select((eb) => [
      'l.connection_id',
      eb.fn.countAll<number | string>().as('at_risk'),
      eb.fn.sum<number | string>(eb.case().when(shipBySql, '<', at.now).then(1).else(0).end()).as('late'),
    ])
    .where('l.state', 'in', NOT_SHIPPED_STATES)
    .where(shipBySql, '<', at.before)
    .groupBy('l.connection_id')
    .execute();
  const out = new Map<
    string,
    {
      connectionId: string;
      flagged: number;
      lineCancelled: number;
      shipToUpdated: number;
      atRisk: number;
      late: number;
    }
  >();
  const countsOf = (connectionId: string) =>
    out.get(connectionId) ?? {
      connectionId,
      flagged: 0,
      lineCancelled: 0,
      shipToUpdated: 0,
      atRisk: 0,
      late: 0,
    };
  for (const r of rows) {
    const c = countsOf(r.connection_id);
    if (r.differences !== '[]') c.flagged += 1;
    for (const a of JSON.parse(r.applied) as AppliedOrderChange[]) {
      if (a.kind === 'line-cancelled') c.lineCancelled += 1;
      else c.shipToUpdated += 1;
    }
    out.set(r.connection_id, c);
  }
  for (const r of risk) {
    const c = countsOf(r.connection_id);
    c.atRisk += Number(r.at_risk);
    c.late += Number(r.late);
    out.set(r.connection_id, c);
  }
  return [...out.values()];
}

function revisionFromRow(r: OrderChangeRow): OrderRevision {
  return {
    connectionId: r.connection_id,
    amazonOrderId: r.amazon_order_id,
    ...(r.amazon_updated_at ? { amazonUpdatedAt: r.amazon_updated_at } : {}),
    ...(r.latest_ship_date ? { latestShipDate: r.latest_ship_date } : {}),
    ...(r.ship_to_digest ? { shipToDigest: r.ship_to_digest } : {}),
    differences: JSON.parse(r.differences) as OrderDifference[],
    applied: JSON.parse(r.applied) as AppliedOrderChange[],
    updatedAt: r.updated_at,
  };
}
