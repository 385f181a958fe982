import { parsePayload } from './job-payload.ts';
import {
  SETTLEMENT_DISCOVER_QUEUE,
  SETTLEMENT_IMPORT_QUEUE,
  SETTLEMENT_WATERMARK,
  type SettlementFlowDeps,
  settlementDiscoverKey,
  settlementImportKey,
} from './settlement.ts';

export interface DiscoverOutcome {
  readonly reports: number;
  readonly queued: number;
  readonly watermark: string;
  readonly more: boolean;
}

/** `settlement.discover`: one page of settlement reports since the watermark -> `settlement.import` jobs. */
export async function discoverSettlements(payload: unknown, deps: SettlementFlowDeps): Promise<DiscoverOutcome> {
  const { connectionId } = parsePayload(SETTLEMENT_DISCOVER_QUEUE, payload, ['connectionId'] as const);
  // A follow-up page carries the listing's nextToken, its createdSince and the newest createdTime seen so far.
  const paging = payload as { nextToken?: unknown; createdSince?: unknown; newest?: unknown };
  const nextToken = typeof paging.nextToken === 'string' ? paging.nextToken : undefined;
  const stored = await deps.watermarks.get(connectionId, SETTLEMENT_WATERMARK);
  const createdSince =
    (nextToken && typeof paging.createdSince === 'string' ? paging.createdSince : undefined) ??
    stored ??
    new Date(deps.clock.now().getTime() - deps.settingsFor(connectionId).lookbackDays * 86_400_000).toISOString();
  const page = await deps.reports.list(connectionId, { createdSince, ...(nextToken ? { nextToken } : {}) });
  let queued = 0;
  let newest = nextToken && typeof paging.newest === 'string' ? paging.newest : createdSince;
  for (const r of page.reports) {
    // Re-finding a report (same createdTime as the watermark) is harmless: its import is a no-op.
    const res = await deps.jobs.enqueue(
      SETTLEMENT_IMPORT_QUEUE,
      { connectionId, reportId: r.reportId, reportDocumentId: r.reportDocumentId },
      { key: settlementImportKey(r.reportId), dedupe: true },
    );
    if (!res.deduplicated) queued++;
    // First to find it wins: a REPORT_PROCESSING_FINISHED handled before this noted `event`.
    await deps.sightings?.note(connectionId, 'settlement-report', r.reportId, 'poll');
    if (r.createdTime > newest) newest = r.createdTime;
  }
  if (page.nextToken) {
    await deps.jobs.enqueue(
      SETTLEMENT_DISCOVER_QUEUE,
      { connectionId, nextToken: page.nextToken, createdSince, newest },
      { key: `${settlementDiscoverKey(connectionId)}:next`, dedupe: true },
    );
  } else if (stored === undefined || newest > stored) {
    // The watermark moves once the whole listing was walked (a later page may hold older reports).
    await deps.watermarks.set(connectionId, SETTLEMENT_WATERMARK, newest);
  }
  return { reports: page.reports.length, queued, watermark: newest, more: page.nextToken !== undefined };
}
