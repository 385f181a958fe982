import type { SageDb } from './db.ts';

/** The company's home currency (tsmCompany.CurrID, facts §1.4). */
export function selectHomeCurrency(db: SageDb, companyId: string) {
  return db.selectFrom('tsmCompany').select(['CurrID']).where('CompanyID', '=', companyId);
}

/**
 * Rates from `currency` to `home` effective on `date` (EffectiveDate on or before it, ExpirationDate unset or on or
 * after it), newest first, with their schedule; `schedule` narrows to one tmcCurrExchSchd.CurrExchSchdID.
 * CurrExchRate is a float in Sage: it is read as text so no float reaches an amount.
 */
export function selectExchangeRates(
  db: SageDb,
  args: { currency: string; home: string; date: string; schedule?: string | undefined },
) {
  let q = db
    .selectFrom('tmcCurrExchSchdDtl as d')
    .innerJoin('tmcCurrExchSchd as s', 's.CurrExchSchdKey', 'd.CurrExchSchdKey')
    .select(['s.CurrExchSchdID', 'd.EffectiveDate', 'd.CurrExchRate'])
    .where('d.SourceCurrID', '=', args.currency)
    .where('d.TargetCurrID', '=', args.home)
    .where('d.EffectiveDate', '<=', args.date)
    .where((eb) => eb.or([eb('d.ExpirationDate', 'is', null), eb('d.ExpirationDate', '>=', args.date)]));
  if (args.schedule !== undefined) q = q.where('s.CurrExchSchdID', '=', args.schedule);
  return q.orderBy('d.EffectiveDate', 'desc');
}
