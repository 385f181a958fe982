import { SellbridgeError } from '../core/errors.ts';
import { assertValidFeed, feedDocumentFromSent } from '../core/transform/feed-messages-from-deltas.ts';
import { type ListingChange } from '../core/transform/listing-delta.ts';
import {
  errorFromOutcome,
  resultsFromProcessingReport,
  type FeedResults,
} from '../core/transform/results-from-processing-report.ts';
import { parsePayload } from './job-payload.ts';
import {
  FAST_LANE_PRIORITY,
  FEED_PRIORITY,
  INVENTORY_SYNC_QUEUE,
  type InventoryFlowDeps,
  LISTING_FEED_QUEUE,
  inventorySyncKey,
  listingFeedKey,
} from './inventory.ts';
import { FIVE_MINUTES } from './inventory.ts';
import { blockChange, saveAccepted } from './sync-listings.ts';

export type FeedStep =
  | { readonly kind: 'submitted'; readonly feedId: string }
  | { readonly kind: 'waiting'; readonly status: string }
  | {
      readonly kind: 'finished';
      readonly status: string;
      readonly counts: FeedResults['counts'];
      readonly notApplied: number;
      readonly readBack: number;
    };

/** `listing.feed`: one step of a feed's life per run; re-queues itself (delayed) until the feed is final. */
export async function trackListingFeed(payload: unknown, deps: InventoryFlowDeps): Promise<FeedStep> {
  const { connectionId, feedRowId } = parsePayload(LISTING_FEED_QUEUE, payload, ['connectionId', 'feedRowId'] as const);
  const settings = deps.settingsFor(connectionId);
  const feed = await deps.state.feed(feedRowId);
  if (!feed)
    throw new SellbridgeError('SB_JOB_PAYLOAD_INVALID', `${LISTING_FEED_QUEUE}: feed row ${feedRowId} does not exist`, {
      context: { queue: LISTING_FEED_QUEUE, fields: ['feedRowId'] },
    });
  // With FEED_PROCESSING_FINISHED the feed's job runs again when Amazon says it finished (and from the sweep, the
  // safety net); a delayed poll pending under the feed's key would hold that job back, so none is queued.
  const byNotification = settings.feedTracking === 'notification';
  const again = async (delayMs: number) => {
    if (byNotification) return;
    await deps.jobs.enqueue(
      LISTING_FEED_QUEUE,
      { connectionId, feedRowId },
      { key: listingFeedKey(feedRowId), priority: feed.fastLane ? FAST_LANE_PRIORITY : FEED_PRIORITY, delayMs },
    );
  };

  if (feed.status === 'built') {
    const now = deps.clock.now().getTime();
    const since = new Date(now - FIVE_MINUTES).toISOString();
    if ((await deps.state.submittedSince(connectionId, since)) >= settings.feedsPer5Min) {
      const oldest = await deps.state.oldestSubmittedSince(connectionId, since);
      const waitMs = Math.max(1_000, (oldest ? Date.parse(oldest) + FIVE_MINUTES : now + FIVE_MINUTES) - now);
      throw new SellbridgeError(
        'SB_LIST_FEED_BUDGET',
        `JSON_LISTINGS_FEED budget of ${settings.feedsPer5Min} feeds per 5 minutes is spent; feed ${feedRowId} waits ${Math.ceil(waitMs / 1000)} s`,
        {
          context: { connectionId, feedRowId },
          retryAfterMs: waitMs,
        },
      );
    }
    const document = feedDocumentFromSent(feed.sent, settings);
    assertValidFeed(document, feed.marketplaceId, deps.channel, feedRowId);
    const { feedId, feedDocumentId } = await deps.channel.submitFeed(feed.marketplaceId, document);
    await deps.state.markFeed(feedRowId, { status: 'submitted', feedId, feedDocumentId });
    await again(settings.feedPollMs);
    return { kind: 'submitted', feedId };
  }

  if (feed.status === 'submitted' || feed.status === 'IN_QUEUE' || feed.status === 'IN_PROGRESS') {
    const read = await deps.channel.readFeed(feed.feedId!, feed.sent);
    if (read.status === 'IN_QUEUE' || read.status === 'IN_PROGRESS' || (read.status === 'DONE' && !read.report)) {
      if (read.status !== feed.status) await deps.state.markFeed(feedRowId, { status: read.status });
      await again(settings.feedPollMs);
      return { kind: 'waiting', status: read.status };
    }
    // First to see the finish wins: a notification recorded `event` in its inbox transaction before this ran.
    await deps.sightings?.note(connectionId, 'feed', feed.feedId!, 'poll');
    const results = resultsFromProcessingReport(
      read.report,
      { marketplaceId: feed.marketplaceId, sent: feed.sent },
      read.status,
    );
    await deps.state.recordOutcomes(feedRowId, results.outcomes);
    const accepted = results.outcomes.filter((o) => o.next === 'done').map((o) => o.change);
    await saveAccepted(connectionId, accepted, feed.feedId, deps);
    for (const o of results.outcomes.filter((x) => x.next === 'dead-letter')) {
      const error = errorFromOutcome(o, feed.feedId!);
      for (const c of o.change.changes)
        await blockChange(connectionId, 'rejected', o.marketplaceId, o.sku, c, error.message, deps);
    }
    // A feed that failed as a whole changed nothing: the baseline did not move, the next sync sends it all again.
    if (results.counts.retry > 0)
      await deps.jobs.enqueue(
        INVENTORY_SYNC_QUEUE,
        { connectionId, scope: 'all' },
        { key: inventorySyncKey(connectionId, 'all'), dedupe: true, delayMs: settings.feedPollMs },
      );
    await deps.state.markFeed(feedRowId, {
      status: read.status,
      counts: {
        accepted: results.counts.accepted,
        warnings: results.counts.warnings,
        rejected: results.counts.rejected,
      },
    });
    const check =
      read.status === 'DONE'
        ? await readBack(connectionId, feed.feedId!, accepted, settings.readBackSample, deps)
        : { checked: 0, notApplied: 0 };
    return {
      kind: 'finished',
      status: read.status,
      counts: results.counts,
      notApplied: check.notApplied,
      readBack: check.checked,
    };
  }
  return {
    kind: 'finished',
    status: feed.status,
    counts: { accepted: 0, warnings: 0, rejected: 0, retry: 0 },
    notApplied: 0,
    readBack: 0,
  };
}

/**
 * Read-back verification: getListingsItem for up to `sample` accepted SKUs (drops to zero and price changes
 * first); a quantity or price that differs from what was accepted is flagged `not-applied`.
 */
export async function readBack(
  connectionId: string,
  feedId: string,
  accepted: readonly ListingChange[],
  sample: number,
  deps: InventoryFlowDeps,
): Promise<{ checked: number; notApplied: number }> {
  const order = [...accepted].sort(
    (a, b) =>
      Number(b.toZero) - Number(a.toZero) ||
      Number(b.changes.some((c) => c.kind === 'price')) - Number(a.changes.some((c) => c.kind === 'price')),
  );
  let notApplied = 0;
  const picked = order.slice(0, sample);
  for (const change of picked) {
    const seen = await deps.channel.readListing(change.marketplaceId, change.sku);
    const problems: string[] = [];
    for (const c of change.changes) {
      if (c.kind === 'quantity' && seen?.quantity !== c.to)
        problems.push(`quantity sent ${c.to}, Amazon shows ${seen?.quantity ?? 'none'}`);
      if (c.kind === 'price' && (seen?.price?.minor !== c.to.minor || seen?.price?.currency !== c.to.currency))
        problems.push(
          `price sent ${c.to.minor} ${c.to.currency} (minor units), Amazon shows ${seen?.price ? `${seen.price.minor} ${seen.price.currency}` : 'none'}`,
        );
    }
    if (problems.length) {
      notApplied += 1;
      await deps.state.addFlag({
        connectionId,
        marketplaceId: change.marketplaceId,
        sku: change.sku,
        kind: 'not-applied',
        feedId,
        detail: `accepted but not applied: ${problems.join('; ')}`,
      });
    }
  }
  return { checked: picked.length, notApplied };
}
