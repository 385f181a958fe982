import type { SageDb } from './db.ts';

export function selectWarehouses(db: SageDb, companyId: string, warehouseIds: readonly string[]) {
  return db
    .selectFrom('timWarehouse')
    .select(['WhseKey', 'WhseID', 'Description'])
    .where('CompanyID', '=', companyId)
    .where('WhseID', 'in', warehouseIds)
    .orderBy('WhseID');
}
