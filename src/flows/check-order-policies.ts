import { overlayMappingEdits, type MappingEdits } from '../core/rules/mapping-edits.ts';
import type { MappingRules } from '../core/rules/mapping-rules.ts';
import type { OrderPolicyEdit } from '../core/rules/order-policies.ts';
import { checkMappingEdit, type EditCheck, type EditCheckGateway, type EditProblem } from './check-mapping-edit.ts';

/**
 * An `order-policies` edit checked against the connection's Sage company before it is saved (issue 21): the rules the
 * connection would have run through `connections check` like every other kind (the FBA warehouse of `record-shipped`
 * exists; the TranNo prefix fits Sage's TranNo), and an FBA warehouse the row names is looked up even under `skip`
 * (the shipment poll keys on it, and turning `record-shipped` on later books there). Problems name the row's field.
 */
export async function checkOrderPolicyEdit(
  sage: EditCheckGateway,
  connectionId: string,
  base: MappingRules,
  stored: MappingEdits,
  rows: readonly object[],
): Promise<EditCheck> {
  const check = await checkMappingEdit(sage, connectionId, base, stored, 'order-policies', rows);
  const row = rows[0] as OrderPolicyEdit | undefined;
  const wanted = row?.fbaWarehouseId;
  const candidate = overlayMappingEdits(base, { ...stored, 'order-policies': rows as OrderPolicyEdit[] });
  if (!wanted || candidate.status.fba.mode === 'record-shipped') return check;
  const found = await sage.resolveWarehouses([wanted]);
  if (found.some((w) => w.warehouseId.trim().toUpperCase() === wanted.trim().toUpperCase())) return check;
  const missing: EditProblem = {
    path: 'rows[0].fbaWarehouseId',
    value: wanted,
    configPath: 'orders.fba.warehouseId',
    problem: `Sage has no warehouse ${wanted} (timWarehouse.WhseID)`,
  };
  return { ...check, problems: [...check.problems, missing] };
}
