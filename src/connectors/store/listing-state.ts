import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { FulfillmentChannel, ListingAttributes, SentListingState } from '../../core/model/listing.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type {
  BlockKind,
  BlockState,
  FeedRowStatus,
  ListingBlock,
  ListingStateStore,
  StoredFeed,
  StoredLink,
} from '../../core/ports/listing-state.ts';
import { listingKey, type ListingChange } from '../../core/transform/listing-delta.ts';
import { chunks } from '../../core/transform/chunks.ts';
import type { Database } from '../../runtime/store/tables.ts';
import type { Db as StoreDb, Store } from '../../runtime/store/store.ts';

/** Row types of migrations 0004-listings and 0008-listing-sync (kept beside their only writer). */
export type ListingTables = {
  listing_sent: {
    connection_id: string;
    marketplace_id: string;
    sku: string;
    item_id: string;
    quantity: number | null;
    price_minor: number | string | null;
    currency: string | null;
    attributes: string | null;
    feed_id: string | null;
    sent_at: string;
  };
  listing_feed: {
    id: string;
    connection_id: string;
    marketplace_id: string;
    feed_document_id: string | null;
    feed_id: string | null;
    status: string;
    message_count: number;
    bytes: number;
    fast_lane: number;
    accepted: number | null;
    warnings: number | null;
    rejected: number | null;
    error: string | null;
    created_at: string;
    submitted_at: string | null;
    finished_at: string | null;
  };
  listing_feed_message: {
    feed_row_id: string;
    message_id: number;
    sku: string;
    change: string;
    outcome: string;
    next: string | null;
    issues: string | null;
  };
  listing_links: {
    connection_id: string;
    marketplace_id: string;
    sku: string;
    item_id: string;
    product_type: string;
    fulfillment: string;
    updated_at: string;
  };
  listing_blocks: {
    id: string;
    connection_id: string;
    marketplace_id: string;
    sku: string;
    kind: string;
    field: string;
    target: string;
    reason: string;
    state: string;
    created_at: string;
    updated_at: string;
  };
  listing_flags: {
    id: string;
    connection_id: string;
    marketplace_id: string;
    sku: string;
    kind: string;
    feed_id: string | null;
    detail: string;
    created_at: string;
  };
};

type Db = Kysely<Database & ListingTables>;
const CHUNK = 500;
const FINAL = ['DONE', 'CANCELLED', 'FATAL'];

const blockOf = (r: ListingTables['listing_blocks']): ListingBlock => ({
  id: r.id,
  connectionId: r.connection_id,
  marketplaceId: r.marketplace_id,
  sku: r.sku,
  kind: r.kind as BlockKind,
  field: r.field,
  target: r.target,
  reason: r.reason,
  state: r.state as BlockState,
});

/** Store-backed ListingStateStore (SQLite and PostgreSQL). */
export function storeListingState(store: Store, clock: Clock): ListingStateStore {
  const db: Db = store.db.withTables<ListingTables>();
  const now = () => clock.now().toISOString();
  return {
    async links(connectionId) {
      const rows = await db
        .selectFrom('listing_links')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .orderBy('marketplace_id')
        .orderBy('sku')
        .execute();
      return rows.map((r): StoredLink => ({
        sku: r.sku,
        marketplaceId: r.marketplace_id,
        itemId: r.item_id,
        productType: r.product_type,
        fulfillment: r.fulfillment as FulfillmentChannel,
      }));
    },
    async upsertLinks(connectionId, links) {
      const at = now();
      await db.transaction().execute(async (tx) => {
        for (const part of chunks(links, CHUNK))
          await tx
            .insertInto('listing_links')
            .values(
              part.map((l) => ({
                connection_id: connectionId,
                marketplace_id: l.marketplaceId,
                sku: l.sku,
                item_id: l.itemId,
                product_type: l.productType,
                fulfillment: l.fulfillment,
                updated_at: at,
              })),
            )
            .onConflict((oc) =>
              oc.columns(['connection_id', 'marketplace_id', 'sku']).doUpdateSet((eb) => ({
                item_id: eb.ref('excluded.item_id'),
                product_type: eb.ref('excluded.product_type'),
                fulfillment: eb.ref('excluded.fulfillment'),
                updated_at: eb.ref('excluded.updated_at'),
              })),
            )
            .execute();
      });
    },
    async lastSent(connectionId) {
      const rows = await db.selectFrom('listing_sent').selectAll().where('connection_id', '=', connectionId).execute();
      return rows.map((r): SentListingState => ({
        sku: r.sku,
        marketplaceId: r.marketplace_id,
        ...(r.quantity === null ? {} : { quantity: Number(r.quantity) }),
        ...(r.price_minor === null || r.currency === null
          ? {}
          : { price: { currency: r.currency, minor: Number(r.price_minor) } }),
        ...(r.attributes ? { attributes: JSON.parse(r.attributes) as ListingAttributes } : {}),
      }));
    },
    async saveSent(connectionId, rows) {
      const at = now();
      await db.transaction().execute(async (tx) => {
        for (const part of chunks(rows, CHUNK))
          await tx
            .insertInto('listing_sent')
            .values(
              part.map(({ state, itemId, feedId }) => ({
                connection_id: connectionId,
                marketplace_id: state.marketplaceId,
                sku: state.sku,
                item_id: itemId,
                quantity: state.quantity ?? null,
                price_minor: state.price?.minor ?? null,
                currency: state.price?.currency ?? null,
                attributes: state.attributes ? JSON.stringify(state.attributes) : null,
                feed_id: feedId ?? null,
                sent_at: at,
              })),
            )
            .onConflict((oc) =>
              oc.columns(['connection_id', 'marketplace_id', 'sku']).doUpdateSet((eb) => ({
                item_id: eb.ref('excluded.item_id'),
                quantity: eb.ref('excluded.quantity'),
                price_minor: eb.ref('excluded.price_minor'),
                currency: eb.ref('excluded.currency'),
                attributes: eb.ref('excluded.attributes'),
                feed_id: eb.ref('excluded.feed_id'),
                sent_at: eb.ref('excluded.sent_at'),
              })),
            )
            .execute();
      });
    },
    async forgetSent(connectionId, keys, field) {
      await db.transaction().execute(async (tx) => {
        for (const k of keys) {
          const q = tx
            .updateTable('listing_sent')
            .where('connection_id', '=', connectionId)
            .where('marketplace_id', '=', k.marketplaceId)
            .where('sku', '=', k.sku);
          await (
            field === 'quantity' ? q.set({ quantity: null }) : q.set({ price_minor: null, currency: null })
          ).execute();
        }
      });
    },
    async createFeed(connectionId, batch, fastLane) {
      const id = randomUUID();
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto('listing_feed')
          .values({
            id,
            connection_id: connectionId,
            marketplace_id: batch.marketplaceId,
            feed_document_id: null,
            feed_id: null,
            status: 'built',
            message_count: batch.document.messages.length,
            bytes: batch.bytes,
            fast_lane: fastLane ? 1 : 0,
            accepted: null,
            warnings: null,
            rejected: null,
            error: null,
            created_at: now(),
            submitted_at: null,
            finished_at: null,
          })
          .execute();
        for (const part of chunks(batch.sent, CHUNK))
          await tx
            .insertInto('listing_feed_message')
            .values(
              part.map((s) => ({
                feed_row_id: id,
                message_id: s.messageId,
                sku: s.sku,
                change: JSON.stringify(s.change),
                outcome: 'pending',
                next: null,
                issues: null,
              })),
            )
            .execute();
      });
      return id;
    },
    async feed(feedRowId) {
      const row = await db.selectFrom('listing_feed').selectAll().where('id', '=', feedRowId).executeTakeFirst();
      if (!row) return undefined;
      const messages = await db
        .selectFrom('listing_feed_message')
        .select(['message_id', 'sku', 'change'])
        .where('feed_row_id', '=', feedRowId)
        .orderBy('message_id')
        .execute();
      const feed: StoredFeed = {
        id: row.id,
        connectionId: row.connection_id,
        marketplaceId: row.marketplace_id,
        status: row.status as FeedRowStatus,
        ...(row.feed_id ? { feedId: row.feed_id } : {}),
        fastLane: Number(row.fast_lane) === 1,
        messageCount: Number(row.message_count),
        sent: messages.map((m) => ({
          messageId: Number(m.message_id),
          sku: m.sku,
          change: JSON.parse(m.change) as ListingChange,
        })),
      };
      return feed;
    },
    async markFeed(feedRowId, patch) {
      const at = now();
      await db
        .updateTable('listing_feed')
        .set({
          status: patch.status,
          ...(patch.feedId ? { feed_id: patch.feedId, submitted_at: at } : {}),
          ...(patch.feedDocumentId ? { feed_document_id: patch.feedDocumentId } : {}),
          ...(patch.error ? { error: patch.error } : {}),
          ...(patch.counts
            ? { accepted: patch.counts.accepted, warnings: patch.counts.warnings, rejected: patch.counts.rejected }
            : {}),
          ...(FINAL.includes(patch.status) ? { finished_at: at } : {}),
        })
        .where('id', '=', feedRowId)
        .execute();
    },
    async recordOutcomes(feedRowId, outcomes) {
      await db.transaction().execute(async (tx) => {
        for (const o of outcomes)
          await tx
            .updateTable('listing_feed_message')
            .set({ outcome: o.status, next: o.next, issues: o.reasons.length ? JSON.stringify(o.reasons) : null })
            .where('feed_row_id', '=', feedRowId)
            .where('message_id', '=', o.messageId)
            .execute();
      });
    },
    async submittedSince(connectionId, sinceIso) {
      const row = await db
        .selectFrom('listing_feed')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('connection_id', '=', connectionId)
        .where('submitted_at', '>=', sinceIso)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    async oldestSubmittedSince(connectionId, sinceIso) {
      const row = await db
        .selectFrom('listing_feed')
        .select((eb) => eb.fn.min('submitted_at').as('t'))
        .where('connection_id', '=', connectionId)
        .where('submitted_at', '>=', sinceIso)
        .executeTakeFirst();
      return (row?.t as string | null | undefined) ?? undefined;
    },
    async unfinishedFeeds(connectionId) {
      const rows = await db
        .selectFrom('listing_feed')
        .select(['id', 'fast_lane'])
        .where('connection_id', '=', connectionId)
        .where('feed_id', 'is not', null)
        .where('status', 'not in', FINAL)
        .orderBy('submitted_at')
        .execute();
      return rows.map((r) => ({ feedRowId: r.id, fastLane: Number(r.fast_lane) === 1 }));
    },
    async pendingFeedKeys(connectionId) {
      const rows = await db
        .selectFrom('listing_feed_message as m')
        .innerJoin('listing_feed as f', 'f.id', 'm.feed_row_id')
        .select(['f.marketplace_id', 'm.sku'])
        .where('f.connection_id', '=', connectionId)
        .where('f.status', 'not in', FINAL)
        .execute();
      return new Set(rows.map((r) => listingKey(r.marketplace_id, r.sku)));
    },
    async addBlock(block) {
      const existing = await db
        .selectFrom('listing_blocks')
        .selectAll()
        .where('connection_id', '=', block.connectionId)
        .where('marketplace_id', '=', block.marketplaceId)
        .where('sku', '=', block.sku)
        .where('field', '=', block.field)
        .where('target', '=', block.target)
        .where('state', 'in', ['new', 'open'])
        .executeTakeFirst();
      if (existing) return { block: blockOf(existing), created: false };
      const at = now();
      const row = {
        id: randomUUID(),
        connection_id: block.connectionId,
        marketplace_id: block.marketplaceId,
        sku: block.sku,
        kind: block.kind,
        field: block.field,
        target: block.target,
        reason: block.reason,
        state: 'new',
        created_at: at,
        updated_at: at,
      };
      await db.insertInto('listing_blocks').values(row).execute();
      return { block: blockOf(row), created: true };
    },
    async block(id) {
      const row = await db.selectFrom('listing_blocks').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? blockOf(row) : undefined;
    },
    async setBlockState(id, state) {
      await db.updateTable('listing_blocks').set({ state, updated_at: now() }).where('id', '=', id).execute();
    },
    async activeBlocks(connectionId) {
      const rows = await db
        .selectFrom('listing_blocks')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .where('state', 'in', ['new', 'open'])
        .execute();
      return rows.map(blockOf);
    },
    async approvedPrices(connectionId) {
      const rows = await db
        .selectFrom('listing_blocks')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .where('kind', '=', 'price-held')
        .where('state', '=', 'released')
        .orderBy('updated_at')
        .execute();
      return rows.map((r) => ({
        sku: r.sku,
        marketplaceId: r.marketplace_id,
        price: JSON.parse(r.target) as { currency: string; minor: number },
      }));
    },
    async addFlag(flag) {
      await db
        .insertInto('listing_flags')
        .values({
          id: randomUUID(),
          connection_id: flag.connectionId,
          marketplace_id: flag.marketplaceId,
          sku: flag.sku,
          kind: flag.kind,
          feed_id: flag.feedId ?? null,
          detail: flag.detail,
          created_at: now(),
        })
        .execute();
    },
    async flags(connectionId) {
      const rows = await db
        .selectFrom('listing_flags')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .orderBy('created_at')
        .execute();
      return rows.map((r) => ({
        marketplaceId: r.marketplace_id,
        sku: r.sku,
        kind: r.kind,
        ...(r.feed_id ? { feedId: r.feed_id } : {}),
        detail: r.detail,
      }));
    },
  };
}

/** Listing feeds, newest first, optionally of one status (the admin API's feed list). */
export async function listListingFeeds(
  store: Store,
  query: { readonly status?: string; readonly connectionId?: string; readonly limit: number },
): Promise<ListingTables['listing_feed'][]> {
  let q = store.db
    .withTables<ListingTables>()
    .selectFrom('listing_feed')
    .selectAll()
    .orderBy('created_at', 'desc')
    .limit(query.limit);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.connectionId) q = q.where('connection_id', '=', query.connectionId);
  return q.execute();
}

/** Read-back flags and SKU changes still held, newest first, optionally of one SKU (the admin API's discrepancies). */
export async function listListingFindings(
  store: Store,
  query: { readonly sku?: string; readonly connectionId?: string; readonly limit: number },
): Promise<{ flags: ListingTables['listing_flags'][]; held: ListingTables['listing_blocks'][] }> {
  const db = store.db.withTables<ListingTables>();
  let f = db.selectFrom('listing_flags').selectAll().orderBy('created_at', 'desc').limit(query.limit);
  let b = db
    .selectFrom('listing_blocks')
    .selectAll()
    .where('state', '!=', 'released')
    .orderBy('created_at', 'desc')
    .limit(query.limit);
  if (query.sku) {
    f = f.where('sku', '=', query.sku);
    b = b.where('sku', '=', query.sku);
  }
  if (query.connectionId) {
    f = f.where('connection_id', '=', query.connectionId);
    b = b.where('connection_id', '=', query.connectionId);
  }
  return { flags: await f.execute(), held: await b.execute() };
}

/** The feed row (and its connection) of an Amazon feed id, read inside a transaction (the inbox row's). */
export async function feedRowOfAmazonFeed(
  tx: StoreDb,
  feedId: string,
): Promise<{ readonly feedRowId: string; readonly connectionId: string; readonly fastLane: boolean } | undefined> {
  const row = await tx
    .withTables<ListingTables>()
    .selectFrom('listing_feed')
    .select(['id', 'connection_id', 'fast_lane'])
    .where('feed_id', '=', feedId)
    .executeTakeFirst();
  return row
    ? { feedRowId: row.id, connectionId: row.connection_id, fastLane: Number(row.fast_lane) === 1 }
    : undefined;
}
