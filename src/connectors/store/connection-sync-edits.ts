import { z } from 'zod';
import type { Clock } from '../../core/ports/clock.ts';
import { ANY_CURRENCY, SYNC_EDIT_KINDS, type SyncEditKind, type SyncEdits } from '../../core/rules/sync-edits.ts';
import type { Store } from '../../runtime/store/store.ts';
import {
  currency,
  MARKETPLACE,
  storeConnectionMappings,
  storedKindsOf,
  validateRowsOf,
  type EditRow,
  type StoredEdit,
} from './connection-mappings.ts';
import { pipeList, type RowIssue } from './mapping-rules.ts';

/**
 * The per-connection sync edits (inventory rules, price sheets, settlement bank accounts; src/core/rules/sync-edits.ts)
 * in table `connection_mappings` (migration 0028, one JSON list per connection and kind, versioned), shaped and
 * checked here with the rules of the config sections `inventory` and `settlements` before the admin API checks the
 * values against the Sage company and saves them.
 */

// CSV cells arrive as text; JSON rows send numbers typed.
const numberOf = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v === '' ? undefined : v);
const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .preprocess(
      numberOf,
      z.number().int('must be a whole number').min(min, `at least ${min}`).max(max, `at most ${max}`),
    )
    .optional();
const percent = z
  .preprocess(numberOf, z.number({ error: 'must be a number' }).min(0, 'at least 0').max(100, 'at most 100'))
  .optional();
const WAREHOUSE = z.string().trim().min(1, 'must not be empty').max(6, 'at most 6 characters (Sage WhseID)');
const warehouseList = pipeList(
  z.array(WAREHOUSE).min(1, 'at least one warehouse').max(50, 'at most 50 warehouses'),
).optional();
const glAccount = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'at most 100 characters (Sage GLAcctNo)')
  .regex(/^[0-9A-Za-z][0-9A-Za-z-]*$/, 'a Sage GL account number like 1050-00');

export const SYNC_ROW_SHAPES = {
  inventory: z.strictObject({
    warehouseIds: warehouseList,
    safetyStock: int(0),
    safetyStockPercent: percent,
    exposePercent: percent,
    maxQuantity: int(0),
    zeroBelow: int(0),
  }),
  'price-sheets': z.strictObject({
    marketplaceId: MARKETPLACE,
    priceSheet: z.enum(['list', 'sheet1', 'sheet2', 'sheet3', 'sheet4']),
    currency,
    warehouseId: WAREHOUSE,
  }),
  'settlement-gl': z.strictObject({
    currency: z.union([z.literal(ANY_CURRENCY), currency], {
      error: `${ANY_CURRENCY} (every currency without its own row) or an ISO 4217 code such as EUR`,
    }),
    bankAccount: glAccount,
  }),
} as const;

/** CSV columns per kind, in order (required ones first); `warehouseIds` is `|`-separated in CSV. */
export const SYNC_EDIT_COLUMNS: Record<SyncEditKind, readonly string[]> = {
  inventory: ['warehouseIds', 'safetyStock', 'safetyStockPercent', 'exposePercent', 'maxQuantity', 'zeroBelow'],
  'price-sheets': ['marketplaceId', 'priceSheet', 'currency', 'warehouseId'],
  'settlement-gl': ['currency', 'bankAccount'],
};

const KEY_OF: Record<SyncEditKind, string | undefined> = {
  inventory: undefined,
  'price-sheets': 'marketplaceId',
  'settlement-gl': 'currency',
};

export const isSyncEditKind = (kind: string): kind is SyncEditKind =>
  (SYNC_EDIT_KINDS as readonly string[]).includes(kind);

/** Every row's shape checked: all issues (1-based row, field) or the parsed rows. `firstRow` numbers the first row. */
export function validateSyncEditRows(
  kind: SyncEditKind,
  rows: readonly unknown[],
  firstRow = 1,
): { ok: true; rows: EditRow[] } | { ok: false; issues: RowIssue[] } {
  return validateRowsOf(kind, SYNC_ROW_SHAPES[kind] as z.ZodType<EditRow>, KEY_OF[kind], rows, firstRow);
}

export interface ConnectionSyncEditStore {
  /** Every stored sync kind of a connection (one indexed select): what a flow reads when it plans a run. */
  edits(connectionId: string): Promise<SyncEdits>;
  get(connectionId: string, kind: SyncEditKind): Promise<StoredEdit>;
  /** Replaces a kind's list (rows validated and checked); an empty list removes it (the configuration applies). */
  replace(connectionId: string, kind: SyncEditKind, rows: readonly EditRow[], actor: string): Promise<void>;
}

export function storeConnectionSyncEdits(store: Store, clock: Clock): ConnectionSyncEditStore {
  // The same table and versioning as the order mapping kinds; the order overlay reads only its own kinds.
  const same = storeConnectionMappings(store, clock);
  type Kind = Parameters<typeof same.get>[1];
  return {
    edits: async (connectionId) => (await storedKindsOf(store, connectionId, SYNC_EDIT_KINDS)) as SyncEdits,
    get: (connectionId, kind) => same.get(connectionId, kind as unknown as Kind),
    replace: (connectionId, kind, rows, actor) => same.replace(connectionId, kind as unknown as Kind, rows, actor),
  };
}
