/** Builds small synthetic Flat File V2 texts for the settlement tests. */
export const V2_COLUMNS = [
  'settlement-id',
  'settlement-start-date',
  'settlement-end-date',
  'deposit-date',
  'total-amount',
  'currency',
  'transaction-type',
  'order-id',
  'merchant-order-id',
  'adjustment-id',
  'shipment-id',
  'marketplace-name',
  'amount-type',
  'amount-description',
  'amount',
  'fulfillment-id',
  'posted-date',
  'posted-date-time',
  'order-item-code',
  'merchant-order-item-id',
  'merchant-adjustment-item-id',
  'sku',
  'quantity-purchased',
] as const;

export type Row = Readonly<Record<string, string>>;

export function tsv(columns: readonly string[], rows: readonly Row[], eol = '\n'): string {
  return [columns.join('\t'), ...rows.map((r) => columns.map((c) => r[c] ?? '').join('\t'))].join(eol) + eol;
}

export function summary(id: string, total: string, currency = 'USD', extra: Row = {}): Row {
  return {
    'settlement-id': id,
    'settlement-start-date': '2026-10-01 07:00:00 UTC',
    'settlement-end-date': '2026-10-15 07:00:00 UTC',
    'deposit-date': '2026-10-17 07:00:00 UTC',
    'total-amount': total,
    currency,
    ...extra,
  };
}

export function amountRow(
  id: string,
  transactionType: string,
  amountType: string,
  amountDescription: string,
  amount: string,
  extra: Row = {},
): Row {
  return {
    'settlement-id': id,
    'transaction-type': transactionType,
    'order-id': transactionType === 'Order' || transactionType === 'Refund' ? '111-0000001-0000001' : '',
    'marketplace-name': 'Amazon.com',
    'amount-type': amountType,
    'amount-description': amountDescription,
    amount,
    'posted-date': '10/03/26',
    'posted-date-time': '2026-10-03 15:30:00 UTC',
    ...extra,
  };
}
