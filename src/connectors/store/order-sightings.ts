import { sql, type RawBuilder } from 'kysely';
import type { Clock } from '../../core/ports/clock.ts';
import type { OrderSightings } from '../../core/ports/order-sightings.ts';
import type { Db, Store } from '../../runtime/store/store.ts';

/**
 * Row of `order_sightings` (migration 0006): orders the polling safety net saw before any notification, and, from
 * before issue 15, `push` rows the intake wrote for every ORDER_CHANGE. A notification's sighting is now its inbox
 * row (kind ORDER_CHANGE, subject `order:<id>`, the connection, outcome `handled`, received_at): the intake writes
 * nothing more for it, and the readers below take the earlier of that row and the table's. Inbox rows are never
 * purged (nothing deletes from `inbox`); a purge added later would make a pushed order polled after it count as
 * first seen by polling, and must keep ORDER_CHANGE rows at least as long as the poll's look-back reaches.
 */
export type OrderSightingTables = {
  order_sightings: {
    connection_id: string;
    amazon_order_id: string;
    first_source: 'push' | 'poll';
    first_seen_at: string;
  };
};

/** The inbox kind, subject prefix and outcome of a notification that announced an order (bootstrap/intake.ts). */
const pushed = (alias: 'i' | 'e' | 'p') => sql.raw(`${alias}.kind = 'ORDER_CHANGE' AND ${alias}.outcome = 'handled'`);

/**
 * When push first saw the order of `amazonOrderId` (an SQL expression on the caller's columns) in `connectionId`: its
 * first ORDER_CHANGE inbox row, found by `inbox_subject`; NULL when none.
 */
export function pushedAtSql(
  connectionId: RawBuilder<unknown>,
  amazonOrderId: RawBuilder<unknown>,
): RawBuilder<string | null> {
  return sql<string | null>`(SELECT min(p.received_at) FROM inbox p WHERE p.subject = 'order:' || ${amazonOrderId}
    AND p.connection_id = ${connectionId} AND ${pushed('p')})`;
}

/** `ids` as a one-column (`id`) row source of a single bound parameter, on either dialect. */
function idRows(store: Store, ids: readonly string[]): RawBuilder<unknown> {
  const json = JSON.stringify(ids);
  return store.dialect === 'postgres'
    ? sql`(SELECT value AS id FROM jsonb_array_elements_text(${json}::jsonb) AS t(value))`
    : sql`(SELECT value AS id FROM json_each(${json}))`;
}

/** Store-backed OrderSightings: an order polling inserts first was missed by push. */
export function storeOrderSightings(store: Store, clock: Clock): OrderSightings {
  return {
    async notePolled(connectionId, amazonOrderIds) {
      if (amazonOrderIds.length === 0) return [];
      const at = clock.now().toISOString();
      // One statement: a `poll` row for each order no notification of this connection announced (its inbox row,
      // found by `inbox_subject`) and no earlier sighting has; the rows inserted are the orders push missed. A
      // notification committed while this runs may still lose the race, as a concurrent `push` insert could before.
      const res = await sql<{ amazon_order_id: string }>`
        INSERT INTO order_sightings (connection_id, amazon_order_id, first_source, first_seen_at)
        SELECT ${connectionId}, v.id, 'poll', ${at} FROM ${idRows(store, [...new Set(amazonOrderIds)])} v
        WHERE NOT EXISTS (
          SELECT 1 FROM inbox i WHERE i.subject = 'order:' || v.id AND i.connection_id = ${connectionId} AND ${pushed('i')})
        ON CONFLICT (connection_id, amazon_order_id) DO NOTHING
        RETURNING amazon_order_id`.execute(store.db);
      return res.rows.map((r) => r.amazon_order_id);
    },
  };
}

/** The first sighting of an order: the earlier of its `order_sightings` row and its first ORDER_CHANGE inbox row. */
export async function firstSighting(
  db: Db,
  amazonOrderId: string,
  connectionId?: string,
): Promise<{ readonly source: 'push' | 'poll'; readonly at: string } | undefined> {
  const conn = (col: RawBuilder<unknown>) => (connectionId === undefined ? sql`` : sql` AND ${col} = ${connectionId}`);
  const rows = await sql<{ source: 'push' | 'poll'; at: string }>`
    SELECT first_source AS source, first_seen_at AS at FROM order_sightings
    WHERE amazon_order_id = ${amazonOrderId}${conn(sql.ref('connection_id'))}
    UNION ALL
    SELECT 'push' AS source, min(i.received_at) AS at FROM inbox i
    WHERE i.subject = ${`order:${amazonOrderId}`}${conn(sql.ref('i.connection_id'))} AND ${pushed('i')}`.execute(db);
  let first: { source: 'push' | 'poll'; at: string } | undefined;
  // A tie goes to the table's row (a `poll` row is only ever written before any inbox row exists).
  for (const r of rows.rows) if (r.at !== null && (!first || r.at < first.at)) first = { source: r.source, at: r.at };
  return first;
}

/** Which intake saw an order first, if any did. */
export async function firstSightingOf(
  store: Store,
  connectionId: string,
  amazonOrderId: string,
): Promise<'push' | 'poll' | undefined> {
  return (await firstSighting(store.db, amazonOrderId, connectionId))?.source;
}

/** When the connection last saw a new order, by either intake (`sellbridge doctor`). */
export async function lastSightingAt(store: Store, connectionId: string): Promise<string | null> {
  const res = await sql<{ at: string | null }>`
    SELECT max(first_seen_at) AS at FROM order_sightings WHERE connection_id = ${connectionId}
    UNION ALL
    SELECT max(i.received_at) AS at FROM inbox i WHERE i.connection_id = ${connectionId} AND ${pushed('i')}`.execute(
    store.db,
  );
  return res.rows.reduce<string | null>((m, r) => (r.at !== null && (m === null || r.at > m) ? r.at : m), null);
}

/**
 * Orders first seen in the window by either intake, per source (`sellbridge_work_found`): `poll` (and older `push`)
 * rows of `order_sightings`, and first ORDER_CHANGE inbox rows of orders no sighting row names.
 */
export async function countFirstSightings(store: Store, since: string): Promise<{ source: string; n: number }[]> {
  const res = await sql<{ source: string; n: number | string }>`
    SELECT first_source AS source, count(*) AS n FROM order_sightings WHERE first_seen_at >= ${since}
    GROUP BY first_source
    UNION ALL
    SELECT 'push' AS source, count(*) AS n FROM inbox i
    WHERE i.received_at >= ${since} AND ${pushed('i')} AND i.connection_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM inbox e WHERE e.subject = i.subject AND e.connection_id = i.connection_id
        AND ${pushed('e')} AND (e.received_at < i.received_at OR (e.received_at = i.received_at AND e.id < i.id)))
      AND NOT EXISTS (SELECT 1 FROM order_sightings s WHERE s.connection_id = i.connection_id
        AND s.amazon_order_id = substr(i.subject, 7))`.execute(store.db);
  const out = new Map<string, number>();
  for (const r of res.rows) if (Number(r.n) > 0) out.set(r.source, (out.get(r.source) ?? 0) + Number(r.n));
  return [...out].map(([source, n]) => ({ source, n }));
}
