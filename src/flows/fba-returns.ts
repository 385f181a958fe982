import { MappingError, SellbridgeError } from '../core/errors.ts';
import type { AmazonMarketplace } from '../core/ports/amazon-marketplace.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { FbaReturnsReports } from '../core/ports/fba-returns-reports.ts';
import type { JobScheduler } from '../core/ports/job-scheduler.ts';
import type { OrderLinks } from '../core/ports/order-links.ts';
import type { ReturnUnits } from '../core/ports/return-units.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import type { Watermarks } from '../core/ports/watermarks.ts';
import { parseFbaReturnsReport, type FbaReturnLine } from '../core/transform/fba-returns-report.ts';
import { parsePayload } from './job-payload.ts';
import { returnTranNo } from './record-refund.ts';

/**
 * FBA customer returns to Sage (issue 17, `orders.fbaReturns: customer-return`), three jobs:
 * - `fba-returns.poll` (scheduled): requests Amazon's GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA for the window since
 *   the watermark (createReport), and on a later run, once it is DONE, queues its import and moves the watermark to
 *   the window's end. One report is outstanding at a time; the window starts OVERLAP_DAYS before the watermark, as
 *   returns reach the report late; the lines' keys make the overlap harmless.
 * - `fba-returns.import` (one per report id): reads the report and queues one `fba-return.record` job per line.
 * - `fba-return.record`: one returned line of an order Sellbridge booked in Sage becomes a pending Sage customer
 *   return (TranType 811) linked to the order's line, in that line's (FBA) warehouse, with the returned quantity, under
 *   TranNo `returnTranNo(order, returnKey)`; the units a refund of the same order item already entered are not
 *   entered again (core/transform/return-reconciliation.ts, ReturnUnits).
 */
export const FBA_RETURNS_POLL_QUEUE = 'fba-returns.poll';
export const FBA_RETURNS_IMPORT_QUEUE = 'fba-returns.import';
export const FBA_RETURN_RECORD_QUEUE = 'fba-return.record';
/** Watermark: JSON `{ since, pending?: { reportId, end } }` (store table `watermarks`). */
export const FBA_RETURNS_WATERMARK = 'amazon.fba-returns-report';
export const OVERLAP_DAYS = 3;
const DAY_MS = 86_400_000;

export const fbaReturnsPollKey = (connectionId: string): string => `${FBA_RETURNS_POLL_QUEUE}:${connectionId}`;
export const fbaReturnsImportKey = (reportId: string): string => `${FBA_RETURNS_IMPORT_QUEUE}:${reportId}`;
export const fbaReturnRecordKey = (amazonOrderId: string, returnKey: string): string =>
  `${FBA_RETURN_RECORD_QUEUE}:${amazonOrderId}:${returnKey}`;

export interface FbaReturnsDeps {
  readonly reports: FbaReturnsReports;
  readonly watermarks: Watermarks;
  readonly jobs: JobScheduler;
  readonly clock: Clock;
  readonly links: Pick<OrderLinks, 'get'>;
  readonly amazon: Pick<AmazonMarketplace, 'getOrder'>;
  readonly sage: Pick<Sage500Gateway, 'recordCustomerReturn'>;
  readonly returnUnits: ReturnUnits;
  /** Where the first window starts: this many days back. */
  readonly lookbackDays: number;
  /** Whether the report is on for the connection now (orders.fbaReturns or its edit); unset = on. */
  readonly enabled?: (connectionId: string) => Promise<boolean>;
}

interface PollState {
  readonly since?: string;
  readonly pending?: { readonly reportId: string; readonly end: string };
}

export type FbaReturnsPollOutcome =
  | { readonly kind: 'requested'; readonly reportId: string; readonly start: string; readonly end: string }
  | { readonly kind: 'waiting'; readonly reportId: string; readonly processingStatus: string }
  | { readonly kind: 'queued' | 'empty' | 'failed'; readonly reportId: string; readonly watermark: string }
  /** The connection's FBA returns mode is off: nothing asked of Amazon. */
  | { readonly kind: 'off' };

/** `fba-returns.poll`: requests the next window's report, or watches the one requested. */
export async function pollFbaReturns(payload: unknown, deps: FbaReturnsDeps): Promise<FbaReturnsPollOutcome> {
  const { connectionId } = parsePayload(FBA_RETURNS_POLL_QUEUE, payload, ['connectionId'] as const);
  if (deps.enabled && !(await deps.enabled(connectionId))) return { kind: 'off' };
  const stored = await deps.watermarks.get(connectionId, FBA_RETURNS_WATERMARK);
  const state: PollState = stored ? (JSON.parse(stored) as PollState) : {};
  const save = (next: PollState) => deps.watermarks.set(connectionId, FBA_RETURNS_WATERMARK, JSON.stringify(next));
  if (state.pending) {
    const { reportId, end } = state.pending;
    const report = await deps.reports.status(connectionId, reportId);
    if (report.processingStatus === 'DONE' && report.reportDocumentId) {
      await deps.jobs.enqueue(
        FBA_RETURNS_IMPORT_QUEUE,
        { connectionId, reportId, reportDocumentId: report.reportDocumentId },
        { key: fbaReturnsImportKey(reportId), dedupe: true },
      );
      await save({ since: end });
      return { kind: 'queued', reportId, watermark: end };
    }
    // Amazon answers CANCELLED when the window holds no data: nothing was returned, the window is done.
    if (report.processingStatus === 'CANCELLED') {
      await save({ since: end });
      return { kind: 'empty', reportId, watermark: end };
    }
    // FATAL: Amazon could not make it; the same window is requested again on the next run.
    if (report.processingStatus === 'FATAL') {
      await save(state.since ? { since: state.since } : {});
      return { kind: 'failed', reportId, watermark: state.since ?? '' };
    }
    return { kind: 'waiting', reportId, processingStatus: report.processingStatus };
  }
  const nowMs = deps.clock.now().getTime();
  const sinceMs = state.since ? Date.parse(state.since) : nowMs - deps.lookbackDays * DAY_MS;
  const start = new Date(Math.min(sinceMs, nowMs) - OVERLAP_DAYS * DAY_MS).toISOString();
  const end = new Date(nowMs).toISOString();
  const reportId = await deps.reports.request(connectionId, { start, end });
  await save({ ...(state.since ? { since: state.since } : {}), pending: { reportId, end } });
  return { kind: 'requested', reportId, start, end };
}

/** `fba-returns.import`: one report's lines, each queued as its own `fba-return.record` job (dead-lettered alone). */
export async function importFbaReturns(payload: unknown, deps: FbaReturnsDeps): Promise<{ readonly lines: number }> {
  const { connectionId, reportDocumentId } = parsePayload(FBA_RETURNS_IMPORT_QUEUE, payload, [
    'connectionId',
    'reportId',
    'reportDocumentId',
  ] as const);
  const lines = mergeSameKey(parseFbaReturnsReport(await deps.reports.download(connectionId, reportDocumentId)));
  for (const line of lines)
    await deps.jobs.enqueue(
      FBA_RETURN_RECORD_QUEUE,
      { connectionId, line },
      { key: fbaReturnRecordKey(line.amazonOrderId, line.returnKey), dedupe: true },
    );
  return { lines: lines.length };
}

/**
 * Rows of one report with the same key: without a license plate (same date and SKU) they are units returned
 * together, one return of their summed units; with the same license plate, the same package listed twice (its
 * largest quantity).
 */
function mergeSameKey(lines: readonly FbaReturnLine[]): FbaReturnLine[] {
  const byKey = new Map<string, FbaReturnLine>();
  for (const l of lines) {
    const key = `${l.amazonOrderId}\u0000${l.returnKey}`;
    const seen = byKey.get(key);
    const quantity = !seen
      ? l.quantity
      : l.licensePlateNumber
        ? Math.max(seen.quantity, l.quantity)
        : seen.quantity + l.quantity;
    byKey.set(key, seen ? { ...seen, quantity } : l);
  }
  return [...byKey.values()];
}

export type FbaReturnOutcome =
  | { readonly kind: 'created' | 'existing'; readonly tranNo: string; readonly returnKey: string }
  | { readonly kind: 'skipped'; readonly reason: string };

/**
 * `fba-return.record`: one returned line to a Sage customer return linked to the original order's line. A line
 * Sellbridge cannot place (no Sage order from Sellbridge, a SKU not on the Amazon order) fails as
 * `SB_FBA_RETURN_UNPLACED` (mapping): dead-lettered with the reason. The TranNo and the ReturnUnits decision are
 * keyed by the line, so a line read again (overlapping windows, a re-run, a replay) enters nothing more.
 */
export async function recordFbaReturn(payload: unknown, deps: FbaReturnsDeps): Promise<FbaReturnOutcome> {
  const { connectionId, line } = parseRecordJob(payload);
  const unplaced = (field: string, problem: string) =>
    new MappingError(
      'SB_FBA_RETURN_UNPLACED',
      `FBA return ${line.returnKey} of Amazon order ${line.amazonOrderId}`,
      [{ field, problem }],
      {
        context: {
          amazonOrderId: line.amazonOrderId,
          sku: line.sku,
          quantity: line.quantity,
          returnKey: line.returnKey,
        },
      },
    );
  const link = await deps.links.get(connectionId, line.amazonOrderId);
  if (!link?.tranNo || !link.salesOrderKey)
    throw unplaced('order-id', 'no Sage sales order from Sellbridge (not booked: FBA policy skip, or never imported)');
  // The report names the SKU; the Sage line is found by the Amazon order item of that SKU.
  const order = await deps.amazon.getOrder(line.amazonOrderId);
  const item = order.lines.find((l) => l.sku === line.sku);
  if (!item) throw unplaced('sku', `${line.sku} is not an item of the Amazon order`);
  const tranNo = returnTranNo(line.amazonOrderId, line.returnKey);
  const [decided] = await deps.returnUnits.decide(
    { connectionId, amazonOrderId: line.amazonOrderId, source: 'fba-return', sourceKey: line.returnKey, tranNo },
    [{ amazonOrderItemId: item.lineId, quantity: line.quantity }],
  );
  if (!decided || decided.enter <= 0)
    return {
      kind: 'skipped',
      reason: `FBA return ${line.returnKey} of ${line.amazonOrderId}: its goods are in Sage already (from the refund)`,
    };
  const made = await deps.sage.recordCustomerReturn(
    {
      amazonOrderId: line.amazonOrderId,
      salesOrderTranNo: link.tranNo,
      reference: line.returnKey,
      source: 'fba-return',
      returnDate: line.returnDate,
      lines: [{ amazonOrderItemId: item.lineId, quantity: decided.enter }],
    },
    { tranNo },
  );
  return { kind: made.outcome, tranNo, returnKey: made.returnKey };
}

function parseRecordJob(payload: unknown): { connectionId: string; line: FbaReturnLine } {
  const p = payload as { connectionId?: unknown; line?: Partial<FbaReturnLine> } | undefined;
  const l = p?.line;
  if (
    !p ||
    typeof p.connectionId !== 'string' ||
    !l ||
    typeof l.amazonOrderId !== 'string' ||
    typeof l.sku !== 'string' ||
    typeof l.returnKey !== 'string' ||
    typeof l.returnDate !== 'string' ||
    typeof l.quantity !== 'number'
  )
    throw new SellbridgeError(
      'SB_JOB_PAYLOAD_INVALID',
      `${FBA_RETURN_RECORD_QUEUE}: payload needs connectionId and line`,
      {
        context: { queue: FBA_RETURN_RECORD_QUEUE },
      },
    );
  return { connectionId: p.connectionId, line: l as FbaReturnLine };
}
