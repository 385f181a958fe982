import type { FastifyInstance, FastifyRequest } from 'fastify';
import { defineOperation, queryString } from '../http.ts';
import { invalidInput, notFound } from '../errors.ts';
import { listDocumentsPage, type PageCursor } from './document-pages.ts';
import { processListingsFeed } from '../feed-processor.ts';
import type { SimulatorState } from '../state.ts';
import type { SimFeed } from '../types.ts';

/**
 * Feeds API 2021-06-30. A feed waits IN_QUEUE, moves to IN_PROGRESS after half the processing delay and ends
 * DONE (or FATAL) after the whole delay (simulated time; `processingDelayMs`), then FEED_PROCESSING_FINISHED is
 * published. JSON_LISTINGS_FEED is processed for real (feed-processor.ts); the XML/flat-file listings feeds that
 * Amazon removed in 2025 end FATAL (sp-api-facts.md §7.6); other feed types (e.g. order fulfilment feeds) are accepted and end DONE
 * with a plain-text summary.
 */
const REMOVED_LISTINGS_FEEDS = new Set([
  'POST_PRODUCT_DATA',
  'POST_INVENTORY_AVAILABILITY_DATA',
  'POST_PRODUCT_OVERRIDES_DATA',
  'POST_PRODUCT_PRICING_DATA',
  'POST_PRODUCT_IMAGE_DATA',
  'POST_PRODUCT_RELATIONSHIP_DATA',
  'POST_FLAT_FILE_INVLOADER_DATA',
  'POST_FLAT_FILE_BOOKLOADER_DATA',
  'POST_FLAT_FILE_CONVERGENCE_LISTINGS_DATA',
  'POST_FLAT_FILE_LISTINGS_DATA',
  'POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA',
  'POST_UIEE_BOOKLOADER_DATA',
]);
const DEFAULT_DELAY_MS = 60_000;
const RETENTION_MS = 90 * 86_400_000;

export function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? '127.0.0.1'}`;
}

export function feedToWire(feed: SimFeed): Record<string, unknown> {
  return {
    feedId: feed.feedId,
    feedType: feed.feedType,
    marketplaceIds: [...feed.marketplaceIds],
    createdTime: feed.createdTime,
    processingStatus: feed.processingStatus,
    ...(feed.processingStartTime ? { processingStartTime: feed.processingStartTime } : {}),
    ...(feed.processingEndTime ? { processingEndTime: feed.processingEndTime } : {}),
    ...(feed.resultFeedDocumentId ? { resultFeedDocumentId: feed.resultFeedDocumentId } : {}),
  };
}

/** Finishes a feed now (used by the timers and by `control.processFeeds()`). */
export function finishFeed(sim: SimulatorState, feed: SimFeed, gzipResult: boolean): void {
  if (feed.processingStatus !== 'IN_QUEUE' && feed.processingStatus !== 'IN_PROGRESS') return;
  const iso = (): string => new Date(sim.now()).toISOString();
  feed.processingStartTime ??= iso();
  const input = sim.documents.documents.get(feed.inputFeedDocumentId);
  const result = sim.documents.create(feed.sellerId, 'feed-result', 'application/json');
  let status: 'DONE' | 'FATAL';
  let text: string;
  if (feed.feedType === 'JSON_LISTINGS_FEED') {
    const outcome = processListingsFeed({
      feedId: feed.feedId,
      sellerId: feed.sellerId,
      content: input?.content?.toString('utf8') ?? '',
      listings: sim.listings,
      ...(sim.options.modelsDir ? { modelsDir: sim.options.modelsDir } : {}),
    });
    status = outcome.status;
    text = JSON.stringify(outcome.report);
    sim.events.emit('processing-report', outcome.report);
  } else if (REMOVED_LISTINGS_FEEDS.has(feed.feedType)) {
    status = 'FATAL';
    text = JSON.stringify({
      header: { sellerId: feed.sellerId, version: '2.0', feedId: feed.feedId },
      issues: [
        {
          code: 'SIM_FEED_TYPE_REMOVED',
          severity: 'ERROR',
          message: `${feed.feedType} is no longer supported; use JSON_LISTINGS_FEED.`,
        },
      ],
      summary: { errors: 1, warnings: 0, messagesProcessed: 0, messagesAccepted: 0, messagesInvalid: 0 },
    });
  } else {
    status = 'DONE';
    text = `Feed Processing Summary:\n\tNumber of records processed\t\t1\n\tNumber of records successful\t\t1\n`;
  }
  sim.documents.produce(result, text, gzipResult);
  feed.processingStatus = status;
  feed.processingEndTime = iso();
  feed.resultFeedDocumentId = result.documentId;
  sim.events.emit('feed', feed);
  sim.notifications.publishProcessingFinished('feed', feed.sellerId, {
    feedId: feed.feedId,
    feedType: feed.feedType,
    processingStatus: status,
    resultFeedDocumentId: result.documentId,
  });
}

export function registerFeedRoutes(
  app: FastifyInstance,
  sim: SimulatorState,
  settings: { gzipResults: () => boolean },
): void {
  const pages = new Map<string, PageCursor>();

  defineOperation(app, sim, 'feeds.createFeedDocument', ({ request, sellerId }) => {
    const body = request.body as { contentType?: unknown } | undefined;
    if (!body || typeof body.contentType !== 'string' || !body.contentType)
      throw invalidInput('contentType is required.');
    const doc = sim.documents.create(sellerId!, 'feed-input', body.contentType);
    return { status: 201, body: { feedDocumentId: doc.documentId, url: sim.documents.url(doc, baseUrl(request)) } };
  });

  defineOperation(app, sim, 'feeds.createFeed', ({ request, sellerId }) => {
    const body = request.body as
      | { feedType?: unknown; marketplaceIds?: unknown; inputFeedDocumentId?: unknown; feedOptions?: unknown }
      | undefined;
    if (
      !body ||
      typeof body.feedType !== 'string' ||
      typeof body.inputFeedDocumentId !== 'string' ||
      !Array.isArray(body.marketplaceIds) ||
      body.marketplaceIds.length < 1 ||
      body.marketplaceIds.length > 25
    ) {
      throw invalidInput('feedType, marketplaceIds (1 to 25) and inputFeedDocumentId are required.');
    }
    if (!/^[A-Z0-9_]+$/.test(body.feedType)) throw invalidInput(`Invalid feedType ${body.feedType}.`);
    const input = sim.documents.documents.get(body.inputFeedDocumentId);
    if (!input || input.sellerId !== sellerId || input.kind !== 'feed-input')
      throw invalidInput(`inputFeedDocumentId ${body.inputFeedDocumentId} is unknown.`);
    if (!input.content) throw invalidInput(`Nothing was uploaded for feed document ${body.inputFeedDocumentId}.`);
    const feed: SimFeed = {
      feedId: sim.idPrng.digits(11),
      sellerId: sellerId!,
      feedType: body.feedType,
      marketplaceIds: body.marketplaceIds as string[],
      createdTime: new Date(sim.now()).toISOString(),
      inputFeedDocumentId: input.documentId,
      processingStatus: 'IN_QUEUE',
    };
    sim.feeds.set(feed.feedId, feed);
    const delay = sim.options.processingDelayMs ?? DEFAULT_DELAY_MS;
    sim.later(delay / 2, () => {
      if (feed.processingStatus !== 'IN_QUEUE') return;
      feed.processingStatus = 'IN_PROGRESS';
      feed.processingStartTime = new Date(sim.now()).toISOString();
      sim.events.emit('feed', feed);
    });
    sim.later(delay, () => finishFeed(sim, feed, settings.gzipResults()));
    sim.events.emit('feed', feed);
    return { status: 202, body: { feedId: feed.feedId } };
  });

  defineOperation(app, sim, 'feeds.getFeed', ({ request, sellerId }) => {
    const { feedId } = request.params as { feedId: string };
    const feed = sim.feeds.get(feedId);
    if (!feed || feed.sellerId !== sellerId) throw notFound(`Feed ${feedId} was not found.`);
    return { status: 200, body: feedToWire(feed) };
  });

  defineOperation(app, sim, 'feeds.getFeeds', ({ request, sellerId }) =>
    listDocumentsPage(request, sellerId, sim, pages, {
      typesParam: 'feedTypes',
      listKey: 'feeds',
      documents: () => sim.feeds.values(),
      typeOf: (d) => d.feedType,
      idOf: (d) => d.feedId,
      byId: (id) => sim.feeds.get(id)!,
      toWire: feedToWire,
      retentionMs: RETENTION_MS,
    }),
  );

  defineOperation(app, sim, 'feeds.cancelFeed', ({ request, sellerId }) => {
    const { feedId } = request.params as { feedId: string };
    const feed = sim.feeds.get(feedId);
    if (!feed || feed.sellerId !== sellerId) throw notFound(`Feed ${feedId} was not found.`);
    if (feed.processingStatus !== 'IN_QUEUE')
      throw invalidInput(`Feed ${feedId} is ${feed.processingStatus}; only IN_QUEUE feeds can be cancelled.`);
    feed.processingStatus = 'CANCELLED';
    feed.processingEndTime = new Date(sim.now()).toISOString();
    sim.events.emit('feed', feed);
    sim.notifications.publishProcessingFinished('feed', feed.sellerId, {
      feedId: feed.feedId,
      feedType: feed.feedType,
      processingStatus: 'CANCELLED',
    });
    return { status: 200 };
  });

  defineOperation(app, sim, 'feeds.getFeedDocument', ({ request, sellerId }) => {
    const { feedDocumentId } = request.params as { feedDocumentId: string };
    const doc = sim.documents.documents.get(feedDocumentId);
    if (!doc || doc.sellerId !== sellerId || doc.kind === 'report')
      throw notFound(`Feed document ${feedDocumentId} was not found.`);
    const header = queryString(request, 'enableContentEncodingUrlHeader') === 'true';
    return {
      status: 200,
      body: {
        feedDocumentId: doc.documentId,
        url: sim.documents.url(doc, baseUrl(request), header),
        ...(doc.compressionAlgorithm ? { compressionAlgorithm: doc.compressionAlgorithm } : {}),
      },
    };
  });
}
