import type { SageDb } from './db.ts';

/** Alias -> ItemID pairs of one company (timItemAlias is [I]: facts name ItemAliasKey/ItemAliasID only). */
export function selectItemAliases(db: SageDb, companyId: string, aliases: readonly string[]) {
  return db
    .selectFrom('timItemAlias as a')
    .innerJoin('timItem as i', 'i.ItemKey', 'a.ItemKey')
    .select(['a.ItemAliasID', 'i.ItemID'])
    .where('a.CompanyID', '=', companyId)
    .where('a.ItemAliasID', 'in', aliases);
}
