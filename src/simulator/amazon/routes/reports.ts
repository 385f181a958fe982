import { convertedDeposit } from '../finances.ts';
import type { FastifyInstance } from 'fastify';
import { defineOperation, queryString } from '../http.ts';
import { notFound } from '../errors.ts';
import { listDocumentsPage, type PageCursor } from './document-pages.ts';
import { baseUrl } from './feeds.ts';
import { settlementFromOrders, type SettlementFile } from '../settlement.ts';
import type { SimulatorState } from '../state.ts';
import type { SimReport } from '../types.ts';
import { createFbaReturnsReport } from '../fba-returns.ts';

/**
 * Reports API 2021-06-30: getReports, getReport, getReportDocument, and createReport for the FBA customer returns
 * report only (fba-returns.ts). Settlement reports cannot be requested on Amazon (sp-api-facts.md §9.2); here
 * `control.generateSettlementReport()` makes one from the simulated orders.
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
  /**
   * The deposit is paid into another currency at this rate (e.g. a EUR settlement deposited in USD): the financial
   * event group's ConvertedTotal (listFinancialEventGroups).
   */
  readonly depositInto?: { readonly currency: string; readonly rate: string };
  /** Days the settlement covers, ending now (default 14). */
  readonly days?: number;
  /** Orders refunded in this settlement (Refund rows). */
  readonly refundOrderIds?: readonly string[];
}

export function generateSettlementReport(
  sim: SimulatorState,
  options: SettlementReportOptions = {},
): { report: SimReport; file: SettlementFile } {
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
  const report = publishReport(sim, seller.sellerId, marketplaceId, doc.documentId, startMs, endMs);
  sim.financialGroups.push({
    groupId: sim.idPrng.alnum(24),
    sellerId: seller.sellerId,
    settlementId: file.settlementId,
    file,
    ...(options.depositInto
      ? {
          converted: {
            currency: options.depositInto.currency,
            minor: convertedDeposit(file.totalMinor, options.depositInto.rate),
          },
        }
      : {}),
  });
  return { report, file };
}

/**
 * A settlement report whose document is the given bytes, as they are (gzip-compressed when `gzip`, and then
 * flagged GZIP): for files too large to build as one string, such as the settlement benchmark's 400 MB file.
 */
export function addSettlementReportBytes(
  sim: SimulatorState,
  bytes: Buffer,
  options: { readonly gzip: boolean; readonly sellerId?: string; readonly days?: number },
): SimReport {
  const seller = sim.seller(options.sellerId);
  const endMs = sim.now();
  const doc = sim.documents.create(seller.sellerId, 'report', 'text/tab-separated-values; charset=UTF-8');
  doc.content = bytes;
  doc.compressionAlgorithm = options.gzip ? 'GZIP' : undefined;
  const marketplaceId = seller.marketplaceIds[0] ?? 'ATVPDKIKX0DER';
  return publishReport(
    sim,
    seller.sellerId,
    marketplaceId,
    doc.documentId,
    endMs - (options.days ?? 14) * 86_400_000,
    endMs,
  );
}

function publishReport(
  sim: SimulatorState,
  sellerId: string,
  marketplaceId: string,
  reportDocumentId: string,
  startMs: number,
  endMs: number,
): SimReport {
  const iso = new Date(endMs).toISOString();
  const report: SimReport = {
    reportId: sim.idPrng.digits(11),
    sellerId,
    reportType: SETTLEMENT_REPORT_TYPE,
    marketplaceIds: [marketplaceId],
    createdTime: iso,
    dataStartTime: new Date(startMs).toISOString(),
    dataEndTime: iso,
    processingStatus: 'DONE',
    processingStartTime: iso,
    processingEndTime: iso,
    reportDocumentId,
  };
  sim.reports.set(report.reportId, report);
  sim.events.emit('report', report);
  sim.notifications.publishProcessingFinished('report', sellerId, {
    reportId: report.reportId,
    reportType: report.reportType,
    processingStatus: 'DONE',
    reportDocumentId,
  });
  return report;
}

export function registerReportRoutes(app: FastifyInstance, sim: SimulatorState): void {
  const pages = new Map<string, PageCursor>();

  defineOperation(app, sim, 'reports.getReports', ({ request, sellerId }) =>
    listDocumentsPage(request, sellerId, sim, pages, {
      typesParam: 'reportTypes',
      listKey: 'reports',
      documents: () => sim.reports.values(),
      typeOf: (d) => d.reportType,
      idOf: (d) => d.reportId,
      byId: (id) => sim.reports.get(id)!,
      toWire: reportToWire,
      retentionMs: RETENTION_MS,
    }),
  );

  defineOperation(app, sim, 'reports.createReport', ({ request, sellerId }) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const report = createFbaReturnsReport(sim, sellerId!, body);
    return { status: 202, body: { reportId: report.reportId } };
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
    if (!doc || doc.sellerId !== sellerId || doc.kind !== 'report')
      throw notFound(`Report document ${reportDocumentId} was not found.`);
    const header = queryString(request, 'enableContentEncodingUrlHeader') === 'true';
    return {
      status: 200,
      body: {
        reportDocumentId: doc.documentId,
        url: sim.documents.url(doc, baseUrl(request), header),
        ...(doc.compressionAlgorithm ? { compressionAlgorithm: doc.compressionAlgorithm } : {}),
      },
    };
  });
}
