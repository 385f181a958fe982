import { SellbridgeError } from '../core/errors.ts';
import type { Clock } from '../core/ports/clock.ts';
import { checkOverrides, type OrderOverrides } from '../core/transform/order-overrides.ts';
import { storeHandLinks } from '../connectors/store/hand-links.ts';
import { ORDER_SYNC_QUEUE, orderSyncKey, parseOrderSyncJob, type OrderFlowDeps } from '../flows/index.ts';
import { linkOrderByHand, type LinkOrderRequest, type LinkOrderResult } from '../flows/link-order.ts';
import { previewSalesOrder, type OrderPreview } from '../flows/preview-order.ts';
import { writeAudit } from '../runtime/audit.ts';
import type { DeadLetterService } from '../runtime/queue/dead-letters.ts';
import type { Store } from '../runtime/store/store.ts';

/**
 * The two ways out of an order's dead letter, shared by the CLI (`dlq replay --set`, `orders link`) and the admin API:
 * replay with corrections after a preview of the Sage order they give, or link the order to one keyed in Sage by hand.
 */
export interface OrderRepairDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly deadLetters: DeadLetterService;
  readonly orders: OrderFlowDeps;
}

export interface ReplayPreview {
  readonly deadLetterId: string;
  /** The payload the replay queues: the dead letter's, with the corrections merged into `overrides`. */
  readonly payload: { connectionId: string; amazonOrderId: string; overrides: OrderOverrides };
  /** The Sage order the corrected order maps to (ship-to reduced to city, region and country), or its issues. */
  readonly preview: OrderPreview;
}

export interface ReplayWithOverridesResult extends ReplayPreview {
  readonly replayed: boolean;
  readonly jobId?: string;
  readonly deduplicated?: boolean;
}

/** Reads the dead letter and the order at Amazon and maps it with the corrections; writes nothing. */
export async function previewReplay(
  d: OrderRepairDeps,
  deadLetterId: string,
  overrides: OrderOverrides,
): Promise<ReplayPreview> {
  const dl = await d.deadLetters.get(deadLetterId);
  if (dl.queue !== ORDER_SYNC_QUEUE)
    throw new SellbridgeError(
      'SB_DLQ_PAYLOAD_INVALID',
      `dead letter ${deadLetterId} is a ${dl.queue} job: --set corrects orders (${ORDER_SYNC_QUEUE}) only; use --payload`,
      { context: { deadLetterId, queue: dl.queue } },
    );
  const job = parseOrderSyncJob(dl.payload);
  const merged = checkOverrides({ ...(job.overrides ?? {}), ...overrides });
  const order = await d.orders.amazon.getOrder(job.amazonOrderId, { includePii: true });
  const preview = await previewSalesOrder(job.connectionId, order, d.orders, merged);
  return {
    deadLetterId,
    payload: { connectionId: job.connectionId, amazonOrderId: job.amazonOrderId, overrides: merged },
    preview: redactedPreview(preview),
  };
}

/**
 * Previews, then replays with the corrections unless the preview still has issues (then nothing is queued and the
 * preview says why; `force` queues anyway). The audit names the corrected paths, not their values (buyer data).
 */
export async function replayWithOverrides(
  d: OrderRepairDeps,
  deadLetterId: string,
  overrides: OrderOverrides,
  options: { readonly actor: string; readonly force?: boolean },
): Promise<ReplayWithOverridesResult> {
  const p = await previewReplay(d, deadLetterId, overrides);
  if (p.preview.issues.length > 0 && !options.force) return { ...p, replayed: false };
  const { jobId, deduplicated } = await d.deadLetters.replay(deadLetterId, {
    actor: options.actor,
    payload: p.payload,
  });
  await writeAudit(
    d.store.db,
    {
      actor: options.actor,
      action: 'dlq.replay-set',
      target: `order:${p.payload.connectionId}:${p.payload.amazonOrderId}`,
      detail: { deadLetterId, jobId, paths: Object.keys(p.payload.overrides), forced: p.preview.issues.length > 0 },
    },
    d.clock.now(),
  );
  return { ...p, replayed: true, jobId, deduplicated };
}

/** `linkOrderByHand` over the store: the audit log, and the order's open dead letters closed as answered. */
export function linkOrder(d: OrderRepairDeps, req: LinkOrderRequest): Promise<LinkOrderResult> {
  return linkOrderByHand(req, {
    ...d.orders,
    handLinks: storeHandLinks(d.store, d.clock),
    audit: (entry) => writeAudit(d.store.db, { actor: req.actor, ...entry }, d.clock.now()),
    closeDeadLetters: async (amazonOrderId, reason) => {
      const open = await d.deadLetters.list({ status: 'open', queue: ORDER_SYNC_QUEUE, limit: 1000 });
      const mine = open.filter((l) => l.jobKey === orderSyncKey(amazonOrderId));
      for (const l of mine) await d.deadLetters.discard(l.id, { actor: req.actor, reason });
      return mine.length;
    },
  });
}

/** The ship-to reduced to city, region and country: a preview checks the mapping, it is not a view of buyer data. */
export function redactedPreview(preview: OrderPreview): OrderPreview {
  if (!preview.draft?.shipTo) return preview;
  const { shipTo, ...rest } = preview.draft;
  return {
    ...preview,
    draft: {
      ...rest,
      shipTo: { city: shipTo.city, region: shipTo.region, countryId: shipTo.countryId } as typeof shipTo,
    },
  };
}
