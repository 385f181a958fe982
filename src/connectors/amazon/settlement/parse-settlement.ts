import { MappingError, type FieldIssue } from '../../../core/errors.ts';
import { money, moneyFromDecimal, type Money } from '../../../core/model/money.ts';
import type { Settlement, SettlementTransaction } from '../../../core/model/settlement.ts';
import { parseAmazonDateTime, parseShortDate, type ShortDateOrder } from './dates.ts';
import {
  FORMAT_EXAMPLE,
  normalizeAmount,
  numberFormatOf,
  numberFormatOfMarketplace,
  type NumberFormat,
} from './numbers.ts';

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
 * Rows are read as they arrive; with `onTransaction` and `keepTransactions: false` a file of any size is read
 * in flat memory (rows wait only until a value shows the number format).
 */
export const SETTLEMENT_V2_COLUMNS = [
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

/** Columns of the retired V1 flat file (`GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE`). */
export const SETTLEMENT_LEGACY_COLUMNS = [
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
  'shipment-fee-type',
  'shipment-fee-amount',
  'order-fee-type',
  'order-fee-amount',
  'fulfillment-id',
  'posted-date',
  'order-item-code',
  'merchant-order-item-id',
  'merchant-adjustment-item-id',
  'sku',
  'quantity-purchased',
  'price-type',
  'price-amount',
  'item-related-fee-type',
  'item-related-fee-amount',
  'misc-fee-amount',
  'other-fee-amount',
  'other-fee-reason-description',
  'promotion-id',
  'promotion-type',
  'promotion-amount',
  'direct-payment-type',
  'direct-payment-amount',
  'other-amount',
] as const;

/**
 * V1 amount columns -> V2 amount-type (the V2 removal changelog maps V1's price-type, item-related-fee-type,
 * ... onto amount-type + amount-description). Description comes from the type column, or is fixed.
 */
const LEGACY_AMOUNTS: readonly {
  amount: string;
  amountType: string;
  description: string | { column: string; fallback: string };
}[] = [
  { amount: 'price-amount', amountType: 'ItemPrice', description: { column: 'price-type', fallback: 'Principal' } },
  {
    amount: 'item-related-fee-amount',
    amountType: 'ItemFees',
    description: { column: 'item-related-fee-type', fallback: 'Other' },
  },
  {
    amount: 'shipment-fee-amount',
    amountType: 'ShipmentFees',
    description: { column: 'shipment-fee-type', fallback: 'Other' },
  },
  { amount: 'order-fee-amount', amountType: 'OrderFees', description: { column: 'order-fee-type', fallback: 'Other' } },
  {
    amount: 'promotion-amount',
    amountType: 'Promotion',
    description: { column: 'promotion-type', fallback: 'Principal' },
  },
  {
    amount: 'direct-payment-amount',
    amountType: 'DirectPayment',
    description: { column: 'direct-payment-type', fallback: 'Other' },
  },
  { amount: 'misc-fee-amount', amountType: 'other-transaction', description: 'MiscFee' },
  {
    amount: 'other-fee-amount',
    amountType: 'other-transaction',
    description: { column: 'other-fee-reason-description', fallback: 'OtherFee' },
  },
  { amount: 'other-amount', amountType: 'other-transaction', description: 'Other' },
];

const KNOWN_V2 = new Set<string>([...SETTLEMENT_V2_COLUMNS, 'promotion-id']);
const KNOWN_LEGACY = new Set<string>(SETTLEMENT_LEGACY_COLUMNS);

export interface SettlementParseOptions {
  /** The file's number format; detected from the amounts (then the marketplace name) when absent. */
  readonly numberFormat?: NumberFormat;
  /** How `posted-date` with slashes reads when `posted-date-time` is empty; default mdy for US files, dmy for EU. */
  readonly shortDateOrder?: ShortDateOrder;
  /** At most this many issues are kept and listed in the error (the rest are counted); default 200. */
  readonly maxIssues?: number;
  /**
   * Called with each transaction as soon as it is read (rows wait only until the number format is known).
   * Provisional: the file is only good once `end()` returns.
   */
  readonly onTransaction?: (transaction: SettlementTransaction) => void;
  /** false: the result's `transactions` stays empty (with onTransaction, memory stays flat whatever the file size). Default true. */
  readonly keepTransactions?: boolean;
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

/**
 * Longest line the parser accepts. A settlement row is a few hundred characters; a longer line is a diagnosis
 * (its line number and length), never a buffer: the rest of that line is skipped as it arrives (a
 * 50 MB one-line file was held, then echoed whole into the error, the quarantine row and the API).
 */
export const MAX_SETTLEMENT_LINE_CHARS = 64 * 1024;

export function createSettlementParser(options: SettlementParseOptions = {}): SettlementParser {
  let rest = '';
  let lineNo = 0;
  let ended = false;
  let reader: RowReader | undefined;
  /** Characters of the over-long line being skipped (0: not skipping). */
  let skipping = 0;
  let headerTooLong: { line: number } | undefined;

  const take = (rawLine: string): void => {
    lineNo += 1;
    let line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (reader === undefined) {
      if (line.trim() === '') {
        lineNo -= 1; // leading blank lines do not count; the header is line 1
        return;
      }
      reader = new RowReader(
        line.split('\t').map((h) => h.trim()),
        options,
      );
      return;
    }
    if (line.trim() === '') return;
    reader.row({ line: lineNo, cells: line.split('\t') });
  };

  const tooLong = (): void => {
    // The same words whether the line ended in this chunk or runs on: chunking never changes the answer.
    const problem = `line is over ${MAX_SETTLEMENT_LINE_CHARS} characters, longer than a settlement row can be (not a tab-separated settlement file, or a line break is missing)`;
    if (reader === undefined) headerTooLong = { line: lineNo };
    else reader.lineIssue(lineNo, problem);
  };

  return {
    write(chunk: string): void {
      if (ended) throw new Error('settlement parser: write after end');
      if (headerTooLong) return; // nothing after an unreadable header can be read
      let text = rest + chunk;
      rest = '';
      if (skipping > 0) {
        const nl = text.indexOf('\n');
        if (nl < 0) {
          skipping += text.length;
          return;
        }
        skipping = 0;
        text = text.slice(nl + 1);
      }
      let start = 0;
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
        if (i - start > MAX_SETTLEMENT_LINE_CHARS) {
          lineNo += 1;
          tooLong();
          if (headerTooLong) return;
        } else take(text.slice(start, i));
        start = i + 1;
      }
      if (text.length - start > MAX_SETTLEMENT_LINE_CHARS) {
        // The line goes on past the limit: report it now and skip the rest of it as it arrives.
        lineNo += 1;
        skipping = text.length - start;
        tooLong();
        return;
      }
      rest = text.slice(start);
    },
    end(): Settlement {
      if (ended) throw new Error('settlement parser: end called twice');
      ended = true;
      if (headerTooLong) {
        throw new MappingError(
          'SB_SETTLE_FILE_INVALID',
          'settlement file',
          [
            {
              field: `row ${headerTooLong.line}`,
              problem: `header line is over ${MAX_SETTLEMENT_LINE_CHARS} characters, longer than a settlement header can be: not a tab-separated settlement file (or a line break is missing)`,
            },
          ],
          { context: { lines: headerTooLong.line, issues: 1 } },
        );
      }
      if (rest !== '') take(rest);
      rest = '';
      if (reader === undefined) {
        throw new MappingError(
          'SB_SETTLE_FILE_INVALID',
          'settlement file',
          [{ field: 'file', problem: 'is empty: expected a tab-separated header row and a settlement summary row' }],
          { context: { lines: 0, issues: 1 } },
        );
      }
      return reader.end();
    },
  };
}

const cut = (value: string): string => (value.length > 40 ? `${value.slice(0, 40)}...` : value);
const show = (value: string): string =>
  value === '' ? 'nothing' : `"${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`;

/**
 * Reads the data rows one at a time: rows wait in a buffer only until the number format is known (told, or
 * the first value that reads one way only), then become transactions at once (kept, or handed to
 * `onTransaction`). Issues are counted; at most `maxIssues` are kept.
 */
class RowReader {
  private readonly header: readonly string[];
  private readonly options: SettlementParseOptions;
  private readonly max: number;
  private readonly index = new Map<string, number>();
  private readonly layout: 'v2' | 'legacy';
  private readonly known: ReadonlySet<string>;
  private readonly extraColumns: readonly string[];
  private readonly extraIndexes: readonly (readonly [string, number])[];
  private readonly amountColumns: readonly string[];
  private readonly headerBroken: boolean;
  private readonly issues: FieldIssue[] = [];
  private issueCount = 0;
  private rows = 0;
  private format: NumberFormat | undefined;
  private shortOrder: ShortDateOrder = 'mdy';
  private readonly pending: RawRow[] = [];
  private hint: NumberFormat | undefined;
  /** Rows of one posting share their posted-date-time: parse each distinct value once. */
  private readonly dates = new Map<string, string | undefined>();
  private readonly transactions: SettlementTransaction[] = [];
  private summary:
    | {
        line: number;
        settlementId: string;
        currency: string;
        currencyOk: boolean;
        total?: Money;
        periodStart?: string;
        periodEnd?: string;
        depositDate?: string;
      }
    | undefined;
  private summaryBroken = false;
  private firstSeen = false;

  constructor(header: readonly string[], options: SettlementParseOptions) {
    this.header = header;
    this.options = options;
    this.max = options.maxIssues ?? 200;
    this.format = options.numberFormat;
    header.forEach((name, i) => {
      if (this.index.has(name))
        this.issue({ field: `row 1, column ${i + 1}`, problem: `header "${cut(name)}" appears twice` });
      else this.index.set(name, i);
    });
    this.layout = !this.index.has('amount') && this.index.has('price-amount') ? 'legacy' : 'v2';
    const required: readonly string[] =
      this.layout === 'v2' ? SETTLEMENT_V2_COLUMNS : SETTLEMENT_LEGACY_COLUMNS.filter((c) => c !== 'promotion-id');
    this.known = this.layout === 'v2' ? KNOWN_V2 : KNOWN_LEGACY;
    const missing = required.filter((c) => !this.index.has(c));
    this.extraColumns = header.filter((h, i) => !this.known.has(h) && this.index.get(h) === i);
    this.extraIndexes = this.extraColumns.map((name) => [name, this.index.get(name)!] as const);
    this.amountColumns = this.layout === 'v2' ? ['amount'] : LEGACY_AMOUNTS.map((a) => a.amount);
    if (missing.length > 0) {
      for (const c of missing)
        this.issue({
          field: `row 1, column ${c}`,
          problem: `missing: expected the ${this.layout === 'v2' ? 'Flat File V2' : 'V1 flat file'} column "${c}"`,
        });
      if (this.extraColumns.length > 0) {
        const listed = this.extraColumns.slice(0, 10).map(cut).join(', ');
        this.issue({
          field: 'row 1',
          problem: `found columns Amazon does not document: ${listed}${this.extraColumns.length > 10 ? ` and ${this.extraColumns.length - 10} more` : ''}`,
        });
      }
    }
    this.headerBroken = this.issueCount > 0;
    if (this.format) this.shortOrder = options.shortDateOrder ?? (this.format === 'eu' ? 'dmy' : 'mdy');
  }

  /** A line the parser could not read as a row (too long): counted as a row with one problem. */
  lineIssue(line: number, problem: string): void {
    this.rows += 1;
    this.issue({ field: `row ${line}`, problem });
    if (!this.firstSeen) {
      this.firstSeen = true;
      this.summaryBroken = true;
    }
  }

  private issue(issue: FieldIssue): void {
    this.issueCount += 1;
    if (this.issues.length < this.max) this.issues.push(issue);
  }

  private fail(): never {
    const listed =
      this.issueCount > this.issues.length
        ? [...this.issues, { field: 'file', problem: `and ${this.issueCount - this.issues.length} more problems` }]
        : this.issues;
    const settlementId = this.summary?.settlementId || undefined;
    throw new MappingError(
      'SB_SETTLE_FILE_INVALID',
      `settlement file${settlementId ? ` ${settlementId}` : ''}`,
      listed,
      {
        context: { ...(settlementId ? { settlementId } : {}), lines: this.rows + 1, issues: this.issueCount },
      },
    );
  }

  private cell(row: RawRow, column: string): string {
    const i = this.index.get(column);
    return i === undefined ? '' : (row.cells[i] ?? '').trim();
  }

  private at(row: RawRow, column: string): string {
    return `row ${row.line}, column ${column}`;
  }

  row(row: RawRow): void {
    this.rows += 1;
    if (this.headerBroken) return;
    const first = !this.firstSeen;
    this.firstSeen = true;
    if (row.cells.length !== this.header.length) {
      this.issue({
        field: `row ${row.line}`,
        problem: `expected ${this.header.length} tab-separated fields, found ${row.cells.length} (truncated or misaligned line)`,
      });
      if (first) this.summaryBroken = true;
      return;
    }
    if (this.summaryBroken) return;
    if (this.format === undefined) {
      this.hint ??= numberFormatOfMarketplace(this.cell(row, 'marketplace-name'));
      for (const c of ['total-amount', ...this.amountColumns]) this.format ??= numberFormatOf(this.cell(row, c));
      if (this.format === undefined) {
        this.pending.push(row);
        return;
      }
      this.shortOrder = this.options.shortDateOrder ?? (this.format === 'eu' ? 'dmy' : 'mdy');
      this.flush();
    }
    this.process(row);
  }

  private flush(): void {
    for (const row of this.pending.splice(0)) {
      if (this.summaryBroken) return;
      this.process(row);
    }
  }

  private isSummary(row: RawRow): boolean {
    return (
      this.cell(row, 'transaction-type') === '' &&
      this.cell(row, 'total-amount') !== '' &&
      this.amountColumns.every((c) => this.cell(row, c) === '')
    );
  }

  private amountOf(row: RawRow, column: string, currency: string): Money | undefined {
    const format = this.format ?? 'us';
    const raw = this.cell(row, column);
    const normalized = raw === '' ? undefined : normalizeAmount(raw, format);
    if (normalized === undefined) {
      this.issue({
        field: this.at(row, column),
        problem: `expected an amount in the file's ${format.toUpperCase()} format (e.g. ${FORMAT_EXAMPLE[format]}), found ${show(raw)}`,
      });
      return undefined;
    }
    try {
      const value = moneyFromDecimal(normalized, currency);
      return Object.is(value.minor, -0) ? money(currency, 0) : value; // "-0.00" is zero
    } catch {
      this.issue({
        field: this.at(row, column),
        problem: `expected an amount with the decimals of ${currency}, found ${show(raw)}`,
      });
      return undefined;
    }
  }

  private dateOf(row: RawRow, column: string): string | undefined {
    const raw = this.cell(row, column);
    const iso = parseAmazonDateTime(raw);
    if (iso === undefined)
      this.issue({
        field: this.at(row, column),
        problem: `expected a date-time such as "2026-11-01 07:00:00 UTC" or "2026-11-01T07:00:00+00:00", found ${show(raw)}`,
      });
    return iso;
  }

  private process(row: RawRow): void {
    if (this.summary === undefined) {
      if (!this.isSummary(row)) {
        this.issue({
          field: `row ${row.line}, column total-amount`,
          problem:
            'expected the settlement summary row (settlement-id, dates, total-amount, currency; no transaction-type or amount) as the first data row',
        });
        this.summaryBroken = true;
        return;
      }
      this.readSummary(row);
      return;
    }
    if (this.isSummary(row)) {
      this.issue({
        field: this.at(row, 'total-amount'),
        problem: `a second settlement summary row (the summary is row ${this.summary.line})`,
      });
      return;
    }
    this.readAmountRow(row, this.summary);
  }

  private readSummary(row: RawRow): void {
    const settlementId = this.cell(row, 'settlement-id');
    if (settlementId === '')
      this.issue({ field: this.at(row, 'settlement-id'), problem: 'expected the settlement id, found nothing' });
    const currency = this.cell(row, 'currency').toUpperCase();
    const currencyOk = /^[A-Z]{3}$/.test(currency);
    if (!currencyOk)
      this.issue({
        field: this.at(row, 'currency'),
        problem: `expected an ISO 4217 currency code, found ${show(this.cell(row, 'currency'))}`,
      });
    const periodStart = this.dateOf(row, 'settlement-start-date');
    const periodEnd = this.dateOf(row, 'settlement-end-date');
    const depositDate = this.dateOf(row, 'deposit-date');
    const total = currencyOk ? this.amountOf(row, 'total-amount', currency) : undefined;
    if (periodStart && periodEnd && periodStart > periodEnd)
      this.issue({
        field: this.at(row, 'settlement-end-date'),
        problem: `is before settlement-start-date (${periodStart} > ${periodEnd})`,
      });
    this.summary = {
      line: row.line,
      settlementId,
      currency,
      currencyOk,
      ...(total ? { total } : {}),
      ...(periodStart ? { periodStart } : {}),
      ...(periodEnd ? { periodEnd } : {}),
      ...(depositDate ? { depositDate } : {}),
    };
  }

  private readAmountRow(row: RawRow, summary: NonNullable<RowReader['summary']>): void {
    const id = this.cell(row, 'settlement-id');
    if (id !== '' && summary.settlementId !== '' && id !== summary.settlementId)
      this.issue({
        field: this.at(row, 'settlement-id'),
        problem: `expected ${summary.settlementId} (the summary's), found ${show(id)}`,
      });
    const transactionType = this.cell(row, 'transaction-type');
    if (transactionType === '')
      this.issue({
        field: this.at(row, 'transaction-type'),
        problem: 'expected a transaction type (e.g. Order, Refund, other-transaction), found nothing',
      });
    let rowCurrency = summary.currency;
    const ownCurrency = this.cell(row, 'currency').toUpperCase();
    if (ownCurrency !== '') {
      if (/^[A-Z]{3}$/.test(ownCurrency)) rowCurrency = ownCurrency;
      else
        this.issue({
          field: this.at(row, 'currency'),
          problem: `expected an ISO 4217 currency code or nothing, found ${show(this.cell(row, 'currency'))}`,
        });
    }
    const common = commonFields(
      row,
      (r, c) => this.cell(r, c),
      this.shortOrder,
      (i) => this.issue(i),
      (r, c) => this.at(r, c),
      this.extraIndexes,
      this.dates,
    );
    if (!summary.currencyOk && ownCurrency === '') return;
    if (this.layout === 'v2') {
      const amountType = this.cell(row, 'amount-type');
      if (amountType === '')
        this.issue({
          field: this.at(row, 'amount-type'),
          problem: 'expected an amount type (e.g. ItemPrice, ItemFees), found nothing',
        });
      const amount = this.amountOf(row, 'amount', rowCurrency);
      if (amount)
        this.emit({
          row: row.line,
          transactionType,
          amountType,
          amountDescription: this.cell(row, 'amount-description'),
          amount,
          ...common,
        });
      return;
    }
    if (LEGACY_AMOUNTS.every((spec) => this.cell(row, spec.amount) === '')) {
      this.issue({
        field: this.at(row, 'price-amount'),
        problem: `expected an amount in one of ${LEGACY_AMOUNTS.map((a) => a.amount).join(', ')}, found nothing`,
      });
    }
    for (const spec of LEGACY_AMOUNTS) {
      if (this.cell(row, spec.amount) === '') continue;
      const amount = this.amountOf(row, spec.amount, rowCurrency);
      const description =
        typeof spec.description === 'string'
          ? spec.description
          : this.cell(row, spec.description.column) || spec.description.fallback;
      if (amount)
        this.emit({
          row: row.line,
          transactionType,
          amountType: spec.amountType,
          amountDescription: description,
          amount,
          ...common,
        });
    }
  }

  private emit(transaction: SettlementTransaction): void {
    this.options.onTransaction?.(transaction);
    if (this.options.keepTransactions !== false) this.transactions.push(transaction);
  }

  end(): Settlement {
    if (!this.headerBroken && this.format === undefined) {
      this.format = this.hint ?? 'us';
      this.shortOrder = this.options.shortDateOrder ?? (this.format === 'eu' ? 'dmy' : 'mdy');
      this.flush();
    }
    if (!this.headerBroken && !this.firstSeen) {
      this.issue({
        field: 'row 2, column total-amount',
        problem:
          'expected the settlement summary row (settlement-id, dates, total-amount, currency; no transaction-type or amount) as the first data row',
      });
    }
    const s = this.summary;
    if (this.issueCount > 0 || !s || !s.total || !s.periodStart || !s.periodEnd || !s.depositDate) this.fail();
    return {
      settlementId: s.settlementId,
      periodStart: s.periodStart,
      periodEnd: s.periodEnd,
      depositDate: s.depositDate,
      currency: s.currency,
      total: s.total,
      transactions: this.transactions,
      extraColumns: this.extraColumns,
      layout: this.layout,
    };
  }
}

type Common = Omit<SettlementTransaction, 'row' | 'transactionType' | 'amountType' | 'amountDescription' | 'amount'>;

function commonFields(
  row: RawRow,
  cell: (row: RawRow, column: string) => string,
  shortOrder: ShortDateOrder,
  addIssue: (issue: FieldIssue) => void,
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
    else
      addIssue({
        field: at(row, 'posted-date-time'),
        problem: `expected a date-time such as "2026-11-01 07:00:00 UTC", found ${show(dateTime)}`,
      });
  } else if (short !== '') {
    const iso = parseShortDate(short, shortOrder);
    if (iso) out['postedAt'] = iso;
    else
      addIssue({
        field: at(row, 'posted-date'),
        problem: `expected a date such as ${shortOrder === 'mdy' ? '"11/01/26"' : '"01.11.26"'} or a date-time, found ${show(short)}`,
      });
  }
  const qty = cell(row, 'quantity-purchased');
  if (qty !== '') {
    if (/^-?\d+$/.test(qty) && Number.isSafeInteger(Number(qty))) out['quantity'] = Number(qty);
    else addIssue({ field: at(row, 'quantity-purchased'), problem: `expected a whole number, found ${show(qty)}` });
  }
  let extra: Record<string, string> | undefined;
  for (const [name, i] of extraIndexes) {
    const v = (row.cells[i] ?? '').trim();
    if (v !== '') (extra ??= {})[name] = v;
  }
  if (extra) out['extra'] = extra;
  return out as Common;
}
