import type { ResolvedConfig } from '../../config/schema.ts';
import { inventorySection } from '../../config/sections/inventory.ts';
import { settlementsSection } from '../../config/sections/settlements.ts';
import type { EditRow } from '../../connectors/store/connection-mappings.ts';
import {
  isSyncEditKind,
  storeConnectionSyncEdits,
  SYNC_EDIT_COLUMNS,
  validateSyncEditRows,
} from '../../connectors/store/connection-sync-edits.ts';
import { ROW_COLUMNS, storeMappingRules, validateRows, type RowIssue } from '../../connectors/store/mapping-rules.ts';
import {
  ANY_CURRENCY,
  SYNC_EDIT_KINDS,
  type InventoryEdit,
  type PriceSheetEdit,
  type SettlementGlEdit,
} from '../../core/rules/sync-edits.ts';
import type { EditCheck } from '../../flows/check-mapping-edit.ts';
import { checkSyncEdit, type SyncCheckGateway } from '../../flows/check-sync-edit.ts';
import type { ServerContext } from '../context.ts';

/**
 * The sync-side kinds of `GET/PUT /api/v1/connections/:id/mappings/:kind` (issue 21), registered by
 * connection-mappings.ts: `inventory` (warehouses, safety stock, listed percent, cap), `price-sheets` (price column,
 * currency and warehouse per marketplace), `settlement-gl` (bank / clearing account, per currency) in table
 * connection_mappings; `gl-rules` (settlement category -> account rules, tried before sellbridge.yaml's) and
 * `custom-fields` (Sage item fields -> Amazon attributes, replacing the configured map) in table mapping_rules, the
 * rows the older global routes (/api/v1/mappings/gl-rules, /custom-fields) edit for the served connection. The flows
 * read them when they plan a run (inventory sync, price sync, settlement import): no restart.
 */
export const SYNC_ROUTE_KINDS = [...SYNC_EDIT_KINDS, 'gl-rules', 'custom-fields'] as const;
export type SyncRouteKind = (typeof SYNC_ROUTE_KINDS)[number];

export const isSyncRouteKind = (kind: string): kind is SyncRouteKind =>
  (SYNC_ROUTE_KINDS as readonly string[]).includes(kind);

const RULE_KIND = { 'gl-rules': 'gl', 'custom-fields': 'custom-field' } as const;

export const syncRouteColumns = (kind: SyncRouteKind): readonly string[] =>
  isSyncEditKind(kind) ? SYNC_EDIT_COLUMNS[kind] : ROW_COLUMNS[RULE_KIND[kind]];

/** The rows' shapes: the sync kinds' own, the GL rules' and custom fields' as the global routes check them. */
export function shapeSyncRows(
  kind: SyncRouteKind,
  rows: readonly unknown[],
  firstRow: number,
): { ok: true; rows: EditRow[] } | { ok: false; issues: RowIssue[] } {
  if (isSyncEditKind(kind)) return validateSyncEditRows(kind, rows, firstRow);
  const r = validateRows(RULE_KIND[kind], rows, firstRow);
  return r.ok
    ? {
        ok: true,
        rows: r.rows.map((row) => Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined))),
      }
    : r;
}

/** Custom fields name Sage item fields by their fixed names (checked by shape): nothing to ask Sage. */
export const syncKindNeedsSage = (kind: SyncRouteKind): boolean => kind !== 'custom-fields';

export function checkSyncRows(
  sage: SyncCheckGateway,
  kind: SyncRouteKind,
  rows: readonly EditRow[],
): Promise<EditCheck> {
  if (kind === 'custom-fields') return Promise.resolve({ problems: [], warnings: [] });
  return checkSyncEdit(sage, kind, rows);
}

type SyncConfig = Pick<ResolvedConfig, 'inventory' | 'settlements'>;

/** The configured sections of a connection: its engine's, else the defaults (a process without engines, tests). */
function configOf(ctx: ServerContext, id: string): { config: SyncConfig; from: 'config' | 'defaults' } {
  const c = ctx.connections?.engine?.(id)?.config;
  return c
    ? { config: c, from: 'config' }
    : {
        config: { inventory: inventorySection.parse({}), settlements: settlementsSection.parse({}) },
        from: 'defaults',
      };
}

export interface SyncKinds {
  stored(
    id: string,
    kind: SyncRouteKind,
  ): Promise<{ rows: EditRow[]; version: number | null; updatedAt: string | null; updatedBy: string | null }>;
  /** The rows as they apply now (stored over the configuration) and where they come from. */
  view(id: string, kind: SyncRouteKind): Promise<{ rows: EditRow[]; source: 'store' | 'config' | 'defaults' }>;
  replace(id: string, kind: SyncRouteKind, rows: readonly EditRow[], actor: string): Promise<void>;
}

export function syncKinds(ctx: ServerContext): SyncKinds {
  const edits = storeConnectionSyncEdits(ctx.store, ctx.clock);
  const rules = storeMappingRules(ctx.store, ctx.clock);
  const self: SyncKinds = {
    async stored(id, kind) {
      if (isSyncEditKind(kind)) return edits.get(id, kind);
      const s = await rules.list(id, RULE_KIND[kind]);
      return {
        rows: s.rows as EditRow[],
        version: null,
        updatedAt: s.updatedAt ?? null,
        updatedBy: s.updatedBy ?? null,
      };
    },
    async view(id, kind) {
      const { config, from } = configOf(ctx, id);
      const stored = (await self.stored(id, kind)).rows;
      const source = stored.length ? ('store' as const) : from;
      const inv = config.inventory;
      switch (kind) {
        case 'inventory': {
          const edit = (stored[0] ?? {}) as InventoryEdit;
          const maxQuantity = edit.maxQuantity ?? inv.maxQuantity;
          return {
            source,
            rows: [
              {
                warehouseIds: [...(edit.warehouseIds ?? inv.warehouseIds)],
                safetyStock: edit.safetyStock ?? inv.safetyStock,
                safetyStockPercent: edit.safetyStockPercent ?? inv.safetyStockPercent,
                exposePercent: edit.exposePercent ?? inv.exposePercent,
                ...(maxQuantity === undefined ? {} : { maxQuantity }),
                zeroBelow: edit.zeroBelow ?? inv.zeroBelow,
              },
            ],
          };
        }
        case 'price-sheets':
          return {
            source,
            rows: stored.length
              ? stored
              : Object.entries(inv.prices).map(([marketplaceId, p]): PriceSheetEdit & EditRow => ({
                  marketplaceId,
                  priceSheet: p.priceSheet,
                  currency: p.currency,
                  warehouseId: p.warehouseId,
                })),
          };
        case 'settlement-gl': {
          const s = config.settlements;
          const rows = stored as unknown as SettlementGlEdit[];
          const any = rows.find((r) => r.currency === ANY_CURRENCY)?.bankAccount ?? s.bankClearingAccount;
          const byCurrency: EditRow[] = rows.length
            ? rows.filter((r) => r.currency !== ANY_CURRENCY).map((r) => ({ ...r }))
            : Object.entries(s.bankAccountByCurrency).map(([currency, bankAccount]) => ({ currency, bankAccount }));
          return { source, rows: [{ currency: ANY_CURRENCY, bankAccount: any }, ...byCurrency] };
        }
        case 'gl-rules':
          // Tried first; sellbridge.yaml's settlements.rules and the seeded rules follow (not repeated here).
          return { source, rows: stored };
        case 'custom-fields':
          return {
            source,
            rows: stored.length
              ? stored
              : inv.customFieldMap.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined))),
          };
      }
    },
    async replace(id, kind, rows, actor) {
      if (isSyncEditKind(kind)) await edits.replace(id, kind, rows, actor);
      else await rules.replace(id, RULE_KIND[kind], rows as never, actor);
    },
  };
  return self;
}
