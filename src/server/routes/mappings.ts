import { z } from 'zod';
import { DEFAULT_CUSTOM_FIELD_MAP } from '../../core/rules/custom-field-map.ts';
import { DEFAULT_CHARGE_LINES } from '../../core/rules/gl-accounts.ts';
import { DEFAULT_MAPPING_RULES } from '../../core/rules/mapping-rules.ts';
import { DEFAULT_SETTLEMENT_ACCOUNTS, type SettlementAccountRules } from '../../core/rules/settlement-accounts.ts';
import {
  normaliseShipMethId,
  ROW_COLUMNS,
  storeMappingRules,
  validateRows,
  type MappingRuleKind,
  type RowIssue,
} from '../../connectors/store/mapping-rules.ts';
import { deleteSkuAlias, listSkuAliases, storeSkuAliases } from '../../connectors/store/sku-aliases.ts';
import { effectiveRulesOf, storeConnectionMappings } from '../../connectors/store/connection-mappings.ts';
import { overlayMappingEdits } from '../../core/rules/mapping-edits.ts';
import { writeAudit } from '../../runtime/audit.ts';
import type { ServerContext } from '../context.ts';
import { csvRowsOrProblem, toCsv } from '../csv.ts';
import { Limit } from './audit.ts';

const SKU = z.string().trim().min(1, 'must not be empty').max(40, 'at most 40 characters (Amazon SellerSKU)');
const ITEM = z.string().trim().min(1, 'must not be empty').max(30, 'at most 30 characters (Sage ItemID)');
const CONN = z.string().trim().min(1).max(100);

const Alias = z.object({
  id: z.string().describe('`<connectionId>:<sellerSku>`; URL-encode it in paths'),
  connectionId: z.string(),
  sellerSku: z.string(),
  itemId: z.string(),
  updatedAt: z.string(),
});

const aliasId = (connectionId: string, sellerSku: string) => `${connectionId}:${sellerSku}`;

/** Mapping tables: SKU aliases, carriers, GL rules and custom fields live in the store (editable, CSV); customers as they apply now (edited per connection in connection-mappings.ts). */
export function registerMappingRoutes(ctx: ServerContext): void {
  const { routes } = ctx;
  const aliases = storeSkuAliases(ctx.store, ctx.clock);

  const listAliases = async (connectionId: string | undefined, q: string | undefined, limit: number) => {
    const rows = await listSkuAliases(ctx.store, {
      limit,
      ...(connectionId ? { connectionId } : {}),
      ...(q ? { q } : {}),
    });
    return rows.map((r) => ({
      id: aliasId(r.connection_id, r.seller_sku),
      connectionId: r.connection_id,
      sellerSku: r.seller_sku,
      itemId: r.item_id,
      updatedAt: r.updated_at,
    }));
  };

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/mappings/sku-aliases',
      role: 'viewer',
      tag: 'mappings',
      summary: 'SellerSKU -> Sage ItemID aliases',
      query: z.strictObject({
        connectionId: CONN.optional(),
        q: z.string().max(100).optional().describe('Part of a SellerSKU or ItemID'),
        limit: Limit(500, 10000),
      }),
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
      await writeAudit(
        ctx.store.db,
        {
          actor: principal.actor,
          action: 'mapping.sku-alias.set',
          target: `sku_alias:${aliasId(connectionId, body.sellerSku)}`,
          detail: { itemId: body.itemId },
        },
        ctx.clock.now(),
      );
      const [alias] = await listAliases(connectionId, undefined, 1_000_000).then((all) =>
        all.filter((a) => a.sellerSku === body.sellerSku),
      );
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
      params: z.strictObject({
        id: z
          .string()
          .min(3)
          .max(200)
          .regex(/^[^:]+:.+$/, 'must be <connectionId>:<sellerSku>'),
      }),
      response: z.object({ ok: z.literal(true) }),
      statuses: { 404: 'no such alias' },
    },
    async ({ params, principal, reply }) => {
      const at = params.id.indexOf(':');
      const connectionId = params.id.slice(0, at);
      const sellerSku = params.id.slice(at + 1);
      if (!(await deleteSkuAlias(ctx.store, connectionId, sellerSku)))
        return reply.code(404).send({ error: `no alias for SellerSKU ${sellerSku} on connection ${connectionId}` });
      await writeAudit(
        ctx.store.db,
        { actor: principal.actor, action: 'mapping.sku-alias.delete', target: `sku_alias:${params.id}` },
        ctx.clock.now(),
      );
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
        .send(
          toCsv(
            ['connectionId', 'sellerSku', 'itemId'],
            rows.map((r) => [r.connectionId, r.sellerSku, r.itemId]),
          ),
        );
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/mappings/sku-aliases.csv',
      role: 'operator',
      tag: 'mappings',
      summary:
        'Import aliases from CSV (header connectionId?,sellerSku,itemId): all rows are checked first, nothing is saved if one is bad; audited',
      consumes: 'text/csv',
      body: z.string().describe('CSV text'),
      response: z.object({ imported: z.number() }),
      statuses: { 400: 'lists every bad row and field' },
    },
    async ({ body, principal, reply }) => {
      const csv = csvRowsOrProblem(body);
      if (csv.problem) return reply.code(400).send(csv.problem);
      const rows = csv.rows;
      const header = (rows.shift() ?? []).map((h) => h.trim());
      const col = (name: string) => header.findIndex((h) => h.toLowerCase() === name.toLowerCase());
      const [ci, si, ii] = [col('connectionId'), col('sellerSku'), col('itemId')];
      if (si < 0 || ii < 0)
        return reply.code(400).send({
          error: `CSV header must name sellerSku and itemId (and optionally connectionId); got: ${headerText(header)}`,
          issues: [{ row: 1, field: si < 0 ? 'sellerSku' : 'itemId', problem: 'missing from the header' }],
        });
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
      if (issues.length)
        return reply.code(400).send({
          ...badRows(issues),
          error: `CSV has ${issues.length} problem(s); nothing imported: ${issues
            .slice(0, 5)
            .map((i) => `row ${i.row} ${i.field}: ${i.problem}`)
            .join('; ')
            .slice(0, 2000)}`,
        });
      for (const p of parsed) await aliases.setAlias(p.connectionId, p.sellerSku, p.itemId);
      await writeAudit(
        ctx.store.db,
        {
          actor: principal.actor,
          action: 'mapping.sku-alias.import',
          target: 'sku_aliases',
          detail: { imported: parsed.length },
        },
        ctx.clock.now(),
      );
      return { imported: parsed.length };
    },
  );

  const rulesOf = (connectionId: string) =>
    ctx.mappingRules
      ? { source: 'config' as const, rules: ctx.mappingRules(connectionId) }
      : { source: 'defaults' as const, rules: DEFAULT_MAPPING_RULES };
  const ConnQuery = z.strictObject({ connectionId: CONN.optional() });
  const note =
    'the rules that apply now: sellbridge.yaml (orders.customers, orders.warehouseId) with the edits saved through PUT /api/v1/connections/:id/mappings/customers and /warehouses laid over it (checked against Sage before they are saved, used by the next order without a restart); edit them there or in the dashboard';
  const effective = effectiveRulesOf(ctx.store, ctx.clock, (id) => rulesOf(id).rules);
  const edits = storeConnectionMappings(ctx.store, ctx.clock);

  registerEditableRules(
    ctx,
    'carrier',
    'carriers',
    'Sage ShipMethID -> Amazon carrierCode/shippingMethod',
    async (connectionId) => {
      const r = rulesOf(connectionId);
      return {
        source: r.source,
        rows: Object.entries(r.rules.carriers).map(([shipMethId, c]) => ({ shipMethId, ...c })),
        // The ship methods that apply now (edited per connection in connection-mappings.ts, or configured).
        extra: { shipMethods: overlayMappingEdits(r.rules, await edits.edits(connectionId)).shipMethods },
        merge: (stored, base) => {
          const ids = new Set(stored.map((x) => normaliseShipMethId(String(x.shipMethId))));
          return base.filter((b) => !ids.has(normaliseShipMethId(String(b.shipMethId))));
        },
      };
    },
  );
  registerEditableRules(
    ctx,
    'gl',
    'gl-rules',
    'Settlement transaction/amount type/description -> GL account',
    async (id) => {
      const gl = (
        ctx.glRules
          ? ctx.glRules()
          : { chargeLines: DEFAULT_CHARGE_LINES, settlementAccounts: DEFAULT_SETTLEMENT_ACCOUNTS }
      ) as { chargeLines?: unknown; settlementAccounts?: SettlementAccountRules };
      const accounts = gl.settlementAccounts ?? DEFAULT_SETTLEMENT_ACCOUNTS;
      return {
        source: ctx.glRules ? 'config' : 'defaults',
        rows: accounts.rules.map((x) => ({ ...x })),
        extra: {
          // The order lines' charge items and accounts are the order mapping's (orders.chargeLines).
          chargeLines: ctx.mappingRules
            ? overlayMappingEdits(rulesOf(id).rules, await edits.edits(id)).pricing.lines
            : gl.chargeLines,
          bankAccount: accounts.bankAccount,
          suspenseAccount: accounts.suspenseAccount ?? null,
        },
        merge: (_stored, base) => base,
      };
    },
  );
  registerEditableRules(
    ctx,
    'custom-field',
    'custom-fields',
    'Sage item fields -> Amazon listing attributes',
    async () => ({
      source: 'defaults',
      rows: DEFAULT_CUSTOM_FIELD_MAP.map((x) => ({ ...x })),
      extra: {
        note: 'A stored map replaces the configured inventory.customFieldMap as a whole; the rows marked defaults are the demo map, in effect only where configured.',
      },
      merge: (stored, base) => (stored.length ? [] : base),
    }),
  );
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/mappings/customers',
      role: 'viewer',
      tag: 'mappings',
      summary:
        'Amazon marketplace -> Sage customer and warehouse as they apply now (edit: PUT /api/v1/connections/:id/mappings/customers, /warehouses)',
      query: ConnQuery,
      response: z.object({
        source: z.enum(['store', 'config', 'defaults']),
        editable: z.literal(true),
        note: z.string(),
        rules: z.unknown(),
      }),
    },
    async ({ query }) => {
      const id = query.connectionId ?? ctx.connectionId;
      const [rules, stored] = await Promise.all([effective(id), edits.edits(id)]);
      const edited = !!(stored.customers?.length || stored.warehouses?.length);
      return {
        source: edited ? ('store' as const) : rulesOf(id).source,
        editable: true as const,
        note,
        rules: {
          customers: rules.customers,
          warehouseId: rules.warehouseId,
          warehouseByMarketplace: rules.warehouseByMarketplace ?? {},
        },
      };
    },
  );
}

type Row = Record<string, unknown>;
interface BaseRules {
  readonly source: 'config' | 'defaults';
  readonly rows: Row[];
  readonly extra: Record<string, unknown>;
  /** The base rows still in effect next to the stored ones. */
  readonly merge: (stored: Row[], base: Row[]) => Row[];
}

const CONN_Q = z.strictObject({ connectionId: z.string().trim().min(1).max(100).optional() });
/** A refused import: at most 100 issues listed (with the count), each text cut, so the answer stays bounded. */
const badRows = (issues: RowIssue[]) => ({
  error: `${issues.length} problem(s); nothing saved: ${issues
    .slice(0, 5)
    .map((i) => `row ${i.row} ${i.field}: ${i.problem}`)
    .join('; ')
    .slice(0, 2000)}`,
  issues: issues.slice(0, 100).map((i) => ({ ...i, field: cut(i.field, 100), problem: cut(i.problem, 500) })),
  issueCount: issues.length,
});
const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}...` : text);
/** A CSV header as echoed in an error: cut, so a 1 MiB one-line body is not answered back. */
const headerText = (header: readonly string[]) => cut(header.join(','), 200) || '(empty)';

/**
 * GET (effective rules, each with its source), PUT (replace the stored list), GET .csv and POST .csv (all-or-nothing)
 * for one editable kind. Stored rows come first; the flows read them per job (no restart needed).
 */
function registerEditableRules(
  ctx: ServerContext,
  kind: MappingRuleKind,
  slug: string,
  what: string,
  base: (connectionId: string) => Promise<BaseRules>,
): void {
  const { routes } = ctx;
  const stored = storeMappingRules(ctx.store, ctx.clock);
  const columns = ROW_COLUMNS[kind];
  const url = `/api/v1/mappings/${slug}`;
  const save = async (connectionId: string, rows: unknown[], actor: string, firstRow: number, via: string) => {
    const v = validateRows(kind, rows, firstRow);
    if (!v.ok) return v;
    await stored.replace(connectionId, kind, v.rows, actor);
    await writeAudit(
      ctx.store.db,
      {
        actor,
        action: `mapping.${kind}.${via}`,
        target: `mapping_rules:${connectionId}:${kind}`,
        detail: { rows: v.rows.length },
      },
      ctx.clock.now(),
    );
    return v;
  };

  routes.add(
    {
      method: 'GET',
      url,
      role: 'viewer',
      tag: 'mappings',
      summary: `${what}: effective rules in the order they are tried, each with its source (store = edited here, config or defaults)`,
      query: CONN_Q,
      response: z.object({
        connectionId: z.string(),
        source: z.enum(['store', 'config', 'defaults']),
        editable: z.literal(true),
        note: z.string(),
        stored: z.object({
          rows: z.array(z.record(z.string(), z.unknown())),
          updatedAt: z.string().nullable(),
          updatedBy: z.string().nullable(),
        }),
        rules: z.unknown(),
      }),
    },
    async ({ query }) => {
      const connectionId = query.connectionId ?? ctx.connectionId;
      const b = await base(connectionId);
      const s = await stored.list(connectionId, kind);
      const storedRows = s.rows as Row[];
      const effective = [
        ...storedRows.map((r) => ({ ...r, source: 'store' })),
        ...b.merge(storedRows, b.rows).map((r) => ({ ...r, source: b.source })),
      ];
      return {
        connectionId,
        source: storedRows.length ? 'store' : b.source,
        editable: true,
        note: `Stored rows (PUT ${url} or POST ${url}.csv) are tried before the ${b.source} ones and take effect on the next job, without a restart.`,
        stored: { rows: storedRows, updatedAt: s.updatedAt ?? null, updatedBy: s.updatedBy ?? null },
        rules: {
          [kind === 'carrier' ? 'carriers' : kind === 'gl' ? 'settlementRules' : 'fields']: effective,
          ...b.extra,
        },
      };
    },
  );

  routes.add(
    {
      method: 'PUT',
      url,
      role: 'operator',
      tag: 'mappings',
      summary: `Replace the stored ${slug} of a connection (an empty list returns to the ${'configured/default'} rules); all rows are checked first; audited`,
      query: CONN_Q,
      body: z.strictObject({ rows: z.array(z.record(z.string(), z.unknown())).max(5000) }),
      response: z.object({ saved: z.number() }),
      statuses: { 400: 'lists every bad row (1-based) and field' },
    },
    async ({ query, body, principal, reply }) => {
      const r = await save(query.connectionId ?? ctx.connectionId, body.rows, principal.actor, 1, 'replace');
      if (!r.ok) return reply.code(400).send(badRows(r.issues));
      return { saved: r.rows.length };
    },
  );

  routes.add(
    {
      method: 'GET',
      url: `${url}.csv`,
      role: 'viewer',
      tag: 'mappings',
      summary: `Stored ${slug} as CSV (${columns.join(',')}) for a spreadsheet; with \`effective=true\` the configured/default rows follow (import keeps them all as stored rows)`,
      query: z.strictObject({
        connectionId: z.string().trim().min(1).max(100).optional(),
        effective: z.enum(['true', 'false']).optional(),
      }),
      produces: 'text/csv',
    },
    async ({ query, reply }) => {
      const connectionId = query.connectionId ?? ctx.connectionId;
      const s = (await stored.list(connectionId, kind)).rows as Row[];
      const b = await base(connectionId);
      const rows = query.effective === 'true' ? [...s, ...b.merge(s, b.rows)] : s;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${slug}.csv"`)
        .send(
          toCsv(
            columns,
            rows.map((r) =>
              columns.map((c) =>
                r[c] === undefined || r[c] === null
                  ? ''
                  : Array.isArray(r[c])
                    ? (r[c] as unknown[]).join('|')
                    : String(r[c]),
              ),
            ),
          ),
        );
    },
  );

  routes.add(
    {
      method: 'POST',
      url: `${url}.csv`,
      role: 'operator',
      tag: 'mappings',
      summary: `Import ${slug} from CSV (header ${columns.join(',')}): replaces the stored list; all rows are checked first, nothing is saved if one is bad; audited`,
      query: CONN_Q,
      consumes: 'text/csv',
      body: z.string().describe('CSV text'),
      response: z.object({ imported: z.number() }),
      statuses: { 400: 'lists every bad row (CSV line number) and field' },
    },
    async ({ query, body, principal, reply }) => {
      const csv = csvRowsOrProblem(body);
      if (csv.problem) return reply.code(400).send(csv.problem);
      const rows = csv.rows;
      const header = (rows.shift() ?? []).map((h) => h.trim());
      const idx = header.map((h) => columns.find((c) => c.toLowerCase() === h.toLowerCase()));
      const unknown = header.filter((_, i) => !idx[i]);
      if (unknown.length || !header.length)
        return reply.code(400).send({
          error: `CSV header must use only ${columns.join(',')}; got: ${headerText(header)}`,
          issues: [{ row: 1, field: cut(unknown[0] ?? '(header)', 100), problem: 'unknown column' }],
        });
      const extra = rows.findIndex((r) => r.slice(header.length).some((c) => c.trim() !== ''));
      if (extra >= 0)
        return reply
          .code(400)
          .send(
            badRows([
              { row: extra + 2, field: '(row)', problem: `more cells than the ${header.length} header columns` },
            ]),
          );
      const objects = rows.map((r) =>
        Object.fromEntries(
          idx.flatMap((c, i) => (c && (r[i] ?? '').trim() !== '' ? [[c, r[i]!.replace(/^'(?=[=+\-@])/, '')]] : [])),
        ),
      );
      const r = await save(query.connectionId ?? ctx.connectionId, objects, principal.actor, 2, 'import');
      if (!r.ok) return reply.code(400).send(badRows(r.issues));
      return { imported: r.rows.length };
    },
  );
}
