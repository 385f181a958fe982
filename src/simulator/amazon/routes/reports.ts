import type { FastifyInstance } from 'fastify';
import { defineOperation, queryList, queryString } from '../http.ts';
import { invalidInput, notFound } from '../errors.ts';
import { baseUrl } from './feeds.ts';
import { settlementFromOrders, type SettlementFile } from '../settlement.ts';
import type { SimReport, SimulatorState } from '../state.ts';

/**
 * Reports API 2021-06-30: getReports, getReport, getReportDocument. Settlement reports cannot be requested on
 * Amazon (sp-api-facts.md §9.2); here `control.generateSettlementReport()` makes one from the simulated orders.
 */
export const SETTLEMENT_REPORT_TYPE = 'GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2';
const RETENTION_MS = 90 * 86_400_000;

export function reportToWire(report: SimReport): Record<string, unknown> {
  return {
    reportId: report.reportId,
    reportType: report.reportType,
    marketplaceIds: [...report.marketplaceIds],
    createdTime: report.createdTime,
    processingStatus: report.processingStatus,
    ...(report.dataStartTime ? { dataStartTime: report.dataStartTime } : {}),
    ...(report.dataEndTime ? { dataEndTime: report.dataEndTime } : {}),
    ...(report.processingStartTime ? { processingStartTime: report.processingStartTime } : {}),
    ...(report.processingEndTime ? { processingEndTime: report.processingEndTime } : {}),
    ...(report.reportDocumentId ? { reportDocumentId: report.reportDocumentId } : {}),
  };
}

export interface SettlementReportOptions {
  readonly sellerId?: string;
  readonly marketplaceId?: string;
  readonly numberFormat?: 'us' | 'eu';
  readonly withPromotionId?: boolean;
  readonly gzip?: boolean;
  /** Days the settlement covers, ending now (default 14). */
  readonly days?: number;
  /** Orders refunded in this settlement (Refund rows). */
  readonly refundOrderIds?: readonly string[];
}

export function generateSettlementReport(sim: SimulatorState, options: SettlementReportOptions = {}): { report: SimReport; file: SettlementFile } {
  const seller = sim.seller(options.sellerId);
  const marketplaceId = options.marketplaceId ?? seller.marketplaceIds[0] ?? 'ATVPDKIKX0DER';
  const endMs = sim.now();
  const startMs = endMs - (options.days ?? 14) * 86_400_000;
  const orders = [...sim.orders.values()]
    .filter((o) => o.sellerId === seller.sellerId && o.marketplaceId === marketplaceId)
    .filter((o) => Date.parse(o.createdTime) >= startMs && Date.parse(o.createdTime) <= endMs)
    .sort((a, b) => a.createdTime.localeCompare(b.createdTime));
  const file = settlementFromOrders(orders, sim.prng.fork(`settlement:${sim.reports.size}`), {
    startMs,
    endMs,
    ...(options.numberFormat ? { numberFormat: options.numberFormat } : {}),
    ...(options.withPromotionId === undefined ? {} : { withPromotionId: options.withPromotionId }),
    ...(options.refundOrderIds ? { refundOrderIds: options.refundOrderIds } : {}),
  });
  const doc = sim.documents.create(seller.sellerId, 'report', 'text/tab-separated-values; charset=UTF-8');
  sim.documents.produce(doc, file.text, options.gzip ?? false);
  const iso = new Date(endMs).toISOString();
  const report: SimReport = {
    reportId: sim.idPrng.digits(11),
    sellerId: seller.sellerId,
    reportType: SETTLEMENT_REPORT_TYPE,
    marketplaceIds: [marketplaceId],
    createdTime: iso,
    dataStartTime: new Date(startMs).toISOString(),
    dataEndTime: iso,
    processingStatus: 'DONE',
    processingStartTime: iso,
    processingEndTime: iso,
    reportDocumentId: doc.documentId,
  };
  sim.reports.set(report.reportId, report);
  sim.events.emit('report', report);
  sim.notifications.publishProcessingFinished('report', seller.sellerId, { reportId: report.reportId, reportType: report.reportType, processingStatus: 'DONE', reportDocumentId: doc.documentId });
  return { report, file };
}

export function registerReportRoutes(app: FastifyInstance, sim: SimulatorState): void {
  const pages = new Map<string, { ids: string[]; offset: number; pageSize: number; sellerId: string }>();

  defineOperation(app, sim, 'reports.getReports', ({ request, sellerId }) => {
    const nextToken = queryString(request, 'nextToken');
    let cursor: { ids: string[]; offset: number; pageSize: number; sellerId: string };
    if (nextToken) {
      const found = pages.get(nextToken);
      if (!found || found.sellerId !== sellerId) throw invalidInput('Invalid nextToken.');
      pages.delete(nextToken);
      cursor = found;
    } else {
      const reportTypes = queryList(request, 'reportTypes');
      if (!reportTypes || reportTypes.length < 1 || reportTypes.length > 10) throw invalidInput('reportTypes (1 to 10) or nextToken is required.');
      const statuses = queryList(request, 'processingStatuses');
      const marketplaceIds = queryList(request, 'marketplaceIds');
      const pageSize = Number(queryString(request, 'pageSize') ?? 10);
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) throw invalidInput('pageSize must be an integer from 1 to 100.');
      const since = Date.parse(queryString(request, 'createdSince') ?? new Date(sim.now() - RETENTION_MS).toISOString());
      const until = Date.parse(queryString(request, 'createdUntil') ?? new Date(sim.now()).toISOString());
      if (Number.isNaN(since) || Number.isNaN(until)) throw invalidInput('createdSince and createdUntil must be ISO 8601 date-times.');
      const ids = [...sim.reports.values()]
        .filter((r) => r.sellerId === sellerId && reportTypes.includes(r.reportType))
        .filter((r) => !statuses || statuses.includes(r.processingStatus))
        .filter((r) => !marketplaceIds || r.marketplaceIds.some((m) => marketplaceIds.includes(m)))
        .filter((r) => Date.parse(r.createdTime) >= since && Date.parse(r.createdTime) <= until)
        .sort((a, b) => b.createdTime.localeCompare(a.createdTime) || b.reportId.localeCompare(a.reportId))
        .map((r) => r.reportId);
      cursor = { ids, offset: 0, pageSize, sellerId: sellerId! };
    }
    const reports = cursor.ids.slice(cursor.offset, cursor.offset + cursor.pageSize).map((id) => reportToWire(sim.reports.get(id)!));
    const body: Record<string, unknown> = { reports };
    if (cursor.offset + cursor.pageSize < cursor.ids.length) {
      const token = sim.idPrng.alnum(32);
      pages.set(token, { ...cursor, offset: cursor.offset + cursor.pageSize });
      body.nextToken = token;
    }
    return { status: 200, body };
  });

  defineOperation(app, sim, 'reports.getReport', ({ request, sellerId }) => {
    const { reportId } = request.params as { reportId: string };
    const report = sim.reports.get(reportId);
    if (!report || report.sellerId !== sellerId) throw notFound(`Report ${reportId} was not found.`);
    return { status: 200, body: reportToWire(report) };
  });

  defineOperation(app, sim, 'reports.getReportDocument', ({ request, sellerId }) => {
    const { reportDocumentId } = request.params as { reportDocumentId: string };
    const doc = sim.documents.documents.get(reportDocumentId);
    if (!doc || doc.sellerId !== sellerId || doc.kind !== 'report') throw notFound(`Report document ${reportDocumentId} was not found.`);
    const header = queryString(request, 'enableContentEncodingUrlHeader') === 'true';
    return {
      status: 200,
      body: { reportDocumentId: doc.documentId, url: sim.documents.url(doc, baseUrl(request), header), ...(doc.compressionAlgorithm ? { compressionAlgorithm: doc.compressionAlgorithm } : {}) },
    };
  });
}
