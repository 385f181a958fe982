import { sql } from 'kysely';
import { itemsWithDescription, type ItemColumns, type SageDb } from './db.ts';

/**
 * The item fields a listing's attributes are mapped from (inventory.customFieldMap): short and long description
 * (timItemDescription), the stock unit's UPC, ShipWeight and UserFld1..4 of timItem. ShipWeight and the UserFld
 * columns are read only where the catalog shows them (no public source shows them on timItem), else NULL.
 */
export function selectItemFields(db: SageDb, companyId: string, itemIds: readonly string[], columns: ItemColumns) {
  const optional = (has: boolean, column: 'ShipWeight' | 'UserFld1' | 'UserFld2' | 'UserFld3' | 'UserFld4') =>
    has ? (`i.${column}` as const) : sql<null>`NULL`.as(column);
  return itemsWithDescription(db, companyId, columns.descriptionLanguage)
    .where('i.ItemID', 'in', itemIds)
    .select(['i.ItemID', 'd.ShortDesc', 'd.LongDesc', 'iu.UPC'])
    .select(optional(columns.shipWeight, 'ShipWeight'))
    .select(optional(columns.userFields === true, 'UserFld1'))
    .select(optional(columns.userFields === true, 'UserFld2'))
    .select(optional(columns.userFields === true, 'UserFld3'))
    .select(optional(columns.userFields === true, 'UserFld4'))
    .orderBy('i.ItemID');
}
