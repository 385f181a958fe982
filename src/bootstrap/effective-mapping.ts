import { existsSync } from 'node:fs';
import type { ResolvedConfig } from '../config/schema.ts';
import { inventorySection } from '../config/sections/inventory.ts';
import { settlementsSection } from '../config/sections/settlements.ts';
import { effectiveRulesOf } from '../connectors/store/connection-mappings.ts';
import { storeConnectionSyncEdits } from '../connectors/store/connection-sync-edits.ts';
import { storeMappingRules } from '../connectors/store/mapping-rules.ts';
import type { MappingRules } from '../core/rules/mapping-rules.ts';
import { ANY_CURRENCY, overlaySettlementGl, type SyncEdits } from '../core/rules/sync-edits.ts';
import type { SettlementAccountRule } from '../core/rules/settlement-accounts.ts';
import type { SyncRefs } from '../flows/check-mapping.ts';
import { systemClock } from '../runtime/clock.ts';
import { migrationLevel } from '../runtime/store/migration-level.ts';
import { openStore, parseStoreUrl, type Store } from '../runtime/store/store.ts';
import { connectionRulesFromConfig } from './order-policies.ts';

/** What `sellbridge connections check` judges: the order mapping and the sync side's references. */
export interface EffectiveMapping {
  readonly rules: MappingRules;
  readonly sync: SyncRefs;
}

/**
 * A connection's mapping as the flows will use it, for `sellbridge connections check` and the check `sellbridge run`
 * does at start (issue 21): sellbridge.yaml with the edits stored through the admin API laid over it, so the check
 * judges what will apply. Opens the store read-only when none is given; a store without migration 0028 (made before
 * mapping edits existed, or not migrated yet) has no edits, and the configuration alone applies. Read-only. The
 * order mapping and the sync side's references, read in one store visit.
 */
export async function effectiveCheckOf(
  config: ResolvedConfig,
  connectionId: string,
  given?: Store,
): Promise<EffectiveMapping> {
  const configured = connectionRulesFromConfig(config);
  const noEdits = { rules: configured, sync: syncRefsOf(config, {}, []) };
  // No store file yet: nothing was ever edited (and a check must not create one).
  const { dialect, path } = parseStoreUrl(config.store.url);
  if (!given && dialect === 'sqlite' && (path === ':memory:' || !existsSync(path))) return noEdits;
  const store = given ?? openStore(config.store);
  try {
    const level = await migrationLevel(store);
    if (!level.applied.includes('0028-connection-mappings')) return noEdits;
    const rules = await effectiveRulesOf(store, systemClock, () => configured)(connectionId);
    const edits = await storeConnectionSyncEdits(store, systemClock).edits(connectionId);
    const glRules = await storeMappingRules(store, systemClock).glRules(connectionId);
    return { rules, sync: syncRefsOf(config, edits, glRules) };
  } finally {
    if (!given) await store.close();
  }
}

type Ref = SyncRefs['warehouses'][number];

const SETTLEMENT_ACCOUNT_KEYS = [
  'accountingModel',
  'receivableAccount',
  'receivableAccountByCurrency',
  'cashApplication',
  'bankClearingAccount',
  'bankAccountByCurrency',
  'suspenseAccount',
  'rules',
] as const;

/**
 * Settlements are used when they run on a schedule (`settlements.enabled`), when sellbridge.yaml sets one of their
 * accounts (or the accounting model) to other than the defaults, or when a settlement-gl or gl-rules edit is stored.
 * Otherwise their accounts are the placeholder chart's and are not judged (a connection that never books settlements
 * need not have them).
 */
function settlementsUsed(config: ResolvedConfig, edits: SyncEdits, glRules: readonly SettlementAccountRule[]): boolean {
  const s = config.settlements;
  if (s.enabled || (edits['settlement-gl']?.length ?? 0) > 0 || glRules.length > 0) return true;
  const defaults = settlementsSection.parse({});
  return SETTLEMENT_ACCOUNT_KEYS.some((k) => JSON.stringify(s[k]) !== JSON.stringify(defaults[k]));
}

/**
 * Likewise the inventory side: judged when the sync runs on a schedule (`inventory.enabled`), when sellbridge.yaml
 * sets its warehouses or price sheets, or when an inventory or price-sheets edit is stored; otherwise the default
 * warehouse MAIN is not asked of a company that may not have it (a connection that never syncs listings).
 */
function inventoryUsed(config: ResolvedConfig, edits: SyncEdits): boolean {
  const i = config.inventory;
  if (i.enabled || (edits.inventory?.[0]?.warehouseIds?.length ?? 0) > 0 || (edits['price-sheets']?.length ?? 0) > 0)
    return true;
  const defaults = inventorySection.parse({});
  return (['warehouseIds', 'prices'] as const).some((k) => JSON.stringify(i[k]) !== JSON.stringify(defaults[k]));
}

/**
 * The sync side's Sage references of a connection, each by its sellbridge.yaml path (a stored edit's value keeps the
 * path of the setting it replaces and says where it comes from):
 * - when the inventory sync is used: `inventory.warehouseIds.<i>`, the warehouses summed (the stored `inventory`
 *   edit's list replaces them), and `inventory.prices.<marketplace>.warehouseId`, each price sheet's warehouse (the
 *   stored `price-sheets` list replaces the table whole);
 * - when settlements are used: `settlements.bankClearingAccount`, `settlements.bankAccountByCurrency.<cur>` (the
 *   stored `settlement-gl` rows over them), `settlements.rules.<i>.account` and the stored GL rules
 *   (`gl-rules.<i>.account`), `settlements.suspenseAccount`, under `invoiced-orders` the receivable accounts
 *   (`settlements.receivableAccount`, `settlements.receivableAccountByCurrency.<cur>`) or, with cash applied in
 *   Sage, `settlements.cashApplication.clearingAccount`. The seeded rules' placeholder chart is not judged.
 */
export function syncRefsOf(
  config: ResolvedConfig,
  edits: SyncEdits,
  glRules: readonly SettlementAccountRule[],
): SyncRefs {
  const inv = config.inventory;
  const warehouses: Ref[] = [];
  if (inventoryUsed(config, edits)) pushInventoryRefs(inv, edits, warehouses);
  return {
    warehouses,
    glAccounts: settlementsUsed(config, edits, glRules) ? settlementRefs(config, edits, glRules) : [],
  };
}

function pushInventoryRefs(inv: ResolvedConfig['inventory'], edits: SyncEdits, warehouses: Ref[]): void {
  const storedWarehouses = edits.inventory?.[0]?.warehouseIds;
  if (storedWarehouses?.length)
    storedWarehouses.forEach((w, i) =>
      warehouses.push({ path: `inventory.warehouseIds.${i}`, value: w, from: 'the stored inventory edit' }),
    );
  else inv.warehouseIds.forEach((w, i) => warehouses.push({ path: `inventory.warehouseIds.${i}`, value: w }));
  const sheets = edits['price-sheets'];
  if (sheets?.length)
    for (const s of sheets)
      warehouses.push({
        path: `inventory.prices.${s.marketplaceId}.warehouseId`,
        value: s.warehouseId,
        from: 'the stored price-sheets edit',
      });
  else
    for (const [mp, p] of Object.entries(inv.prices))
      warehouses.push({ path: `inventory.prices.${mp}.warehouseId`, value: p.warehouseId });
}

function settlementRefs(config: ResolvedConfig, edits: SyncEdits, glRules: readonly SettlementAccountRule[]): Ref[] {
  const glAccounts: Ref[] = [];
  const s = config.settlements;
  // The bank accounts as the import will use them: the stored settlement-gl rows laid over sellbridge.yaml's.
  const bank = edits['settlement-gl'];
  const from = bank?.length ? { from: 'the stored settlement-gl edit' } : {};
  const effective = overlaySettlementGl(
    { bankAccount: s.bankClearingAccount, bankAccountByCurrency: s.bankAccountByCurrency, rules: [] },
    bank,
  );
  glAccounts.push({
    path: 'settlements.bankClearingAccount',
    value: effective.bankAccount,
    ...(bank?.some((r) => r.currency === ANY_CURRENCY) ? from : {}),
  });
  for (const [cur, account] of Object.entries(effective.bankAccountByCurrency ?? {}))
    glAccounts.push({ path: `settlements.bankAccountByCurrency.${cur}`, value: account, ...from });
  glRules.forEach((r, i) =>
    glAccounts.push({ path: `gl-rules.${i}.account`, value: r.account, from: 'the stored gl-rules edit' }),
  );
  s.rules.forEach((r, i) => glAccounts.push({ path: `settlements.rules.${i}.account`, value: r.account }));
  if (s.suspenseAccount) glAccounts.push({ path: 'settlements.suspenseAccount', value: s.suspenseAccount });
  if (s.accountingModel === 'invoiced-orders') {
    if (s.cashApplication.enabled)
      glAccounts.push({
        path: 'settlements.cashApplication.clearingAccount',
        value: s.cashApplication.clearingAccount,
      });
    else {
      glAccounts.push({ path: 'settlements.receivableAccount', value: s.receivableAccount });
      for (const [cur, account] of Object.entries(s.receivableAccountByCurrency))
        glAccounts.push({ path: `settlements.receivableAccountByCurrency.${cur}`, value: account });
    }
  }
  return glAccounts;
}
