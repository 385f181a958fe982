import type { Clock } from '../../core/ports/clock.ts';
import type { ListingIssueCause, ListingProblem, ListingProblems } from '../../core/ports/listing-problems.ts';
import type { Db, Store } from '../../runtime/store/store.ts';

/** Row of `listing_problems` (migration 0015); lists are JSON text. */
export type ListingProblemTables = {
  listing_problems: {
    connection_id: string;
    marketplace_id: string;
    sku: string;
    asin: string | null;
    statuses: string | null;
    severities: string | null;
    enforcement_actions: string | null;
    issues: string | null;
    event_time: string;
    updated_at: string;
  };
};

/** Marketplace of a notification that names none (Amazon sends one per marketplace when it does). */
export const ANY_MARKETPLACE = '*';

type Notified =
  | { readonly kind: 'status'; readonly statuses: readonly string[] }
  | { readonly kind: 'issues'; readonly severities: readonly string[]; readonly enforcementActions: readonly string[] };

/**
 * Records what a listing notification said, in the inbox row's transaction. Notifications arrive unordered: an
 * older EventTime than the stored one changes nothing (the newer state stays).
 */
export async function recordListingNotificationIn(
  tx: Db,
  row: {
    connectionId: string;
    marketplaceId: string | undefined;
    sku: string;
    asin: string | undefined;
    eventTime: string;
    at: string;
    notified: Notified;
  },
): Promise<void> {
  const db = tx.withTables<ListingProblemTables>();
  const marketplaceId = row.marketplaceId ?? ANY_MARKETPLACE;
  const fields =
    row.notified.kind === 'status'
      ? { statuses: JSON.stringify(row.notified.statuses) }
      : {
          severities: JSON.stringify(row.notified.severities),
          enforcement_actions: JSON.stringify(row.notified.enforcementActions),
        };
  await db
    .insertInto('listing_problems')
    .values({
      connection_id: row.connectionId,
      marketplace_id: marketplaceId,
      sku: row.sku,
      asin: row.asin ?? null,
      statuses: null,
      severities: null,
      enforcement_actions: null,
      issues: null,
      event_time: row.eventTime,
      updated_at: row.at,
      ...fields,
    })
    .onConflict((oc) =>
      oc
        .columns(['connection_id', 'marketplace_id', 'sku'])
        .doUpdateSet({
          ...fields,
          event_time: row.eventTime,
          updated_at: row.at,
          ...(row.asin ? { asin: row.asin } : {}),
        })
        .where('listing_problems.event_time', '<=', row.eventTime),
    )
    .execute();
}

const list = (text: string | null): string[] | undefined =>
  text === null ? undefined : (JSON.parse(text) as string[]);

/** A problem: not buyable, an ERROR or WARNING issue, or an enforcement action. */
export function isProblem(
  p: Pick<ListingProblem, 'statuses' | 'severities' | 'enforcementActions' | 'issues'>,
): boolean {
  if (p.statuses && !p.statuses.includes('BUYABLE')) return true;
  if (p.severities?.some((s) => s === 'ERROR' || s === 'WARNING')) return true;
  if (p.enforcementActions?.length) return true;
  return (p.issues ?? []).some((i) => i.severity === 'ERROR' || i.severity === 'WARNING');
}

export function storeListingProblems(store: Store, clock: Clock): ListingProblems {
  const db = store.db.withTables<ListingProblemTables>();
  return {
    async recordIssues(connectionId, marketplaceId, sku, issues: readonly ListingIssueCause[]) {
      await db
        .updateTable('listing_problems')
        .set({ issues: JSON.stringify(issues), updated_at: clock.now().toISOString() })
        .where('connection_id', '=', connectionId)
        .where('marketplace_id', '=', marketplaceId)
        .where('sku', '=', sku)
        .execute();
    },
    async list(connectionId, options = {}) {
      let q = db.selectFrom('listing_problems').selectAll();
      if (connectionId !== undefined) q = q.where('connection_id', '=', connectionId);
      const rows = await q
        .orderBy('sku')
        .orderBy('connection_id')
        .orderBy('marketplace_id')
        .limit(options.limit ?? 1000)
        .execute();
      const out = rows.map((r): ListingProblem => ({
        connectionId: r.connection_id,
        marketplaceId: r.marketplace_id,
        sku: r.sku,
        ...(r.asin ? { asin: r.asin } : {}),
        ...(r.statuses !== null ? { statuses: list(r.statuses)! } : {}),
        ...(r.severities !== null ? { severities: list(r.severities)! } : {}),
        ...(r.enforcement_actions !== null ? { enforcementActions: list(r.enforcement_actions)! } : {}),
        ...(r.issues !== null ? { issues: JSON.parse(r.issues) as ListingIssueCause[] } : {}),
        eventTime: r.event_time,
        updatedAt: r.updated_at,
      }));
      return options.all ? out : out.filter(isProblem);
    },
  };
}
