import { MappingError, type FieldIssue } from '../../../core/errors.ts';
import { money, moneyFromDecimal, type Money } from '../../../core/model/money.ts';
import type { Settlement, SettlementTransaction } from '../../../core/model/settlement.ts';
import { parseAmazonDateTime, parseShortDate, type ShortDateOrder } from './dates.ts';
import { FORMAT_EXAMPLE, normalizeAmount, numberFormatOf, numberFormatOfMarketplace, type NumberFormat } from './numbers.ts';

/**
 * Reader of `GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2` (tab-separated, sp-api-facts.md §9.4). Columns are
 * found by header name, never by position: the 23 documented columns are required, `promotion-id` is known,
 * any other column is kept per row and reported in `extraColumns`. The first data row is the settlement
 * summary; every other row is one amount. The retired V1 flat file (`price-type`/`price-amount`,
 * `item-related-fee-type`, ...) is read too, one transaction per filled amount column.
 *
 * Nothing is dropped: every malformed row and field (line number, column, expected, found) is collected and
 * thrown as one `SB_SETTLE_FILE_INVALID` MappingError. Feed it the whole text (`parseSettlementReport`) or in
 * chunks of any size (`createSettlementParser().write(chunk)` ... `.end()`); a BOM and CRLF are accepted.
 */
export const SETTLEMENT_V2_COLUMNS = [
  'settlement-id', 'settlement-start-date', 'settlement-end-date', 'deposit-date', 'total-amount', 'currency',
  'transaction-type', 'order-id', 'merchant-order-id', 'adjustment-id', 'shipment-id', 'marketplace-name',
  'amount-type', 'amount-description', 'amount', 'fulfillment-id', 'posted-date', 'posted-date-time',
  'order-item-code', 'merchant-order-item-id', 'merchant-adjustment-item-id', 'sku', 'quantity-purchased',
] as const;

/** Columns of the retired V1 flat file (`GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE`). */
export const SETTLEMENT_LEGACY_COLUMNS = [
  'settlement-id', 'settlement-start-date', 'settlement-end-date', 'deposit-date', 'total-amount', 'currency',
  'transaction-type', 'order-id', 'merchant-order-id', 'adjustment-id', 'shipment-id', 'marketplace-name',
  'shipment-fee-type', 'shipment-fee-amount', 'order-fee-type', 'order-fee-amount', 'fulfillment-id', 'posted-date',
  'order-item-code', 'merchant-order-item-id', 'merchant-adjustment-item-id', 'sku', 'quantity-purchased',
  'price-type', 'price-amount', 'item-related-fee-type', 'item-related-fee-amount', 'misc-fee-amount',
  'other-fee-amount', 'other-fee-reason-description', 'promotion-id', 'promotion-type', 'promotion-amount',
  'direct-payment-type', 'direct-payment-amount', 'other-amount',
] as const;

/**
 * V1 amount columns -> V2 amount-type (the V2 removal changelog maps V1's price-type, item-related-fee-type,
 * ... onto amount-type + amount-description). Description comes from the type column, or is fixed.
 */
const LEGACY_AMOUNTS: readonly { amount: string; amountType: string; description: string | { column: string; fallback: string } }[] = [
  { amount: 'price-amount', amountType: 'ItemPrice', description: { column: 'price-type', fallback: 'Principal' } },
  { amount: 'item-related-fee-amount', amountType: 'ItemFees', description: { column: 'item-related-fee-type', fallback: 'Other' } },
  { amount: 'shipment-fee-amount', amountType: 'ShipmentFees', description: { column: 'shipment-fee-type', fallback: 'Other' } },
  { amount: 'order-fee-amount', amountType: 'OrderFees', description: { column: 'order-fee-type', fallback: 'Other' } },
  { amount: 'promotion-amount', amountType: 'Promotion', description: { column: 'promotion-type', fallback: 'Principal' } },
  { amount: 'direct-payment-amount', amountType: 'DirectPayment', description: { column: 'direct-payment-type', fallback: 'Other' } },
  { amount: 'misc-fee-amount', amountType: 'other-transaction', description: 'MiscFee' },
  { amount: 'other-fee-amount', amountType: 'other-transaction', description: { column: 'other-fee-reason-description', fallback: 'OtherFee' } },
  { amount: 'other-amount', amountType: 'other-transaction', description: 'Other' },
];

const KNOWN_V2 = new Set<string>([...SETTLEMENT_V2_COLUMNS, 'promotion-id']);
const KNOWN_LEGACY = new Set<string>(SETTLEMENT_LEGACY_COLUMNS);

export interface SettlementParseOptions {
  /** The file's number format; detected from the amounts (then the marketplace name) when absent. */
  readonly numberFormat?: NumberFormat;
  /** How `posted-date` with slashes reads when `posted-date-time` is empty; default mdy for US files, dmy for EU. */
  readonly shortDateOrder?: ShortDateOrder;
  /** At most this many issues are listed in the error (the rest are counted); default 200. */
  readonly maxIssues?: number;
}

export interface SettlementParser {
  /** Any slice of the file; lines may be split across chunks. */
  write(chunk: string): void;
  /** The parsed settlement; throws one MappingError (SB_SETTLE_FILE_INVALID) listing every problem. */
  end(): Settlement;
}

interface RawRow {
  readonly line: number;
  readonly cells: readonly string[];
}

export function parseSettlementReport(text: string, options: SettlementParseOptions = {}): Settlement {
  const parser = createSettlementParser(options);
  parser.write(text);
  return parser.end();
}

export function createSettlementParser(options: SettlementParseOptions = {}): SettlementParser {
  let rest = '';
  let lineNo = 0;
  let header: string[] | undefined;
  const rows: RawRow[] = [];
  let ended = false;

  const take = (rawLine: string): void => {
    lineNo += 1;
    let line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (header === undefined) {
      if (line.trim() === '') {
        lineNo -= 1; // leading blank lines do not count; the header is line 1
        return;
      }
      header = line.split('\t').map((h) => h.trim());
      return;
    }
    if (line.trim() === '') return;
    rows.push({ line: lineNo, cells: line.split('\t') });
  };

  return {
    write(chunk: string): void {
      if (ended) throw new Error('settlement parser: write after end');
      const text = rest + chunk;
      let start = 0;
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
        take(text.slice(start, i));
        start = i + 1;
      }
      rest = text.slice(start);
    },
    end(): Settlement {
      if (ended) throw new Error('settlement parser: end called twice');
      ended = true;
      if (rest !== '') take(rest);
      rest = '';
      return buildSettlement(header, rows, options);
    },
  };
}

function fail(issues: readonly FieldIssue[], settlementId: string | undefined, lines: number, max: number): never {
  const listed = issues.length > max ? [...issues.slice(0, max), { field: 'file', problem: `and ${issues.length - max} more problems` }] : issues;
  throw new MappingError('SB_SETTLE_FILE_INVALID', `settlement file${settlementId ? ` ${settlementId}` : ''}`, listed, {
    context: { ...(settlementId ? { settlementId } : {}), lines, issues: issues.length },
  });
}

const show = (value: string): string => (value === '' ? 'nothing' : `"${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`);

function buildSettlement(header: readonly string[] | undefined, rows: readonly RawRow[], options: SettlementParseOptions): Settlement {
  const max = options.maxIssues ?? 200;
  const issues: FieldIssue[] = [];
  if (header === undefined) fail([{ field: 'file', problem: 'is empty: expected a tab-separated header row and a settlement summary row' }], undefined, 0, max);

  // --- header ----------------------------------------------------------------------------------------
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    if (index.has(name)) issues.push({ field: `row 1, column ${i + 1}`, problem: `header "${name}" appears twice` });
    else index.set(name, i);
  });
  const layout: 'v2' | 'legacy' = !index.has('amount') && index.has('price-amount') ? 'legacy' : 'v2';
  const required: readonly string[] = layout === 'v2' ? SETTLEMENT_V2_COLUMNS : SETTLEMENT_LEGACY_COLUMNS.filter((c) => c !== 'promotion-id');
  const known = layout === 'v2' ? KNOWN_V2 : KNOWN_LEGACY;
  const missing = required.filter((c) => !index.has(c));
  const extraColumns = header.filter((h, i) => !known.has(h) && header.indexOf(h) === i);
  if (missing.length > 0) {
    for (const c of missing) issues.push({ field: `row 1, column ${c}`, problem: `missing: expected the ${layout === 'v2' ? 'Flat File V2' : 'V1 flat file'} column "${c}"` });
    if (extraColumns.length > 0) issues.push({ field: 'row 1', problem: `found columns Amazon does not document: ${extraColumns.join(', ')}` });
  }
  if (issues.length > 0) fail(issues, undefined, rows.length + 1, max);

  const cell = (row: RawRow, column: string): string => {
    const i = index.get(column);
    return i === undefined ? '' : (row.cells[i] ?? '').trim();
  };
  const at = (row: RawRow, column: string): string => `row ${row.line}, column ${column}`;
  const extraIndexes = extraColumns.map((name) => [name, index.get(name)!] as const);
  // Rows of one posting share their posted-date-time: parse each distinct value once.
  const dates = new Map<string, string | undefined>();

  // --- shape: every row has the header's field count ---------------------------------------------------
  const wellFormed: RawRow[] = [];
  for (const row of rows) {
    if (row.cells.length !== header.length) {
      issues.push({ field: `row ${row.line}`, problem: `expected ${header.length} tab-separated fields, found ${row.cells.length} (truncated or misaligned line)` });
    } else wellFormed.push(row);
  }

  // --- number format: told, or detected from the values that read one way only --------------------------
  const amountColumns = layout === 'v2' ? ['amount'] : LEGACY_AMOUNTS.map((a) => a.amount);
  let format = options.numberFormat;
  if (format === undefined) {
    const votes = { us: 0, eu: 0 };
    for (const row of wellFormed) {
      for (const c of ['total-amount', ...amountColumns]) {
        const f = numberFormatOf(cell(row, c));
        if (f) votes[f] += 1;
      }
    }
    if (votes.us !== votes.eu) format = votes.us > votes.eu ? 'us' : 'eu';
    else {
      const named = wellFormed.map((r) => numberFormatOfMarketplace(cell(r, 'marketplace-name'))).find((f) => f !== undefined);
      format = named ?? 'us';
    }
  }
  const shortOrder: ShortDateOrder = options.shortDateOrder ?? (format === 'eu' ? 'dmy' : 'mdy');

  const amountOf = (row: RawRow, column: string, currency: string): Money | undefined => {
    const raw = cell(row, column);
    const normalized = raw === '' ? undefined : normalizeAmount(raw, format);
    if (normalized === undefined) {
      issues.push({ field: at(row, column), problem: `expected an amount in the file's ${format.toUpperCase()} format (e.g. ${FORMAT_EXAMPLE[format]}), found ${show(raw)}` });
      return undefined;
    }
    try {
      const value = moneyFromDecimal(normalized, currency);
      return Object.is(value.minor, -0) ? money(currency, 0) : value; // "-0.00" is zero
    } catch {
      issues.push({ field: at(row, column), problem: `expected an amount with the decimals of ${currency}, found ${show(raw)}` });
      return undefined;
    }
  };
  const dateOf = (row: RawRow, column: string): string | undefined => {
    const raw = cell(row, column);
    const iso = parseAmazonDateTime(raw);
    if (iso === undefined) issues.push({ field: at(row, column), problem: `expected a date-time such as "2026-11-01 07:00:00 UTC" or "2026-11-01T07:00:00+00:00", found ${show(raw)}` });
    return iso;
  };

  // --- summary row -----------------------------------------------------------------------------------
  const isSummary = (row: RawRow): boolean =>
    cell(row, 'transaction-type') === '' && cell(row, 'total-amount') !== '' && amountColumns.every((c) => cell(row, c) === '');
  const first = wellFormed[0];
  if (first === undefined || first !== rows[0] || !isSummary(first)) {
    const line = rows[0]?.line ?? 2;
    if (first === undefined || first === rows[0]) {
      issues.push({ field: `row ${line}, column total-amount`, problem: 'expected the settlement summary row (settlement-id, dates, total-amount, currency; no transaction-type or amount) as the first data row' });
    }
    fail(issues, first ? cell(first, 'settlement-id') || undefined : undefined, rows.length + 1, max);
  }
  const settlementId = cell(first, 'settlement-id');
  if (settlementId === '') issues.push({ field: at(first, 'settlement-id'), problem: 'expected the settlement id, found nothing' });
  const currency = cell(first, 'currency').toUpperCase();
  const currencyOk = /^[A-Z]{3}$/.test(currency);
  if (!currencyOk) issues.push({ field: at(first, 'currency'), problem: `expected an ISO 4217 currency code, found ${show(cell(first, 'currency'))}` });
  const periodStart = dateOf(first, 'settlement-start-date');
  const periodEnd = dateOf(first, 'settlement-end-date');
  const depositDate = dateOf(first, 'deposit-date');
  const total = currencyOk ? amountOf(first, 'total-amount', currency) : undefined;
  if (periodStart && periodEnd && periodStart > periodEnd) issues.push({ field: at(first, 'settlement-end-date'), problem: `is before settlement-start-date (${periodStart} > ${periodEnd})` });

  // --- amount rows -------------------------------------------------------------------------------------
  const transactions: SettlementTransaction[] = [];
  for (const row of wellFormed.slice(1)) {
    if (isSummary(row)) {
      issues.push({ field: at(row, 'total-amount'), problem: `a second settlement summary row (the summary is row ${first.line})` });
      continue;
    }
    const id = cell(row, 'settlement-id');
    if (id !== '' && settlementId !== '' && id !== settlementId) issues.push({ field: at(row, 'settlement-id'), problem: `expected ${settlementId} (the summary's), found ${show(id)}` });
    const transactionType = cell(row, 'transaction-type');
    if (transactionType === '') issues.push({ field: at(row, 'transaction-type'), problem: 'expected a transaction type (e.g. Order, Refund, other-transaction), found nothing' });
    let rowCurrency = currency;
    const ownCurrency = cell(row, 'currency').toUpperCase();
    if (ownCurrency !== '') {
      if (/^[A-Z]{3}$/.test(ownCurrency)) rowCurrency = ownCurrency;
      else issues.push({ field: at(row, 'currency'), problem: `expected an ISO 4217 currency code or nothing, found ${show(cell(row, 'currency'))}` });
    }
    const common = commonFields(row, cell, shortOrder, issues, at, extraIndexes, dates);
    if (!currencyOk && ownCurrency === '') continue;
    if (layout === 'v2') {
      const amountType = cell(row, 'amount-type');
      if (amountType === '') issues.push({ field: at(row, 'amount-type'), problem: 'expected an amount type (e.g. ItemPrice, ItemFees), found nothing' });
      const amount = amountOf(row, 'amount', rowCurrency);
      if (amount) transactions.push({ row: row.line, transactionType, amountType, amountDescription: cell(row, 'amount-description'), amount, ...common });
    } else {
      if (LEGACY_AMOUNTS.every((spec) => cell(row, spec.amount) === '')) {
        issues.push({ field: at(row, 'price-amount'), problem: `expected an amount in one of ${LEGACY_AMOUNTS.map((a) => a.amount).join(', ')}, found nothing` });
      }
      for (const spec of LEGACY_AMOUNTS) {
        if (cell(row, spec.amount) === '') continue;
        const amount = amountOf(row, spec.amount, rowCurrency);
        const description = typeof spec.description === 'string' ? spec.description : cell(row, spec.description.column) || spec.description.fallback;
        if (amount) transactions.push({ row: row.line, transactionType, amountType: spec.amountType, amountDescription: description, amount, ...common });
      }
    }
  }

  if (issues.length > 0 || total === undefined || !periodStart || !periodEnd || !depositDate) fail(issues, settlementId || undefined, rows.length + 1, max);
  return { settlementId, periodStart, periodEnd, depositDate, currency, total, transactions, extraColumns, layout };
}

type Common = Omit<SettlementTransaction, 'row' | 'transactionType' | 'amountType' | 'amountDescription' | 'amount'>;

function commonFields(
  row: RawRow,
  cell: (row: RawRow, column: string) => string,
  shortOrder: ShortDateOrder,
  issues: FieldIssue[],
  at: (row: RawRow, column: string) => string,
  extraIndexes: readonly (readonly [string, number])[],
  dates: Map<string, string | undefined>,
): Common {
  const out: Record<string, unknown> = {};
  const text = (column: string, key: string): void => {
    const v = cell(row, column);
    if (v !== '') out[key] = v;
  };
  text('order-id', 'orderId');
  text('merchant-order-id', 'merchantOrderId');
  text('adjustment-id', 'adjustmentId');
  text('shipment-id', 'shipmentId');
  text('marketplace-name', 'marketplaceName');
  text('fulfillment-id', 'fulfillmentId');
  text('order-item-code', 'orderItemCode');
  text('merchant-order-item-id', 'merchantOrderItemId');
  text('merchant-adjustment-item-id', 'merchantAdjustmentItemId');
  text('sku', 'sku');
  text('promotion-id', 'promotionId');
  // posted-date-time is unambiguous; posted-date (short, locale-ordered) only counts when it is the only one.
  const dateTime = cell(row, 'posted-date-time');
  const short = cell(row, 'posted-date');
  if (dateTime !== '') {
    let iso = dates.get(dateTime);
    if (iso === undefined && !dates.has(dateTime)) {
      if (dates.size > 10_000) dates.clear();
      dates.set(dateTime, (iso = parseAmazonDateTime(dateTime)));
    }
    if (iso) out['postedAt'] = iso;
    else issues.push({ field: at(row, 'posted-date-time'), problem: `expected a date-time such as "2026-11-01 07:00:00 UTC", found ${show(dateTime)}` });
  } else if (short !== '') {
    const iso = parseShortDate(short, shortOrder);
    if (iso) out['postedAt'] = iso;
    else issues.push({ field: at(row, 'posted-date'), problem: `expected a date such as ${shortOrder === 'mdy' ? '"11/01/26"' : '"01.11.26"'} or a date-time, found ${show(short)}` });
  }
  const qty = cell(row, 'quantity-purchased');
  if (qty !== '') {
    if (/^-?\d+$/.test(qty) && Number.isSafeInteger(Number(qty))) out['quantity'] = Number(qty);
    else issues.push({ field: at(row, 'quantity-purchased'), problem: `expected a whole number, found ${show(qty)}` });
  }
  let extra: Record<string, string> | undefined;
  for (const [name, i] of extraIndexes) {
    const v = (row.cells[i] ?? '').trim();
    if (v !== '') (extra ??= {})[name] = v;
  }
  if (extra) out['extra'] = extra;
  return out as Common;
}
