import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import type { EditCheck, EditProblem } from './check-mapping-edit.ts';

/**
 * The sync-side edits of a connection checked against its Sage company before they are saved (issue 21, "nothing
 * invalid is stored"): every warehouse named (inventory rules, price sheets) must exist (timWarehouse.WhseID, as
 * `connections check` reads them), every GL account (settlement bank / clearing accounts, GL rules) must exist, be
 * active and take financial postings (validateGlAccounts, what a journal post checks). Each problem is named with
 * its row path (`rows[0].warehouseIds`), the value and what Sage has.
 */
export type SyncCheckGateway = Pick<Sage500Gateway, 'resolveWarehouses' | 'validateGlAccounts'>;

interface Ref {
  readonly path: string;
  readonly value: string;
}

/** Warehouse references: each WhseID must be one of the company's warehouses. */
export async function checkWarehouseRefs(sage: SyncCheckGateway, refs: readonly Ref[]): Promise<EditProblem[]> {
  if (!refs.length) return [];
  const ids = [...new Set(refs.map((r) => r.value))];
  const found = await sage.resolveWarehouses(ids);
  const have = new Set(found.map((w) => w.warehouseId.trim().toUpperCase()));
  return refs
    .filter((r) => !have.has(r.value.trim().toUpperCase()))
    .map((r) => ({
      path: r.path,
      value: r.value,
      problem: `Sage has no warehouse ${r.value} in this company (timWarehouse.WhseID)`,
    }));
}

/** GL account references: each must exist in tglAccount, be active and financial. */
export async function checkGlAccountRefs(sage: SyncCheckGateway, refs: readonly Ref[]): Promise<EditProblem[]> {
  if (!refs.length) return [];
  const checks = await sage.validateGlAccounts([...new Set(refs.map((r) => r.value))]);
  const byAccount = new Map(checks.map((c) => [c.account, c]));
  return refs.flatMap((r) => {
    const c = byAccount.get(r.value);
    return c && c.valid
      ? []
      : [{ path: r.path, value: r.value, problem: `Sage GL account ${r.value}: ${c?.problem ?? 'not found'}` }];
  });
}

/** The rows of a sync kind (or the GL rules), checked; no warnings (nothing here is advisory). */
export async function checkSyncEdit(
  sage: SyncCheckGateway,
  kind: 'inventory' | 'price-sheets' | 'settlement-gl' | 'gl-rules',
  rows: readonly Record<string, unknown>[],
): Promise<EditCheck> {
  const warehouses: Ref[] = [];
  const accounts: Ref[] = [];
  rows.forEach((r, i) => {
    if (kind === 'inventory' && Array.isArray(r['warehouseIds']))
      for (const w of r['warehouseIds'] as string[]) warehouses.push({ path: `rows[${i}].warehouseIds`, value: w });
    if (kind === 'price-sheets' && typeof r['warehouseId'] === 'string')
      warehouses.push({ path: `rows[${i}].warehouseId`, value: r['warehouseId'] });
    if (kind === 'settlement-gl' && typeof r['bankAccount'] === 'string')
      accounts.push({ path: `rows[${i}].bankAccount`, value: r['bankAccount'] });
    if (kind === 'gl-rules' && typeof r['account'] === 'string')
      accounts.push({ path: `rows[${i}].account`, value: r['account'] });
  });
  const problems = [...(await checkWarehouseRefs(sage, warehouses)), ...(await checkGlAccountRefs(sage, accounts))];
  return { problems, warnings: [] };
}
