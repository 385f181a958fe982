import { SellbridgeError } from '../errors.ts';
import type { ListingChange } from './listing-delta.ts';

/**
 * A JSON_LISTINGS_FEED processing report, read per message, + the batch that was sent -> one outcome per SKU
 * (STYLE.md §8.5: batch results are per item). Only rejected SKUs are retried or dead-lettered; accepted ones
 * update the last-sent state.
 *
 * The input is the shape the Amazon connector's `readFeedResult` / `parseFeedResult`
 * (src/connectors/amazon/feeds.ts) already returns, typed structurally here because core imports nothing
 * outside core: pass `result` from `readFeedResult(client, feedId, batch.sent)` straight in.
 */

export interface ReportIssue {
  readonly messageId?: number;
  readonly sku?: string;
  readonly code?: string;
  readonly severity: 'ERROR' | 'WARNING' | 'INFO';
  readonly message: string;
  readonly attributeName?: string;
}

/** Structural twin of the connector's ParsedFeedResult. */
export interface ProcessingReportView {
  readonly feedId: string;
  readonly feedIssues: readonly ReportIssue[];
  readonly messages: readonly {
    readonly messageId: number;
    readonly sku: string | undefined;
    readonly status: 'accepted' | 'invalid';
    readonly issues: readonly ReportIssue[];
  }[];
}

/** Structural twin of the feed builder's batch (only what is read here). */
export interface SentBatchView {
  readonly marketplaceId: string;
  readonly sent: readonly { readonly messageId: number; readonly sku: string; readonly change: ListingChange }[];
}

export type SkuOutcomeStatus = 'accepted' | 'accepted-with-warnings' | 'rejected';

export interface SkuOutcome {
  readonly sku: string;
  readonly marketplaceId: string;
  readonly messageId: number;
  readonly status: SkuOutcomeStatus;
  /** Amazon's words, `CODE: message (attribute)`, for the dead letter and the dashboard. Empty when accepted cleanly. */
  readonly reasons: readonly string[];
  /**
   * What to do next: `done` (store the new last-sent state), `retry` (the feed as a whole failed, nothing about
   * this SKU was judged: send it again in the next feed), `dead-letter` (Amazon rejected this SKU's data; a
   * retry cannot help until someone fixes it).
   */
  readonly next: 'done' | 'retry' | 'dead-letter';
  readonly change: ListingChange;
}

export interface FeedResults {
  readonly feedId: string;
  readonly outcomes: readonly SkuOutcome[];
  /** Issues about the whole feed (no messageId). */
  readonly feedIssues: readonly string[];
  readonly counts: {
    readonly accepted: number;
    readonly warnings: number;
    readonly rejected: number;
    readonly retry: number;
  };
}

const reasonOf = (i: ReportIssue): string =>
  `${i.code ?? i.severity}: ${i.message}${i.attributeName ? ` (${i.attributeName})` : ''}`;

/**
 * @param feedStatus Amazon's processingStatus. `FATAL` or `CANCELLED` means no message was applied: every SKU
 *   is `rejected` with `next: 'retry'` and the feed-level reasons.
 */
export function resultsFromProcessingReport(
  report: ProcessingReportView | undefined,
  batch: SentBatchView,
  feedStatus: 'DONE' | 'FATAL' | 'CANCELLED' = 'DONE',
): FeedResults {
  const feedIssues = (report?.feedIssues ?? []).map(reasonOf);
  const byMessage = new Map((report?.messages ?? []).map((m) => [m.messageId, m]));
  const feedFailed = feedStatus !== 'DONE' || report === undefined;
  const outcomes = batch.sent.map(({ messageId, sku, change }): SkuOutcome => {
    const base = { sku, marketplaceId: batch.marketplaceId, messageId, change };
    if (feedFailed) {
      const reasons = feedIssues.length
        ? feedIssues
        : [`feed ${report?.feedId ?? '(no report)'} ended ${feedStatus}; no message was applied`];
      return { ...base, status: 'rejected', reasons, next: 'retry' };
    }
    const m = byMessage.get(messageId);
    // A report that does not mention a message it processed accepted it (parseFeedResult does the same).
    const issues = m?.issues ?? [];
    const errors = issues.filter((i) => i.severity === 'ERROR');
    if (m?.status === 'invalid' || errors.length) {
      const reasons = (errors.length ? errors : issues).map(reasonOf);
      return {
        ...base,
        status: 'rejected',
        reasons: reasons.length ? reasons : ['Amazon marked the message invalid without an issue'],
        next: 'dead-letter',
      };
    }
    const warnings = issues.filter((i) => i.severity === 'WARNING');
    if (warnings.length)
      return { ...base, status: 'accepted-with-warnings', reasons: warnings.map(reasonOf), next: 'done' };
    return { ...base, status: 'accepted', reasons: [], next: 'done' };
  });
  return {
    feedId: report?.feedId ?? '',
    outcomes,
    feedIssues,
    counts: {
      accepted: outcomes.filter((o) => o.status === 'accepted').length,
      warnings: outcomes.filter((o) => o.status === 'accepted-with-warnings').length,
      rejected: outcomes.filter((o) => o.status === 'rejected' && o.next === 'dead-letter').length,
      retry: outcomes.filter((o) => o.next === 'retry').length,
    },
  };
}

/** The changes Amazon accepted: apply these (and only these) to the last-sent state. */
export function acceptedChanges(results: FeedResults): ListingChange[] {
  return results.outcomes.filter((o) => o.next === 'done').map((o) => o.change);
}

/**
 * The dead-letter error for a rejected SKU (SB_LIST_MESSAGE_REJECTED): Amazon's reasons in the message, ids
 * only in the context. Feed-level failures (`next: 'retry'`) are not dead-lettered here.
 */
export function errorFromOutcome(outcome: SkuOutcome, feedId: string): SellbridgeError {
  return new SellbridgeError(
    'SB_LIST_MESSAGE_REJECTED',
    `SKU ${outcome.sku} in ${outcome.marketplaceId}: ${outcome.reasons.join('; ')}`,
    {
      context: { sku: outcome.sku, marketplaceId: outcome.marketplaceId, messageId: outcome.messageId, feedId },
    },
  );
}
