import type { SageDb } from './db.ts';

/** Sage's own stock view is the recommended source for "available" (facts §2.4, recipe §7c). */
export function selectStock(
  db: SageDb,
  companyId: string,
  itemIds: readonly string[],
  warehouseIds: readonly string[],
) {
  return db
    .selectFrom('vdvStockStatus')
    .select(['ItemID', 'WhseID', 'QtyOnHand', 'QtyAvailable'])
    .where('CompanyID', '=', companyId)
    .where('ItemID', 'in', itemIds)
    .where('WhseID', 'in', warehouseIds)
    .orderBy('ItemID')
    .orderBy('WhseID');
}
