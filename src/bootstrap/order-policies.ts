import type { ResolvedConfig } from '../config/schema.ts';
import { storeConnectionMappings } from '../connectors/store/connection-mappings.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { MappingRules, OrderReturnMode } from '../core/rules/mapping-rules.ts';
import type { OrderPolicyEdit } from '../core/rules/order-policies.ts';
import type { Store } from '../runtime/store/store.ts';
import { mappingRulesFromConfig } from './mapping.ts';

/**
 * A connection's configured rules: its order mapping (mappingRulesFromConfig) and its order policies as
 * sellbridge.yaml sets them (`orders.fba.warehouseId`, `sage500.tranNoPrefix`, `orders.refunds`,
 * `orders.fbaReturns`), which an `order-policies` edit replaces field by field (core/rules/order-policies.ts).
 */
export function connectionRulesFromConfig(config: Pick<ResolvedConfig, 'orders' | 'sage500'>): MappingRules {
  return {
    ...mappingRulesFromConfig(config.orders),
    fbaWarehouseId: config.orders.fba.warehouseId,
    tranNoPrefix: config.sage500.tranNoPrefix,
    refunds: config.orders.refunds,
    fbaReturns: config.orders.fbaReturns,
  };
}

/**
 * The refunds and FBA returns modes of the connection `connectionId` as they stand now: its stored `order-policies`
 * edit (one indexed select), else `configured`. Read where the flows run (a settlement's import, each FBA returns
 * poll), so an edit applies from the next run without a restart.
 */
export function returnModesOf(
  store: Store,
  clock: Clock,
  connectionId: string,
  configured: { readonly refunds: OrderReturnMode; readonly fbaReturns: OrderReturnMode },
): { refunds(): Promise<OrderReturnMode>; fbaReturns(): Promise<OrderReturnMode> } {
  const edits = storeConnectionMappings(store, clock);
  const row = async () => (await edits.get(connectionId, 'order-policies')).rows[0] as OrderPolicyEdit | undefined;
  return {
    refunds: async () => (await row())?.refunds ?? configured.refunds,
    fbaReturns: async () => (await row())?.fbaReturns ?? configured.fbaReturns,
  };
}
