import { z } from 'zod';
import { SellbridgeError } from '../../core/errors.ts';
import type { SpApiClient } from './sp-api/client.ts';
import type { AmazonProcessingStatus } from './wire.ts';

/**
 * JSON_LISTINGS_FEED submission and its processing report, per message (STYLE.md §8.5: batch results are per
 * item). Shapes from `../shared/sp-api-models/schemas/feeds/listings-feed-*-schema-v2.json`.
 */

export const JSON_LISTINGS_FEED = 'JSON_LISTINGS_FEED';
export const JSON_CONTENT_TYPE = 'application/json; charset=UTF-8';

const issue = z.looseObject({
  messageId: z.number().int().optional(),
  sku: z.string().optional(),
  code: z.string().optional(),
  severity: z.enum(['ERROR', 'WARNING', 'INFO']),
  message: z.string(),
  attributeName: z.string().optional(),
});
export const rawFeedResult = z.looseObject({
  header: z.looseObject({ sellerId: z.string(), version: z.string(), feedId: z.string() }),
  issues: z.array(issue).default([]),
  summary: z.looseObject({
    errors: z.number().int(),
    warnings: z.number().int(),
    messagesProcessed: z.number().int(),
    messagesAccepted: z.number().int(),
    messagesInvalid: z.number().int(),
  }),
});
export type FeedIssue = z.infer<typeof issue>;

export interface FeedMessageOutcome {
  readonly messageId: number;
  readonly sku: string | undefined;
  /** `invalid` when the message has an ERROR issue (its update is not applied); warnings alone are `accepted`. */
  readonly status: 'accepted' | 'invalid';
  readonly issues: readonly FeedIssue[];
}

export interface ParsedFeedResult {
  readonly feedId: string;
  readonly summary: z.infer<typeof rawFeedResult>['summary'];
  /** Issues without a messageId concern the whole feed. */
  readonly feedIssues: readonly FeedIssue[];
  /** One outcome per message sent (or per message named in the report when `sent` is not given). */
  readonly messages: readonly FeedMessageOutcome[];
}

/**
 * Reads a processing report into one outcome per message. `sent` lists the messages of the feed (id and SKU),
 * so a message the report does not mention is `accepted`.
 * @throws SellbridgeError SB_AMZ_RESPONSE_INVALID when the document is not a processing report.
 */
export function parseFeedResult(
  document: unknown,
  sent?: readonly { readonly messageId: number; readonly sku: string }[],
): ParsedFeedResult {
  const parsed = rawFeedResult.safeParse(document);
  if (!parsed.success) {
    const where = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`)
      .join('; ');
    throw new SellbridgeError(
      'SB_AMZ_RESPONSE_INVALID',
      `feed processing report does not match the schema (${where})`,
      {
        context: { operation: 'feeds.downloadFeedDocument', status: 200, amazonCode: null, requestId: null },
      },
    );
  }
  const report = parsed.data;
  const byMessage = new Map<number, FeedIssue[]>();
  const feedIssues: FeedIssue[] = [];
  for (const i of report.issues) {
    if (i.messageId === undefined) feedIssues.push(i);
    else byMessage.set(i.messageId, [...(byMessage.get(i.messageId) ?? []), i]);
  }
  const ids = sent ?? [...byMessage.entries()].map(([messageId, list]) => ({ messageId, sku: list[0]?.sku ?? '' }));
  const messages = ids.map(({ messageId, sku }): FeedMessageOutcome => {
    const issues = byMessage.get(messageId) ?? [];
    return {
      messageId,
      sku: sku || issues[0]?.sku,
      status: issues.some((i) => i.severity === 'ERROR') ? 'invalid' : 'accepted',
      issues,
    };
  });
  return { feedId: report.header.feedId, summary: report.summary, feedIssues, messages };
}

/**
 * createFeedDocument, upload to the presigned URL, createFeed: returns the feed id. Quantities and prices in
 * listings feeds are absolute values, so submitting the same feed twice is harmless (ARCHITECTURE.md).
 */
export async function submitJsonListingsFeed(
  client: SpApiClient,
  feed: { readonly marketplaceIds: readonly string[]; readonly document: unknown },
): Promise<{ readonly feedId: string; readonly feedDocumentId: string }> {
  const doc = await client.createFeedDocument(JSON_CONTENT_TYPE);
  await client.uploadFeedDocument(doc.url, JSON.stringify(feed.document), JSON_CONTENT_TYPE);
  const { feedId } = await client.createFeed({
    feedType: JSON_LISTINGS_FEED,
    marketplaceIds: feed.marketplaceIds,
    inputFeedDocumentId: doc.feedDocumentId,
  });
  return { feedId, feedDocumentId: doc.feedDocumentId };
}

/** getFeed; once DONE, downloads and parses the processing report. Call again later while IN_QUEUE/IN_PROGRESS. */
export async function readFeedResult(
  client: SpApiClient,
  feedId: string,
  sent?: readonly { readonly messageId: number; readonly sku: string }[],
): Promise<{ readonly status: AmazonProcessingStatus; readonly result?: ParsedFeedResult }> {
  const feed = await client.getFeed(feedId);
  if (feed.processingStatus !== 'DONE' || !feed.resultFeedDocumentId) return { status: feed.processingStatus };
  const bytes = await client.downloadFeedDocument(await client.getFeedDocument(feed.resultFeedDocumentId));
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new SellbridgeError('SB_AMZ_RESPONSE_INVALID', `feed ${feedId}: processing report is not JSON`, {
      context: { operation: 'feeds.downloadFeedDocument', status: 200, amazonCode: null, requestId: null },
    });
  }
  return { status: 'DONE', result: parseFeedResult(json, sent) };
}
