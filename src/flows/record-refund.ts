import { createHash } from 'node:crypto';
import { SellbridgeError } from '../core/errors.ts';
import type { JobScheduler } from '../core/ports/job-scheduler.ts';
import type { OrderLinks } from '../core/ports/order-links.ts';
import type { ReturnUnits } from '../core/ports/return-units.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import type { AmazonRefund } from '../core/transform/refunds-from-settlement.ts';

/** Queue of one Amazon refund to enter in Sage as a customer return (issue 17). */
export const REFUND_RECORD_QUEUE = 'refund.record';
export const refundRecordKey = (amazonOrderId: string, reference: string): string =>
  `${REFUND_RECORD_QUEUE}:${amazonOrderId}:${reference}`;

export interface RefundFlowDeps {
  readonly sage: Pick<Sage500Gateway, 'recordCustomerReturn'>;
  readonly links: Pick<OrderLinks, 'get'>;
  /**
   * The ledger of goods coming back (FBA returns report on, `orders.fbaReturns`): a refund enters only the units a
   * return line of the same order item has not entered already. Without it every refund enters all its units.
   */
  readonly returnUnits?: ReturnUnits;
}

export interface RefundJob {
  readonly connectionId: string;
  readonly refund: AmazonRefund;
}

export type RefundOutcome =
  | { readonly kind: 'created' | 'existing'; readonly tranNo: string; readonly returnKey: string }
  | { readonly kind: 'skipped'; readonly reason: string };

/**
 * The Sage TranNo of a refund's customer return: `R` and nine base-36 characters of a hash of the order id and
 * Amazon's adjustment id. The same refund always gets the same number (from the settlement report, from Finances,
 * from a re-run), so the gateway's idempotency by TranNo makes it exactly once without a counter to keep.
 */
export function returnTranNo(amazonOrderId: string, reference: string): string {
  const digest = createHash('sha256').update(`${amazonOrderId}|${reference}`).digest();
  return `R${BigInt(`0x${digest.subarray(0, 8).toString('hex')}`)
    .toString(36)
    .toUpperCase()
    .padStart(9, '0')
    .slice(-9)}`;
}

/** One `refund.record` job per refund, keyed by order and adjustment: a refund read twice is queued once. */
export async function enqueueRefunds(
  jobs: JobScheduler,
  connectionId: string,
  refunds: readonly AmazonRefund[],
): Promise<number> {
  for (const refund of refunds)
    await jobs.enqueue(REFUND_RECORD_QUEUE, { connectionId, refund } satisfies RefundJob, {
      key: refundRecordKey(refund.amazonOrderId, refund.reference),
      dedupe: true,
    });
  return refunds.length;
}

/**
 * `refund.record`: an Amazon refund of an order Sellbridge created in Sage becomes a Sage customer return (811)
 * linked to that order's lines, exactly once (`returnTranNo`). An order Sage does not have from Sellbridge (FBA
 * skipped, never imported) is skipped with the reason: its money is in the settlement journal already. A refund
 * Sage cannot take as a return (an item not on the order, more than shipped, no quantity) fails as a mapping error,
 * so the job is dead-lettered with every issue for a person to key the credit memo by hand.
 */
export async function recordRefund(payload: unknown, deps: RefundFlowDeps): Promise<RefundOutcome> {
  const { connectionId, refund } = parseRefundJob(payload);
  const link = await deps.links.get(connectionId, refund.amazonOrderId);
  if (!link?.tranNo || !link.salesOrderKey)
    return { kind: 'skipped', reason: `Amazon order ${refund.amazonOrderId} has no Sage order from Sellbridge` };
  const tranNo = returnTranNo(refund.amazonOrderId, refund.reference);
  let lines = refund.lines.map((l) => ({ amazonOrderItemId: l.amazonOrderItemId, quantity: l.quantity }));
  if (deps.returnUnits) {
    // Whole positive quantities go through the ledger; anything else is left for the gateway to refuse by name.
    const valid = lines.filter((l) => Number.isInteger(l.quantity) && l.quantity > 0);
    const decided = await deps.returnUnits.decide(
      { connectionId, amazonOrderId: refund.amazonOrderId, source: 'refund', sourceKey: refund.reference, tranNo },
      valid,
    );
    const enter = new Map(decided.map((d) => [d.amazonOrderItemId, d.enter]));
    lines = lines
      .map((l) => (enter.has(l.amazonOrderItemId) ? { ...l, quantity: enter.get(l.amazonOrderItemId)! } : l))
      .filter((l) => !enter.has(l.amazonOrderItemId) || l.quantity > 0);
    if (lines.length === 0)
      return {
        kind: 'skipped',
        reason: `refund ${refund.reference} of ${refund.amazonOrderId}: its goods are in Sage already (FBA customer return)`,
      };
  }
  const made = await deps.sage.recordCustomerReturn(
    {
      amazonOrderId: refund.amazonOrderId,
      salesOrderTranNo: link.tranNo,
      reference: refund.reference,
      returnDate: refund.postedAt,
      lines,
    },
    { tranNo },
  );
  return { kind: made.outcome, tranNo, returnKey: made.returnKey };
}

function parseRefundJob(payload: unknown): RefundJob {
  const p = payload as Partial<RefundJob> | undefined;
  const r = p?.refund;
  if (
    !p ||
    typeof p.connectionId !== 'string' ||
    !r ||
    typeof r.amazonOrderId !== 'string' ||
    typeof r.reference !== 'string' ||
    typeof r.postedAt !== 'string' ||
    !Array.isArray(r.lines)
  )
    throw new SellbridgeError(
      'SB_JOB_PAYLOAD_INVALID',
      `${REFUND_RECORD_QUEUE}: payload needs connectionId and refund`,
      {
        context: { queue: REFUND_RECORD_QUEUE },
      },
    );
  return p as RefundJob;
}
