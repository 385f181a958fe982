import { parsePayload } from './job-payload.ts';
import {
  FAST_LANE_PRIORITY,
  INVENTORY_SYNC_QUEUE,
  INVENTORY_WATCH_QUEUE,
  type InventoryFlowDeps,
  STOCK_WATERMARK,
  inventorySyncKey,
} from './inventory.ts';
import { readStock } from './inventory.ts';
import { stockDigest } from '../core/transform/fingerprint.ts';

/** `inventory.watch`: Sage stock change detection; queues a quantity sync when the digest moved. */
export async function watchStock(payload: unknown, deps: InventoryFlowDeps): Promise<{ readonly changed: boolean }> {
  const { connectionId } = parsePayload(INVENTORY_WATCH_QUEUE, payload, ['connectionId'] as const);
  const settings = deps.settingsFor(connectionId);
  const links = await deps.state.links(connectionId);
  const stock = await readStock([...new Set(links.map((l) => l.itemId))], deps, settings.rules);
  const digest = stockDigest(stock);
  const before = await deps.watermarks.get(connectionId, STOCK_WATERMARK);
  if (before === digest) return { changed: false };
  await deps.jobs.enqueue(
    INVENTORY_SYNC_QUEUE,
    { connectionId, scope: 'quantity' },
    { key: inventorySyncKey(connectionId, 'quantity'), dedupe: true, priority: FAST_LANE_PRIORITY },
  );
  await deps.watermarks.set(connectionId, STOCK_WATERMARK, digest);
  return { changed: true };
}
