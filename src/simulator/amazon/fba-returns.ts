import { invalidInput } from './errors.ts';
import type { SimulatorState } from './state.ts';
import type { SimReport } from './types.ts';

/** Amazon's FBA customer returns report (Reports API createReport; tab-separated flat file). */
export const FBA_RETURNS_REPORT_TYPE = 'GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA';
/** Columns in Amazon's order ("FBA Customer Concessions reports attributes"). */
const COLUMNS = [
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

/** One unit package a buyer sent back to an Amazon fulfilment centre (a row of the report). */
export interface SimFbaReturn {
  readonly sellerId: string;
  readonly marketplaceId: string;
  readonly orderId: string;
  readonly sku: string;
  readonly asin: string;
  readonly title: string;
  readonly quantity: number;
  readonly returnDate: string;
  readonly fulfillmentCenterId: string;
  readonly disposition: string;
  readonly reason: string;
  readonly licensePlateNumber: string;
}

export interface FbaReturnOptions {
  readonly sku?: string;
  /** Units returned (default 1; at most what shipped and was not returned before). */
  readonly quantity?: number;
  readonly disposition?: 'SELLABLE' | 'CUSTOMER_DAMAGED' | 'DEFECTIVE' | 'CARRIER_DAMAGED';
  readonly reason?: string;
}

/**
 * A buyer returns an item of an FBA order Amazon shipped: recorded for the returns report (Amazon's report lists the
 * return once the fulfilment centre received it). Refused for an MFN order, an unshipped one, an unknown SKU or more
 * units than shipped and not yet returned.
 */
export function returnFbaItem(sim: SimulatorState, orderId: string, options: FbaReturnOptions = {}): SimFbaReturn {
  const order = sim.orders.get(orderId);
  if (!order) throw new Error(`simulator: no order ${orderId}`);
  if (order.fulfilledBy !== 'AMAZON') throw new Error(`simulator: order ${orderId} is not fulfilled by Amazon`);
  const item = options.sku ? order.items.find((i) => i.sku === options.sku) : order.items[0];
  if (!item) throw new Error(`simulator: order ${orderId} has no item ${options.sku ?? ''}`);
  const quantity = options.quantity ?? 1;
  const returned = sim.fbaReturns
    .filter((r) => r.orderId === orderId && r.sku === item.sku)
    .reduce((n, r) => n + r.quantity, 0);
  if (!Number.isInteger(quantity) || quantity <= 0 || quantity > item.quantityShipped - returned)
    throw new Error(
      `simulator: cannot return ${quantity} of ${item.sku} (${item.quantityShipped} shipped, ${returned} returned)`,
    );
  const ret: SimFbaReturn = {
    sellerId: order.sellerId,
    marketplaceId: order.marketplaceId,
    orderId,
    sku: item.sku,
    asin: item.asin,
    title: item.title,
    quantity,
    // Amazon writes the return date with a zone offset; the simulator writes UTC.
    returnDate: new Date(sim.now()).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    fulfillmentCenterId: 'PHX7',
    disposition: options.disposition ?? 'SELLABLE',
    reason: options.reason ?? 'UNWANTED_ITEM',
    licensePlateNumber: `LPN${sim.idPrng.alnum(10).toUpperCase()}`,
  };
  sim.fbaReturns.push(ret);
  return ret;
}

/** The report's text for returns dated in [startMs, endMs]. */
export function fbaReturnsReportText(returns: readonly SimFbaReturn[]): string {
  const clean = (s: string) => s.replace(/[\t\r\n]/g, ' ');
  const rows = returns.map((r) =>
    [
      r.returnDate,
      r.orderId,
      r.sku,
      r.asin,
      `X00${r.asin.slice(-7)}`,
      r.title,
      String(r.quantity),
      r.fulfillmentCenterId,
      r.disposition,
      r.reason,
      'Unit returned to inventory',
      r.licensePlateNumber,
      '',
    ]
      .map(clean)
      .join('\t'),
  );
  return [COLUMNS.join('\t'), ...rows].join('\n') + '\n';
}

/**
 * createReport for the returns report: IN_QUEUE, then after `processingDelayMs` (simulated) DONE with its document,
 * or CANCELLED when the window holds no return (as Amazon does for a report without data). Other report types
 * cannot be requested from the simulator.
 */
export function createFbaReturnsReport(
  sim: SimulatorState,
  sellerId: string,
  body: { reportType?: unknown; marketplaceIds?: unknown; dataStartTime?: unknown; dataEndTime?: unknown },
): SimReport {
  if (body.reportType !== FBA_RETURNS_REPORT_TYPE)
    throw invalidInput(
      `The simulator makes only ${FBA_RETURNS_REPORT_TYPE} on request (reportType ${String(body.reportType)}).`,
    );
  if (!Array.isArray(body.marketplaceIds) || body.marketplaceIds.length < 1)
    throw invalidInput('marketplaceIds (at least one) is required.');
  const nowMs = sim.now();
  const startMs = typeof body.dataStartTime === 'string' ? Date.parse(body.dataStartTime) : nowMs - 30 * 86_400_000;
  const endMs = typeof body.dataEndTime === 'string' ? Date.parse(body.dataEndTime) : nowMs;
  if (Number.isNaN(startMs) || Number.isNaN(endMs) || startMs > endMs)
    throw invalidInput('dataStartTime and dataEndTime must be ISO 8601 dates, start before end.');
  const iso = new Date(nowMs).toISOString();
  const report: SimReport = {
    reportId: sim.idPrng.digits(11),
    sellerId,
    reportType: FBA_RETURNS_REPORT_TYPE,
    marketplaceIds: body.marketplaceIds as string[],
    createdTime: iso,
    dataStartTime: new Date(startMs).toISOString(),
    dataEndTime: new Date(endMs).toISOString(),
    processingStatus: 'IN_QUEUE',
  };
  sim.reports.set(report.reportId, report);
  sim.later(sim.options.processingDelayMs ?? 60_000, () => {
    const rows = sim.fbaReturns.filter(
      (r) =>
        r.sellerId === sellerId &&
        report.marketplaceIds.includes(r.marketplaceId) &&
        Date.parse(r.returnDate) >= startMs &&
        Date.parse(r.returnDate) <= endMs,
    );
    const done = new Date(sim.now()).toISOString();
    report.processingStartTime = done;
    report.processingEndTime = done;
    if (rows.length === 0) report.processingStatus = 'CANCELLED';
    else {
      const doc = sim.documents.create(sellerId, 'report', 'text/tab-separated-values; charset=UTF-8');
      sim.documents.produce(doc, fbaReturnsReportText(rows), false);
      report.reportDocumentId = doc.documentId;
      report.processingStatus = 'DONE';
    }
    sim.events.emit('report', report);
    sim.notifications.publishProcessingFinished('report', sellerId, {
      reportId: report.reportId,
      reportType: report.reportType,
      processingStatus: report.processingStatus,
      ...(report.reportDocumentId ? { reportDocumentId: report.reportDocumentId } : {}),
    });
  });
  return report;
}
