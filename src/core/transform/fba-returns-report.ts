import { MappingError, type FieldIssue } from '../errors.ts';

/** Amazon's FBA customer returns report (Reports API, tab-separated flat file). */
export const FBA_RETURNS_REPORT_TYPE = 'GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA';

/** The report's columns as Amazon documents them ("FBA Customer Concessions reports attributes"). */
export const FBA_RETURNS_COLUMNS = [
  'return-date',
  'order-id',
  'sku',
  'asin',
  'fnsku',
  'product-name',
  'quantity',
  'fulfillment-center-id',
  'detailed-disposition',
  'reason',
  'status',
  'license-plate-number',
  'customer-comments',
] as const;

/** One returned line of an FBA order: goods back at an Amazon fulfilment centre. No buyer text is kept. */
export interface FbaReturnLine {
  readonly amazonOrderId: string;
  readonly sku: string;
  readonly quantity: number;
  /** UTC ISO-8601 instant of the return. */
  readonly returnDate: string;
  readonly licensePlateNumber?: string;
  readonly disposition?: string;
  readonly fulfillmentCenterId?: string;
  /** The line's identity: `LPN:<license-plate-number>`, else `<return-date>|<sku>` (see `returnLineKey`). */
  readonly returnKey: string;
}

/**
 * A return line's identity across reports: Amazon's license plate number (one per returned unit package) when the
 * line has one, else the return date and SKU. Overlapping report windows read a line twice; the key makes it once.
 */
export function returnLineKey(line: {
  readonly licensePlateNumber?: string;
  readonly returnDate: string;
  readonly sku: string;
}): string {
  return line.licensePlateNumber ? `LPN:${line.licensePlateNumber}` : `${line.returnDate}|${line.sku}`;
}

/**
 * Parses the report. Columns are found by header name (Amazon may add columns); `customer-comments` and
 * `product-name` are not kept (free text, possibly personal). A row missing its order id, SKU, date or a whole
 * quantity is listed as an issue and the whole file is refused (a MappingError naming every row and field), as a
 * half-read report would silently drop returns. Pure.
 */
export function parseFbaReturnsReport(text: string): FbaReturnLine[] {
  const rows = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((r) => r.trim() !== '');
  if (rows.length === 0) return [];
  const header = rows[0]!.split('\t').map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  const issues: FieldIssue[] = [];
  for (const required of ['return-date', 'order-id', 'sku', 'quantity'])
    if (col(required) < 0) issues.push({ field: required, problem: 'column missing from the header' });
  if (issues.length > 0)
    throw new MappingError(
      'SB_AMZ_REPORT_INVALID',
      `${FBA_RETURNS_REPORT_TYPE}: header is not the returns report's`,
      issues,
    );
  const lines: FbaReturnLine[] = [];
  rows.slice(1).forEach((row, i) => {
    const cells = row.split('\t');
    const at = (name: string) => {
      const c = col(name);
      const v = c >= 0 ? cells[c]?.trim() : undefined;
      return v ? v : undefined;
    };
    const rowNo = i + 2;
    const amazonOrderId = at('order-id');
    const sku = at('sku');
    const rawDate = at('return-date');
    const date = rawDate ? new Date(rawDate) : undefined;
    const quantity = Number(at('quantity'));
    if (!amazonOrderId) issues.push({ field: `row ${rowNo} order-id`, problem: 'empty' });
    if (!sku) issues.push({ field: `row ${rowNo} sku`, problem: 'empty' });
    if (!date || Number.isNaN(date.getTime()))
      issues.push({ field: `row ${rowNo} return-date`, problem: `not a date (${rawDate ?? ''})` });
    if (!Number.isInteger(quantity) || quantity <= 0)
      issues.push({
        field: `row ${rowNo} quantity`,
        problem: `not a whole quantity above 0 (${at('quantity') ?? ''})`,
      });
    if (!amazonOrderId || !sku || !date || Number.isNaN(date.getTime()) || !Number.isInteger(quantity) || quantity <= 0)
      return;
    const returnDate = date.toISOString();
    const licensePlateNumber = at('license-plate-number');
    const disposition = at('detailed-disposition');
    const fulfillmentCenterId = at('fulfillment-center-id');
    lines.push({
      amazonOrderId,
      sku,
      quantity,
      returnDate,
      ...(licensePlateNumber ? { licensePlateNumber } : {}),
      ...(disposition ? { disposition } : {}),
      ...(fulfillmentCenterId ? { fulfillmentCenterId } : {}),
      returnKey: returnLineKey({ returnDate, sku, ...(licensePlateNumber ? { licensePlateNumber } : {}) }),
    });
  });
  if (issues.length > 0)
    throw new MappingError('SB_AMZ_REPORT_INVALID', `${FBA_RETURNS_REPORT_TYPE}: rows cannot be read`, issues);
  return lines;
}
