import type { MappingRules, OrderReturnMode } from './mapping-rules.ts';

/**
 * The `order-policies` mapping edit of a connection (issue 21): which orders, refunds and returns reach its Sage
 * company and how its orders are numbered there. One row at most; a field left out keeps the configured value.
 * Its own kind, not part of `policies`: those shape an order's lines (tax, promotions, address), these decide what
 * is booked at all and are read by flows beyond the order mapping (the shipment poll, settlements, FBA returns).
 */
export interface OrderPolicyEdit {
  /** orders.fba.policy */
  readonly fbaPolicy?: 'skip' | 'record-shipped' | undefined;
  /** orders.fba.warehouseId */
  readonly fbaWarehouseId?: string | undefined;
  /** sage500.tranNoPrefix */
  readonly tranNoPrefix?: string | undefined;
  /** orders.refunds */
  readonly refunds?: OrderReturnMode | undefined;
  /** orders.fbaReturns */
  readonly fbaReturns?: OrderReturnMode | undefined;
}

export const ORDER_POLICY_FIELDS = ['fbaPolicy', 'fbaWarehouseId', 'tranNoPrefix', 'refunds', 'fbaReturns'] as const;

/** Each field's place in sellbridge.yaml. */
export const ORDER_POLICY_CONFIG_PATHS: Record<(typeof ORDER_POLICY_FIELDS)[number], string> = {
  fbaPolicy: 'orders.fba.policy',
  fbaWarehouseId: 'orders.fba.warehouseId',
  tranNoPrefix: 'sage500.tranNoPrefix',
  refunds: 'orders.refunds',
  fbaReturns: 'orders.fbaReturns',
};

/** The FBA warehouse when neither the configuration nor an edit names one (orders.fba.warehouseId's default). */
const DEFAULT_FBA_WAREHOUSE = 'FBA';

/** The FBA warehouse of `rules`: its own, else the record-shipped policy's, else the default. */
export function fbaWarehouseOf(rules: MappingRules): string {
  const fba = rules.status.fba;
  return rules.fbaWarehouseId ?? (fba.mode === 'record-shipped' ? fba.warehouseId : DEFAULT_FBA_WAREHOUSE);
}

/** `rules` with the row's fields laid over them; no row, or an empty one, leaves `rules`. */
export function overlayOrderPolicies(rules: MappingRules, row: OrderPolicyEdit | undefined): MappingRules {
  if (!row || !ORDER_POLICY_FIELDS.some((f) => row[f] !== undefined)) return rules;
  const warehouseId = row.fbaWarehouseId ?? fbaWarehouseOf(rules);
  const mode = row.fbaPolicy ?? rules.status.fba.mode;
  return {
    ...rules,
    status: {
      ...rules.status,
      fba: mode === 'record-shipped' ? { mode, warehouseId } : { mode: 'skip' },
    },
    fbaWarehouseId: warehouseId,
    ...(row.tranNoPrefix ? { tranNoPrefix: row.tranNoPrefix } : {}),
    ...(row.refunds ? { refunds: row.refunds } : {}),
    ...(row.fbaReturns ? { fbaReturns: row.fbaReturns } : {}),
  };
}

/** The one row the editor shows: the order policies as they apply now. */
export function orderPolicyRow(rules: MappingRules): Record<string, string> {
  return {
    fbaPolicy: rules.status.fba.mode,
    fbaWarehouseId: fbaWarehouseOf(rules),
    ...(rules.tranNoPrefix ? { tranNoPrefix: rules.tranNoPrefix } : {}),
    refunds: rules.refunds ?? 'off',
    fbaReturns: rules.fbaReturns ?? 'off',
  };
}

/**
 * Sage's TranNo is varchar(10): Sellbridge's numbers are the prefix and the zero-padded sequence, so the prefix is one
 * to three capital letters (seven digits left), as sage500.tranNoPrefix. The problem, or undefined when it fits.
 */
export function tranNoPrefixProblem(prefix: string): string | undefined {
  return /^[A-Z]{1,3}$/.test(prefix)
    ? undefined
    : "must be one to three capital letters, so prefix and sequence fit Sage's TranNo (varchar(10)) as sage500.tranNoPrefix";
}

/**
 * The row field behind a `connections check` problem at `configPath` (`rows[0].fbaWarehouseId`), or undefined when the
 * value is not from the row. A missing FBA warehouse is the row's when it names it, or turns `record-shipped` on.
 */
export function orderPolicyPathOf(rows: readonly object[], configPath: string): string | undefined {
  const row = rows[0] as OrderPolicyEdit | undefined;
  if (!row) return undefined;
  if (configPath === 'orders.fba.warehouseId') {
    if (row.fbaWarehouseId !== undefined) return 'rows[0].fbaWarehouseId';
    if (row.fbaPolicy === 'record-shipped') return 'rows[0].fbaPolicy';
    return undefined;
  }
  const field = ORDER_POLICY_FIELDS.find((f) => ORDER_POLICY_CONFIG_PATHS[f] === configPath);
  return field && row[field] !== undefined ? `rows[0].${field}` : undefined;
}

/** Why a TranNo prefix another connection holds in the same Sage company is refused (bootstrap/tran-no-prefixes.ts). */
export const prefixTakenProblem = (prefix: string, holder: string): string =>
  `TranNo prefix ${prefix} is connection ${holder}'s in the same Sage company: each connection keeps its own TranNo counter, so two with one prefix would reserve the same sales order numbers; give this one another prefix`;
