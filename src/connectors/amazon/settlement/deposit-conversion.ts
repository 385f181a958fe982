import { moneyFromDecimal, type Money } from '../../../core/model/money.ts';
import type { SpApiClient } from '../sp-api/client.ts';
import type { AmazonFinancialEventGroup } from '../wire.ts';

/** A settlement's deposit in the currency it was paid into (Finances v0 financial event group). */
export interface DepositConversion {
  /** OriginalTotal: the deposit in the settlement's currency. */
  readonly original: Money;
  /** ConvertedTotal: what reached the bank, in the currency it was disbursed in. */
  readonly converted: Money;
  readonly groupId: string;
}

/** What identifies a settlement's deposit among the event groups. */
export interface DepositQuery {
  readonly total: Money;
  readonly periodStart: string;
  readonly depositDate: string;
}

const DAY = 86_400_000;

function amountOf(c: AmazonFinancialEventGroup['OriginalTotal']): Money | undefined {
  if (!c?.CurrencyCode || c.CurrencyAmount === undefined) return undefined;
  try {
    return moneyFromDecimal(String(c.CurrencyAmount), c.CurrencyCode);
  } catch {
    return undefined;
  }
}

/**
 * The financial event group of a closed settlement's deposit: the one whose OriginalTotal is the settlement's total
 * (same currency and amount) and whose FundTransferDate is within three days of the deposit date, among the groups
 * opened from a week before the settlement period (the group of a settlement opens when its period does). Neither
 * the report nor the group names the other's id in Amazon's models, hence the match on amount and date. Returns
 * undefined when no group (or more than one) matches.
 */
export function findDepositGroup(
  groups: readonly AmazonFinancialEventGroup[],
  query: DepositQuery,
): DepositConversion | undefined {
  const deposit = Date.parse(query.depositDate);
  const found: DepositConversion[] = [];
  for (const g of groups) {
    const original = amountOf(g.OriginalTotal);
    const converted = amountOf(g.ConvertedTotal);
    if (!original || !converted) continue;
    if (original.currency !== query.total.currency || original.minor !== query.total.minor) continue;
    const transfer = g.FundTransferDate ? Date.parse(g.FundTransferDate) : NaN;
    if (!Number.isFinite(transfer) || Math.abs(transfer - deposit) > 3 * DAY) continue;
    found.push({ original, converted, groupId: g.FinancialEventGroupId ?? '' });
  }
  return found.length === 1 ? found[0] : undefined;
}

/** Reads the event groups around a settlement (every page) and finds its deposit's. */
export function depositConversionFromClient(
  client: Pick<SpApiClient, 'listFinancialEventGroups'>,
): (query: DepositQuery) => Promise<DepositConversion | undefined> {
  return async (query) => {
    const after = new Date(Date.parse(query.periodStart) - 7 * DAY).toISOString();
    const groups: AmazonFinancialEventGroup[] = [];
    let token: string | undefined;
    do {
      const page = await client.listFinancialEventGroups(
        token ? { NextToken: token } : { FinancialEventGroupStartedAfter: after, MaxResultsPerPage: 100 },
      );
      groups.push(...page.items);
      token = page.nextToken;
    } while (token);
    return findDepositGroup(groups, query);
  };
}
