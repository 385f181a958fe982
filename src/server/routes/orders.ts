import { z } from 'zod';
import { ORDER_LIFECYCLE, SYNC_STATES, isSyncState } from '../../core/lifecycle.ts';
import {
  findOrderLinkRow,
  listOrderLinks,
  type OrderLinkCursor,
  type OrderLinkRow,
} from '../../connectors/store/order-links.ts';
import { listConfirmationRows } from '../../connectors/store/shipment-confirmations.ts';
import { storeOrderFittings } from '../../connectors/store/order-fittings.ts';
import { storeOrderChanges } from '../../connectors/store/order-changes.ts';
import { knownShipBy, shipByRisk } from '../../core/transform/order-changes.ts';
import { writeAudit } from '../../runtime/audit.ts';
import { roleAllows } from '../../runtime/auth/roles.ts';
import type { ServerContext } from '../context.ts';
import { Limit } from './audit.ts';
import { excerpt, LIST_TEXT_CHARS, repairDeps, summaryOf } from './dead-letters.ts';
import { linkOrder } from '../order-repair.ts';

const OrderSummary = z.object({
  connectionId: z.string(),
  amazonOrderId: z.string(),
  state: z.string(),
  stateDescription: z.string(),
  tranNo: z.string().nullable(),
  salesOrderKey: z.string().nullable(),
  marketplaceId: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const AmazonOrderId = z.strictObject({ amazonOrderId: z.string().trim().min(1).max(50) });
const ConnQuery = z.strictObject({ connectionId: z.string().min(1).max(100).optional() });

function summary(r: OrderLinkRow) {
  return {
    connectionId: r.connection_id,
    amazonOrderId: r.amazon_order_id,
    state: r.state,
    stateDescription: isSyncState(r.state) ? ORDER_LIFECYCLE[r.state].description : 'unknown state',
    tranNo: r.tran_no,
    salesOrderKey: r.sales_order_key,
    marketplaceId: r.marketplace_id,
    lastError: excerpt(r.last_error, LIST_TEXT_CHARS),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const encodeCursor = (r: OrderLinkRow) =>
  Buffer.from(JSON.stringify([r.updated_at, r.connection_id, r.amazon_order_id])).toString('base64url');
function decodeCursor(c: string): OrderLinkCursor | undefined {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as unknown;
    return Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'string')
      ? (v as [string, string, string])
      : undefined;
  } catch {
    return undefined;
  }
}

const DAY_MS = 86_400_000;

export function registerOrderRoutes(ctx: ServerContext): void {
  const { routes } = ctx;
  const changes = storeOrderChanges(ctx.store, ctx.clock);
  const warningMs = () => ctx.config?.orders?.shipByWarningMs ?? DAY_MS;

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/orders/at-risk',
      role: 'viewer',
      tag: 'orders',
      summary:
        'Orders not shipped yet whose Amazon latest ship date is within `withinMs` (default orders.shipByWarningMs) or past, soonest first',
      query: z.strictObject({
        connectionId: z.string().min(1).max(100).optional(),
        withinMs: z.coerce
          .number()
          .int()
          .min(0)
          .max(90 * DAY_MS)
          .optional()
          .describe('How close a ship-by date counts as at risk, in ms (default orders.shipByWarningMs)'),
        limit: Limit(100, 1000),
      }),
      response: z.object({
        now: z.string(),
        withinMs: z.number(),
        orders: z.array(
          z.object({
            connectionId: z.string(),
            amazonOrderId: z.string(),
            state: z.string(),
            tranNo: z.string().nullable(),
            latestShipDate: z.string(),
            late: z.boolean(),
          }),
        ),
      }),
    },
    async ({ query }) => {
      const now = ctx.clock.now();
      const withinMs = query.withinMs ?? warningMs();
      const rows = await changes.atRisk({
        now: now.toISOString(),
        before: new Date(now.getTime() + withinMs).toISOString(),
        limit: query.limit,
        ...(query.connectionId ? { connectionId: query.connectionId } : {}),
      });
      return {
        now: now.toISOString(),
        withinMs,
        orders: rows.map((r) => ({ ...r, tranNo: r.tranNo ?? null })),
      };
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/orders',
      role: 'viewer',
      tag: 'orders',
      summary: 'Orders Sellbridge knows, most recently changed first; search by AmazonOrderId or Sage TranNo',
      query: z.strictObject({
        q: z.string().trim().max(100).optional().describe('Part of an AmazonOrderId or Sage TranNo'),
        state: z.enum(SYNC_STATES).optional(),
        connectionId: z.string().max(100).optional(),
        limit: Limit(50, 500),
        cursor: z.string().max(500).optional().describe('nextCursor of the previous page'),
      }),
      response: z.object({
        orders: z.array(OrderSummary),
        nextCursor: z.string().nullable(),
        states: z.array(z.object({ state: z.string(), description: z.string(), terminal: z.boolean() })),
      }),
    },
    async ({ query, reply }) => {
      const after = query.cursor ? decodeCursor(query.cursor) : undefined;
      if (query.cursor && !after)
        return reply.code(400).send({
          error: 'invalid request: query cursor: not a cursor this API returned',
          issues: [{ in: 'query', field: 'cursor', problem: 'not a cursor this API returned' }],
        });
      const rows = await listOrderLinks(ctx.store, {
        limit: query.limit + 1,
        ...(query.q ? { q: query.q } : {}),
        ...(query.state ? { state: query.state } : {}),
        ...(query.connectionId ? { connectionId: query.connectionId } : {}),
        ...(after ? { after } : {}),
      });
      const page = rows.slice(0, query.limit);
      return {
        orders: page.map(summary),
        nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]!) : null,
        states: SYNC_STATES.map((s) => ({
          state: s,
          description: ORDER_LIFECYCLE[s].description,
          terminal: ORDER_LIFECYCLE[s].terminal,
        })),
      };
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/orders/:amazonOrderId',
      role: 'viewer',
      tag: 'orders',
      summary:
        'One order: lifecycle state and its next moves, Sage TranNo/SOKey, shipment confirmations, dead letters and audit',
      params: AmazonOrderId,
      query: ConnQuery,
      response: OrderSummary.extend({
        lifecycle: z.object({ description: z.string(), terminal: z.boolean(), next: z.array(z.string()) }),
        confirmations: z.array(
          z.object({
            shipmentKey: z.string(),
            packageNo: z.string(),
            packageReferenceId: z.string(),
            state: z.string(),
            sendAttempts: z.number(),
            detail: z.unknown(),
            updatedAt: z.string(),
          }),
        ),
        deadLetters: z.array(z.unknown()),
        audit: z.array(z.unknown()),
        pii: z.object({ stored: z.boolean(), deliveredAt: z.string().nullable(), purgeAfter: z.string().nullable() }),
        fitted: z
          .object({
            changes: z.array(z.object({ field: z.string(), kind: z.string(), detail: z.string() })),
            originalKept: z.boolean(),
            fittedAt: z.string(),
          })
          .nullable()
          .describe('Set when the ship-to was fitted to Sage (address policy `fit`): what changed, by field and kind'),
        changes: z
          .object({
            applied: z.array(z.unknown()),
            differences: z.array(z.object({ field: z.string(), problem: z.string() })),
            comparedVersion: z.string().nullable(),
          })
          .nullable()
          .describe(
            'Changes at Amazon after the Sage order was created: what Sellbridge applied to Sage (line-cancelled, ship-to-updated) and the differences left to a person',
          ),
        shipBy: z
          .object({ latestShipDate: z.string(), atRisk: z.boolean(), late: z.boolean() })
          .nullable()
          .describe("Amazon's latest ship date and whether the order, not shipped yet, is at risk of shipping late"),
      }),
      statuses: { 404: 'unknown order' },
    },
    async ({ params, query, reply }) => {
      const row = await findOrderLinkRow(ctx.store, params.amazonOrderId, query.connectionId);
      if (!row) return reply.code(404).send({ error: `Sellbridge has no order ${params.amazonOrderId}` });
      const info = isSyncState(row.state)
        ? ORDER_LIFECYCLE[row.state]
        : { description: 'unknown state', terminal: false, next: [] };
      const confirmations = await listConfirmationRows(ctx.store, row.connection_id, row.amazon_order_id);
      const dls = await ctx.store.db
        .selectFrom('dead_letters')
        .select('id')
        .where('job_key', 'like', `%:${row.amazon_order_id}`)
        .orderBy('last_failed_at', 'desc')
        .limit(20)
        .execute();
      const deadLetters = [];
      for (const d of dls) deadLetters.push(summaryOf(await ctx.deadLetters.get(d.id)));
      const audit = await ctx.store.db
        .selectFrom('audit_log')
        .selectAll()
        .where('target', 'like', `%${row.amazon_order_id}%`)
        .orderBy('id', 'desc')
        .limit(50)
        .execute();
      const pii = ctx.pii
        ? await ctx.pii.has({ connectionId: row.connection_id, amazonOrderId: row.amazon_order_id })
        : { stored: false, deliveredAt: null, purgeAfter: null };
      const fitting = await storeOrderFittings(ctx.store, ctx.clock).get(row.connection_id, row.amazon_order_id);
      const revision = await changes.get(row.connection_id, row.amazon_order_id);
      const shipBy = knownShipBy(revision, row.latest_ship_date);
      return {
        ...summary(row),
        lifecycle: { description: info.description, terminal: info.terminal, next: [...info.next] },
        confirmations: confirmations.map((c) => ({
          shipmentKey: c.shipment_key,
          packageNo: c.package_no,
          packageReferenceId: String(c.package_reference_id),
          state: c.state,
          sendAttempts: Number(c.send_attempts),
          detail: JSON.parse(c.detail) as unknown,
          updatedAt: c.updated_at,
        })),
        deadLetters,
        audit: audit.map((a) => ({
          id: Number(a.id),
          at: a.at,
          actor: a.actor,
          action: a.action,
          target: a.target,
          detail: JSON.parse(a.detail) as unknown,
        })),
        pii: { stored: pii.stored, deliveredAt: pii.deliveredAt, purgeAfter: pii.purgeAfter },
        fitted: fitting
          ? { changes: [...fitting.changes], originalKept: fitting.originalKept, fittedAt: fitting.fittedAt }
          : null,
        changes:
          revision && (revision.applied.length > 0 || revision.differences.length > 0)
            ? {
                applied: [...revision.applied],
                differences: [...revision.differences],
                comparedVersion: revision.amazonUpdatedAt ?? null,
              }
            : null,
        shipBy: shipBy ? shipByRisk(shipBy, row.state, ctx.clock.now(), warningMs()) : null,
      };
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/orders/:amazonOrderId/preview',
      role: 'viewer',
      tag: 'orders',
      summary:
        'The Sage sales order Sellbridge would create for this Amazon order, without creating it (reads Amazon and Sage)',
      params: AmazonOrderId,
      query: ConnQuery,
      response: z.unknown(),
      statuses: { 501: 'the order flows are not wired into this server process' },
    },
    async ({ params, query, reply }) => {
      if (!ctx.orderFlow)
        return reply.code(501).send({
          error:
            'order preview is not available: this server runs without the order flow (Amazon and Sage connections); start it with `sellbridge run`',
        });
      return ctx.orderFlow.preview(query.connectionId ?? ctx.connectionId, params.amazonOrderId);
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/orders/:amazonOrderId/link',
      role: 'operator',
      tag: 'orders',
      summary:
        'Link the order to a Sage sales order keyed by hand (checked: same goods lines and total, or `force`, audited with the differences); its Sage shipments are then confirmed to Amazon as usual and its open dead letters are closed',
      params: AmazonOrderId,
      query: ConnQuery,
      body: z.strictObject({
        tranNo: z.string().trim().min(1).max(10).describe('Sage TranNo of the order keyed by hand'),
        force: z.boolean().optional(),
        dryRun: z.boolean().optional().describe('Check only: say what would be linked'),
      }),
      response: z.object({
        linked: z.boolean(),
        tranNo: z.string(),
        salesOrderKey: z.string(),
        forced: z.boolean(),
        differences: z.array(z.string()),
        lines: z.array(z.object({ itemId: z.string(), amazonOrderItemId: z.string(), quantity: z.number() })),
        deadLettersClosed: z.number(),
      }),
      statuses: {
        400: 'not the same order (SB_ORD_LINK_REFUSED, every difference listed), or already linked',
        404: 'Sage has no order with that TranNo (or, without the order flow, Sellbridge has no such order)',
        409: 'the order flows are not wired into this server process',
      },
    },
    async ({ params, query, body, principal, reply }) => {
      if (!ctx.orders) {
        if (!(await findOrderLinkRow(ctx.store, params.amazonOrderId, query.connectionId)))
          return reply
            .code(404)
            .send({ error: `Sellbridge has no order ${params.amazonOrderId}`, code: 'SB_API_NOT_FOUND' });
        return reply.code(409).send({
          error:
            'linking needs the order flow (Amazon and Sage connections) in this server process; start it with `sellbridge run`',
          code: 'SB_API_REFUSED',
        });
      }
      const r = await linkOrder(repairDeps(ctx), {
        connectionId: query.connectionId ?? ctx.connectionId,
        amazonOrderId: params.amazonOrderId,
        tranNo: body.tranNo,
        actor: principal.actor,
        ...(body.force ? { force: true } : {}),
        ...(body.dryRun ? { dryRun: true } : {}),
      });
      return { ...r, differences: [...r.differences], lines: r.lines.map((l) => ({ ...l })) };
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/orders/:amazonOrderId/pii',
      role: ctx.settings.piiViewRole,
      tag: 'orders',
      summary:
        'Buyer name, address, phone and e-mail of an order, decrypted; needs security.piiViewRole (default operator) and every view is audited',
      params: AmazonOrderId,
      query: ConnQuery,
      response: z.object({ pii: z.unknown(), purgeAfter: z.string().nullable() }),
      statuses: { 404: 'nothing stored (never kept, or already purged)', 501: 'no PII key configured' },
    },
    async ({ params, query, reply, principal }) => {
      if (!roleAllows(principal.role, ctx.settings.piiViewRole))
        return reply.code(403).send({
          error: `viewing buyer data needs the ${ctx.settings.piiViewRole} role; ${principal.actor} has ${principal.role}`,
        });
      if (!ctx.pii)
        return reply.code(501).send({
          error: 'buyer PII is not available: no PII key is configured (security.piiKeys or security.piiKeyFile)',
        });
      const ref = { connectionId: query.connectionId ?? ctx.connectionId, amazonOrderId: params.amazonOrderId };
      const pii = await ctx.pii.get(ref);
      if (!pii)
        return reply.code(404).send({
          error: `no buyer data is stored for order ${params.amazonOrderId} (never kept, or purged after the retention period)`,
        });
      await writeAudit(
        ctx.store.db,
        { actor: principal.actor, action: 'pii.view', target: `order:${ref.connectionId}:${ref.amazonOrderId}` },
        ctx.clock.now(),
      );
      return { pii, purgeAfter: (await ctx.pii.has(ref)).purgeAfter };
    },
  );
}
