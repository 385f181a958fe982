import { SellbridgeError } from '../core/errors.ts';
import { isSyncState, type SyncState } from '../core/lifecycle.ts';
import type { PackageShipment, AmazonMarketplace } from '../core/ports/amazon-marketplace.ts';
import type { JobScheduler } from '../core/ports/job-scheduler.ts';
import type { Circuit } from '../core/ports/circuit.ts';
import type { OrderLink, OrderLinks } from '../core/ports/order-links.ts';
import type { HandLinks } from '../core/ports/hand-links.ts';
import type { Shipment } from '../core/model/shipment.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import type {
  ConfirmationKey,
  ShipmentConfirmation,
  ShipmentConfirmations,
} from '../core/ports/shipment-confirmations.ts';
import type { Watermarks } from '../core/ports/watermarks.ts';
import type { SightingVia, WorkSightings } from '../core/ports/work-sightings.ts';
import type { CarrierRules } from '../core/rules/carriers.ts';
import { parsePayload } from './job-payload.ts';
import { packagesFromShipment, type ShippedOrderRef } from '../core/transform/package-shipments-from-shipment.ts';
import { sageOrderState } from '../core/transform/sales-order-state.ts';

export const SHIPMENT_POLL_QUEUE = 'shipment.poll';
export const SHIPMENT_CONFIRM_QUEUE = 'shipment.confirm';
/** Watermark name of the Sage shipment cursor (store table `watermarks`). */
export const SHIPMENT_WATERMARK = 'sage.shipments';
/** Change-tracking mode: the version shipment changes were last read up to (watermark, opaque bigint text). */
export const SHIPMENT_CT_WATERMARK = 'sage.shipments.ct-version';
/**
 * Change-tracking mode: while a full read by the cursor path is under way (no usable version: first, or older than
 * the retention), the version to continue from once it has caught up; '' when none is under way.
 */
export const SHIPMENT_CT_RESUME = 'sage.shipments.ct-resume';
/** Change-tracking mode: how many full reads there were (metric sellbridge_sage_shipment_full_reads). */
export const SHIPMENT_CT_FULL_READS = 'sage.shipments.ct-full-reads';
/**
 * Change-tracking mode: ShipKeys (JSON array) of committed shipments of Sellbridge orders that had no tracked
 * package yet. The package table is not change-tracked, so a tracking number keyed in later changes no tracked row:
 * these shipments are read again at every poll until they have one (the cursor path's rewind window did that).
 */
export const SHIPMENT_CT_AWAITING = 'sage.shipments.ct-awaiting';
/** At most this many shipments wait for a tracking number (the newest keys are kept). */
export const MAX_AWAITING_TRACKING = 1000;
export const shipmentPollKey = (connectionId: string): string => `${SHIPMENT_POLL_QUEUE}:${connectionId}`;
/** Confirmations of one order run one at a time (its lifecycle state is updated after each job). */
export const shipmentConfirmKey = (amazonOrderId: string): string => `${SHIPMENT_CONFIRM_QUEUE}:${amazonOrderId}`;
/** Order and shipment work goes before bulk work (docs/jobs.md). */
export const ORDER_WORK_PRIORITY = 10;

export interface ShipmentFlowDeps {
  readonly amazon: Pick<AmazonMarketplace, 'getOrder' | 'confirmShipment'>;
  readonly sage: Pick<Sage500Gateway, 'listShipments' | 'findSalesOrder'> &
    Partial<Pick<Sage500Gateway, 'shipmentChangesSince'>>;
  readonly links: OrderLinks;
  readonly confirmations: ShipmentConfirmations;
  readonly watermarks: Watermarks;
  /** With enqueueMany: a poll queues its confirmations in one statement (issue 15). */
  readonly jobs: JobScheduler & Required<Pick<JobScheduler, 'enqueueMany'>>;
  readonly carriersFor: (connectionId: string) => Promise<CarrierRules>;
  /** Sage's circuit breaker: while it is open, a shipment job waits before it reads Sage or calls Amazon. */
  readonly sageCircuit?: Circuit;
  /**
   * How long a `sending` record belongs to the worker that claimed it (default DEFAULT_SEND_FENCE_MS). Longer than
   * one confirmShipment call can take (the request deadline), so a second worker never sends while the first's call
   * may still land; after it, the claimer is taken for dead and the order is read before sending again.
   */
  readonly sendFenceMs?: number;
  /**
   * The Sage warehouse holding the stock at Amazon (orders.fba.warehouseId). A shipment from it is an FBA order's
   * booking (order.sync, FBA policy record-shipped): Amazon shipped that order itself, so it is never confirmed.
   */
  readonly amazonFulfilledWarehouse?: string;
  /** The connection's FBA warehouse as it stands now (an order-policies edit); wins over `amazonFulfilledWarehouse`. */
  readonly fbaWarehouseFor?: (connectionId: string) => Promise<string | undefined>;
  /** Orders linked by hand to a Sage order keyed in Sage: their line map (that order has no extension rows). */
  readonly handLinks?: Pick<HandLinks, 'byTranNos'>;
  /**
   * Which path found a shipment with work first (kind `shipment`): `event` = Sage change tracking, `poll` = the
   * ShipKey cursor (the push-miss figure for shipments; every shipment is `poll` without change tracking).
   */
  readonly sightings?: WorkSightings;
}

/** Three times the default SP-API request deadline (30 s). */
export const DEFAULT_SEND_FENCE_MS = 90_000;

export interface PollOutcome {
  readonly shipments: number;
  /** Packages queued for confirmation by this poll, one job per order (already confirmed ones are not counted). */
  readonly queued: number;
  readonly more: boolean;
  /** How the shipments were found: `cursor` (ShipKey cursor with rewind window) or `tracking` (change tracking). */
  readonly via: 'cursor' | 'tracking';
  /** Change-tracking mode: why this read went by the cursor (`first` version, or `expired` past the retention). */
  readonly fullRead?: 'first' | 'expired';
}

/** What a shipment.confirm job did, package by package in the job's order. */
export interface ConfirmOutcome {
  readonly packages: readonly PackageOutcome[];
}

export type PackageOutcome =
  | { readonly kind: 'confirmed'; readonly packageReferenceId: string }
  /** A previous call's outcome was unknown; the order at Amazon already shows the package. */
  | { readonly kind: 'found-at-amazon'; readonly packageReferenceId: string }
  | { readonly kind: 'already-confirmed'; readonly packageReferenceId: string };

/**
 * `shipment.poll`: the committed/posted Sage shipments to confirm; each package of a Sellbridge order is recorded
 * (once, with its packageReferenceId) and a `shipment.confirm` job is queued; then the watermark moves. A crash
 * before it moves reads the same shipments again: records dedupe them.
 *
 * Without change tracking (or while it is off in Sage): one page of shipments after the stored ShipKey cursor, with
 * its rewind window. With it (`sage500.changeTracking`): only the shipments whose tsoShipment / tsoShipmentLog rows
 * changed since the stored version. When no version is usable (the first read, or one older than the retention)
 * the cursor path runs instead, page by page until it has caught up, counted once as a full read; tracking then
 * continues from the version taken before it (changes made meanwhile are read again, harmlessly).
 */
export async function pollShipments(payload: unknown, deps: ShipmentFlowDeps): Promise<PollOutcome> {
  const { connectionId } = parsePayload(SHIPMENT_POLL_QUEUE, payload, ['connectionId'] as const);
  deps.sageCircuit?.ensureAvailable();
  let resume: string | undefined;
  let fullRead: PollOutcome['fullRead'];
  if (deps.sage.shipmentChangesSince) {
    resume = (await deps.watermarks.get(connectionId, SHIPMENT_CT_RESUME)) || undefined;
    if (!resume) {
      const since = await deps.watermarks.get(connectionId, SHIPMENT_CT_WATERMARK);
      const recheck = await awaitingTracking(connectionId, deps);
      const changes = await deps.sage.shipmentChangesSince(since, recheck);
      if (changes.tracking === 'changes') {
        const { queued, awaiting } = await recordPackages(connectionId, changes.shipments, 'event', deps);
        // The awaited shipments were read again: those still without a tracking number keep waiting.
        await deps.watermarks.set(connectionId, SHIPMENT_CT_AWAITING, JSON.stringify(newestKeys(awaiting)));
        await deps.watermarks.set(connectionId, SHIPMENT_CT_WATERMARK, changes.version);
        return { shipments: changes.shipments.length, queued, more: false, via: 'tracking' };
      }
      if (changes.tracking === 'full') {
        // Counted when it starts (sellbridge_sage_shipment_full_reads), whatever number of pages it takes.
        const count = Number((await deps.watermarks.get(connectionId, SHIPMENT_CT_FULL_READS)) ?? 0) + 1;
        await deps.watermarks.set(connectionId, SHIPMENT_CT_FULL_READS, String(count));
        await deps.watermarks.set(connectionId, SHIPMENT_CT_RESUME, changes.version);
        resume = changes.version;
        fullRead = changes.reason;
      }
    }
  }
  const cursor = await deps.watermarks.get(connectionId, SHIPMENT_WATERMARK);
  const page = await deps.sage.listShipments(cursor);
  const { queued, awaiting } = await recordPackages(connectionId, page.shipments, 'poll', deps);
  if (resume && awaiting.length > 0) {
    // Change tracking takes over after this full read: it must read these again until they have a tracking number.
    const before = await awaitingTracking(connectionId, deps);
    await deps.watermarks.set(
      connectionId,
      SHIPMENT_CT_AWAITING,
      JSON.stringify(newestKeys([...new Set([...before, ...awaiting])])),
    );
  }
  await deps.watermarks.set(connectionId, SHIPMENT_WATERMARK, page.cursor);
  if (resume && !page.more) {
    // The cursor has caught up: from now on only changes are read.
    await deps.watermarks.set(connectionId, SHIPMENT_CT_WATERMARK, resume);
    await deps.watermarks.set(connectionId, SHIPMENT_CT_RESUME, '');
  }
  if (page.more)
    await deps.jobs.enqueue(
      SHIPMENT_POLL_QUEUE,
      { connectionId },
      { key: shipmentPollKey(connectionId), dedupe: true },
    );
  return {
    shipments: page.shipments.length,
    queued,
    more: page.more,
    via: 'cursor',
    ...(fullRead ? { fullRead } : {}),
  };
}

async function awaitingTracking(connectionId: string, deps: ShipmentFlowDeps): Promise<string[]> {
  const text = await deps.watermarks.get(connectionId, SHIPMENT_CT_AWAITING);
  if (!text) return [];
  const keys = JSON.parse(text) as unknown;
  return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
}

const newestKeys = (keys: readonly string[]): string[] =>
  [...keys].sort((a, b) => Number(b) - Number(a)).slice(0, MAX_AWAITING_TRACKING);

/**
 * Records every package of the shipments' Sellbridge orders and queues its confirmation; returns how many, and the
 * keys of the shipments of Sellbridge orders that have no tracked package yet.
 */
async function recordPackages(
  connectionId: string,
  found: readonly Shipment[],
  via: SightingVia,
  deps: ShipmentFlowDeps,
): Promise<{ queued: number; awaiting: string[] }> {
  // Shipments from the FBA warehouse are Amazon's own (booked by order.sync under `record-shipped`): never confirmed.
  // Read only when there is something to sort (an idle poll costs no rules read).
  const edited = found.length > 0 ? await deps.fbaWarehouseFor?.(connectionId) : undefined;
  const fba = (edited ?? deps.amazonFulfilledWarehouse)?.trim().toUpperCase();
  const ours = fba ? found.filter((s) => s.warehouseId.trim().toUpperCase() !== fba) : found;
  const shipments = await withHandLinkedLines(connectionId, ours, deps);
  const orders = await linkedOrdersOf(
    connectionId,
    shipments.flatMap((s) => s.lines.map((l) => l.salesOrderTranNo)),
    deps,
  );
  const linkOfOrder = new Map([...orders.values()].map((o) => [o.amazonOrderId, o.link] as const));
  const carriers = await deps.carriersFor(connectionId);
  const packages = shipments.flatMap((s) => packagesFromShipment(s, (tranNo) => orders.get(tranNo), carriers));
  // The page's packages recorded before (a rewind window reads recent shipments again) in one read: only new
  // packages cost a write each.
  const recorded = new Map(
    packages.length === 0
      ? []
      : (await deps.confirmations.listForOrders(connectionId, [...new Set(packages.map((p) => p.amazonOrderId))])).map(
          (r) => [`${r.amazonOrderId}\n${r.shipmentKey}\n${r.packageNo}`, r] as const,
        ),
  );
  const keyOf = (pkg: { amazonOrderId: string; shipmentKey: string; packageNo: string }): ConfirmationKey => ({
    connectionId,
    amazonOrderId: pkg.amazonOrderId,
    shipmentKey: pkg.shipmentKey,
    packageNo: pkg.packageNo,
  });
  // A constant number of writes for the page's new packages (issue 15: three each): their records in one write,
  // then their shipments' sightings in one, then their jobs in one. Records go first: a crash before the jobs are
  // queued (or the watermark moves) reads the same shipments again, finds these records not yet confirmed and
  // queues their jobs then.
  const fresh = packages.filter((p) => !recorded.has(`${p.amazonOrderId}\n${p.shipmentKey}\n${p.packageNo}`));
  if (fresh.length > 0)
    for (const r of await deps.confirmations.recordMany(fresh.map((p) => ({ key: keyOf(p), detail: p.detail }))))
      recorded.set(`${r.amazonOrderId}\n${r.shipmentKey}\n${r.packageNo}`, r);
  const due = packages.filter((p) => {
    const state = recorded.get(`${p.amazonOrderId}\n${p.shipmentKey}\n${p.packageNo}`)?.state;
    return state !== 'confirmed' && state !== 'skipped';
  });
  if (due.length > 0) {
    await deps.sightings?.noteMany(connectionId, 'shipment', [...new Set(due.map((p) => p.shipmentKey))], via);
    // One job per order with all its packages (issue 15: a job per package cost each package a job's claim and
    // settle and a lifecycle move of its own).
    const packagesOf = new Map<string, ConfirmPackage[]>();
    for (const p of due)
      packagesOf.set(p.amazonOrderId, [
        ...(packagesOf.get(p.amazonOrderId) ?? []),
        { shipmentKey: p.shipmentKey, packageNo: p.packageNo },
      ]);
    await deps.jobs.enqueueMany(
      SHIPMENT_CONFIRM_QUEUE,
      [...packagesOf].map(([amazonOrderId, packages]) => {
        // The order's link as this poll read it goes with the job (issue 15: passed along, not read again), once
        // it records the Sage order: before that the job reads it (waitForCreation).
        const link = linkOfOrder.get(amazonOrderId);
        const payload: ConfirmPayload = {
          connectionId,
          amazonOrderId,
          packages,
          ...(link && !BEFORE_CREATED.includes(link.state) ? { link } : {}),
        };
        return { payload, options: { key: shipmentConfirmKey(amazonOrderId), priority: ORDER_WORK_PRIORITY } };
      }),
    );
  }
  const queued = due.length;
  const awaiting = shipments
    .filter((s) => s.packages.length === 0 && s.lines.some((l) => orders.has(l.salesOrderTranNo)))
    .map((s) => s.key);
  return { queued, awaiting };
}

/**
 * `shipment.confirm`: confirmShipment exactly once per (order, shipment, package). One job carries all the packages
 * of an order a poll found to confirm (issue 15: one job, one claim and one lifecycle move per order, not per
 * package); a job queued before that (or a dead letter of then, replayed) names one package. Each package in turn:
 * a worker claims its record (`sending`) in a conditional write before the call and marks it `confirmed` right after
 * it; a failed call leaves it `unknown`. A record `unknown`, or `sending` past the fence (its worker died), means an
 * earlier call's outcome is unknown, so the order is read first and the call is made again only when Amazon does
 * not show the package. A record freshly `sending` belongs to a call still in flight: wait. The order's lifecycle
 * moves once, after the last package; when a package fails, the ones confirmed before it stay confirmed, the order
 * is moved for them, and the retry finds them confirmed and sends only the rest.
 */
export async function confirmShipment(payload: unknown, deps: ShipmentFlowDeps): Promise<ConfirmOutcome> {
  const job = parseConfirmJob(payload);
  deps.sageCircuit?.ensureAvailable();
  // The link (as the poll read it, else read once here) is passed along to the lifecycle move at the end (a
  // compare-and-set on its state: a link that moved on since is read again there).
  const link = linkOfJob(payload, job) ?? (await waitForCreation(job, deps));
  const keys = job.packages.map((p): ConfirmationKey => ({
    connectionId: job.connectionId,
    amazonOrderId: job.amazonOrderId,
    ...p,
  }));
  const fenceMs = deps.sendFenceMs ?? DEFAULT_SEND_FENCE_MS;
  // The first call for the packages (the common case): one write claims every pending one and returns them.
  let claims = await claimBatch(keys, deps);
  const outcomes: PackageOutcome[] = [];
  // The order's records as the last markConfirmed returned them (undefined: none marked by this job).
  let records: readonly ShipmentConfirmation[] | undefined;
  // A package refused for good (validation: no record, no Amazon order item) does not hold up the order's others:
  // they go on, and the job fails with the first refusal after the lifecycle move (a dead letter, as its own job's).
  let refused: SellbridgeError | undefined;
  /** One package: its call (exactly once), or what an earlier one did; the order's records when it marked one. */
  const confirmPackage = async (
    key: ConfirmationKey,
  ): Promise<{ outcome: PackageOutcome; marked?: readonly ShipmentConfirmation[] }> => {
    if (claims.fresh && performance.now() - claims.at > fenceMs / 3) {
      // A claim is the fence's to keep: a call must end before another worker may take the package over. The fence
      // is three request deadlines, so a call started within a third of it from the claim ends well inside it;
      // later ones (slow calls before) claim again, after handing back the old claims.
      await deps.confirmations.releaseClaims([...claims.byKey.values()]);
      claims = await claimBatch(keys.slice(keys.indexOf(key)), deps);
    }
    const claimed = claims.byKey.get(packageId(key));
    if (claimed) {
      claims.byKey.delete(packageId(key));
      const marked = await send(key, claimed, deps);
      return { outcome: { kind: 'confirmed', packageReferenceId: claimed.packageReferenceId }, marked };
    }
    const record = await loadConfirmation(key, deps);
    if (record.state === 'confirmed' || record.state === 'skipped') {
      // A worker killed between the record and the link leaves the order behind: the move at the end catches up.
      return { outcome: { kind: 'already-confirmed', packageReferenceId: record.packageReferenceId } };
    }
    if ((record.state === 'sending' || record.state === 'unknown') && (await amazonShowsPackage(record, deps))) {
      const marked = await deps.confirmations.markConfirmed(key);
      return { outcome: { kind: 'found-at-amazon', packageReferenceId: record.packageReferenceId }, marked };
    }
    if (!(await deps.confirmations.claimSend(key, fenceMs))) {
      // Another worker's call for this package may still be in flight (e.g. its job lease ran out under load).
      throw new SellbridgeError(
        'SB_ORD_CONFIRM_IN_FLIGHT',
        `order ${key.amazonOrderId}: package ${record.packageReferenceId} is being confirmed by another worker`,
        {
          context: { amazonOrderId: key.amazonOrderId, shipmentKey: key.shipmentKey, packageNo: key.packageNo },
          retryAfterMs: Math.min(fenceMs, 10_000),
        },
      );
    }
    const marked = await send(key, record, deps);
    return { outcome: { kind: 'confirmed', packageReferenceId: record.packageReferenceId }, marked };
  };
  try {
    for (const key of keys) {
      try {
        const { outcome, marked } = await confirmPackage(key);
        outcomes.push(outcome);
        if (marked) records = marked;
      } catch (err) {
        if (!(err instanceof SellbridgeError && err.kind === 'validation')) throw err;
        refused ??= err;
      }
    }
  } catch (err) {
    // Claims whose call never started go back to `pending`: the retry claims them at once instead of waiting out
    // the fence and reading the order (a worker killed here leaves them to that, which is as safe).
    if (claims.byKey.size > 0) await deps.confirmations.releaseClaims([...claims.byKey.values()]);
    // The packages confirmed so far move the order (shipped-partially); the retry moves it again at its end. A
    // failure of this move must not hide the package's error: the retry makes the move anyway.
    if (records) await recordOrderShipping(job, link, deps, records).catch(() => undefined);
    throw err;
  }
  await recordOrderShipping(job, link, deps, records);
  if (refused) throw refused;
  return { packages: outcomes };
}

/** The job's pending packages claimed in one write, by package, and when (performance.now(), before the write). */
async function claimBatch(
  keys: readonly ConfirmationKey[],
  deps: ShipmentFlowDeps,
): Promise<{ byKey: Map<string, ShipmentConfirmation>; at: number; readonly fresh: boolean }> {
  const at = performance.now();
  const claimed = await deps.confirmations.claimPendingMany(keys);
  return { byKey: new Map(claimed.map((c) => [packageId(c), c] as const)), at, fresh: claimed.length > 0 };
}

const packageId = (k: ConfirmationKey): string => `${k.shipmentKey}\n${k.packageNo}`;

/** The claimed package's confirmShipment call and its outcome recorded; returns the order's records then. */
async function send(
  key: ConfirmationKey,
  record: ShipmentConfirmation,
  deps: ShipmentFlowDeps,
): Promise<readonly ShipmentConfirmation[]> {
  try {
    await deps.amazon.confirmShipment(packageShipmentOf(record));
  } catch (err) {
    // The call has ended, outcome unknown: the next attempt reads the order first, without waiting for the fence.
    await deps.confirmations.setState(key, 'unknown');
    throw err;
  }
  return deps.confirmations.markConfirmed(key);
}

/** One package of a shipment.confirm job. */
export interface ConfirmPackage {
  readonly shipmentKey: string;
  readonly packageNo: string;
}

/** A shipment.confirm job: the order, its packages to confirm, and its link as the poll that queued it read it. */
export interface ConfirmJob {
  readonly connectionId: string;
  readonly amazonOrderId: string;
  readonly packages: readonly ConfirmPackage[];
}
type ConfirmPayload = {
  readonly connectionId: string;
  readonly amazonOrderId: string;
  readonly packages: readonly ConfirmPackage[];
  readonly link?: OrderLink;
};

/**
 * The job's link when it is one of this order's, with its TranNo, past creation (a job queued before this field, or
 * replayed by hand, has none, and the link is read). A link past creation does not go back before it on its own
 * (only a person's replay does), so waitForCreation's look is not needed; any move since is the compare-and-set's to
 * find (OrderLinks.advance reads the link again then).
 */
function linkOfJob(payload: unknown, job: ConfirmJob): OrderLink | undefined {
  const link = (payload as { link?: unknown }).link;
  if (typeof link !== 'object' || link === null) return undefined;
  const l = link as Partial<Record<keyof OrderLink, unknown>>;
  const valid =
    l.connectionId === job.connectionId &&
    l.amazonOrderId === job.amazonOrderId &&
    typeof l.tranNo === 'string' &&
    typeof l.state === 'string' &&
    isSyncState(l.state) &&
    !BEFORE_CREATED.includes(l.state);
  return valid ? (link as OrderLink) : undefined;
}

/**
 * A shipment.confirm payload: `packages` (each `{shipmentKey, packageNo}`), or, as jobs were queued before one job
 * carried an order's packages (and their dead letters replay), `shipmentKey` and `packageNo`: one package.
 */
export function parseConfirmJob(payload: unknown): ConfirmJob {
  const packages = (payload as { packages?: unknown } | null | undefined)?.packages;
  if (packages === undefined) {
    const { connectionId, amazonOrderId, shipmentKey, packageNo } = parsePayload(SHIPMENT_CONFIRM_QUEUE, payload, [
      'connectionId',
      'amazonOrderId',
      'shipmentKey',
      'packageNo',
    ] as const);
    return { connectionId, amazonOrderId, packages: [{ shipmentKey, packageNo }] };
  }
  const { connectionId, amazonOrderId } = parsePayload(SHIPMENT_CONFIRM_QUEUE, payload, [
    'connectionId',
    'amazonOrderId',
  ] as const);
  if (!Array.isArray(packages) || packages.length === 0) {
    throw new SellbridgeError(
      'SB_JOB_PAYLOAD_INVALID',
      `${SHIPMENT_CONFIRM_QUEUE} job payload: packages must be a non-empty array of {shipmentKey, packageNo}`,
      { context: { queue: SHIPMENT_CONFIRM_QUEUE, fields: ['packages'] } },
    );
  }
  return {
    connectionId,
    amazonOrderId,
    packages: packages.map((p: unknown) =>
      parsePayload(SHIPMENT_CONFIRM_QUEUE, p, ['shipmentKey', 'packageNo'] as const),
    ),
  };
}

/**
 * Lines of a Sage order keyed by hand carry no Amazon OrderItemId; an order linked by `sellbridge orders link`
 * has its line map in the store, matched here by Sage item.
 */
async function withHandLinkedLines(
  connectionId: string,
  shipments: readonly Shipment[],
  deps: ShipmentFlowDeps,
): Promise<readonly Shipment[]> {
  const bare = shipments.flatMap((s) => s.lines.filter((l) => !l.amazonOrderItemId).map((l) => l.salesOrderTranNo));
  if (!deps.handLinks || bare.length === 0) return shipments;
  const links = await deps.handLinks.byTranNos(connectionId, bare);
  if (links.size === 0) return shipments;
  return shipments.map((s) => ({
    ...s,
    lines: s.lines.map((l) => {
      if (l.amazonOrderItemId) return l;
      const hit = links.get(l.salesOrderTranNo)?.lines.find((h) => h.itemId === l.itemId);
      return hit
        ? {
            ...l,
            amazonOrderId: links.get(l.salesOrderTranNo)!.amazonOrderId,
            amazonOrderItemId: hit.amazonOrderItemId,
          }
        : l;
    }),
  }));
}

async function linkedOrdersOf(
  connectionId: string,
  tranNos: readonly string[],
  deps: ShipmentFlowDeps,
): Promise<Map<string, ShippedOrderRef & { readonly link: OrderLink }>> {
  const found = new Map<string, ShippedOrderRef & { readonly link: OrderLink }>();
  if (tranNos.length === 0) return found;
  // One read for the page's orders, not one per TranNo.
  for (const [tranNo, link] of await deps.links.findByTranNos(connectionId, tranNos))
    if (link.marketplaceId)
      found.set(tranNo, { amazonOrderId: link.amazonOrderId, marketplaceId: link.marketplaceId, link });
  return found;
}

async function loadConfirmation(key: ConfirmationKey, deps: ShipmentFlowDeps): Promise<ShipmentConfirmation> {
  const record = await deps.confirmations.get(key);
  if (record) return record;
  throw new SellbridgeError(
    'SB_ORD_CONFIRMATION_MISSING',
    `order ${key.amazonOrderId}: no confirmation record for Sage shipment ${key.shipmentKey} package ${key.packageNo}`,
    {
      context: { amazonOrderId: key.amazonOrderId, shipmentKey: key.shipmentKey, packageNo: key.packageNo },
    },
  );
}

async function amazonShowsPackage(record: ShipmentConfirmation, deps: ShipmentFlowDeps): Promise<boolean> {
  const order = await deps.amazon.getOrder(record.amazonOrderId);
  return order.packages.some((p) => p.packageReferenceId === record.packageReferenceId);
}

function packageShipmentOf(record: ShipmentConfirmation): PackageShipment {
  const d = record.detail;
  if (d.lines.length === 0) {
    throw new SellbridgeError(
      'SB_ORD_SHIPMENT_UNMAPPED',
      `order ${record.amazonOrderId}: Sage shipment ${record.shipmentKey} package ${record.packageNo} names no Amazon order item`,
      {
        context: { amazonOrderId: record.amazonOrderId, shipmentKey: record.shipmentKey, packageNo: record.packageNo },
      },
    );
  }
  return {
    orderId: record.amazonOrderId,
    marketplaceId: d.marketplaceId,
    packageReferenceId: record.packageReferenceId,
    carrierCode: d.carrierCode,
    ...(d.carrierName ? { carrierName: d.carrierName } : {}),
    ...(d.shippingMethod ? { shippingMethod: d.shippingMethod } : {}),
    trackingNumber: d.trackingNumber,
    shipDate: d.shipDate,
    lines: d.lines,
  };
}

/**
 * The order's lifecycle after a confirmation: `confirmed` once Sage shipped everything and every recorded package
 * is confirmed, else `shipped-partially` (the path there, through `shipped`, is core/lifecycle.ts's `pathTo`).
 */
async function recordOrderShipping(
  key: { readonly connectionId: string; readonly amazonOrderId: string },
  link: OrderLink | undefined,
  deps: ShipmentFlowDeps,
  /** The order's records when the caller has them (markConfirmed returns them); read otherwise. */
  records?: readonly ShipmentConfirmation[],
): Promise<void> {
  if (!link?.tranNo) return;
  const sageOrder = await deps.sage.findSalesOrder({ tranNo: link.tranNo });
  const all = records ?? (await deps.confirmations.listForOrder(key.connectionId, key.amazonOrderId));
  const allShipped = sageOrderState(sageOrder)?.allShipped ?? false;
  const allConfirmed = all.every((c) => c.state === 'confirmed' || c.state === 'skipped');
  // `link` was read when the job started: the move is a compare-and-set on its state (OrderLinks.advance).
  await deps.links.advance(key, link, allShipped && allConfirmed ? 'confirmed' : 'shipped-partially');
}

/** Link states before order.sync recorded the Sage order (the lifecycle cannot go from them to `shipped`). */
const BEFORE_CREATED: readonly SyncState[] = ['received', 'waiting-for-pending', 'mapped', 'reserved'];
const WAIT_FOR_CREATION_MS = 2_000;

/**
 * Sage can ship an order before its link records `created`: order.sync is between Sage's commit and that record, or
 * died there and waits for its lease. A confirmation then could not move the order along the lifecycle and
 * the order would stay `created` for good once order.sync catches up, so the job waits (no attempt spent) until it has.
 */
async function waitForCreation(
  key: { readonly connectionId: string; readonly amazonOrderId: string },
  deps: ShipmentFlowDeps,
): Promise<OrderLink | undefined> {
  const link = await deps.links.get(key.connectionId, key.amazonOrderId);
  if (!link || !BEFORE_CREATED.includes(link.state)) return link;
  throw new SellbridgeError(
    'SB_ORD_NOT_CREATED_YET',
    `order ${key.amazonOrderId}: Sage shipped it before order.sync recorded its sales order (link ${link.state}); the confirmation waits`,
    {
      context: { amazonOrderId: key.amazonOrderId, state: link.state },
      retryAfterMs: WAIT_FOR_CREATION_MS,
    },
  );
}
