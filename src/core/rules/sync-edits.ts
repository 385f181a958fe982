import type { PriceSheet } from '../model/inventory.ts';
import type { ListingSyncRules } from '../model/listing.ts';
import type { SettlementAccountRules } from './settlement-accounts.ts';

/**
 * A connection's sync-side rules as edited through the admin API or the dashboard (issue 21), kept in the store per
 * kind (table `connection_mappings`, next to the order mapping kinds of mapping-edits.ts) and laid over the
 * configured settings when a flow plans a run, so an edit applies on the next run without a restart:
 *
 * - `inventory`: one row, the inventory rules (warehouses summed, safety stock and percent, listed percent, cap,
 *   zero-below); a field left out keeps the configured value (`inventory.*`).
 * - `price-sheets`: one row per marketplace (price column, currency, warehouse); the stored list replaces the
 *   configured `inventory.prices` as a whole (a marketplace not listed: list price in USD from MAIN).
 * - `settlement-gl`: the bank / clearing account that receives the deposit, `*` for every currency
 *   (`settlements.bankClearingAccount`) and one row per currency with its own (`settlements.bankAccountByCurrency`,
 *   replaced as a whole when stored).
 */
export const SYNC_EDIT_KINDS = ['inventory', 'price-sheets', 'settlement-gl'] as const;
export type SyncEditKind = (typeof SYNC_EDIT_KINDS)[number];

/** The currency that stands for "every currency without its own row" (settlement-gl). */
export const ANY_CURRENCY = '*';

/** Inventory rules of a connection; a field left out keeps the configured value. */
export interface InventoryEdit {
  /** Sage WhseIDs whose available quantity is summed per item. */
  readonly warehouseIds?: readonly string[] | undefined;
  readonly safetyStock?: number | undefined;
  readonly safetyStockPercent?: number | undefined;
  /** Percent of what is left that is listed (inventory.exposePercent). */
  readonly exposePercent?: number | undefined;
  readonly maxQuantity?: number | undefined;
  readonly zeroBelow?: number | undefined;
}

export interface PriceSheetEdit {
  readonly marketplaceId: string;
  readonly priceSheet: PriceSheet;
  readonly currency: string;
  readonly warehouseId: string;
}

/** `currency` `*` is settlements.bankClearingAccount; others are per-currency clearing accounts. */
export interface SettlementGlEdit {
  readonly currency: string;
  readonly bankAccount: string;
}

export interface SyncEdits {
  /** At most one row. */
  readonly inventory?: readonly InventoryEdit[];
  readonly 'price-sheets'?: readonly PriceSheetEdit[];
  readonly 'settlement-gl'?: readonly SettlementGlEdit[];
}

export interface PriceSource {
  readonly priceSheet: PriceSheet;
  readonly currency: string;
  readonly warehouseId: string;
}

/** The listing rules with the stored inventory row laid over them (the fields it names). */
export function overlayInventoryEdit(rules: ListingSyncRules, edit: InventoryEdit | undefined): ListingSyncRules {
  if (!edit) return rules;
  return {
    ...rules,
    ...(edit.warehouseIds?.length ? { warehouseIds: [...edit.warehouseIds] } : {}),
    ...(edit.safetyStock !== undefined ? { safetyStock: edit.safetyStock } : {}),
    ...(edit.safetyStockPercent !== undefined ? { safetyStockPercent: edit.safetyStockPercent } : {}),
    ...(edit.exposePercent !== undefined ? { exposePercent: edit.exposePercent } : {}),
    ...(edit.maxQuantity !== undefined ? { maxQuantity: edit.maxQuantity } : {}),
    ...(edit.zeroBelow !== undefined ? { zeroBelow: edit.zeroBelow } : {}),
  };
}

/**
 * The price source per marketplace with the stored price sheets: a stored list replaces the configured table whole,
 * so a marketplace it does not list gets the default (list price in USD from MAIN), as with no configuration.
 */
export function overlayPriceSheets(
  configured: (marketplaceId: string) => PriceSource,
  sheets: readonly PriceSheetEdit[] | undefined,
): (marketplaceId: string) => PriceSource {
  if (!sheets?.length) return configured;
  const byMarketplace = new Map(sheets.map((s) => [s.marketplaceId, s]));
  return (marketplaceId) => {
    const s = byMarketplace.get(marketplaceId);
    return s
      ? { priceSheet: s.priceSheet, currency: s.currency, warehouseId: s.warehouseId }
      : { priceSheet: 'list', currency: 'USD', warehouseId: 'MAIN' };
  };
}

/**
 * The settlement accounts with the stored bank / clearing rows: `*` replaces the bank account (none keeps the
 * configured one); the per-currency rows replace the configured per-currency table whole (what the editor shows).
 */
export function overlaySettlementGl(
  rules: SettlementAccountRules,
  rows: readonly SettlementGlEdit[] | undefined,
): SettlementAccountRules {
  if (!rows?.length) return rules;
  const any = rows.find((r) => r.currency === ANY_CURRENCY);
  const byCurrency = rows.filter((r) => r.currency !== ANY_CURRENCY);
  return {
    ...rules,
    bankAccount: any?.bankAccount ?? rules.bankAccount,
    bankAccountByCurrency: Object.fromEntries(byCurrency.map((r) => [r.currency, r.bankAccount])),
  };
}
