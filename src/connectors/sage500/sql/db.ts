import type { Kysely } from 'kysely';
import type { SageDatabase } from '../tables.ts';

/**
 * Every Sage operation is a function of this query creator returning a Kysely query (one file per
 * operation, STYLE.md §8.1). The SQL Server adapter runs them on an mssql connection, the sandbox on SQLite,
 * and the tests compile them with Kysely's mssql compiler and parse the T-SQL. Only portable constructs are
 * used (no TOP/LIMIT, no APPLY) so the same query runs in both places.
 */
export type SageDb = Kysely<SageDatabase>;

/** Sage's default language for descriptions (tsmUser.LanguageID default, facts §2.10). */
export const LANGUAGE_ID = 1033;

/**
 * Columns and tables no public source confirms, used only when the customer's catalog shows them (review §3
 * items 2, 3, 5, 14). The gateway reads them from the catalog once (gateway/schema-facts.ts).
 */
export interface ItemColumns {
  /** timItemDescription.LanguageID exists: descriptions are read in LANGUAGE_ID. */
  readonly descriptionLanguage: boolean;
  /** timItem.ShipWeight exists. */
  readonly shipWeight: boolean;
  /** timItem.UserFld1..4 exist (unconfirmed by public sources: tables.ts). Absent = not read. */
  readonly userFields?: boolean;
}

/**
 * A company's items with their description and stock unit's UPC (left joins): descriptions join on ItemKey as every
 * public query does, and on LanguageID only where the catalog shows that column (review §3 item 2); the UPC is the
 * stock unit's (timItemUnitOfMeas to the item's StockUnitMeasKey). The item queries build on it.
 */
export function itemsWithDescription(db: SageDb, companyId: string, descriptionLanguage: boolean) {
  return db
    .selectFrom('timItem as i')
    .leftJoin('timItemDescription as d', (j) =>
      descriptionLanguage
        ? j.onRef('d.ItemKey', '=', 'i.ItemKey').on('d.LanguageID', '=', LANGUAGE_ID)
        : j.onRef('d.ItemKey', '=', 'i.ItemKey'),
    )
    .leftJoin('timItemUnitOfMeas as iu', (j) =>
      j.onRef('iu.ItemKey', '=', 'i.ItemKey').onRef('iu.TargetUnitMeasKey', '=', 'i.StockUnitMeasKey'),
    )
    .where('i.CompanyID', '=', companyId);
}
