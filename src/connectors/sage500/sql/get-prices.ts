import type { SageDb } from './db.ts';

export const PRICE_COLUMNS = {
  list: 'ListPrice',
  sheet1: 'Sheet1Price',
  sheet2: 'Sheet2Price',
  sheet3: 'Sheet3Price',
  sheet4: 'Sheet4Price',
} as const;

/**
 * The latest timPriceSheet row effective on `asOf` per item for one warehouse and currency (facts §2.5),
 * without TOP/APPLY: the row whose EffectiveDate is the greatest one not after `asOf`.
 */
export function selectPrices(
  db: SageDb,
  companyId: string,
  q: {
    itemIds: readonly string[];
    warehouseId: string;
    currency: string;
    asOf: string;
    column: (typeof PRICE_COLUMNS)[keyof typeof PRICE_COLUMNS];
  },
) {
  return db
    .selectFrom('timPriceSheet as p')
    .innerJoin('timItem as i', 'i.ItemKey', 'p.ItemKey')
    .innerJoin('timWarehouse as w', 'w.WhseKey', 'p.WhseKey')
    .select(['i.ItemID', 'w.WhseID', 'p.EffectiveDate', `p.${q.column} as Price`])
    .where('i.CompanyID', '=', companyId)
    .where('w.CompanyID', '=', companyId)
    .where('w.WhseID', '=', q.warehouseId)
    .where('i.ItemID', 'in', q.itemIds)
    .where('p.CurrID', '=', q.currency)
    .where((eb) =>
      eb(
        'p.EffectiveDate',
        '=',
        eb
          .selectFrom('timPriceSheet as p2')
          .select((e) => e.fn.max('p2.EffectiveDate').as('d'))
          .whereRef('p2.WhseKey', '=', 'p.WhseKey')
          .whereRef('p2.ItemKey', '=', 'p.ItemKey')
          .whereRef('p2.CurrID', '=', 'p.CurrID')
          .where('p2.EffectiveDate', '<=', q.asOf),
      ),
    )
    .orderBy('i.ItemID');
}
