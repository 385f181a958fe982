import { z } from 'zod';
import { listListingFeeds, listListingFindings } from '../../connectors/store/listing-state.ts';
import { findSettlement, listSettlementRows, type SettlementTables } from '../../connectors/store/settlement-ledger.ts';
import { listFbaStock } from '../../connectors/store/fba-stock.ts';
import { storeListingProblems } from '../../connectors/store/listing-problems.ts';
import { settlementForReconciliation } from '../../connectors/store/settlement-reconciliation.ts';
import { money, moneyToDecimal } from '../../core/model/money.ts';
import { threeWayCsv } from '../../core/transform/three-way-reconciliation.ts';
import { threeWayReconciliation } from '../../flows/three-way.ts';
import type { ServerContext } from '../context.ts';
import { ConnectionFilter, Limit } from './audit.ts';
import { excerpt, LIST_TEXT_CHARS } from './dead-letters.ts';

/**
 * A quarantined file as the list shows it: bounded whatever was stored (a row written before the
 * parser was bounded held 52 MB): the message cut, at most LIST_ISSUES problems, each cut, and their count.
 */
const LIST_ISSUES = 20;
function quarantineView(r: SettlementTables['settlement_quarantine']) {
  const parsed = r.issues.length > 1_000_000 ? undefined : json(r.issues);
  const all = Array.isArray(parsed) ? (parsed as unknown[]) : [];
  const issues = all.slice(0, LIST_ISSUES).map((i) => {
    const o = (i && typeof i === 'object' ? i : { field: 'file', problem: String(i) }) as {
      field?: unknown;
      problem?: unknown;
    };
    return { field: excerpt(String(o.field ?? ''), 200), problem: excerpt(String(o.problem ?? ''), 500) };
  });
  return {
    id: r.id,
    connectionId: r.connection_id,
    source: excerpt(r.source, 500),
    settlementId: r.settlement_id === null ? null : excerpt(r.settlement_id, 100),
    code: r.code,
    message: excerpt(r.message, LIST_TEXT_CHARS),
    issues,
    issueCount: parsed === undefined ? null : all.length,
    createdAt: r.created_at,
  };
}

/** JSON text written by another flow; shown as text if it is not JSON, never a 500. */
function json(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Feeds (listing_feed, 0004), settlements (0007) and stored inventory findings (0008). */
export function registerReportRoutes(ctx: ServerContext): void {
  const { routes } = ctx;
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/feeds',
      role: 'viewer',
      tag: 'feeds',
      summary: 'Listing feeds sent to Amazon (inventory, prices), newest first, with their processing result',
      query: z.strictObject({
        status: z.string().max(30).optional(),
        connectionId: ConnectionFilter,
        limit: Limit(50, 500),
      }),
      response: z.object({ feeds: z.array(z.record(z.string(), z.unknown())) }),
    },
    async ({ query }) => {
      const rows = await listListingFeeds(ctx.store, {
        limit: query.limit,
        ...(query.status ? { status: query.status } : {}),
        ...(query.connectionId ? { connectionId: query.connectionId } : {}),
      });
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
  const settlementView = (r: SettlementTables['settlements']) => ({
    connectionId: r.connection_id,
    settlementId: r.settlement_id,
    state: r.state,
    revision: Number(r.revision),
    currency: r.currency,
    totalMinor: Number(r.total_minor),
    periodStart: r.period_start,
    periodEnd: r.period_end,
    depositDate: r.deposit_date,
    rows: Number(r.rows),
    source: r.source,
    journalCount: asArray(json(r.journals)).length,
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/settlements',
      role: 'viewer',
      tag: 'settlements',
      summary:
        'Settlement reports and their posting state (posting, posted, correcting, failed), newest deposit first, plus files refused as a whole (quarantine)',
      query: z.strictObject({
        state: z.string().max(30).optional(),
        connectionId: ConnectionFilter,
        limit: Limit(50, 500),
      }),
      response: z.object({
        settlements: z.array(z.record(z.string(), z.unknown())),
        quarantine: z.array(z.record(z.string(), z.unknown())),
      }),
    },
    async ({ query }) => {
      const { settlements, quarantine } = await listSettlementRows(ctx.store, {
        limit: query.limit,
        ...(query.state ? { state: query.state } : {}),
        ...(query.connectionId ? { connectionId: query.connectionId } : {}),
      });
      return {
        settlements: settlements.map(settlementView),
        quarantine: quarantine.map(quarantineView),
      };
    },
  );
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/settlements/:id',
      role: 'viewer',
      tag: 'settlements',
      summary:
        'One settlement with its Sage GL journals (reference, batch, lines) and the per-order sums for reconciliation',
      params: z.strictObject({ id: z.string().min(1).max(100) }),
      query: z.strictObject({ connectionId: z.string().max(100).optional() }),
      response: z.record(z.string(), z.unknown()),
      statuses: { 404: 'unknown settlement' },
    },
    async ({ params, query, reply }) => {
      const found = await findSettlement(ctx.store, params.id, query.connectionId);
      if (!found) return reply.code(404).send({ error: `Sellbridge has no settlement ${params.id}` });
      const { settlement: r, orders } = found;
      return {
        ...settlementView(r),
        journals: json(r.journals),
        pendingJournals: r.pending_journals ? json(r.pending_journals) : null,
        orders: orders.map((o) => ({
          amazonOrderId: o.amazon_order_id,
          currency: o.currency,
          amountMinor: Number(o.amount_minor),
          rows: Number(o.rows),
          postedAt: o.posted_at,
        })),
      };
    },
  );
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/settlements/:id/three-way',
      role: 'viewer',
      tag: 'settlements',
      summary:
        'Three-way reconciliation of one settlement: per order what Amazon charged, what Sage invoiced (its invoices under invoiced-orders, else the sales order), what Amazon paid, and per settlement the deposit, each difference with its likely cause; `csv` holds the per-order lines (exact decimals)',
      params: z.strictObject({ id: z.string().min(1).max(100) }),
      query: z.strictObject({ connectionId: z.string().max(100).optional() }),
      response: z.record(z.string(), z.unknown()),
      statuses: { 404: 'unknown settlement', 501: 'no Sage gateway in this process' },
    },
    async ({ params, query, reply }) => {
      const sage = ctx.sage;
      if (!sage) return reply.code(501).send({ error: 'this process has no Sage gateway to reconcile against' });
      const connectionId = query.connectionId ?? ctx.defaultConnectionId ?? 'default';
      const r = await threeWayReconciliation(connectionId, params.id, {
        settlement: (c, id) => settlementForReconciliation(ctx.store, c, id),
        sage,
        readInvoices: ctx.accountingModel === 'invoiced-orders',
      });
      if (!r) return reply.code(404).send({ error: `Sellbridge has no settlement ${params.id} for ${connectionId}` });
      return { ...r, csv: threeWayCsv(r, (m) => moneyToDecimal(money(r.currency, m))) };
    },
  );
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/inventory/discrepancies',
      role: 'viewer',
      tag: 'inventory',
      summary:
        'Stored inventory findings: read-back flags (Amazon accepted a feed but shows another value) and SKU changes held until a person acts (rejected by Amazon, price outside the guard rails). The full Sage-vs-Amazon comparison runs live with `sellbridge inventory reconcile`',
      query: z.strictObject({
        sku: z.string().max(100).optional(),
        connectionId: ConnectionFilter,
        limit: Limit(100, 1000),
      }),
      response: z.object({
        flags: z.array(z.record(z.string(), z.unknown())),
        held: z.array(z.record(z.string(), z.unknown())),
        note: z.string(),
      }),
    },
    async ({ query }) => {
      const { flags, held } = await listListingFindings(ctx.store, {
        limit: query.limit,
        ...(query.sku ? { sku: query.sku } : {}),
        ...(query.connectionId ? { connectionId: query.connectionId } : {}),
      });
      return {
        flags: flags.map((r) => ({
          id: r.id,
          connectionId: r.connection_id,
          marketplaceId: r.marketplace_id,
          sku: r.sku,
          kind: r.kind,
          feedId: r.feed_id,
          detail: r.detail,
          createdAt: r.created_at,
        })),
        held: held.map((r) => ({
          id: r.id,
          connectionId: r.connection_id,
          marketplaceId: r.marketplace_id,
          sku: r.sku,
          kind: r.kind,
          field: r.field,
          target: json(r.target),
          reason: r.reason,
          state: r.state,
          createdAt: r.created_at,
          updatedAt: r.updated_at,
        })),
        note: 'the full comparison of Sage available and Amazon quantities runs live: sellbridge inventory reconcile (writes CSV/JSON reports)',
      };
    },
  );
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/inventory/listing-problems',
      role: 'viewer',
      tag: 'inventory',
      summary:
        'Listing problems per SKU from LISTINGS_ITEM_STATUS_CHANGE / LISTINGS_ITEM_ISSUES_CHANGE: not buyable, issue severities, enforcement actions (suppressed), with the causes read back from getListingsItem (issue code, message, attributes); `all=true` lists every SKU a notification spoke of',
      query: z.strictObject({
        connectionId: ConnectionFilter,
        connection: z.string().max(100).optional().describe('Older name of `connectionId`'),
        all: z.enum(['true', 'false']).default('false'),
        limit: Limit(100, 1000),
      }),
      response: z.object({ problems: z.array(z.record(z.string(), z.unknown())) }),
    },
    async ({ query }) => {
      const problems = await storeListingProblems(ctx.store, ctx.clock).list(query.connectionId ?? query.connection, {
        all: query.all === 'true',
        limit: query.limit,
      });
      return { problems: problems.map((p) => ({ ...p })) };
    },
  );
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/inventory/fba-stock',
      role: 'viewer',
      tag: 'inventory',
      summary:
        'FBA stock per SKU and marketplace as FBA_INVENTORY_AVAILABILITY_CHANGES last reported it (fulfillable, inbound, reserved, unfulfillable, event time), for reconciliation',
      query: z.strictObject({
        connectionId: ConnectionFilter.describe('Connection (default `default`)'),
        connection: z.string().max(100).optional().describe('Older name of `connectionId`'),
        marketplace: z.string().max(20).optional(),
      }),
      response: z.object({ stock: z.array(z.record(z.string(), z.unknown())) }),
    },
    async ({ query }) => ({
      stock: (
        await listFbaStock(ctx.store, query.connectionId ?? query.connection ?? 'default', query.marketplace)
      ).map((r) => ({ ...r })),
    }),
  );
}
