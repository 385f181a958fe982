import type { SettlementGlEdit } from '../core/rules/sync-edits.ts';
import type { AmazonRefund } from '../core/transform/refunds-from-settlement.ts';
import type { CashReceiptResult } from '../core/model/cash-receipt.ts';
import type { JournalBatch } from '../core/model/journal.ts';
import type { Money } from '../core/model/money.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { JobScheduler } from '../core/ports/job-scheduler.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import type {
  PostedSettlementJournal,
  QuarantineEntry,
  SettlementLedger,
  SettlementRecord,
} from '../core/ports/settlement-ledger.ts';
import type { SettlementReports } from '../core/ports/settlement-reports.ts';
import type { WorkSightings } from '../core/ports/work-sightings.ts';
import type { Watermarks } from '../core/ports/watermarks.ts';
import type {
  AccountingModel,
  SettlementAccountRule,
  SettlementAccountRules,
} from '../core/rules/settlement-accounts.ts';
import type { SettlementJournalOptions } from '../core/transform/journal-from-settlement.ts';

/**
 * Settlements to the Sage 500 GL: queue names, settings and deps shared by the two jobs, each in its own file:
 * - `settlement.discover` (discover-settlements.ts, `discoverSettlements`): one page of GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2 reports
 *   (DONE) created since the stored watermark; each becomes a `settlement.import` job; the watermark moves.
 * - `settlement.import` (post-settlement.ts, `importSettlementReport`): downloads one report and runs `importSettlement`.
 * - `importSettlement`: the file is read once, streaming, into the journal builder (memory grows with accounts, not
 *   rows; the per-order sums go to the store in batches, see `orderSums` in post-settlement.ts); a malformed file, unmapped categories or a total that does not reconcile quarantine the
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
  /** How settlements are booked (core/rules/settlement-accounts.ts `AccountingModel`); `rules` already reflect it. */
  readonly model?: AccountingModel;
  /** `invoiced-orders`: the marketplace customers' receivable account (per currency when configured). */
  readonly receivableAccount?: string;
  readonly receivableAccountByCurrency?: Readonly<Record<string, string>>;
  readonly rules: SettlementAccountRules;
  readonly detail: NonNullable<SettlementJournalOptions['detail']>;
  readonly postDate: 'deposit' | 'split-month-end';
  /** Where discovery starts when there is no watermark: this many days back (Amazon keeps reports 90 days). */
  readonly lookbackDays: number;
  /** Where a foreign-currency settlement's rate comes from (settlements.exchangeRate). */
  readonly exchangeRate?: { readonly source: 'sage-rate-table' | 'deposit'; readonly schedule?: string };
  /**
   * `invoiced-orders` with settlements.cashApplication on: the order money goes to `clearingAccount` (the model's
   * rules already say so) and becomes a pending AR cash receipt of `customerFor(currency)` deposited to
   * `cashAccount`, applied to the orders' invoices.
   */
  readonly cashApplication?: {
    readonly cashAccount: string;
    readonly clearingAccount: string;
    readonly customerFor: (currency: string) => string | undefined;
  };
}

/** A settlement's deposit as paid into the bank's currency (Finances v0 financial event group). */
export interface SettlementDepositConversion {
  readonly original: Money;
  readonly converted: Money;
  readonly groupId: string;
}

export interface SettlementFlowDeps {
  /** `exchangeRate` converts foreign-currency journals; `enterCashReceipt` applies the cash (both optional). */
  readonly sage: Pick<Sage500Gateway, 'postJournal'> &
    Partial<Pick<Sage500Gateway, 'exchangeRate' | 'enterCashReceipt'>>;
  /**
   * The deposit's original and converted totals (settlements.exchangeRate.source = deposit); undefined when Amazon
   * has no matching financial event group.
   */
  readonly depositConversion?: (
    connectionId: string,
    deposit: { readonly total: Money; readonly periodStart: string; readonly depositDate: string },
  ) => Promise<SettlementDepositConversion | undefined>;
  /** Keeps each cash receipt's result (audit entry `settlement.cash-applied`, shown by `settlements show`). */
  readonly onCashReceipt?: (connectionId: string, settlementId: string, receipt: CashReceiptResult) => Promise<void>;
  /** Told when a settlement's cash receipt could not be entered (the journals stand; bootstrap: a warn log line). */
  readonly onCashReceiptError?: (settlementId: string, message: string) => void;
  readonly ledger: SettlementLedger;
  readonly reports: SettlementReports;
  readonly watermarks: Watermarks;
  readonly jobs: JobScheduler;
  readonly clock: Clock;
  readonly settingsFor: (connectionId: string) => SettlementSettings;
  /**
   * GL rules an operator stored for the connection (mapping_rules, admin API), read at the start of every import so
   * an edit needs no restart; they go before the configured rules. None when absent.
   */
  readonly storedGlRules?: (connectionId: string) => Promise<readonly SettlementAccountRule[]>;
  /**
   * The bank / clearing accounts an operator stored for the connection (`/api/v1/connections/:id/mappings/settlement-gl`,
   * issue 21), read at the start of every import like the GL rules; they replace the configured ones. None when absent.
   */
  readonly storedSettlementGl?: (connectionId: string) => Promise<readonly SettlementGlEdit[]>;
  /** Which path found a settlement report first (REPORT_PROCESSING_FINISHED or discovery), for the push-miss figure. */
  readonly sightings?: WorkSightings;
  /** Told about every quarantined file (an alert: log line, metric). */
  readonly onQuarantine?: (entry: QuarantineEntry & { readonly id: string }) => void;
  /** Told the refunds of each imported settlement (orders.refunds `customer-return`: one `refund.record` job each). */
  readonly onRefunds?: (connectionId: string, refunds: readonly AmazonRefund[]) => Promise<void>;
  /**
   * Whether the refunds mode wants `onRefunds` told at all, asked once at the start of an import (unset: yes). When
   * it says no, the import keeps no refund rows: they are the one thing it would hold that grows with the file.
   */
  readonly refundsWanted?: (connectionId: string) => Promise<boolean>;
  /**
   * Three-way reconciliation of a settlement just posted by a job (its outcome kept for the unreconciled-money
   * metric). Best effort: a failure is reported to `onReconcileError` and never fails the import.
   */
  readonly reconcile?: (connectionId: string, settlementId: string) => Promise<unknown>;
  readonly onReconcileError?: (settlementId: string, error: unknown) => void;
}

export type SettlementImportOutcome = (
  | {
      readonly kind: 'posted';
      readonly settlementId: string;
      readonly revision: number;
      readonly journals: readonly PostedSettlementJournal[];
    }
  /** The same settlement again: nothing posted. */
  | {
      readonly kind: 'unchanged';
      readonly settlementId: string;
      readonly revision: number;
      readonly journals: readonly PostedSettlementJournal[];
    }
  | {
      readonly kind: 'corrected';
      readonly settlementId: string;
      readonly revision: number;
      readonly reversed: readonly PostedSettlementJournal[];
      readonly journals: readonly PostedSettlementJournal[];
    }
  /** Dry run: what would be posted (and what is on record). */
  | {
      readonly kind: 'dry-run';
      readonly settlementId: string;
      readonly journals: readonly JournalBatch[];
      readonly existing?: SettlementRecord;
      readonly wouldBe: 'posted' | 'unchanged' | 'corrected';
    }
) & {
  /** Columns of the file Amazon does not document (kept on each row, never interpreted), to be reported. */
  readonly extraColumns: readonly string[];
  /** settlements.cashApplication: the receipts entered (or found) in Sage, one per currency. */
  readonly cashReceipts?: readonly CashReceiptResult[];
  /** A receipt that could not be entered (the journals stand; the next import of the settlement tries again). */
  readonly cashReceiptError?: string;
};
