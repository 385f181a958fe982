import { z } from 'zod';
import type { ServerContext } from '../app.ts';
import { Limit } from './audit.ts';

type FeedTables = {
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
};

const NOT_YET = { error: 'not available yet' };

/** Feeds (listing_feed, migration 0004); settlements and inventory discrepancies join when their tables exist. */
export function registerReportRoutes(ctx: ServerContext): void {
  const { routes } = ctx;
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/feeds',
      role: 'viewer',
      tag: 'feeds',
      summary: 'Listing feeds sent to Amazon (inventory, prices), newest first, with their processing result',
      query: z.strictObject({ status: z.string().max(30).optional(), limit: Limit(50, 500) }),
      response: z.object({ feeds: z.array(z.record(z.string(), z.unknown())) }),
    },
    async ({ query }) => {
      let q = ctx.store.db.withTables<FeedTables>().selectFrom('listing_feed').selectAll().orderBy('created_at', 'desc').limit(query.limit);
      if (query.status) q = q.where('status', '=', query.status);
      const rows = await q.execute();
      return {
        feeds: rows.map((r) => ({
          id: r.id,
          connectionId: r.connection_id,
          marketplaceId: r.marketplace_id,
          feedId: r.feed_id,
          status: r.status,
          messages: Number(r.message_count),
          bytes: Number(r.bytes),
          accepted: r.accepted === null ? null : Number(r.accepted),
          warnings: r.warnings === null ? null : Number(r.warnings),
          rejected: r.rejected === null ? null : Number(r.rejected),
          error: r.error,
          createdAt: r.created_at,
          submittedAt: r.submitted_at,
          finishedAt: r.finished_at,
        })),
      };
    },
  );
  routes.add(
    { method: 'GET', url: '/api/v1/settlements', role: 'viewer', tag: 'settlements', summary: 'Settlement reports and their journal posting status', query: z.strictObject({ limit: Limit(50, 500) }), response: z.unknown(), statuses: { 501: 'not available yet' } },
    async ({ reply }) => reply.code(501).send(NOT_YET),
  );
  routes.add(
    { method: 'GET', url: '/api/v1/settlements/:id', role: 'viewer', tag: 'settlements', summary: 'One settlement with its journal', params: z.strictObject({ id: z.string().min(1).max(100) }), response: z.unknown(), statuses: { 501: 'not available yet' } },
    async ({ reply }) => reply.code(501).send(NOT_YET),
  );
  routes.add(
    { method: 'GET', url: '/api/v1/inventory/discrepancies', role: 'viewer', tag: 'inventory', summary: 'Items whose Sage and Amazon quantities disagree', query: z.strictObject({ limit: Limit(100, 1000) }), response: z.unknown(), statuses: { 501: 'not available yet' } },
    async ({ reply }) => reply.code(501).send(NOT_YET),
  );
}
