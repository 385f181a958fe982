import { decimal } from './order-wire.ts';
import type { SettlementEntry, SettlementFile } from './settlement.ts';

/**
 * Finances 2024-06-19 `listTransactions` transactions (models/finances-api-model/finances_2024-06-19.json) built
 * from the same settlement entries the simulator writes into its Flat File V2 reports, so a period read both ways
 * must give the same money. One transaction per order shipment, refund adjustment or account-level amount; one
 * item per order item; the amounts in two-level breakdowns (the file's amount-type, then amount-description).
 * The transaction type names (`Shipment`, `Refund`, others as the file names them) are this simulator's
 * vocabulary: the model documents only `Shipment`.
 */
export interface SimFinancialGroup {
  /** FINANCIAL_EVENT_GROUP_ID. */
  readonly groupId: string;
  readonly sellerId: string;
  /** Set once the settlement closed (a report exists); open groups have none. */
  readonly settlementId?: string;
  readonly file: SettlementFile;
  /** The deposit paid into another currency (listFinancialEventGroups' ConvertedTotal); unset = the file's currency. */
  readonly converted?: { readonly currency: string; readonly minor: number };
}

/**
 * A deposit converted at a rate given as decimal text ("1.0825"): minor units x rate, rounded half away from zero,
 * in BigInt (no float touches the amount). Both currencies have two decimals in the simulator's marketplaces.
 */
export function convertedDeposit(minor: number, rate: string): number {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(rate);
  if (!m) throw new Error(`deposit rate ${rate} is not a decimal`);
  const num = BigInt(minor) * BigInt(`${m[1]}${m[2] ?? ''}`);
  const den = 10n ** BigInt((m[2] ?? '').length);
  const abs = num < 0n ? -num : num;
  const q = (abs * 2n + den) / (den * 2n);
  return Number(num < 0n ? -q : q);
}

/** Finances v0 FinancialEventGroup of a closed settlement (models/finances-api-model/financesV0.json). */
export function eventGroupOf(group: SimFinancialGroup): Record<string, unknown> {
  const { file } = group;
  const amount = (currency: string, minor: number) => ({
    CurrencyCode: currency,
    CurrencyAmount: Number(decimal(minor)),
  });
  return {
    FinancialEventGroupId: group.groupId,
    ProcessingStatus: 'Closed',
    FundTransferStatus: 'Succeeded',
    OriginalTotal: amount(file.currency, file.totalMinor),
    ConvertedTotal: group.converted
      ? amount(group.converted.currency, group.converted.minor)
      : amount(file.currency, file.totalMinor),
    FundTransferDate: new Date(file.depositMs).toISOString(),
    FinancialEventGroupStart: new Date(file.startMs).toISOString(),
    FinancialEventGroupEnd: new Date(file.endMs).toISOString(),
    AccountTail: '1234',
  };
}

export type WireTransaction = Record<string, unknown> & { readonly postedDate: string };

const TYPE_NAMES: Readonly<Record<string, string>> = { Order: 'Shipment', Refund: 'Refund' };
const DESCRIPTIONS: Readonly<Record<string, string>> = { Order: 'Order Payment', Refund: 'Refund Order' };

export function transactionsOfGroup(group: SimFinancialGroup): WireTransaction[] {
  const { file } = group;
  const money = (minor: number) => ({ currencyCode: file.currency, currencyAmount: Number(decimal(minor)) });
  const groups = new Map<string, SettlementEntry[]>();
  let n = 0;
  for (const e of group.file.entries) {
    const key = e.orderId
      ? `${e.transactionType}\u0000${e.orderId}\u0000${e.shipmentId ?? ''}\u0000${e.adjustmentId ?? ''}\u0000${e.postedMs}`
      : `account\u0000${n++}`;
    const list = groups.get(key) ?? [];
    list.push(e);
    groups.set(key, list);
  }
  const breakdowns = (entries: readonly SettlementEntry[]) => {
    const byType = new Map<string, SettlementEntry[]>();
    for (const e of entries) byType.set(e.amountType, [...(byType.get(e.amountType) ?? []), e]);
    return [...byType.entries()].map(([type, list]) => ({
      breakdownType: type,
      breakdownAmount: money(list.reduce((s, e) => s + e.minor, 0)),
      breakdowns: list.map((e) => ({
        breakdownType: e.amountDescription,
        breakdownAmount: money(e.minor),
        breakdowns: [],
      })),
    }));
  };
  return [...groups.values()].map((entries) => {
    const first = entries[0]!;
    const total = entries.reduce((s, e) => s + e.minor, 0);
    const ids: { relatedIdentifierName: string; relatedIdentifierValue: string }[] = [];
    const id = (name: string, value: string | undefined) => {
      if (value) ids.push({ relatedIdentifierName: name, relatedIdentifierValue: value });
    };
    id('ORDER_ID', first.orderId);
    id('SHIPMENT_ID', first.shipmentId);
    id('REFUND_ID', first.adjustmentId);
    id('FINANCIAL_EVENT_GROUP_ID', group.groupId);
    id('SETTLEMENT_ID', group.settlementId);
    const items = new Map<string, SettlementEntry[]>();
    for (const e of entries)
      if (e.orderItemCode) items.set(e.orderItemCode, [...(items.get(e.orderItemCode) ?? []), e]);
    const tx: WireTransaction = {
      sellingPartnerMetadata: {
        sellingPartnerId: group.sellerId,
        accountType: 'PAYABLE',
        marketplaceId: file.marketplaceId,
      },
      relatedIdentifiers: ids,
      transactionType: TYPE_NAMES[first.transactionType] ?? first.transactionType,
      transactionId: `sim-${group.groupId}-${first.transactionType}-${first.orderId ?? first.amountDescription}-${first.postedMs}`,
      transactionStatus: group.settlementId ? 'RELEASED' : 'DEFERRED',
      description: DESCRIPTIONS[first.transactionType] ?? first.amountDescription,
      postedDate: new Date(first.postedMs).toISOString(),
      totalAmount: money(total),
      marketplaceDetails: { marketplaceId: file.marketplaceId, marketplaceName: file.marketplaceName },
      ...(items.size > 0
        ? {
            items: [...items.entries()].map(([code, list]) => ({
              description: list[0]!.sku ?? code,
              totalAmount: money(list.reduce((s, e) => s + e.minor, 0)),
              relatedIdentifiers: [
                { itemRelatedIdentifierName: 'ORDER_ADJUSTMENT_ITEM_ID', itemRelatedIdentifierValue: code },
              ],
              breakdowns: breakdowns(list),
              contexts: [
                {
                  contextType: 'ProductContext',
                  sku: list[0]!.sku,
                  quantityShipped: list[0]!.quantity,
                  fulfillmentNetwork: list[0]!.fulfillmentId,
                },
              ],
            })),
          }
        : { breakdowns: breakdowns(entries) }),
    };
    return tx;
  });
}
