import { ORDER_LIFECYCLE, type SyncState } from '../core/lifecycle.ts';
import { ORDER_SYNC_QUEUE, orderSyncKey, shipmentConfirmKey, type OrderFlowDeps } from '../flows/index.ts';
import type { DeadLetterService } from '../runtime/queue/dead-letters.ts';
import type { JobQueue } from '../runtime/queue/job-queue.ts';
import type { Store } from '../runtime/store/store.ts';
import { firstSightingOf } from '../connectors/store/order-sightings.ts';
import { knownShipBy, shipByRisk } from '../core/transform/order-changes.ts';

/** Where one Amazon order is in its lifecycle, as data (`sellbridge orders status --json`). Ids and states only, no buyer data. */
export interface OrderStatusReport {
  readonly amazonOrderId: string;
  readonly connectionId: string;
  /** Undefined when Sellbridge has no record of the order. */
  readonly state: SyncState | undefined;
  readonly stateMeaning: string | undefined;
  readonly terminal: boolean;
  /** States the order can move to from here. */
  readonly next: readonly SyncState[];
  readonly tranNo: string | null;
  readonly salesOrderKey: string | null;
  readonly lastError: string | null;
  readonly updatedAt: string | null;
  /**
   * Set when the ship-to was fitted to Sage's columns (address policy `fit`): what changed, by field and kind, and
   * whether the Amazon original is kept (sealed; `GET /api/v1/orders/:id/pii`).
   */
  readonly fitted: {
    readonly changes: readonly { readonly field: string; readonly kind: string; readonly detail: string }[];
    readonly originalKept: boolean;
    readonly fittedAt: string;
  } | null;
  /**
   * Changes at Amazon after the Sage order was created (issue 17): what was applied to Sage (lines cancelled, ship-to
   * updated) and the differences left to a person; null when nothing changed.
   */
  readonly changes: {
    readonly applied: readonly {
      readonly kind: string;
      readonly lineNo?: number;
      readonly amazonOrderItemId?: string;
      readonly at: string;
    }[];
    readonly differences: readonly { readonly field: string; readonly problem: string }[];
    readonly comparedVersion: string | null;
  } | null;
  /** Amazon's latest ship date and whether the order, not shipped yet, is at risk of shipping late. */
  readonly shipBy: { readonly latestShipDate: string; readonly atRisk: boolean; readonly late: boolean } | null;
  /** Which intake saw the order first: `push` (notification) or `poll` (the safety net), if any did. */
  readonly firstSeenBy: 'push' | 'poll' | null;
  readonly packages: readonly {
    readonly shipmentKey: string;
    readonly packageNo: string;
    readonly packageReferenceId: string;
    readonly state: string;
    readonly sendAttempts: number;
  }[];
  /** Its order.sync and shipment.confirm jobs that are pending or running. */
  readonly jobs: readonly {
    readonly id: string;
    readonly queue: string;
    readonly state: string;
    readonly attempt: number;
    readonly runAt: string;
  }[];
  /** Its open dead letters. */
  readonly deadLetters: readonly {
    readonly id: string;
    readonly queue: string;
    readonly code: string;
    readonly message: string;
  }[];
}

export interface OrderStatusDeps {
  readonly store: Store;
  readonly queue: Pick<JobQueue, 'listJobs'>;
  readonly deadLetters: Pick<DeadLetterService, 'list'>;
  readonly deps: Pick<OrderFlowDeps, 'links' | 'confirmations' | 'fittings' | 'changes'>;
  /** orders.shipByWarningMs (default 24 h) and the clock it is measured from (default the system's). */
  readonly shipByWarningMs?: number;
  readonly now?: () => Date;
}

/** Reads the store only (no Amazon, no Sage). */
export async function orderStatus(
  d: OrderStatusDeps,
  connectionId: string,
  amazonOrderId: string,
): Promise<OrderStatusReport> {
  const link = await d.deps.links.get(connectionId, amazonOrderId);
  const packages = await d.deps.confirmations.listForOrder(connectionId, amazonOrderId);
  const firstSeenBy = await firstSightingOf(d.store, connectionId, amazonOrderId);
  const fitting = await d.deps.fittings?.get(connectionId, amazonOrderId);
  const revision = await d.deps.changes?.get(connectionId, amazonOrderId);
  const shipBy = knownShipBy(revision, link?.latestShipDate);
  const keys = new Set([orderSyncKey(amazonOrderId), shipmentConfirmKey(amazonOrderId)]);
  const jobs = [];
  for (const state of ['pending', 'running'] as const) {
    for (const queue of [ORDER_SYNC_QUEUE, 'shipment.confirm']) {
      for (const j of await d.queue.listJobs({ queue, state, limit: 1000 }))
        if (keys.has(j.key))
          jobs.push({ id: j.id, queue: j.queue, state: j.state, attempt: j.attempt, runAt: j.runAt });
    }
  }
  const letters = (await d.deadLetters.list({ status: 'open', limit: 1000 })).filter((l) => keys.has(l.jobKey));
  const info = link ? ORDER_LIFECYCLE[link.state] : undefined;
  return {
    amazonOrderId,
    connectionId,
    state: link?.state,
    stateMeaning: info?.description,
    terminal: info?.terminal ?? false,
    next: info?.next ?? [],
    tranNo: link?.tranNo ?? null,
    salesOrderKey: link?.salesOrderKey ?? null,
    lastError: link?.lastError ?? null,
    updatedAt: link?.updatedAt ?? null,
    fitted: fitting
      ? { changes: fitting.changes, originalKept: fitting.originalKept, fittedAt: fitting.fittedAt }
      : null,
    changes:
      revision && (revision.applied.length > 0 || revision.differences.length > 0)
        ? {
            applied: revision.applied.map((a) => ({
              kind: a.kind,
              ...(a.lineNo !== undefined ? { lineNo: a.lineNo } : {}),
              ...(a.amazonOrderItemId ? { amazonOrderItemId: a.amazonOrderItemId } : {}),
              at: a.at,
            })),
            differences: revision.differences,
            comparedVersion: revision.amazonUpdatedAt ?? null,
          }
        : null,
    shipBy: shipBy ? shipByRisk(shipBy, link?.state, (d.now ?? (() => new Date()))(), d.shipByWarningMs) : null,
    firstSeenBy: firstSeenBy ?? null,
    packages: packages.map((p) => ({
      shipmentKey: p.shipmentKey,
      packageNo: p.packageNo,
      packageReferenceId: String(p.packageReferenceId),
      state: p.state,
      sendAttempts: p.sendAttempts,
    })),
    jobs,
    deadLetters: letters.map((l) => ({ id: l.id, queue: l.queue, code: l.error.code, message: l.error.message })),
  };
}
