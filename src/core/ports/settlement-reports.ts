import type { Settlement, SettlementTransaction } from '../model/settlement.ts';

/** One settlement file, read once. */
export interface SettlementFile {
  /** Where it came from: `report:<reportId>` or `file:<path>`; stored with the settlement and the quarantine. */
  readonly source: string;
  /**
   * Reads the file (streaming), handing each transaction to `onTransaction` as it is read; resolves with the
   * settlement (its `transactions` empty). Rejects with SB_SETTLE_FILE_INVALID listing every bad row and column.
   * Backpressure: when `onTransaction` returns a promise (the reader is writing a batch to the store), the reader
   * reads no further chunk until it settles, and rejects with its error.
   */
  read(onTransaction: (transaction: SettlementTransaction) => void | PromiseLike<void>): Promise<Settlement>;
}

export interface SettlementReportRef {
  readonly reportId: string;
  readonly reportDocumentId: string;
  /** UTC ISO-8601. */
  readonly createdTime: string;
}

/** Amazon's settlement reports of one connection. */
export interface SettlementReports {
  /** One page of DONE settlement reports created at or after `createdSince`. */
  list(
    connectionId: string,
    query: { readonly createdSince: string; readonly nextToken?: string },
  ): Promise<{ readonly reports: readonly SettlementReportRef[]; readonly nextToken?: string }>;
  /** The report's document (downloaded, gunzipped when it is gzip) as a settlement file. */
  open(
    connectionId: string,
    ref: { readonly reportId: string; readonly reportDocumentId: string },
  ): Promise<SettlementFile>;
}
