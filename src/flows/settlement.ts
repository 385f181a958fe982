import { MappingError, SellbridgeError, coerceError } from '../core/errors.ts';
import type { JournalBatch } from '../core/model/journal.ts';
import type { Settlement } from '../core/model/settlement.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { JobScheduler } from '../core/ports/job-scheduler.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import type { PostedSettlementJournal, QuarantineEntry, SettlementLedger, SettlementOrderSum, SettlementRecord, SettlementSummary } from '../core/ports/settlement-ledger.ts';
import type { SettlementFile, SettlementReports } from '../core/ports/settlement-reports.ts';
import type { Watermarks } from '../core/ports/watermarks.ts';
import type { SettlementAccountRules } from '../core/rules/settlement-accounts.ts';
import { createSettlementJournalBuilder, reversalOf, type SettlementJournalOptions } from '../core/transform/journal-from-settlement.ts';
import { parsePayload } from './job-payload.ts';
import { journalFingerprint } from '../core/transform/fingerprint.ts';

/**
 * Settlements to the Sage 500 GL (issue 8). Two job handlers and one import function:
 * - `settlement.discover` (`discoverSettlements`): one page of GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2 reports
 *   (DONE) created since the stored watermark; each becomes a `settlement.import` job; the watermark moves.
 * - `settlement.import` (`importSettlementReport`): downloads one report and runs `importSettlement`.
 * - `importSettlement`: the file is read once, streaming, into the journal builder (memory grows with accounts and
 *   orders, not rows); a malformed file, unmapped categories or a total that does not reconcile quarantine the
 *   file as a whole (diagnosis stored, nothing posted, the error rethrown so the job is dead-lettered at once).
 *   Then exactly once: the settlement's row is reserved in the ledger (unique per connection and settlement id)
 *   before any journal reaches Sage; each journal is posted by its reference (idempotent in the gateway); the row
 *   becomes `posted` with the batch keys. The same settlement again is a no-op; a corrected settlement (other
 *   journals) reverses what was posted and posts the new journals under revision-suffixed references, audited.
 */
export const SETTLEMENT_DISCOVER_QUEUE = 'settlement.discover';
export const SETTLEMENT_IMPORT_QUEUE = 'settlement.import';
/** Watermark name of the report discovery cursor (createdSince, store table `watermarks`). */
export const SETTLEMENT_WATERMARK = 'amazon.settlement-reports';
export const settlementDiscoverKey = (connectionId: string): string => `${SETTLEMENT_DISCOVER_QUEUE}:${connectionId}`;
export const settlementImportKey = (reportId: string): string => `${SETTLEMENT_IMPORT_QUEUE}:${reportId}`;
/** How long an import's claim on a settlement holds before another import may take over (a crashed importer). */
export const CLAIM_LEASE_MS = 5 * 60_000;

export interface SettlementSettings {
  readonly rules: SettlementAccountRules;
  readonly detail: NonNullable<SettlementJournalOptions['detail']>;
  readonly postDate: 'deposit' | 'split-month-end';
  /** Where discovery starts when there is no watermark: this many days back (Amazon keeps reports 90 days). */
  readonly lookbackDays: number;
}

export interface SettlementFlowDeps {
  readonly sage: Pick<Sage500Gateway, 'postJournal'>;
  readonly ledger: SettlementLedger;
  readonly reports: SettlementReports;
  readonly watermarks: Watermarks;
  readonly jobs: JobScheduler;
  readonly clock: Clock;
  readonly settingsFor: (connectionId: string) => SettlementSettings;
  /** Told about every quarantined file (an alert: log line, metric). */
  readonly onQuarantine?: (entry: QuarantineEntry & { readonly id: string }) => void;
}

export type SettlementImportOutcome = (
  | { readonly kind: 'posted'; readonly settlementId: string; readonly revision: number; readonly journals: readonly PostedSettlementJournal[] }
  /** The same settlement again: nothing posted. */
  | { readonly kind: 'unchanged'; readonly settlementId: string; readonly revision: number; readonly journals: readonly PostedSettlementJournal[] }
  | {
      readonly kind: 'corrected';
      readonly settlementId: string;
      readonly revision: number;
      readonly reversed: readonly PostedSettlementJournal[];
      readonly journals: readonly PostedSettlementJournal[];
    }
  /** Dry run: what would be posted (and what is on record). */
  | { readonly kind: 'dry-run'; readonly settlementId: string; readonly journals: readonly JournalBatch[]; readonly existing?: SettlementRecord; readonly wouldBe: 'posted' | 'unchanged' | 'corrected' }
) & {
  /** Columns of the file Amazon does not document (kept on each row, never interpreted), to be reported. */
  readonly extraColumns: readonly string[];
};

// --- import ---------------------------------------------------------------------------------------------

/** Reads, checks and posts one settlement file exactly once (see the header). */
export async function importSettlement(
  connectionId: string,
  file: SettlementFile,
  deps: Pick<SettlementFlowDeps, 'sage' | 'ledger' | 'clock' | 'settingsFor' | 'onQuarantine'>,
  options: { readonly dryRun?: boolean } = {},
): Promise<SettlementImportOutcome> {
  const settings = deps.settingsFor(connectionId);
  const builder = createSettlementJournalBuilder(settings.rules, { detail: settings.detail, postDate: settings.postDate === 'split-month-end' ? 'split-month-end' : 'deposit-date' });
  const orders = new Map<string, { currency: string; minor: number; rows: number }>();
  let rows = 0;
  let settlement: Settlement | undefined;
  try {
    settlement = await file.read((t) => {
      rows += 1;
      builder.add(t);
      if (t.orderId) {
        const key = `${t.orderId}\u0000${t.amount.currency}`;
        const sum = orders.get(key) ?? { currency: t.amount.currency, minor: 0, rows: 0 };
        sum.minor += t.amount.minor;
        sum.rows += 1;
        orders.set(key, sum);
      }
    });
    const journals = builder.finish(settlement);
    const summary: SettlementSummary = {
      settlementId: settlement.settlementId, currency: settlement.currency, total: settlement.total, periodStart: settlement.periodStart,
      periodEnd: settlement.periodEnd, depositDate: settlement.depositDate, rows,
    };
    const orderSums = [...orders.entries()].map(([key, s]) => ({ amazonOrderId: key.split('\u0000')[0]!, currency: s.currency, minor: s.minor, rows: s.rows }));
    const outcome = await postExactlyOnce(connectionId, summary, file.source, journals, orderSums, deps, options.dryRun === true);
    return { ...outcome, extraColumns: settlement.extraColumns };
  } catch (err) {
    const error = coerceError(err);
    if (error instanceof MappingError && error.code.startsWith('SB_SETTLE_')) {
      const entry: QuarantineEntry = {
        connectionId, source: file.source, code: error.code, message: error.message, issues: error.issues,
        ...(settlement?.settlementId || typeof error.context['settlementId'] === 'string' ? { settlementId: settlement?.settlementId ?? String(error.context['settlementId']) } : {}),
      };
      if (!options.dryRun) {
        const id = await deps.ledger.quarantine(entry);
        deps.onQuarantine?.({ ...entry, id });
      }
    }
    throw err;
  }
}

async function postExactlyOnce(
  connectionId: string,
  summary: SettlementSummary,
  source: string,
  journals: readonly JournalBatch[],
  orders: readonly SettlementOrderSum[],
  deps: Pick<SettlementFlowDeps, 'sage' | 'ledger' | 'clock'>,
  dryRun: boolean,
): Promise<DistributiveOmit<SettlementImportOutcome, 'extraColumns'>> {
  const fingerprint = journalFingerprint(journals);
  const id = summary.settlementId;
  if (dryRun) {
    const existing = await deps.ledger.get(connectionId, id);
    const wouldBe = !existing ? 'posted' : existing.fingerprint === fingerprint ? (existing.state === 'posted' ? 'unchanged' : 'posted') : existing.state === 'posted' ? 'corrected' : 'posted';
    return { kind: 'dry-run', settlementId: id, journals, wouldBe, ...(existing ? { existing } : {}) };
  }

  const { record } = await deps.ledger.reserve(connectionId, summary, source, { fingerprint, journals });
  if (record.state === 'posted' && record.fingerprint === fingerprint) {
    return { kind: 'unchanged', settlementId: id, revision: record.revision, journals: record.journals };
  }
  if (record.state === 'posting') {
    if (record.pending?.fingerprint !== fingerprint) {
      // An earlier import of other content stopped half way; what of it reached Sage is unknown, so it is not
      // overwritten: import that file again to finish it, then this one corrects it.
      throw new SellbridgeError('SB_SETTLE_IN_PROGRESS', `settlement ${id}: an earlier import with other content has not finished (${record.lastError ?? 'no error recorded'}); import that file again first, then this one`, {
        context: { settlementId: id, revision: record.revision },
      });
    }
    if (!(await deps.ledger.claim(connectionId, id, CLAIM_LEASE_MS))) {
      throw new SellbridgeError('SB_SETTLE_BUSY', `settlement ${id}: another import is posting it right now; run again in a moment (it will then be a no-op)`, {
        context: { settlementId: id },
        retryAfterMs: 30_000,
      });
    }
    const posted = await postAll(connectionId, id, revised(journals, record.revision), deps);
    const done = await deps.ledger.markPosted(connectionId, id, { fingerprint, journals: posted, orders }, {
      action: 'settlement.posted',
      detail: { settlementId: id, revision: record.revision, source, references: posted.map((j) => j.reference), batches: posted.map((j) => j.batchNo), total: summary.total.minor, currency: summary.currency },
    });
    return { kind: 'posted', settlementId: id, revision: done.revision, journals: posted };
  }

  // A corrected settlement: reverse what was posted, post the new journals (revision-suffixed references).
  let current = record;
  if (current.state === 'posted') current = await deps.ledger.beginCorrection(connectionId, summary, source, current.revision, { fingerprint, journals });
  if (current.pending?.fingerprint !== fingerprint) {
    throw new SellbridgeError('SB_SETTLE_IN_PROGRESS', `settlement ${id}: a correction with other content is in progress (revision ${current.revision}); import that file again first`, {
      context: { settlementId: id, revision: current.revision },
    });
  }
  const revision = current.revision;
  const mainDate = journals[0]?.postDate ?? summary.depositDate.slice(0, 10);
  const reversals = current.journals.map((j) => reversalOf(j, `${j.reference}:R${revision}`, mainDate));
  const reversed = await postAll(connectionId, id, reversals, deps);
  const posted = await postAll(connectionId, id, revised(journals, revision), deps);
  await deps.ledger.markPosted(connectionId, id, { fingerprint, journals: posted, orders }, {
    action: 'settlement.corrected',
    detail: {
      settlementId: id, revision, previousRevision: current.journals.length ? revision - 1 : 0, source,
      reversed: reversed.map((j) => j.reference), references: posted.map((j) => j.reference), total: summary.total.minor, currency: summary.currency,
    },
  });
  return { kind: 'corrected', settlementId: id, revision, reversed, journals: posted };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

async function postAll(connectionId: string, settlementId: string, batches: readonly JournalBatch[], deps: Pick<SettlementFlowDeps, 'sage' | 'ledger'>): Promise<PostedSettlementJournal[]> {
  const out: PostedSettlementJournal[] = [];
  for (const batch of batches) {
    try {
      const result = await deps.sage.postJournal(batch);
      out.push({ ...batch, batchKey: result.batchKey, batchNo: result.batchNo, outcome: result.outcome });
    } catch (err) {
      await deps.ledger.noteError(connectionId, settlementId, `${coerceError(err).code}: ${coerceError(err).message}`);
      throw err;
    }
  }
  return out;
}

/** Revision 1 keeps the plain reference; later revisions get `:V<n>` (each is its own idempotency key in Sage). */
function revised(journals: readonly JournalBatch[], revision: number): JournalBatch[] {
  return journals.map((j) => (revision <= 1 ? j : { ...j, reference: `${j.reference}:V${revision}` }));
}

// --- jobs -----------------------------------------------------------------------------------------------

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
    const res = await deps.jobs.enqueue(SETTLEMENT_IMPORT_QUEUE, { connectionId, reportId: r.reportId, reportDocumentId: r.reportDocumentId }, { key: settlementImportKey(r.reportId), dedupe: true });
    if (!res.deduplicated) queued++;
    if (r.createdTime > newest) newest = r.createdTime;
  }
  if (page.nextToken) {
    await deps.jobs.enqueue(SETTLEMENT_DISCOVER_QUEUE, { connectionId, nextToken: page.nextToken, createdSince, newest }, { key: `${settlementDiscoverKey(connectionId)}:next`, dedupe: true });
  } else if (stored === undefined || newest > stored) {
    // The watermark moves once the whole listing was walked (a later page may hold older reports).
    await deps.watermarks.set(connectionId, SETTLEMENT_WATERMARK, newest);
  }
  return { reports: page.reports.length, queued, watermark: newest, more: page.nextToken !== undefined };
}

/** `settlement.import`: `{ connectionId, reportId, reportDocumentId }` -> download -> importSettlement. */
export async function importSettlementReport(payload: unknown, deps: SettlementFlowDeps): Promise<SettlementImportOutcome> {
  const { connectionId, reportId, reportDocumentId } = parsePayload(SETTLEMENT_IMPORT_QUEUE, payload, ['connectionId', 'reportId', 'reportDocumentId'] as const);
  const file = await deps.reports.open(connectionId, { reportId, reportDocumentId });
  return importSettlement(connectionId, file, deps);
}
