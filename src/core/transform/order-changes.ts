import { moneyToDecimal } from '../model/money.ts';
import type { Address, Order } from '../model/order.ts';
import { fnv1a32 } from './fingerprint.ts';
import type { SyncState } from '../lifecycle.ts';
import type { PostalAddress, SalesOrder, SalesOrderDraft } from '../model/sales-order.ts';

/**
 * What changed at Amazon after Sellbridge created the Sage order (issue 17, "changes after import"), compared line
 * by line (by Amazon OrderItemId) and on the ship-to. Two changes are applied to Sage: a line cancelled at Amazon
 * that has not shipped is cancelled in Sage; a new ship-to, fitted to Sage like a new order's, replaces Sage's while
 * nothing of the order shipped. Everything else is a difference a person looks at. Differences name fields, ids and
 * quantities only, never buyer text (STYLE: no PII in logs or the store outside the vault).
 */

export type PlannedOrderChange =
  | { readonly kind: 'cancel-line'; readonly lineNo: number; readonly amazonOrderItemId: string }
  | { readonly kind: 'update-ship-to'; readonly shipTo: PostalAddress };

export interface OrderDifference {
  /** `lines[<OrderItemId>]`, `shipTo`, `order`. */
  readonly field: string;
  readonly problem: string;
}

export interface OrderChangePlan {
  readonly changes: readonly PlannedOrderChange[];
  readonly differences: readonly OrderDifference[];
}

/**
 * Whether the order is one whose changes are compared: merchant-fulfilled, open at Amazon (Unshipped or
 * PartiallyShipped; cancelled and shipped orders go through the status map) and open in Sage.
 */
export function changesApply(order: Pick<Order, 'status' | 'fulfilledBy'>, sage: Pick<SalesOrder, 'status'>): boolean {
  return (
    order.fulfilledBy === 'merchant' &&
    (order.status === 'unshipped' || order.status === 'partially-shipped') &&
    sage.status === 'open'
  );
}

/**
 * The plan for an order Sage already has. `draft` is the order mapped again as it is now at Amazon (its ship-to
 * fitted to Sage; undefined when it no longer maps, with `mappingProblem` saying why). Pure.
 */
export function planOrderChanges(
  order: Order,
  mapped: { readonly draft?: SalesOrderDraft; readonly mappingProblem?: string },
  sage: SalesOrder,
  /**
   * Whether Amazon's ship-to changed since the last compared version (addressDigest): true writes the new one (while
   * nothing shipped); false keeps Sage's as it is (it may be an operator's correction, `dlq replay --set shipTo...`);
   * undefined (no earlier digest) makes a difference with Sage's a difference for a person.
   */
  shipToChanged?: boolean,
): OrderChangePlan {
  const changes: PlannedOrderChange[] = [];
  const differences: OrderDifference[] = [];
  const differ = (field: string, problem: string) => differences.push({ field, problem });
  const sageLines = new Map(sage.lines.filter((l) => l.amazonOrderItemId).map((l) => [l.amazonOrderItemId!, l]));
  const drafted = new Map((mapped.draft?.lines ?? []).map((l) => [l.amazonOrderItemId, l]));
  const anyShipped = [...sageLines.values()].some((l) => l.quantityShipped > 0);

  for (const line of order.lines) {
    const field = `lines[${line.lineId}]`;
    const inSage = sageLines.get(line.lineId);
    const qty = line.quantityOrdered;
    if (!inSage) {
      if (qty > 0) differ(field, `added at Amazon (quantity ${qty}); the Sage order has no line for it`);
      continue;
    }
    if (inSage.status === 'closed') {
      if (qty > 0) differ(field, `closed in Sage (line ${inSage.lineNo}) but ordered at Amazon (quantity ${qty})`);
      continue;
    }
    if (qty === 0) {
      if (inSage.quantityShipped > 0)
        differ(field, `cancelled at Amazon after Sage shipped ${inSage.quantityShipped} (line ${inSage.lineNo})`);
      else changes.push({ kind: 'cancel-line', lineNo: inSage.lineNo, amazonOrderItemId: line.lineId });
      continue;
    }
    if (qty !== inSage.quantity) {
      differ(field, `quantity ${inSage.quantity} in Sage (line ${inSage.lineNo}), ${qty} at Amazon`);
      continue;
    }
    const price = drafted.get(line.lineId)?.unitPrice;
    if (price && (price.minor !== inSage.unitPrice.minor || price.currency !== inSage.unitPrice.currency))
      differ(
        field,
        `unit price ${moneyToDecimal(inSage.unitPrice)} ${inSage.unitPrice.currency} in Sage (line ${inSage.lineNo}), ${moneyToDecimal(price)} ${price.currency} at Amazon`,
      );
  }
  const atAmazon = new Set(order.lines.map((l) => l.lineId));
  for (const [itemId, l] of sageLines)
    if (!atAmazon.has(itemId) && l.status !== 'closed')
      differ(`lines[${itemId}]`, `in Sage (line ${l.lineNo}) but not in the Amazon order any more`);

  if (mapped.mappingProblem) differ('order', `the order as it is now at Amazon does not map: ${mapped.mappingProblem}`);
  const shipTo = mapped.draft?.shipTo;
  if (shipToChanged !== false && shipTo && sage.shipTo && !sameAddress(shipTo, sage.shipTo)) {
    if (shipToChanged === undefined)
      // No earlier version to compare with (an order created before Sellbridge kept one): Sage's may be an operator's
      // correction or an older fitting, so a person decides rather than Sellbridge overwriting it.
      differ('shipTo', "differs from Sage's, and no earlier Amazon version tells whether the buyer changed it");
    else if (anyShipped)
      differ('shipTo', 'changed at Amazon after Sage shipped part of the order; Sage keeps the old one');
    else changes.push({ kind: 'update-ship-to', shipTo });
  }
  return { changes, differences };
}

/** The same address as Sage keeps it: blanks around, empty lines and case do not count (SQL Server's collation). */
export function sameAddress(a: PostalAddress, b: PostalAddress): boolean {
  const norm = (p: PostalAddress) =>
    JSON.stringify(
      [p.name, ...p.lines.filter((l) => l.trim() !== ''), '|', p.city, p.region, p.postalCode, p.countryId].map((v) =>
        v.trim().toUpperCase(),
      ),
    );
  return norm(a) === norm(b);
}

/**
 * A short digest of a ship-to as Amazon sent it, to notice that it changed without keeping the buyer's address
 * outside the vault (two 32-bit FNV-1a hashes: not reversible, not cryptographic). Undefined without an address.
 */
export function addressDigest(a: Address | undefined): string | undefined {
  if (!a) return undefined;
  const text = JSON.stringify([
    a.name,
    a.companyName,
    a.lines,
    a.city,
    a.district,
    a.stateOrRegion,
    a.postalCode,
    a.countryCode,
  ]);
  return `${fnv1a32(text).toString(16).padStart(8, '0')}${fnv1a32(text, 0x01000193).toString(16).padStart(8, '0')}`;
}

/** Link states of orders that still have to ship (the at-risk list and gauge leave the others out). */
export const NOT_SHIPPED_STATES: readonly SyncState[] = [
  'received',
  'waiting-for-pending',
  'mapped',
  'reserved',
  'created',
  'shipped-partially',
  'needs-attention',
  'dead-lettered',
];

/**
 * The ship-by date Sellbridge knows for an order: the one recorded with a comparison (`order_changes` with a version:
 * at or after creation, so the newest), else the one order.sync carried on the link (migration 0034, issue 15), else
 * one `order_changes` noted before mapping before that change. `shipBySql` in connectors/store/order-changes.ts is
 * the same rule in SQL.
 */
export function knownShipBy(
  revision: { readonly amazonUpdatedAt?: string; readonly latestShipDate?: string } | undefined,
  linkShipBy: string | null | undefined,
): string | undefined {
  return (revision?.amazonUpdatedAt ? revision.latestShipDate : undefined) ?? linkShipBy ?? revision?.latestShipDate;
}

/** Whether an order in `state` with this latest ship date is at risk of shipping late (not shipped, date near or past). */
export function shipByRisk(
  latestShipDate: string,
  state: string | undefined,
  now: Date,
  warningMs = 86_400_000,
): { latestShipDate: string; atRisk: boolean; late: boolean } {
  const open = state === undefined || (NOT_SHIPPED_STATES as readonly string[]).includes(state);
  const due = Date.parse(latestShipDate);
  return { latestShipDate, atRisk: open && due < now.getTime() + warningMs, late: open && due < now.getTime() };
}
