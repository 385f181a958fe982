import { z } from 'zod';
import {
  EDIT_COLUMNS,
  effectiveRulesOf,
  replaceSkuAliases,
  storeConnectionMappings,
  validateEditRows,
  type EditRow,
} from '../../connectors/store/connection-mappings.ts';
import {
  ROW_COLUMNS,
  rowIssuesOf,
  storeMappingRules,
  validateRows,
  type RowIssue,
} from '../../connectors/store/mapping-rules.ts';
import { listSkuAliases } from '../../connectors/store/sku-aliases.ts';
import { ANY, CHARGE_LINES, MAPPING_EDIT_KINDS } from '../../core/rules/mapping-edits.ts';
import { DEFAULT_MAPPING_RULES, type MappingRules } from '../../core/rules/mapping-rules.ts';
import {
  checkAliasEdit,
  checkCarrierEdit,
  checkMappingEdit,
  type EditCheck,
  type EditCheckGateway,
} from '../../flows/check-mapping-edit.ts';
import { checkOrderPolicyEdit } from '../../flows/check-order-policies.ts';
import { checkPriceSheetRows } from '../../flows/check-sync-edit.ts';
import { orderPolicyRow, prefixTakenProblem } from '../../core/rules/order-policies.ts';
import { writeAudit } from '../../runtime/audit.ts';
import type { ServerContext } from '../context.ts';
import type { Sage500Gateway } from '../../core/ports/sage500-gateway.ts';
import { csvRowsOrProblem, toCsv } from '../csv.ts';
import {
  checkSyncRows,
  isSyncRouteKind,
  shapeSyncRows,
  syncKinds,
  syncKindNeedsSage,
  syncRouteColumns,
  SYNC_ROUTE_KINDS,
  type SyncRouteKind,
} from './connection-sync-kinds.ts';

/**
 * A connection's order mapping as editable data (issue 21): `GET/PUT /api/v1/connections/:id/mappings/:kind`, JSON or
 * CSV (`Accept: text/csv` to read, `Content-Type: text/csv` to write). A PUT replaces the kind's stored list; its
 * shape is checked, then its values against the connection's Sage company through the gateway (customers with their
 * currency, warehouses, ship methods, charge items and GL accounts; SKU aliases' items; carriers' ship methods; the
 * order policies' FBA warehouse and TranNo prefix):
 * any problem answers 422 with each one named (`rows[i].field`, the value, what Sage has) and nothing is stored.
 * Saved edits are audited and used by the flows from the next job on (`rulesFor(connectionId)`).
 */
export const CONNECTION_MAPPING_KINDS = [
  ...MAPPING_EDIT_KINDS,
  'carriers',
  'sku-aliases',
  ...SYNC_ROUTE_KINDS,
] as const;
export type ConnectionMappingKind = (typeof CONNECTION_MAPPING_KINDS)[number];

const ALIAS_COLUMNS = ['sellerSku', 'itemId'] as const;
const AliasRow = z.strictObject({
  sellerSku: z.string().trim().min(1, 'must not be empty').max(40, 'at most 40 characters (Amazon SellerSKU)'),
  itemId: z.string().trim().min(1, 'must not be empty').max(30, 'at most 30 characters (Sage ItemID)'),
});

const columnsOf = (kind: ConnectionMappingKind): readonly string[] =>
  isSyncRouteKind(kind)
    ? syncRouteColumns(kind)
    : kind === 'carriers'
      ? ROW_COLUMNS.carrier
      : kind === 'sku-aliases'
        ? ALIAS_COLUMNS
        : EDIT_COLUMNS[kind];

/** The rows of a kind as they apply now (stored edits over the configuration), in the editor's columns. */
function effectiveRows(
  kind: Exclude<ConnectionMappingKind, SyncRouteKind>,
  rules: MappingRules,
  aliases: Record<string, string>,
): EditRow[] {
  switch (kind) {
    case 'customers':
      return Object.entries(rules.customers).map(([marketplaceId, c]) => ({
        marketplaceId,
        customerId: c.customerId,
        currency: c.currency,
      }));
    case 'warehouses':
      return [
        { marketplaceId: ANY, warehouseId: rules.warehouseId },
        ...Object.entries(rules.warehouseByMarketplace ?? {}).map(([marketplaceId, warehouseId]) => ({
          marketplaceId,
          warehouseId,
        })),
      ];
    case 'ship-methods':
      return [
        ...Object.entries(rules.shipMethods.byServiceLevel).map(([serviceLevel, shipMethodId]) => ({
          serviceLevel,
          shipMethodId,
        })),
        ...(rules.shipMethods.fallback ? [{ serviceLevel: ANY, shipMethodId: rules.shipMethods.fallback }] : []),
      ];
    case 'charge-items':
      return CHARGE_LINES.flatMap((line) => {
        const l = rules.pricing.lines[line];
        return l
          ? [
              {
                line,
                itemId: l.itemId,
                description: l.description,
                ...(l.glAccountNo ? { glAccountNo: l.glAccountNo } : {}),
              },
            ]
          : [];
      });
    case 'policies':
      return [
        {
          promotions: rules.pricing.promotions,
          marketplaceTax: rules.pricing.marketplaceTax,
          sellerTax: rules.pricing.sellerTax,
          addressLines: rules.addressLines,
          addressPolicy: rules.addressPolicy,
        },
      ];
    case 'order-policies':
      return [orderPolicyRow(rules)];
    case 'carriers':
      return Object.entries(rules.carriers).map(([shipMethId, c]) => ({ shipMethId, ...c }));
    case 'sku-aliases':
      return Object.entries({ ...rules.skuAliases, ...aliases }).map(([sellerSku, itemId]) => ({ sellerSku, itemId }));
  }
}

const Params = z.strictObject({
  id: z.string().min(1).max(100),
  kind: z.enum(CONNECTION_MAPPING_KINDS),
});
const ConnParams = z.strictObject({ id: z.string().min(1).max(100) });
const Problem = z.object({
  path: z.string(),
  value: z.string(),
  configPath: z.string().optional(),
  problem: z.string(),
});
const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}...` : text);

export function registerConnectionMappingRoutes(ctx: ServerContext): void {
  const { routes } = ctx;
  const edits = storeConnectionMappings(ctx.store, ctx.clock);
  const carriers = storeMappingRules(ctx.store, ctx.clock);
  const sync = syncKinds(ctx); // inventory, price-sheets, settlement-gl, gl-rules, custom-fields
  // A connection's own engine (several per process, issue 21) has its own configured mapping and Sage company.
  const engineOf = (id: string) => ctx.connections?.engine?.(id);
  const configured = (id: string) =>
    engineOf(id)?.orders.rules ?? (ctx.mappingRules ? ctx.mappingRules(id) : DEFAULT_MAPPING_RULES);
  const rulesFor = effectiveRulesOf(ctx.store, ctx.clock, configured);
  const known = (id: string) => !!engineOf(id) || (ctx.connectionIds?.() ?? [ctx.connectionId]).includes(id);
  const notFound = (id: string) => ({
    error: `no connection ${cut(id, 100)}: this process serves ${(ctx.connectionIds?.() ?? [ctx.connectionId]).join(', ')}`,
    code: 'SB_CONNECTION_NOT_FOUND',
    issues: [{ in: 'path', field: 'id', problem: 'not a connection of this process' }],
  });
  const storedAliases = async (id: string) =>
    Object.fromEntries(
      (await listSkuAliases(ctx.store, { connectionId: id, limit: 1_000_000 })).map((r) => [r.seller_sku, r.item_id]),
    );

  /** What is stored for a kind (its rows, version, who and when). */
  const storedOf = async (id: string, kind: ConnectionMappingKind) => {
    if (isSyncRouteKind(kind)) return sync.stored(id, kind);
    if (kind === 'carriers') {
      const s = await carriers.list(id, 'carrier');
      return {
        rows: s.rows as EditRow[],
        version: null,
        updatedAt: s.updatedAt ?? null,
        updatedBy: s.updatedBy ?? null,
      };
    }
    if (kind === 'sku-aliases') {
      const rows = await listSkuAliases(ctx.store, { connectionId: id, limit: 1_000_000 });
      return {
        rows: rows.map((r) => ({ sellerSku: r.seller_sku, itemId: r.item_id })),
        version: null,
        updatedAt:
          rows
            .map((r) => r.updated_at)
            .sort()
            .pop() ?? null,
        updatedBy: null,
      };
    }
    return edits.get(id, kind);
  };

  const view = async (id: string, kind: ConnectionMappingKind) => {
    if (isSyncRouteKind(kind)) {
      const [v, stored] = await Promise.all([sync.view(id, kind), sync.stored(id, kind)]);
      return { connectionId: id, kind, columns: [...columnsOf(kind)], source: v.source, stored, rows: v.rows };
    }
    const [rules, aliases, stored] = await Promise.all([
      rulesFor(id),
      kind === 'sku-aliases' ? storedAliases(id) : Promise.resolve({}),
      storedOf(id, kind),
    ]);
    return {
      connectionId: id,
      kind,
      columns: [...columnsOf(kind)],
      source: stored.rows.length ? ('store' as const) : ctx.mappingRules ? ('config' as const) : ('defaults' as const),
      stored,
      rows: effectiveRows(kind, rules, aliases),
    };
  };

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/connections/:id/mappings',
      role: 'viewer',
      tag: 'mappings',
      summary:
        "A connection's order mapping as it applies now (sellbridge.yaml overlaid with the edits stored here), every kind",
      params: ConnParams,
      response: z.object({ connectionId: z.string(), kinds: z.array(z.unknown()) }),
      statuses: { 404: 'no such connection (SB_CONNECTION_NOT_FOUND)' },
    },
    async ({ params, reply }) => {
      if (!known(params.id)) return reply.code(404).send(notFound(params.id));
      const kinds = [];
      for (const kind of CONNECTION_MAPPING_KINDS) kinds.push(await view(params.id, kind));
      return { connectionId: params.id, kinds };
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/connections/:id/mappings/:kind',
      role: 'viewer',
      tag: 'mappings',
      summary:
        "One kind of a connection's order mapping: the rows that apply now and what is stored; `Accept: text/csv` gives the rows as CSV (the columns a PUT takes)",
      params: Params,
      response: z.object({
        connectionId: z.string(),
        kind: z.string(),
        columns: z.array(z.string()),
        source: z.enum(['store', 'config', 'defaults']),
        stored: z.object({
          rows: z.array(z.record(z.string(), z.unknown())),
          version: z.number().nullable(),
          updatedAt: z.string().nullable(),
          updatedBy: z.string().nullable(),
        }),
        rows: z.array(z.record(z.string(), z.unknown())),
      }),
      statuses: { 404: 'no such connection (SB_CONNECTION_NOT_FOUND)' },
    },
    async ({ params, req, reply }) => {
      if (!known(params.id)) return reply.code(404).send(notFound(params.id));
      const v = await view(params.id, params.kind);
      if (!/text\/csv/i.test(String(req.headers.accept ?? ''))) return v;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${params.id}-${params.kind}.csv"`)
        .send(
          toCsv(
            v.columns,
            // A list cell (inventory warehouseIds, custom-field allowed) is `|`-separated, as a PUT reads it.
            v.rows.map((r) =>
              v.columns.map((c) =>
                r[c] === undefined || r[c] === null ? '' : Array.isArray(r[c]) ? r[c].join('|') : String(r[c]),
              ),
            ),
          ),
        );
    },
  );

  routes.add(
    {
      method: 'PUT',
      url: '/api/v1/connections/:id/mappings/:kind',
      role: 'operator',
      tag: 'mappings',
      summary:
        "Replace one kind of a connection's stored mapping (JSON `{rows}`, or CSV with `Content-Type: text/csv` and the GET columns as header); an empty list returns to sellbridge.yaml. Rows are checked, then their values against the Sage company: 422 names each problem and nothing is stored; audited; used from the next job on",
      params: Params,
      body: z.union([z.strictObject({ rows: z.array(z.unknown()).max(10_000) }), z.string().max(5_000_000)]),
      response: z.object({
        connectionId: z.string(),
        kind: z.string(),
        saved: z.number(),
        warnings: z.array(Problem),
      }),
      statuses: {
        404: 'no such connection (SB_CONNECTION_NOT_FOUND)',
        409: 'no Sage gateway in this process to check the edit against (SB_API_REFUSED)',
        422: 'the values do not match the Sage company; each problem named (SB_MAP_EDIT_INVALID), nothing stored',
      },
    },
    async ({ params, body, req, principal, reply }) => {
      if (!known(params.id)) return reply.code(404).send(notFound(params.id));
      const { id, kind } = params;
      const csv = /text\/csv/i.test(String(req.headers['content-type'] ?? ''));
      let input: unknown[];
      let firstRow = 1;
      if (typeof body === 'string') {
        if (!csv)
          return reply.code(400).send({
            error: 'body: send {"rows": [...]} as JSON, or CSV with Content-Type text/csv',
            code: 'SB_API_REQUEST_INVALID',
            issues: [{ in: 'body', field: 'rows', problem: 'required' }],
          });
        const parsed = csvObjects(body, columnsOf(kind));
        if ('problem' in parsed) return reply.code(400).send(parsed.problem);
        input = parsed.rows;
        firstRow = 2;
      } else input = body.rows;

      const shaped = shapeRows(kind, input, firstRow);
      if (!shaped.ok) return reply.code(400).send(badRows(shaped.issues, csv));
      const rows = shaped.rows;

      let check: EditCheck = { problems: [], warnings: [] };
      if (rows.length && !(isSyncRouteKind(kind) && !syncKindNeedsSage(kind))) {
        const sage = gatewayOf(engineOf(id)?.sage ?? (id === ctx.connectionId ? ctx.sage : undefined));
        if (!sage)
          return reply.code(409).send({
            error: `cannot check ${kind} of connection ${id}: this process has no Sage gateway; nothing saved`,
            code: 'SB_API_REFUSED',
          });
        check = isSyncRouteKind(kind)
          ? await checkSyncRows(sage, kind, rows)
          : kind === 'sku-aliases'
            ? await checkAliasEdit(sage, rows as Array<{ sellerSku: string; itemId: string }>)
            : kind === 'carriers'
              ? await checkCarrierEdit(sage, rows as Array<{ shipMethId: string }>)
              : kind === 'order-policies'
                ? await checkOrderPolicyEdit(sage, id, configured(id), await edits.edits(id), rows)
                : await checkMappingEdit(sage, id, configured(id), await edits.edits(id), kind, rows);
      }
      const prefix =
        kind === 'order-policies' ? (rows[0] as { tranNoPrefix?: string } | undefined)?.tranNoPrefix : undefined;
      const holder = prefix ? await ctx.connections?.tranNoPrefixHolder?.(id, prefix) : undefined;
      if (prefix && holder)
        check = {
          ...check,
          problems: [
            ...check.problems,
            {
              path: 'rows[0].tranNoPrefix',
              value: prefix,
              configPath: 'sage500.tranNoPrefix',
              problem: prefixTakenProblem(prefix, holder),
            },
          ],
        };
      if (kind === 'price-sheets' && rows.length) {
        // The marketplaces the connection sells in and its customers' currencies (no Sage call).
        const marketplaceIds =
          engineOf(id)?.config?.amazon?.marketplaceIds ??
          (await ctx.connections?.list())?.find((c) => c.id === id)?.marketplaceIds ??
          [];
        const own = checkPriceSheetRows(rows, marketplaceIds, (await rulesFor(id)).customers);
        check = { ...check, problems: [...own, ...check.problems] };
      }
      if (check.problems.length)
        return reply.code(422).send({
          error: `${check.problems.length} problem(s) with Sage company; nothing saved: ${check.problems
            .slice(0, 5)
            .map((p) => `${p.path} = ${p.value}: ${p.problem}`)
            .join('; ')
            .slice(0, 2000)}`,
          code: 'SB_MAP_EDIT_INVALID',
          problems: check.problems.slice(0, 200),
          issues: check.problems.slice(0, 200).map((p) => ({ in: 'body', field: p.path, problem: p.problem })),
        });

      const before = (await storedOf(id, kind)).rows.length;
      if (isSyncRouteKind(kind)) await sync.replace(id, kind, rows, principal.actor);
      else if (kind === 'carriers') await carriers.replace(id, 'carrier', rows as never, principal.actor);
      else if (kind === 'sku-aliases')
        await replaceSkuAliases(ctx.store, ctx.clock, id, rows as Array<{ sellerSku: string; itemId: string }>);
      else await edits.replace(id, kind, rows, principal.actor);
      await writeAudit(
        ctx.store.db,
        {
          actor: principal.actor,
          action: `connection.mapping.${kind}.replace`,
          target: `connection:${id}:mappings:${kind}`,
          // What was saved (mapping data, no buyer data or secrets), the first 50 rows, so the log shows the change.
          detail: {
            rows: rows.length,
            before,
            via: csv ? 'csv' : 'json',
            warnings: check.warnings.length,
            saved: rows.slice(0, 50),
          },
        },
        ctx.clock.now(),
      );
      return { connectionId: id, kind, saved: rows.length, warnings: check.warnings };
    },
  );
}

/** The runtime's gateway when it can answer the mapping check (the admin API of a test may have none). */
function gatewayOf(s: ServerContext['sage'] | Sage500Gateway | undefined): EditCheckGateway | undefined {
  return s?.resolveCustomers &&
    s.resolveWarehouses &&
    s.resolveShipMethods &&
    s.resolveItems &&
    s.listItems &&
    s.validateGlAccounts
    ? (s as EditCheckGateway)
    : undefined;
}

function shapeRows(
  kind: ConnectionMappingKind,
  rows: readonly unknown[],
  firstRow: number,
): { ok: true; rows: EditRow[] } | { ok: false; issues: RowIssue[] } {
  if (isSyncRouteKind(kind)) return shapeSyncRows(kind, rows, firstRow);
  if (kind === 'carriers') {
    const r = validateRows('carrier', rows, firstRow);
    return r.ok ? { ok: true, rows: r.rows as unknown as EditRow[] } : r;
  }
  if (kind === 'sku-aliases') {
    const issues: RowIssue[] = [];
    const parsed: EditRow[] = [];
    const seen = new Map<string, number>();
    rows.forEach((row, i) => {
      const r = AliasRow.safeParse(row);
      if (!r.success) {
        issues.push(...rowIssuesOf(r.error, i + firstRow));
        return;
      }
      const before = seen.get(r.data.sellerSku);
      if (before !== undefined)
        issues.push({ row: i + firstRow, field: 'sellerSku', problem: `duplicate of row ${before}` });
      else seen.set(r.data.sellerSku, i + firstRow);
      parsed.push(r.data);
    });
    return issues.length ? { ok: false, issues } : { ok: true, rows: parsed };
  }
  return validateEditRows(kind, rows, firstRow);
}

/** A refused list: at most 100 issues (with the count), each cut, so the answer stays bounded. */
function badRows(issues: RowIssue[], csv: boolean) {
  const where = csv ? 'line' : 'row';
  return {
    error: `${issues.length} problem(s); nothing saved: ${issues
      .slice(0, 5)
      .map((i) => `${where} ${i.row} ${i.field}: ${i.problem}`)
      .join('; ')
      .slice(0, 2000)}`,
    code: 'SB_API_REQUEST_INVALID',
    issues: issues.slice(0, 100).map((i) => ({ ...i, field: cut(i.field, 100), problem: cut(i.problem, 500) })),
    issueCount: issues.length,
  };
}

/** CSV text as row objects by the kind's columns (header on line 1; formula-escaped cells unescaped). */
function csvObjects(
  body: string,
  columns: readonly string[],
): { rows: Record<string, string>[] } | { problem: Record<string, unknown> } {
  const csv = csvRowsOrProblem(body);
  if (csv.problem) return { problem: { ...csv.problem, code: 'SB_API_BODY_INVALID' } };
  const rows = csv.rows;
  const header = (rows.shift() ?? []).map((h) => h.trim());
  const idx = header.map((h) => columns.find((c) => c.toLowerCase() === h.toLowerCase()));
  const unknown = header.filter((_, i) => !idx[i]);
  if (unknown.length || !header.length)
    return {
      problem: {
        error: `CSV header (line 1) must use only ${columns.join(',')}; got: ${cut(header.join(','), 200) || '(empty)'}`,
        code: 'SB_API_REQUEST_INVALID',
        issues: [{ row: 1, field: cut(unknown[0] ?? '(header)', 100), problem: 'unknown column' }],
      },
    };
  const extra = rows.findIndex((r) => r.slice(header.length).some((c) => c.trim() !== ''));
  if (extra >= 0)
    return {
      problem: badRows(
        [{ row: extra + 2, field: '(row)', problem: `more cells than the ${header.length} header columns` }],
        true,
      ),
    };
  return {
    rows: rows.map((r) =>
      Object.fromEntries(
        idx.flatMap((c, i) => (c && (r[i] ?? '').trim() !== '' ? [[c, r[i]!.replace(/^'(?=[=+\-@])/, '')]] : [])),
      ),
    ),
  };
}
