import type { FieldIssue } from '../errors.ts';
import type { JournalBatch, PostedJournal } from '../model/journal.ts';
import type { Money } from '../model/money.ts';
import type { SettledKinds } from '../transform/three-way-reconciliation.ts';

export interface PostedSettlementJournal extends JournalBatch {
  readonly batchKey: string;
  readonly batchNo: number;
  readonly outcome: PostedJournal['outcome'];
}

export type SettlementState = 'posting' | 'posted' | 'correcting';

export interface SettlementSummary {
  readonly settlementId: string;
  readonly currency: string;
  readonly total: Money;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly depositDate: string;
  readonly rows: number;
}

export interface SettlementRecord extends SettlementSummary {
  readonly connectionId: string;
  readonly state: SettlementState;
  /** 1 for the first journals; +1 for each correction. */
  readonly revision: number;
  /** Fingerprint of the journals posted (or being posted) for `revision`. */
  readonly fingerprint: string;
  /** The journals as posted (with Sage batch keys); empty until posted. */
  readonly journals: readonly PostedSettlementJournal[];
  /** While `posting`/`correcting`: what is being posted, and its fingerprint. */
  readonly pending?: { readonly fingerprint: string; readonly journals: readonly JournalBatch[] };
  readonly source: string;
  readonly lastError?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Sum of one order's rows in a settlement (reconciliation with order_links). */
export interface SettlementOrderSum {
  readonly amazonOrderId: string;
  readonly currency: string;
  readonly minor: number;
  readonly rows: number;
  /** The same rows summed by kind (three-way reconciliation). */
  readonly kinds?: SettledKinds;
}

/**
 * A per-order sum as an import stages it: with `cleared`, the minor units the settlement credited to the cash
 * application's clearing account (0 without cash application).
 */
export interface StagedOrderSum extends SettlementOrderSum {
  readonly cleared: number;
}

/**
 * Per-order sums an import staged in the store instead of holding them (a settlement with more orders than an
 * import keeps in memory): `parts` batches written with `stageOrders` under `stageId`, merged when read.
 */
export interface OrderStage {
  readonly stageId: string;
  readonly parts: number;
}

export interface QuarantineEntry {
  readonly connectionId: string;
  readonly source: string;
  readonly settlementId?: string;
  readonly code: string;
  readonly message: string;
  readonly issues: readonly FieldIssue[];
}

/** The store side: one row per settlement id (exactly once), per-order sums, quarantine, audit. */
export interface SettlementLedger {
  get(connectionId: string, settlementId: string): Promise<SettlementRecord | undefined>;
  /**
   * Inserts the settlement's row (state `posting`, revision 1, `pending` = these journals) unless one exists;
   * returns the row as stored. The row exists before anything is posted: the unique key is the guard.
   */
  reserve(
    connectionId: string,
    summary: SettlementSummary,
    source: string,
    pending: { fingerprint: string; journals: readonly JournalBatch[] },
  ): Promise<{ record: SettlementRecord; created: boolean }>;
  /** `posted` -> `correcting` with revision + 1 and the new pending journals, only if still at `fromRevision`. */
  beginCorrection(
    connectionId: string,
    summary: SettlementSummary,
    source: string,
    fromRevision: number,
    pending: { fingerprint: string; journals: readonly JournalBatch[] },
  ): Promise<SettlementRecord>;
  /** Stores the posted journals, the per-order sums and an audit entry; state `posted`. */
  markPosted(
    connectionId: string,
    settlementId: string,
    posted: {
      readonly fingerprint: string;
      readonly journals: readonly PostedSettlementJournal[];
      /** The sums, or the stage they were written to (moved into the settlement's rows in the same transaction). */
      readonly orders: readonly SettlementOrderSum[] | OrderStage;
    },
    audit: { readonly action: string; readonly detail: Readonly<Record<string, unknown>> },
  ): Promise<SettlementRecord>;
  /**
   * Claims a `posting` settlement for this import (one importer posts at a time): true when the row was unclaimed,
   * or its claim is older than `leaseMs` (a crashed importer). Released by `noteError` or `markPosted`.
   */
  claim(connectionId: string, settlementId: string, leaseMs: number): Promise<boolean>;
  /** Keeps the error on the row and releases the claim (the state stays; the next import resumes). */
  noteError(connectionId: string, settlementId: string, error: string): Promise<void>;
  /**
   * Staging of per-order sums (flat memory at any settlement size; optional: without it an import keeps them in
   * memory). `stageOrders` writes part `part` of a stage (each order once per part); `stagedOrders` reads a stage
   * back merged per order and currency, in pages; `dropStage` deletes it (an import drops its stage when done).
   */
  stageOrders?(connectionId: string, stage: OrderStage, part: number, orders: readonly StagedOrderSum[]): Promise<void>;
  stagedOrders?(connectionId: string, stage: OrderStage): AsyncIterable<StagedOrderSum>;
  dropStage?(connectionId: string, stage: OrderStage): Promise<void>;
  /** Records a file refused as a whole; returns the quarantine id. */
  quarantine(entry: QuarantineEntry): Promise<string>;
}
