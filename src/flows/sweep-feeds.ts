import { parsePayload } from './job-payload.ts';
import {
  FAST_LANE_PRIORITY,
  FEED_PRIORITY,
  FEED_SWEEP_QUEUE,
  LISTING_FEED_QUEUE,
  listingFeedKey,
  type InventoryFlowDeps,
} from './inventory.ts';

/**
 * `listing.feed.sweep`: the slow safety net of notification-driven feed tracking. Amazon asks for a backup
 * mechanism besides notifications (sp-api-facts.md §11.5); every unfinished submitted feed gets its `listing.feed`
 * job (joining one already pending), which reads the feed and finishes it if Amazon did.
 */
export async function sweepFeeds(payload: unknown, deps: InventoryFlowDeps): Promise<{ readonly queued: number }> {
  const { connectionId } = parsePayload(FEED_SWEEP_QUEUE, payload, ['connectionId'] as const);
  let queued = 0;
  for (const f of await deps.state.unfinishedFeeds(connectionId)) {
    const r = await deps.jobs.enqueue(
      LISTING_FEED_QUEUE,
      { connectionId, feedRowId: f.feedRowId },
      { key: listingFeedKey(f.feedRowId), dedupe: true, priority: f.fastLane ? FAST_LANE_PRIORITY : FEED_PRIORITY },
    );
    if (!r.deduplicated) queued++;
  }
  return { queued };
}
