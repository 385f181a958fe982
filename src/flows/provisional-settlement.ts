import { MappingError } from '../core/errors.ts';
import type { JournalBatch } from '../core/model/journal.ts';
import { money, type Money } from '../core/model/money.ts';
import type { SettlementTransaction } from '../core/model/settlement.ts';
import { createSettlementJournalBuilder } from '../core/transform/journal-from-settlement.ts';
import type { SettlementSettings } from './settlement.ts';

export interface ProvisionalView {
  /** Where the open settlement's money would go so far, per currency, as the journal it would become (never posted). */
  readonly journals: readonly JournalBatch[];
  /** Rows no rule maps yet (they would stop the real import). */
  readonly unmapped: readonly { readonly field: string; readonly problem: string }[];
  readonly rows: number;
  readonly totals: readonly Money[];
}

/**
 * The provisional view of a settlement that has not closed: its transactions so far run through the same rules
 * and journal builder as an import, balanced on the bank clearing account by their own sum. Nothing is posted or
 * stored; an unmapped category is listed, not thrown.
 */
export function provisionalSettlement(
  rows: readonly SettlementTransaction[],
  settings: Pick<SettlementSettings, 'rules' | 'detail'>,
  asOf: string,
): ProvisionalView {
  const sums = new Map<string, number>();
  for (const r of rows) sums.set(r.amount.currency, (sums.get(r.amount.currency) ?? 0) + r.amount.minor);
  const currencies = [...sums.keys()];
  const journals: JournalBatch[] = [];
  const unmapped: { field: string; problem: string }[] = [];
  for (const currency of currencies) {
    const builder = createSettlementJournalBuilder(settings.rules, { detail: settings.detail });
    for (const r of rows) if (r.amount.currency === currency) builder.add(r);
    try {
      journals.push(
        ...builder.finish({
          settlementId: 'open',
          currency,
          total: money(currency, sums.get(currency)!),
          periodEnd: asOf,
          depositDate: asOf,
        }),
      );
    } catch (err) {
      if (!(err instanceof MappingError)) throw err;
      unmapped.push(...err.issues);
    }
  }
  return { journals, unmapped, rows: rows.length, totals: currencies.map((c) => money(c, sums.get(c)!)) };
}
