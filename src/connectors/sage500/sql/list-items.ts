import { itemsWithDescription, type ItemColumns, type SageDb } from './db.ts';

/**
 * LIKE pattern for "contains `text`". `%`, `_` and `[` (special to T-SQL's LIKE, not SQLite's) each become `_`
 * (any one character), so the query narrows the same way on both databases without an ESCAPE clause; the
 * caller keeps only rows that contain the text literally.
 */
export function likePattern(text: string): string {
  return `%${text.replace(/[%_[]/g, '_')}%`;
}

/**
 * Active items of one company with their short description and stock-unit UPC, by ItemID; with `text`, only
 * items whose ItemID, description or UPC contains it (case-insensitive on Sage's default collation and on
 * SQLite's ASCII LIKE). Descriptions join on LanguageID only where the catalog has that column. Read-only. No TOP/LIMIT (see db.ts): the caller stops reading at its limit.
 */
export function selectItemList(
  db: SageDb,
  companyId: string,
  text: string | undefined,
  columns: Pick<ItemColumns, 'descriptionLanguage'>,
) {
  let q = itemsWithDescription(db, companyId, columns.descriptionLanguage)
    .select(['i.ItemID', 'd.ShortDesc', 'iu.UPC'])
    .where('i.Status', '=', 1);
  if (text !== undefined && text !== '') {
    const pattern = likePattern(text);
    q = q.where((eb) =>
      eb.or([eb('i.ItemID', 'like', pattern), eb('d.ShortDesc', 'like', pattern), eb('iu.UPC', 'like', pattern)]),
    );
  }
  return q.orderBy('i.ItemID');
}
