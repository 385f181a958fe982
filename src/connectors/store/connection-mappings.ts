import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { CarrierRules } from '../../core/rules/carriers.ts';
import type { SkuAliases } from '../../core/rules/sku-aliases.ts';
import type { Clock } from '../../core/ports/clock.ts';
import {
  ANY,
  CHARGE_LINES,
  type MappingEditKind,
  type MappingEdits,
  MAPPING_EDIT_KINDS,
  overlayMappingEdits,
} from '../../core/rules/mapping-edits.ts';
import { prepared } from '../../runtime/store/prepared.ts';
import type { Store } from '../../runtime/store/store.ts';
import type { MappingRules } from '../../core/rules/mapping-rules.ts';
import { ORDER_POLICY_FIELDS } from '../../core/rules/order-policies.ts';
import { carrierRulesOf, mergeCarriers, rowIssuesOf, type CarrierRow, type RowIssue } from './mapping-rules.ts';
import { skuKeyOf, type SkuAliasTables } from './sku-aliases.ts';

/**
 * The per-connection order mapping edits (table `connection_mappings`, migration 0028): one JSON list of rows per
 * connection and kind, shaped and checked here (lengths are Sage's columns, as in src/config/sections/order-mapping.ts)
 * before the admin API checks the values against the Sage company and saves them.
 */
const text = (max: number, what: string) =>
  z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters (${what})`);
export const MARKETPLACE = z
  .string()
  .trim()
  .regex(/^[A-Z0-9]{10,20}$/, 'an Amazon marketplace id such as ATVPDKIKX0DER');
export const currency = z
  .string()
  .trim()
  .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD');
const glAccountNo = z
  .string()
  .trim()
  .max(100, 'at most 100 characters (Sage GLAcctNo)')
  .regex(/^([0-9A-Za-z][0-9A-Za-z-]*)?$/, 'a Sage GL account number like 4050-00')
  .optional()
  .transform((v) => (v ? v : undefined));
// CSV cells arrive as text; JSON rows send numbers typed.
const int = (min: number, max: number) =>
  z
    .preprocess(
      (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v === '' ? undefined : v),
      z.number().int('must be a whole number').min(min, `at least ${min}`).max(max, `at most ${max}`),
    )
    .optional();
const optEnum = <T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), z.enum(values).optional());

export const EDIT_ROW_SHAPES = {
  customers: z.strictObject({
    marketplaceId: MARKETPLACE,
    customerId: text(12, 'Sage CustID'),
    currency,
  }),
  warehouses: z.strictObject({
    marketplaceId: z.union([z.literal(ANY), MARKETPLACE], {
      error: `${ANY} (every other marketplace) or an Amazon marketplace id such as ATVPDKIKX0DER`,
    }),
    warehouseId: text(6, 'Sage WhseID'),
  }),
  'ship-methods': z.strictObject({
    serviceLevel: text(40, 'Amazon shipping service level, or * for the fallback'),
    shipMethodId: text(15, 'Sage ShipMethID'),
  }),
  'charge-items': z.strictObject({
    line: z.enum(CHARGE_LINES),
    itemId: text(30, 'Sage ItemID'),
    description: text(40, 'Sage line Description'),
    glAccountNo,
  }),
  policies: z.strictObject({
    promotions: optEnum(['line-discount', 'net-unit-price', 'discount-line'] as const),
    marketplaceTax: optEnum(['exclude', 'liability-line'] as const),
    sellerTax: optEnum(['tax-line', 'exclude'] as const),
    addressLines: int(1, 5),
    addressPolicy: optEnum(['fit', 'dead-letter'] as const),
  }),
  // The TranNo prefix is only trimmed here: whether it fits Sage's TranNo is the check's (422, with its value).
  'order-policies': z.strictObject({
    fbaPolicy: optEnum(['skip', 'record-shipped'] as const),
    fbaWarehouseId: z.preprocess((v) => (v === '' ? undefined : v), text(6, 'Sage WhseID').optional()),
    tranNoPrefix: z.preprocess((v) => (v === '' ? undefined : v), text(40, 'TranNo prefix').optional()),
    refunds: optEnum(['off', 'customer-return'] as const),
    fbaReturns: optEnum(['off', 'customer-return'] as const),
  }),
} as const;

/** CSV columns per kind, in order (required ones first). */
export const EDIT_COLUMNS: Record<MappingEditKind, readonly string[]> = {
  customers: ['marketplaceId', 'customerId', 'currency'],
  warehouses: ['marketplaceId', 'warehouseId'],
  'ship-methods': ['serviceLevel', 'shipMethodId'],
  'charge-items': ['line', 'itemId', 'description', 'glAccountNo'],
  policies: ['promotions', 'marketplaceTax', 'sellerTax', 'addressLines', 'addressPolicy'],
  'order-policies': ORDER_POLICY_FIELDS,
};

/** The field of a row that must be unique within the list (policies: one row at most). */
const KEY_OF: Record<MappingEditKind, string | undefined> = {
  customers: 'marketplaceId',
  warehouses: 'marketplaceId',
  'ship-methods': 'serviceLevel',
  'charge-items': 'line',
  policies: undefined,
  'order-policies': undefined,
};

export type EditRow = Record<string, unknown>;

/** Every row's shape checked: all issues (1-based row, field) or the parsed rows. `firstRow` numbers the first row. */
export function validateEditRows(
  kind: MappingEditKind,
  rows: readonly unknown[],
  firstRow = 1,
): { ok: true; rows: EditRow[] } | { ok: false; issues: RowIssue[] } {
  return validateRowsOf(kind, EDIT_ROW_SHAPES[kind] as z.ZodType<EditRow>, KEY_OF[kind], rows, firstRow);
}

/**
 * Rows of one edit kind checked against its shape: each row parsed (empty cells dropped), and either each `key`
 * value once (case-insensitive) or, for a kind without a key, one row at most. Shared by the order and sync kinds.
 */
export function validateRowsOf(
  kind: string,
  shape: z.ZodType<EditRow>,
  key: string | undefined,
  rows: readonly unknown[],
  firstRow: number,
): { ok: true; rows: EditRow[] } | { ok: false; issues: RowIssue[] } {
  const issues: RowIssue[] = [];
  const parsed: EditRow[] = [];
  // The list's row number of each parsed row (a bad row is not parsed, so indices differ).
  const rowOf: number[] = [];
  rows.forEach((row, i) => {
    const r = shape.safeParse(row);
    if (r.success) {
      parsed.push(Object.fromEntries(Object.entries(r.data).filter(([, v]) => v !== undefined && v !== '')));
      rowOf.push(i + firstRow);
    } else issues.push(...rowIssuesOf(r.error, i + firstRow));
  });
  if (key) {
    const seen = new Map<string, number>();
    parsed.forEach((r, i) => {
      const value = String(r[key]).toUpperCase();
      const before = seen.get(value);
      if (before !== undefined) issues.push({ row: rowOf[i]!, field: key, problem: `duplicate of row ${before}` });
      else seen.set(value, rowOf[i]!);
    });
  } else if (rows.length > 1) issues.push({ row: firstRow + 1, field: '(row)', problem: `${kind}: one row only` });
  return issues.length ? { ok: false, issues } : { ok: true, rows: parsed };
}

type Table = {
  connection_mappings: {
    connection_id: string;
    kind: string;
    rows_json: string;
    version: number;
    updated_at: string;
    updated_by: string;
  };
};

export interface StoredEdit {
  readonly rows: EditRow[];
  readonly version: number;
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
}

export interface ConnectionMappingStore {
  /** Every stored kind of a connection (one indexed select). */
  edits(connectionId: string): Promise<MappingEdits>;
  get(connectionId: string, kind: MappingEditKind): Promise<StoredEdit>;
  /** Replaces a kind's list (rows must be validated and checked); an empty list removes it (the configuration applies). */
  replace(connectionId: string, kind: MappingEditKind, rows: readonly EditRow[], actor: string): Promise<void>;
}

/**
 * The stored rows of a connection's kinds in `kinds`, by kind (one indexed select): the order kinds and the sync
 * kinds (connection-sync-edits.ts) share the table, each reader asks for its own.
 */
export async function storedKindsOf(
  store: Store,
  connectionId: string,
  kinds: readonly string[],
): Promise<Record<string, EditRow[]>> {
  const rows = await store.db
    .withTables<Table>()
    .selectFrom('connection_mappings')
    .select(['kind', 'rows_json'])
    .where('connection_id', '=', connectionId)
    .where('kind', 'in', [...kinds])
    .execute();
  return Object.fromEntries(rows.map((r) => [r.kind, JSON.parse(r.rows_json) as EditRow[]]));
}

export function storeConnectionMappings(store: Store, clock: Clock): ConnectionMappingStore {
  const db = store.db.withTables<Table>();
  return {
    edits: async (connectionId) => (await storedKindsOf(store, connectionId, MAPPING_EDIT_KINDS)) as MappingEdits,
    async get(connectionId, kind) {
      const r = await db
        .selectFrom('connection_mappings')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .where('kind', '=', kind)
        .executeTakeFirst();
      return r
        ? {
            rows: JSON.parse(r.rows_json) as EditRow[],
            version: Number(r.version),
            updatedAt: r.updated_at,
            updatedBy: r.updated_by,
          }
        : { rows: [], version: 0, updatedAt: null, updatedBy: null };
    },
    async replace(connectionId, kind, rows, actor) {
      const now = clock.now().toISOString();
      await store.transaction(async (tx) => {
        const t = tx.withTables<Table>();
        const before = await t
          .selectFrom('connection_mappings')
          .select('version')
          .where('connection_id', '=', connectionId)
          .where('kind', '=', kind)
          .executeTakeFirst();
        await t
          .deleteFrom('connection_mappings')
          .where('connection_id', '=', connectionId)
          .where('kind', '=', kind)
          .execute();
        if (rows.length)
          await t
            .insertInto('connection_mappings')
            .values({
              connection_id: connectionId,
              kind,
              rows_json: JSON.stringify(rows),
              version: Number(before?.version ?? 0) + 1,
              updated_at: now,
              updated_by: actor,
            })
            .execute();
      });
    },
  };
}

/** Replaces a connection's whole SKU alias list (table sku_aliases, migration 0005) in one transaction. */
export async function replaceSkuAliases(
  store: Store,
  clock: Clock,
  connectionId: string,
  rows: ReadonlyArray<{ sellerSku: string; itemId: string }>,
): Promise<void> {
  const now = clock.now().toISOString();
  await store.transaction(async (tx) => {
    const t = tx.withTables<SkuAliasTables>();
    await t.deleteFrom('sku_aliases').where('connection_id', '=', connectionId).execute();
    // In chunks: one statement's parameters stay well under SQLite's limit.
    for (let i = 0; i < rows.length; i += 500)
      await t
        .insertInto('sku_aliases')
        .values(
          rows.slice(i, i + 500).map((r) => ({
            connection_id: connectionId,
            seller_sku: r.sellerSku,
            item_id: r.itemId,
            updated_at: now,
            sku_key: skuKeyOf(r.sellerSku),
          })),
        )
        .execute();
  });
}

type MappingReadTables = Table &
  SkuAliasTables & { mapping_rules: { connection_id: string; kind: string; position: number; row_json: string } };

/** What order.sync reads of a connection's stored mapping: its carrier rows, its order edits and some aliases. */
export interface StoredOrderMapping {
  readonly carriers: CarrierRules;
  readonly edits: MappingEdits;
  readonly aliases: SkuAliases;
}

/**
 * A connection's stored carrier rows (mapping_rules, 0011, in their order), its order mapping edits
 * (connection_mappings, 0028) and, when `skus` are given, its SKU aliases any of them can match (sku_aliases by
 * `sku_key`, 0031): ONE statement (a UNION ALL of three indexed selects), so a job reads the mapping as it stands
 * when it starts, edits made by any process included, at the cost of one round trip (issue 15: a cache would need
 * invalidation across processes).
 */
/** The carriers, edits and aliases of `readOrderMapping` in one UNION ALL; the aliases only with SKU keys. */
const mappingRead = prepared((db: Kysely<MappingReadTables>, connectionId: string, ...keys: string[]) => {
  let q = db
    .selectFrom('mapping_rules')
    .select([sql.lit('carrier').as('source'), 'kind', 'position', 'row_json as body'])
    .where('connection_id', '=', connectionId)
    .where('kind', '=', 'carrier')
    .unionAll(
      db
        .selectFrom('connection_mappings')
        .select([sql.lit('edit').as('source'), 'kind', sql.lit(0).as('position'), 'rows_json as body'])
        .where('connection_id', '=', connectionId)
        .where('kind', 'in', [...MAPPING_EDIT_KINDS]),
    );
  if (keys.length > 0)
    q = q.unionAll(
      db
        .selectFrom('sku_aliases')
        .select([sql.lit('alias').as('source'), 'seller_sku as kind', sql.lit(0).as('position'), 'item_id as body'])
        .where('connection_id', '=', connectionId)
        .where('sku_key', 'in', keys),
    );
  return q.orderBy('source').orderBy('position');
});

export async function readOrderMapping(
  store: Store,
  connectionId: string,
  skus: readonly string[] = [],
): Promise<StoredOrderMapping> {
  const keys = [...new Set(skus.map(skuKeyOf))];
  // Built and compiled once per number of SKU keys (runtime/store/prepared.ts): this read runs for every order.
  const rows = await mappingRead(store.db as unknown as Kysely<MappingReadTables>, connectionId, ...keys).execute();
  const carrierRows: CarrierRow[] = [];
  const edits: Record<string, EditRow[]> = {};
  const aliases: Record<string, string> = {};
  for (const r of rows) {
    if (r.source === 'carrier') carrierRows.push(JSON.parse(r.body) as CarrierRow);
    else if (r.source === 'edit') edits[r.kind] = JSON.parse(r.body) as EditRow[];
    else aliases[r.kind] = r.body;
  }
  return { carriers: carrierRulesOf(carrierRows), edits: edits as MappingEdits, aliases };
}

/**
 * `rulesFor(connectionId)`: the connection's configured rules (`configuredFor`) overlaid with the edits stored through
 * the admin API (connection_mappings, migration 0028; carriers in mapping_rules, 0011). Read from the store each time
 * a flow asks (one statement, `readOrderMapping`), so an edit takes effect on the next job without a restart; the
 * multi-connection runtime passes each connection's configured rules.
 */
export function effectiveRulesOf(
  store: Store,
  _clock: Clock,
  configuredFor: (connectionId: string) => MappingRules,
): (connectionId: string) => Promise<MappingRules> {
  const withAliases = effectiveRulesWithAliasesOf(store, configuredFor);
  return (id) => withAliases(id, []);
}

/**
 * As `effectiveRulesOf`, with the connection's stored SKU aliases that `skus` can match laid over the configured
 * aliases (`orders.skuAliases`), as order.sync resolves an order's lines: rules and aliases in one statement, and
 * the aliases of the order's SKUs only (the whole list is read by the admin API, not per order).
 */
export function effectiveRulesWithAliasesOf(
  store: Store,
  configuredFor: (connectionId: string) => MappingRules,
): (connectionId: string, skus: readonly string[]) => Promise<MappingRules> {
  return async (id, skus) => {
    const stored = await readOrderMapping(store, id, skus);
    let rules = overlayMappingEdits(configuredFor(id), stored.edits);
    if (Object.keys(stored.carriers).length)
      rules = { ...rules, carriers: mergeCarriers(rules.carriers, stored.carriers) };
    return Object.keys(stored.aliases).length
      ? { ...rules, skuAliases: { ...rules.skuAliases, ...stored.aliases } }
      : rules;
  };
}
