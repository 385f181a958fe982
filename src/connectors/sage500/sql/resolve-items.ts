import { sql } from 'kysely';
import { LANGUAGE_ID, type ItemColumns, type SageDb } from './db.ts';
import { preparedByShape } from '../../../runtime/store/prepared.ts';

/**
 * Item details for items of one company by ItemID or by UPC (timItemUnitOfMeas). Descriptions join on ItemKey
 * as every public query does, and on LanguageID only where the catalog shows that column; ShipWeight is read
 * only where the catalog shows it (review §3 items 2 and 3), else it comes back NULL.
 */
export function selectItems(
  db: SageDb,
  companyId: string,
  by: 'item-id' | 'upc',
  values: readonly string[],
  columns: ItemColumns,
) {
  // Built and compiled once per database, lookup and number of values (runtime/store/prepared.ts): every order asks.
  return itemsBy(
    db,
    { by, descriptionLanguage: columns.descriptionLanguage, shipWeight: columns.shipWeight },
    companyId,
    ...values,
  );
}

interface ItemsShape {
  readonly by: 'item-id' | 'upc';
  readonly descriptionLanguage: boolean;
  readonly shipWeight: boolean;
}

const itemsBy = preparedByShape(
  (s: ItemsShape) => `${s.by}/${s.descriptionLanguage}/${s.shipWeight}`,
  (db: SageDb, shape: ItemsShape, companyId: string, ...values: string[]) => {
    // Joins in this order (description, unit, UPC): the reviewed T-SQL trace has them so
    // (test/fixtures/sage500/sqlserver-trace.sql); itemsWithDescription would put the unit last.
    let q = db
      .selectFrom('timItem as i')
      .leftJoin('timItemDescription as d', (j) =>
        shape.descriptionLanguage
          ? j.onRef('d.ItemKey', '=', 'i.ItemKey').on('d.LanguageID', '=', LANGUAGE_ID)
          : j.onRef('d.ItemKey', '=', 'i.ItemKey'),
      )
      .leftJoin('tciUnitMeasure as u', 'u.UnitMeasKey', 'i.StockUnitMeasKey')
      .leftJoin('timItemUnitOfMeas as iu', (j) =>
        j.onRef('iu.ItemKey', '=', 'i.ItemKey').onRef('iu.TargetUnitMeasKey', '=', 'i.StockUnitMeasKey'),
      )
      .where('i.CompanyID', '=', companyId);
    q = shape.by === 'upc' ? q.where('iu.UPC', 'in', values) : q.where('i.ItemID', 'in', values);
    // The asked value is matched in code (ItemID or UPC), so the select list stays the same for both.
    return q
      .select(['i.ItemKey', 'i.ItemID', 'd.ShortDesc', 'u.UnitMeasID', 'iu.UPC'])
      .select(shape.shipWeight ? 'i.ShipWeight' : sql<null>`NULL`.as('ShipWeight'))
      .orderBy('i.ItemID');
  },
);
