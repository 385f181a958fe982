import type { SageDb } from './db.ts';

/**
 * Alias -> ItemID pairs of one company. No public source has timItemAlias (review §3 item 5): the gateway runs
 * this only when the catalog has the table, so a SKU that is no ItemID is an unknown SKU, not a failed lookup.
 */
export function selectItemAliases(db: SageDb, companyId: string, aliases: readonly string[]) {
  return db
    .selectFrom('timItemAlias as a')
    .innerJoin('timItem as i', 'i.ItemKey', 'a.ItemKey')
    .select(['a.ItemAliasID', 'i.ItemID'])
    .where('a.CompanyID', '=', companyId)
    .where('a.ItemAliasID', 'in', aliases);
}
