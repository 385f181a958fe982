import type { SageDb } from './db.ts';
import { LANGUAGE_ID } from './db.ts';

/** Item details for items of one company; `by` picks ItemID, alias (timItemAlias) or UPC (timItemUnitOfMeas). */
export function selectItems(db: SageDb, companyId: string, by: 'item-id' | 'alias' | 'upc', values: readonly string[]) {
  let q = db
    .selectFrom('timItem as i')
    .leftJoin('timItemDescription as d', (j) => j.onRef('d.ItemKey', '=', 'i.ItemKey').on('d.LanguageID', '=', LANGUAGE_ID))
    .leftJoin('tciUnitMeasure as u', 'u.UnitMeasKey', 'i.StockUnitMeasKey')
    .leftJoin('timItemUnitOfMeas as iu', (j) => j.onRef('iu.ItemKey', '=', 'i.ItemKey').onRef('iu.TargetUnitMeasKey', '=', 'i.StockUnitMeasKey'))
    .where('i.CompanyID', '=', companyId);
  if (by === 'alias') {
    q = q.innerJoin('timItemAlias as a', (j) => j.onRef('a.ItemKey', '=', 'i.ItemKey').on('a.CompanyID', '=', companyId)).where('a.ItemAliasID', 'in', values);
  } else if (by === 'upc') {
    q = q.where('iu.UPC', 'in', values);
  } else {
    q = q.where('i.ItemID', 'in', values);
  }
  // The asked value is matched in code (ItemID, alias or UPC), so the select list stays the same for all three.
  return q.select(['i.ItemKey', 'i.ItemID', 'i.ShipWeight', 'd.ShortDesc', 'u.UnitMeasID', 'iu.UPC']).orderBy('i.ItemID');
}
