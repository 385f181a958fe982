import type { FbaReturnsReports } from '../../core/ports/fba-returns-reports.ts';
import { FBA_RETURNS_REPORT_TYPE } from '../../core/transform/fba-returns-report.ts';
import type { SpApiClient } from './sp-api/client.ts';

/** FbaReturnsReports over a connection's SP-API client, for the connection's marketplaces. */
export function fbaReturnsReportsFromClient(
  clientFor: (connectionId: string) => SpApiClient,
  marketplaceIdsFor: (connectionId: string) => readonly string[],
): FbaReturnsReports {
  return {
    async request(connectionId, window) {
      const created = await clientFor(connectionId).createReport({
        reportType: FBA_RETURNS_REPORT_TYPE,
        marketplaceIds: marketplaceIdsFor(connectionId),
        dataStartTime: window.start,
        dataEndTime: window.end,
      });
      return created.reportId;
    },
    async status(connectionId, reportId) {
      const r = await clientFor(connectionId).getReport(reportId);
      return {
        processingStatus: r.processingStatus,
        ...(r.reportDocumentId ? { reportDocumentId: r.reportDocumentId } : {}),
      };
    },
    async download(connectionId, reportDocumentId) {
      const client = clientFor(connectionId);
      const document = await client.getReportDocument(reportDocumentId);
      return (await client.downloadReportDocument(document)).toString('utf8');
    },
  };
}
