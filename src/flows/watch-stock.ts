import { parsePayload } from './job-payload.ts';
import {
  FAST_LANE_PRIORITY,
  INVENTORY_SYNC_QUEUE,
  INVENTORY_WATCH_QUEUE,
  type InventoryFlowDeps,
  STOCK_CT_FULL_READS,
  STOCK_CT_WATERMARK,
  STOCK_WATERMARK,
  inventorySyncKey,
} from './inventory.ts';
import { readStock, settingsNow } from './inventory.ts';
import { stockDigest } from '../core/transform/fingerprint.ts';

export interface WatchOutcome {
  readonly changed: boolean;
  /** How the changes were found: `digest` (every linked item read), `tracking` (only changed items). */
  readonly via: 'digest' | 'tracking';
  /** Linked items whose stock was read from Sage. */
  readonly itemsRead: number;
  /** With change tracking: why every item was read this once (`first` version, or `expired` past the retention). */
  readonly fullRead?: 'first' | 'expired';
}

/**
 * `inventory.watch`: Sage stock change detection. With change tracking on (`sage500.changeTracking`), only the
 * linked items whose bins or inventory rows changed since the stored version are read, and a quantity sync of just
 * those items is queued; the version moves only after that job is queued (a crash reads the same changes again).
 * Without it, every linked item is read and a full quantity sync queued when the stock digest moved.
 */
export async function watchStock(payload: unknown, deps: InventoryFlowDeps): Promise<WatchOutcome> {
  const { connectionId } = parsePayload(INVENTORY_WATCH_QUEUE, payload, ['connectionId'] as const);
  const links = await deps.state.links(connectionId);
  const linked = new Set(links.map((l) => l.itemId));
  const since = deps.sage.stockChangesSince ? await deps.watermarks.get(connectionId, STOCK_CT_WATERMARK) : undefined;
  const changes = deps.sage.stockChangesSince ? await deps.sage.stockChangesSince(since) : undefined;
  if (changes?.tracking === 'changes') {
    const items = [...new Set(changes.itemIds)].filter((i) => linked.has(i)).sort();
    if (items.length > 0)
      // Not de-duplicated: a pending sync of other items must not swallow these; per-key order keeps them serial.
      await deps.jobs.enqueue(
        INVENTORY_SYNC_QUEUE,
        { connectionId, scope: 'quantity', itemIds: items },
        { key: inventorySyncKey(connectionId, 'quantity'), priority: FAST_LANE_PRIORITY },
      );
    await deps.watermarks.set(connectionId, STOCK_CT_WATERMARK, changes.version);
    return { changed: items.length > 0, via: 'tracking', itemsRead: 0 };
  }
  const outcome = await watchByDigest(connectionId, [...linked], deps);
  if (changes?.tracking === 'full') {
    // The full read is this once: the next watch continues from the version taken before it. Counted (metric
    // sellbridge_sage_stock_full_reads) so a retention too short for the watch interval shows.
    const count = Number((await deps.watermarks.get(connectionId, STOCK_CT_FULL_READS)) ?? 0) + 1;
    await deps.watermarks.set(connectionId, STOCK_CT_FULL_READS, String(count));
    await deps.watermarks.set(connectionId, STOCK_CT_WATERMARK, changes.version);
    return { ...outcome, fullRead: changes.reason };
  }
  return outcome;
}

async function watchByDigest(connectionId: string, itemIds: string[], deps: InventoryFlowDeps): Promise<WatchOutcome> {
  const settings = await settingsNow(deps, connectionId);
  const stock = await readStock(itemIds, deps, settings.rules);
  const digest = stockDigest(stock);
  const before = await deps.watermarks.get(connectionId, STOCK_WATERMARK);
  if (before === digest) return { changed: false, via: 'digest', itemsRead: itemIds.length };
  await deps.jobs.enqueue(
    INVENTORY_SYNC_QUEUE,
    { connectionId, scope: 'quantity' },
    { key: inventorySyncKey(connectionId, 'quantity'), dedupe: true, priority: FAST_LANE_PRIORITY },
  );
  await deps.watermarks.set(connectionId, STOCK_WATERMARK, digest);
  return { changed: true, via: 'digest', itemsRead: itemIds.length };
}
