import { z } from 'zod';
import { DEFAULT_CUSTOM_FIELD_MAP } from '../../core/rules/custom-field-map.ts';
import { DEFAULT_CHARGE_LINES } from '../../core/rules/gl-accounts.ts';
import { DEFAULT_MAPPING_RULES } from '../../core/rules/mapping-rules.ts';
import { DEFAULT_SETTLEMENT_ACCOUNTS } from '../../core/rules/settlement-accounts.ts';
import { storeSkuAliases } from '../../app/order-flow-store.ts';
import { writeAudit } from '../../runtime/audit.ts';
import type { ServerContext } from '../app.ts';
import { parseCsv, toCsv } from '../csv.ts';
import { Limit } from './audit.ts';

const SKU = z.string().trim().min(1, 'must not be empty').max(40, 'at most 40 characters (Amazon SellerSKU)');
const ITEM = z.string().trim().min(1, 'must not be empty').max(30, 'at most 30 characters (Sage ItemID)');
const CONN = z.string().trim().min(1).max(100);

const Alias = z.object({ id: z.string().describe('`<connectionId>:<sellerSku>`; URL-encode it in paths'), connectionId: z.string(), sellerSku: z.string(), itemId: z.string(), updatedAt: z.string() });

const aliasId = (connectionId: string, sellerSku: string) => `${connectionId}:${sellerSku}`;

/** Mapping tables: SKU aliases live in the store (editable, CSV); carriers, GL rules and custom fields come from rules (read-only). */
export function registerMappingRoutes(ctx: ServerContext): void {
  const { routes } = ctx;
  const aliases = storeSkuAliases(ctx.store, ctx.clock);
  const db = ctx.store.db.withTables<{ sku_aliases: { connection_id: string; seller_sku: string; item_id: string; updated_at: string } }>();

  const listAliases = async (connectionId: string | undefined, q: string | undefined, limit: number) => {
    let query = db.selectFrom('sku_aliases').selectAll().orderBy('connection_id').orderBy('seller_sku').limit(limit);
    if (connectionId) query = query.where('connection_id', '=', connectionId);
    if (q) query = query.where((eb) => eb.or([eb('seller_sku', 'like', `%${q}%`), eb('item_id', 'like', `%${q}%`)]));
    return (await query.execute()).map((r) => ({ id: aliasId(r.connection_id, r.seller_sku), connectionId: r.connection_id, sellerSku: r.seller_sku, itemId: r.item_id, updatedAt: r.updated_at }));
  };

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/mappings/sku-aliases',
      role: 'viewer',
      tag: 'mappings',
      summary: 'SellerSKU -> Sage ItemID aliases',
      query: z.strictObject({ connectionId: CONN.optional(), q: z.string().max(100).optional().describe('Part of a SellerSKU or ItemID'), limit: Limit(500, 10000) }),
      response: z.object({ aliases: z.array(Alias) }),
    },
    async ({ query }) => ({ aliases: await listAliases(query.connectionId, query.q, query.limit) }),
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/mappings/sku-aliases',
      role: 'operator',
      tag: 'mappings',
      summary: 'Add or replace one alias (then replay the dead letters it fixes); audited',
      body: z.strictObject({ connectionId: CONN.optional(), sellerSku: SKU, itemId: ITEM }),
      response: z.object({ alias: Alias }),
      statuses: { 201: 'saved' },
    },
    async ({ body, principal, reply }) => {
      const connectionId = body.connectionId ?? ctx.connectionId;
      await aliases.setAlias(connectionId, body.sellerSku, body.itemId);
      await writeAudit(ctx.store.db, { actor: principal.actor, action: 'mapping.sku-alias.set', target: `sku_alias:${aliasId(connectionId, body.sellerSku)}`, detail: { itemId: body.itemId } }, ctx.clock.now());
      const [alias] = await listAliases(connectionId, undefined, 1_000_000).then((all) => all.filter((a) => a.sellerSku === body.sellerSku));
      return reply.code(201).send({ alias });
    },
  );

  routes.add(
    {
      method: 'DELETE',
      url: '/api/v1/mappings/sku-aliases/:id',
      role: 'operator',
      tag: 'mappings',
      summary: 'Remove one alias; audited',
      params: z.strictObject({ id: z.string().min(3).max(200).regex(/^[^:]+:.+$/, 'must be <connectionId>:<sellerSku>') }),
      response: z.object({ ok: z.literal(true) }),
      statuses: { 404: 'no such alias' },
    },
    async ({ params, principal, reply }) => {
      const at = params.id.indexOf(':');
      const connectionId = params.id.slice(0, at);
      const sellerSku = params.id.slice(at + 1);
      const r = await db.deleteFrom('sku_aliases').where('connection_id', '=', connectionId).where('seller_sku', '=', sellerSku).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) return reply.code(404).send({ error: `no alias for SellerSKU ${sellerSku} on connection ${connectionId}` });
      await writeAudit(ctx.store.db, { actor: principal.actor, action: 'mapping.sku-alias.delete', target: `sku_alias:${params.id}` }, ctx.clock.now());
      return { ok: true };
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/mappings/sku-aliases.csv',
      role: 'viewer',
      tag: 'mappings',
      summary: 'All aliases as CSV (connectionId,sellerSku,itemId) for a spreadsheet',
      query: z.strictObject({ connectionId: CONN.optional() }),
      produces: 'text/csv',
    },
    async ({ query, reply }) => {
      const rows = await listAliases(query.connectionId, undefined, 1_000_000);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="sku-aliases.csv"')
        .send(toCsv(['connectionId', 'sellerSku', 'itemId'], rows.map((r) => [r.connectionId, r.sellerSku, r.itemId])));
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/mappings/sku-aliases.csv',
      role: 'operator',
      tag: 'mappings',
      summary: 'Import aliases from CSV (header connectionId?,sellerSku,itemId): all rows are checked first, nothing is saved if one is bad; audited',
      consumes: 'text/csv',
      body: z.string().describe('CSV text'),
      response: z.object({ imported: z.number() }),
      statuses: { 400: 'lists every bad row and field' },
    },
    async ({ body, principal, reply }) => {
      let rows: string[][];
      try {
        rows = parseCsv(body);
      } catch (err) {
        return reply.code(400).send({ error: `CSV: ${(err as Error).message}` });
      }
      const header = (rows.shift() ?? []).map((h) => h.trim());
      const col = (name: string) => header.findIndex((h) => h.toLowerCase() === name.toLowerCase());
      const [ci, si, ii] = [col('connectionId'), col('sellerSku'), col('itemId')];
      if (si < 0 || ii < 0) return reply.code(400).send({ error: `CSV header must name sellerSku and itemId (and optionally connectionId); got: ${header.join(',') || '(empty)'}` });
      const issues: Array<{ row: number; field: string; problem: string }> = [];
      const parsed: Array<{ connectionId: string; sellerSku: string; itemId: string }> = [];
      rows.forEach((r, n) => {
        const line = n + 2;
        const connectionId = ci >= 0 && r[ci]?.trim() ? r[ci]!.trim() : ctx.connectionId;
        const sku = SKU.safeParse(r[si] ?? '');
        const item = ITEM.safeParse(r[ii] ?? '');
        if (!sku.success) issues.push({ row: line, field: 'sellerSku', problem: sku.error.issues[0]!.message });
        if (!item.success) issues.push({ row: line, field: 'itemId', problem: item.error.issues[0]!.message });
        if (sku.success && item.success) parsed.push({ connectionId, sellerSku: sku.data, itemId: item.data });
      });
      if (issues.length) return reply.code(400).send({ error: `CSV has ${issues.length} problem(s); nothing imported: ${issues.slice(0, 5).map((i) => `row ${i.row} ${i.field}: ${i.problem}`).join('; ')}`, issues });
      for (const p of parsed) await aliases.setAlias(p.connectionId, p.sellerSku, p.itemId);
      await writeAudit(ctx.store.db, { actor: principal.actor, action: 'mapping.sku-alias.import', target: 'sku_aliases', detail: { imported: parsed.length } }, ctx.clock.now());
      return { imported: parsed.length };
    },
  );

  const readOnly = z.object({ source: z.enum(['config', 'defaults']), editable: z.literal(false), note: z.string(), rules: z.unknown() });
  const rulesOf = (connectionId: string) => (ctx.mappingRules ? { source: 'config' as const, rules: ctx.mappingRules(connectionId) } : { source: 'defaults' as const, rules: DEFAULT_MAPPING_RULES });
  const ConnQuery = z.strictObject({ connectionId: CONN.optional() });
  const note = 'read-only: these rules come from configuration, not from a store table; change them in sellbridge.yaml and restart';

  routes.add(
    { method: 'GET', url: '/api/v1/mappings/carriers', role: 'viewer', tag: 'mappings', summary: 'Sage ShipMethID -> Amazon carrier, and Amazon service level -> Sage ship method (read-only)', query: ConnQuery, response: readOnly },
    async ({ query }) => {
      const r = rulesOf(query.connectionId ?? ctx.connectionId);
      return { source: r.source, editable: false, note, rules: { carriers: r.rules.carriers, shipMethods: r.rules.shipMethods } };
    },
  );
  routes.add(
    { method: 'GET', url: '/api/v1/mappings/gl-rules', role: 'viewer', tag: 'mappings', summary: 'GL accounts of charge lines and settlement postings (read-only)', query: ConnQuery, response: readOnly },
    async () => ({ source: ctx.glRules ? 'config' : 'defaults', editable: false, note, rules: ctx.glRules ? ctx.glRules() : { chargeLines: DEFAULT_CHARGE_LINES, settlementAccounts: DEFAULT_SETTLEMENT_ACCOUNTS } }),
  );
  routes.add(
    { method: 'GET', url: '/api/v1/mappings/custom-fields', role: 'viewer', tag: 'mappings', summary: 'Sage item fields -> listing attributes (read-only)', query: ConnQuery, response: readOnly },
    async () => ({ source: 'defaults', editable: false, note, rules: DEFAULT_CUSTOM_FIELD_MAP }),
  );
  routes.add(
    { method: 'GET', url: '/api/v1/mappings/customers', role: 'viewer', tag: 'mappings', summary: 'Amazon marketplace -> Sage customer and warehouse (read-only)', query: ConnQuery, response: readOnly },
    async ({ query }) => {
      const r = rulesOf(query.connectionId ?? ctx.connectionId);
      return { source: r.source, editable: false, note, rules: { customers: r.rules.customers, warehouseId: r.rules.warehouseId } };
    },
  );
}
