/**
 * Amazon's FBA customer returns report over the Reports API (2021-06-30): requested for a window (createReport),
 * watched until done (getReport), its document read (getReportDocument and the download). The Amazon connector
 * implements it over the SP-API client (connectors/amazon/fba-returns-reports.ts).
 */
export interface FbaReturnsReports {
  /** createReport of GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA for returns dated in [start, end] (UTC ISO-8601). */
  request(connectionId: string, window: { readonly start: string; readonly end: string }): Promise<string>;
  /** getReport: its processing status and, once DONE, its document id. */
  status(
    connectionId: string,
    reportId: string,
  ): Promise<{ readonly processingStatus: string; readonly reportDocumentId?: string }>;
  /** The document's text (decompressed when Amazon flags it GZIP). */
  download(connectionId: string, reportDocumentId: string): Promise<string>;
}
