import { z } from 'zod';
import type { Clock } from '../../core/ports/clock.ts';
import type { CarrierRules } from '../../core/rules/carriers.ts';
import type { CustomFieldMap, SageItemField } from '../../core/rules/custom-field-map.ts';
import { settlementAccountRuleOf, type SettlementAccountRule } from '../../core/rules/settlement-accounts.ts';
import type { Store } from '../../runtime/store/store.ts';

/**
 * Operator-edited mapping rules (table `mapping_rules`, migration 0011): per connection an ordered list
 * of rows per kind, validated here with the shapes of the core rule types before they are saved. The flows put
 * these rows before the configured / default rules (a stored carrier replaces the default of the same ShipMethID;
 * stored GL rules are tried before the configured ones, first match wins).
 */
export const MAPPING_RULE_KINDS = ['carrier', 'gl', 'custom-field'] as const;
export type MappingRuleKind = (typeof MAPPING_RULE_KINDS)[number];

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);
const optText = (max: number) => z.string().trim().max(max, `at most ${max} characters`).optional();

/** One carrier row: Sage ShipMethID (varchar(15)) -> Amazon CarrierCode (+ carrierName when `Other`, shippingMethod). */
export const CarrierRow = z
  .strictObject({ shipMethId: text(15), carrierCode: text(60), carrierName: optText(60), shippingMethod: optText(100) })
  .refine((r) => r.carrierCode.toLowerCase() !== 'other' || !!r.carrierName, {
    message: 'required when carrierCode is Other',
    path: ['carrierName'],
  });
export type CarrierRow = z.infer<typeof CarrierRow>;

/** One settlement GL rule (SettlementAccountRule): `*` matches anything. */
export const GlRow = z.strictObject({
  transactionType: text(100),
  amountType: text(100),
  amountDescription: text(100),
  account: text(100).regex(/^[0-9A-Za-z][0-9A-Za-z-]*$/, 'must be a Sage GL account number like 4000-00'),
  label: text(50),
  marketplace: optText(50),
  currency: z
    .string()
    .trim()
    .regex(/^[A-Z]{3}$/, 'must be a 3-letter currency code')
    .optional(),
});
export type GlRow = z.infer<typeof GlRow>;

// CSV cells arrive as text: numbers, booleans and `|`-separated lists are read from it (JSON rows send them typed).
const num = (schema: z.ZodNumber) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v), schema).optional();
const bool = z
  .preprocess(
    (v) =>
      typeof v === 'string'
        ? /^(true|yes|1)$/i.test(v.trim())
          ? true
          : /^(false|no|0)$/i.test(v.trim())
            ? false
            : v
        : v,
    z.boolean(),
  )
  .optional();
/** A list cell: a JSON array, or in CSV the values separated by `|`. */
export const pipeList = <T extends z.ZodType>(list: T) =>
  z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split('|')
            .map((x) => x.trim())
            .filter(Boolean)
        : v,
    list,
  );
const list = pipeList(z.array(z.string().min(1)).min(1)).optional();

/** One custom-field row (CustomFieldMapping), same rules as config `inventory.customFieldMap`. */
export const CustomFieldRow = z.strictObject({
  source: z
    .string()
    .trim()
    .regex(/^(ShortDesc|LongDesc|UPC|Weight|UserFld[1-9])$/, 'must be ShortDesc, LongDesc, UPC, Weight or UserFld1..9'),
  attribute: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]*$/, 'must be a top-level Amazon attribute name (e.g. item_name)'),
  kind: z.enum(['text', 'number', 'weight', 'upc', 'enum']),
  required: bool,
  maxLength: num(z.number().int('must be a whole number').positive('must be positive')),
  allowed: list,
  unit: optText(20),
  min: num(z.number()),
  max: num(z.number()),
});
export type CustomFieldRow = z.infer<typeof CustomFieldRow>;

export const ROW_SHAPES = { carrier: CarrierRow, gl: GlRow, 'custom-field': CustomFieldRow } as const;
/** CSV columns per kind, in order (required ones first). */
export const ROW_COLUMNS: Record<MappingRuleKind, readonly string[]> = {
  carrier: ['shipMethId', 'carrierCode', 'carrierName', 'shippingMethod'],
  gl: ['transactionType', 'amountType', 'amountDescription', 'account', 'label', 'marketplace', 'currency'],
  'custom-field': ['source', 'attribute', 'kind', 'required', 'maxLength', 'allowed', 'unit', 'min', 'max'],
};

export interface RowIssue {
  /** 1-based row number of the list (for CSV: the line number, header = line 1). */
  readonly row: number;
  readonly field: string;
  readonly problem: string;
}

type RowOf<K extends MappingRuleKind> = K extends 'carrier' ? CarrierRow : K extends 'gl' ? GlRow : CustomFieldRow;

/** A row's shape errors as row issues: the field by its path (unknown keys named, bounded), else `(row)`. */
export function rowIssuesOf(error: z.ZodError, row: number): RowIssue[] {
  return error.issues.map((issue) => ({
    row,
    field:
      issue.path.map(String).join('.') ||
      (issue.code === 'unrecognized_keys' ? issue.keys.join(',').slice(0, 100) : '(row)'),
    problem: issue.message,
  }));
}

/** Checks every row; returns all issues (row number and field) or the parsed rows. `firstRow` numbers the first row. */
export function validateRows<K extends MappingRuleKind>(
  kind: K,
  rows: readonly unknown[],
  firstRow = 1,
): { ok: true; rows: Array<RowOf<K>> } | { ok: false; issues: RowIssue[] } {
  const shape = ROW_SHAPES[kind];
  const issues: RowIssue[] = [];
  const parsed: Array<RowOf<K>> = [];
  rows.forEach((row, i) => {
    const r = shape.safeParse(row);
    if (r.success) parsed.push(r.data as RowOf<K>);
    else issues.push(...rowIssuesOf(r.error, i + firstRow));
  });
  if (kind === 'custom-field') {
    const seen = new Map<string, number>();
    parsed.forEach((r, i) => {
      const row = r as CustomFieldRow;
      if (row.kind === 'enum' && !row.allowed)
        issues.push({
          row: i + firstRow,
          field: 'allowed',
          problem: 'required when kind is enum (values separated by |)',
        });
      if (row.kind === 'weight' && !row.unit)
        issues.push({
          row: i + firstRow,
          field: 'unit',
          problem: 'required when kind is weight (pounds, kilograms, ounces, grams)',
        });
      if (seen.has(row.attribute))
        issues.push({ row: i + firstRow, field: 'attribute', problem: `duplicate of row ${seen.get(row.attribute)}` });
      else seen.set(row.attribute, i + firstRow);
    });
  }
  if (kind === 'carrier') {
    const seen = new Map<string, number>();
    parsed.forEach((r, i) => {
      const key = normaliseShipMethId((r as CarrierRow).shipMethId);
      if (seen.has(key))
        issues.push({ row: i + firstRow, field: 'shipMethId', problem: `duplicate of row ${seen.get(key)}` });
      else seen.set(key, i + firstRow);
    });
  }
  return issues.length ? { ok: false, issues } : { ok: true, rows: parsed };
}

/** The carrier lookup ignores case and whitespace (carrier-code.ts); two ids equal under it are duplicates. */
export const normaliseShipMethId = (id: string) => id.replace(/\s+/g, ' ').trim().toUpperCase();

type MappingRulesTable = {
  mapping_rules: {
    connection_id: string;
    kind: string;
    position: number;
    row_json: string;
    updated_at: string;
    updated_by: string;
  };
};

export interface StoredRules<R> {
  readonly rows: R[];
  readonly updatedAt?: string;
  readonly updatedBy?: string;
}

export interface MappingRulesStore {
  list<K extends MappingRuleKind>(connectionId: string, kind: K): Promise<StoredRules<RowOf<K>>>;
  /** Replaces a kind's whole list in one transaction (rows must be validated). */
  replace<K extends MappingRuleKind>(
    connectionId: string,
    kind: K,
    rows: ReadonlyArray<RowOf<K>>,
    actor: string,
  ): Promise<void>;
  /** Stored carrier rows as CarrierRules (empty when none). */
  carriers(connectionId: string): Promise<CarrierRules>;
  /** Stored custom-field map (empty when none). */
  customFields(connectionId: string): Promise<CustomFieldMap>;
  /** Stored GL rows as settlement account rules, in their order (empty when none). */
  glRules(connectionId: string): Promise<SettlementAccountRule[]>;
}

export function storeMappingRules(store: Store, clock: Clock): MappingRulesStore {
  const db = store.db.withTables<MappingRulesTable>();
  const self: MappingRulesStore = {
    async list(connectionId, kind) {
      const rows = await db
        .selectFrom('mapping_rules')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .where('kind', '=', kind)
        .orderBy('position')
        .execute();
      const last = rows.reduce<(typeof rows)[number] | undefined>(
        (a, r) => (!a || r.updated_at > a.updated_at ? r : a),
        undefined,
      );
      return {
        rows: rows.map((r) => JSON.parse(r.row_json)),
        ...(last ? { updatedAt: last.updated_at, updatedBy: last.updated_by } : {}),
      };
    },
    async replace(connectionId, kind, rows, actor) {
      const now = clock.now().toISOString();
      await store.transaction(async (tx) => {
        const t = tx.withTables<MappingRulesTable>();
        await t
          .deleteFrom('mapping_rules')
          .where('connection_id', '=', connectionId)
          .where('kind', '=', kind)
          .execute();
        if (rows.length)
          await t
            .insertInto('mapping_rules')
            .values(
              rows.map((r, i) => ({
                connection_id: connectionId,
                kind,
                position: i,
                row_json: JSON.stringify(r),
                updated_at: now,
                updated_by: actor,
              })),
            )
            .execute();
      });
    },
    async carriers(connectionId) {
      return carrierRulesOf((await self.list(connectionId, 'carrier')).rows);
    },
    async customFields(connectionId) {
      const { rows } = await self.list(connectionId, 'custom-field');
      return rows.map((r) => ({ ...r, source: r.source as SageItemField }));
    },
    async glRules(connectionId) {
      const { rows } = await self.list(connectionId, 'gl');
      return rows.map(settlementAccountRuleOf);
    },
  };
  return self;
}

/** Stored carrier rows as CarrierRules, keyed by ShipMethID (a later row of the same id wins). */
export function carrierRulesOf(rows: readonly CarrierRow[]): CarrierRules {
  return Object.fromEntries(
    rows.map((r) => [
      r.shipMethId,
      {
        carrierCode: r.carrierCode,
        ...(r.carrierName ? { carrierName: r.carrierName } : {}),
        ...(r.shippingMethod ? { shippingMethod: r.shippingMethod } : {}),
      },
    ]),
  );
}

/** Stored carriers first: a stored ShipMethID replaces the base entry with the same id (ignoring case/spaces). */
export function mergeCarriers(base: CarrierRules, stored: CarrierRules): CarrierRules {
  const overridden = new Set(Object.keys(stored).map(normaliseShipMethId));
  return {
    ...stored,
    ...Object.fromEntries(Object.entries(base).filter(([k]) => !overridden.has(normaliseShipMethId(k)))),
  };
}
