import { MappingError, type FieldIssue } from '../../../core/errors.ts';
import { currencyExponent, money, moneyFromDecimal, type Money } from '../../../core/model/money.ts';
import type { Settlement, SettlementTransaction } from '../../../core/model/settlement.ts';
import type { SettlementFile } from '../../../core/ports/settlement-reports.ts';
import type { SpApiClient } from '../sp-api/client.ts';
import type { AmazonBreakdown, AmazonTransaction } from '../wire.ts';

/**
 * Finances 2024-06-19 `listTransactions` as settlement rows, so a settlement can be seen before it closes (the
 * provisional view, never posted) and rebuilt once its report is past Amazon's retention, then posted through
 * the same journal builder and the same exactly-once ledger as a report (the journal references are the
 * settlement's, so a period imported both ways is one journal).
 *
 * A transaction's items (or, without items, the transaction itself) carry breakdowns two levels deep: the
 * amount type, then the amount description (the flat file's `amount-type` / `amount-description`). Transaction
 * types are the file's, except `Shipment` = `Order`. JSON numbers become integer minor units at once, and a
 * number with more decimals than the currency has is refused (money is never kept as a float).
 */
export const FINANCES_TRANSACTION_TYPES: Readonly<Record<string, string>> = { Shipment: 'Order' };

const idOf = (t: AmazonTransaction, name: string): string | undefined =>
  t.relatedIdentifiers?.find((r) => r.relatedIdentifierName === name)?.relatedIdentifierValue;

/** The SETTLEMENT_ID a transaction carries (none while its settlement is open). */
export function settlementIdOf(t: AmazonTransaction): string | undefined {
  return idOf(t, 'SETTLEMENT_ID');
}

/** A JSON number amount as exact minor units; undefined when it is missing or has too many decimals. */
export function minorOfJsonAmount(amount: number | undefined, currency: string): Money | undefined {
  if (amount === undefined || !Number.isFinite(amount)) return undefined;
  const exp = currencyExponent(currency);
  const text = amount.toFixed(exp);
  // toFixed rounds: a value that does not survive the round trip had more decimals than the currency allows.
  if (Number(text) !== amount) return undefined;
  return moneyFromDecimal(text, currency);
}

/** The settlement rows of one transaction; `row` numbers continue from `firstRow`. Problems go to `issues`. */
export function rowsOfTransaction(
  t: AmazonTransaction,
  firstRow: number,
  issues: FieldIssue[],
): SettlementTransaction[] {
  const rows: SettlementTransaction[] = [];
  const transactionType = FINANCES_TRANSACTION_TYPES[t.transactionType ?? ''] ?? t.transactionType ?? '';
  const orderId = idOf(t, 'ORDER_ID');
  const shipmentId = idOf(t, 'SHIPMENT_ID');
  const adjustmentId = idOf(t, 'REFUND_ID');
  const where = `transaction ${t.transactionId ?? '(no id)'}`;
  const walk = (
    list: readonly AmazonBreakdown[] | undefined,
    item: { readonly code?: string; readonly sku?: string; readonly quantity?: number; readonly fulfillment?: string },
  ): void => {
    for (const top of list ?? []) {
      const leaves = top.breakdowns?.length ? top.breakdowns : [{ ...top, breakdownType: top.breakdownType }];
      for (const leaf of leaves) {
        const currency = leaf.breakdownAmount?.currencyCode ?? '';
        const amount = /^[A-Z]{3}$/.test(currency)
          ? minorOfJsonAmount(leaf.breakdownAmount?.currencyAmount, currency)
          : undefined;
        if (!amount) {
          issues.push({
            field: `${where} breakdown ${top.breakdownType ?? '?'}/${leaf.breakdownType ?? '?'}`,
            problem: `amount ${JSON.stringify(leaf.breakdownAmount ?? null)} is not an amount in a currency's minor units`,
          });
          continue;
        }
        rows.push({
          row: firstRow + rows.length,
          transactionType,
          amountType: top.breakdownType ?? '',
          amountDescription: leaf.breakdownType ?? '',
          amount,
          ...(orderId ? { orderId } : {}),
          ...(shipmentId ? { shipmentId } : {}),
          ...(adjustmentId ? { adjustmentId } : {}),
          ...(t.marketplaceDetails?.marketplaceName ? { marketplaceName: t.marketplaceDetails.marketplaceName } : {}),
          ...(item.fulfillment ? { fulfillmentId: item.fulfillment } : {}),
          ...(t.postedDate ? { postedAt: new Date(t.postedDate).toISOString() } : {}),
          ...(item.code ? { orderItemCode: item.code } : {}),
          ...(item.sku ? { sku: item.sku } : {}),
          ...(item.quantity !== undefined ? { quantity: item.quantity } : {}),
        });
      }
    }
  };
  if (t.items?.length) {
    for (const item of t.items) {
      const product = item.contexts?.find((c) => c.contextType === 'ProductContext') as
        { sku?: string; quantityShipped?: number; fulfillmentNetwork?: string } | undefined;
      const code = item.relatedIdentifiers?.find(
        (r) => r.itemRelatedIdentifierName === 'ORDER_ADJUSTMENT_ITEM_ID',
      )?.itemRelatedIdentifierValue;
      walk(item.breakdowns, {
        ...(code ? { code } : {}),
        ...(product?.sku ? { sku: product.sku } : {}),
        ...(typeof product?.quantityShipped === 'number' ? { quantity: product.quantityShipped } : {}),
        ...(product?.fulfillmentNetwork ? { fulfillment: product.fulfillmentNetwork } : {}),
      });
    }
  } else walk(t.breakdowns, {});
  return rows;
}

/** What a rebuild needs besides the transactions: the deposit as the bank saw it. */
export interface FinancesSettlementHeader {
  readonly settlementId: string;
  /** UTC ISO-8601 instants bounding the transactions' posted dates (the settlement period). */
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly depositDate: string;
  /** The deposit from the bank statement; the rows must add up to it (else SB_SETTLE_TOTAL_MISMATCH). */
  readonly depositAmount?: Money;
}

/** Every transaction posted in [from, to), all pages. */
export async function listAllTransactions(
  client: Pick<SpApiClient, 'listTransactions'>,
  query: { readonly postedAfter: string; readonly postedBefore: string; readonly marketplaceId?: string },
): Promise<AmazonTransaction[]> {
  const out: AmazonTransaction[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.listTransactions(nextToken ? { ...query, nextToken } : { ...query });
    out.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

/**
 * A closed settlement rebuilt from its financial events, as a settlement file for `importSettlement`: the
 * transactions posted in its period that carry its SETTLEMENT_ID. Total = the deposit given (checked against the
 * rows by the journal builder), else the rows' sum.
 */
export function settlementFileFromFinances(
  client: Pick<SpApiClient, 'listTransactions'>,
  header: FinancesSettlementHeader,
): SettlementFile {
  return {
    source: `finances:${header.settlementId}`,
    async read(onTransaction) {
      const all = await listAllTransactions(client, {
        postedAfter: header.periodStart,
        postedBefore: new Date(Date.parse(header.periodEnd) + 1000).toISOString(),
      });
      const mine = all.filter((t) => settlementIdOf(t) === header.settlementId);
      const issues: FieldIssue[] = [];
      const sums = new Map<string, number>();
      let row = 1;
      for (const t of mine) {
        for (const r of rowsOfTransaction(t, row, issues)) {
          row += 1;
          sums.set(r.amount.currency, (sums.get(r.amount.currency) ?? 0) + r.amount.minor);
          await onTransaction(r); // a promise: the importer's backpressure
        }
      }
      if (mine.length === 0)
        issues.push({
          field: 'settlementId',
          problem: `no transaction posted between ${header.periodStart} and ${header.periodEnd} carries SETTLEMENT_ID ${header.settlementId}`,
        });
      if (issues.length > 0)
        throw new MappingError(
          'SB_SETTLE_FILE_INVALID',
          `finances transactions of settlement ${header.settlementId}`,
          issues,
          {
            context: { settlementId: header.settlementId },
          },
        );
      const currency = header.depositAmount?.currency ?? [...sums.keys()][0]!;
      const settlement: Settlement = {
        settlementId: header.settlementId,
        periodStart: header.periodStart,
        periodEnd: header.periodEnd,
        depositDate: header.depositDate,
        currency,
        total: header.depositAmount ?? money(currency, sums.get(currency) ?? 0),
        transactions: [],
        extraColumns: [],
        layout: 'v2',
      };
      return settlement;
    },
  };
}

/**
 * The provisional view: transactions posted since `since` that no settlement has closed over yet (no
 * SETTLEMENT_ID), as settlement rows. Never posted; the caller summarizes them.
 */
export async function openSettlementRows(
  client: Pick<SpApiClient, 'listTransactions'>,
  query: { readonly postedAfter: string; readonly postedBefore: string; readonly marketplaceId?: string },
): Promise<{ rows: SettlementTransaction[]; issues: FieldIssue[]; transactions: number }> {
  const open = (await listAllTransactions(client, query)).filter((t) => settlementIdOf(t) === undefined);
  const issues: FieldIssue[] = [];
  const rows: SettlementTransaction[] = [];
  for (const t of open) rows.push(...rowsOfTransaction(t, rows.length + 1, issues));
  return { rows, issues, transactions: open.length };
}
