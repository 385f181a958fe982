import type { Readable } from 'node:stream';
import type { z } from 'zod';
import * as wire from '../wire.ts';
import {
  downloadDocument,
  encodePath,
  streamDocument,
  HttpError,
  uploadDocument,
  type FetchFn,
  type SpApiResponse,
  type SpApiTransport,
} from './http-client.ts';
import { NOTIFICATIONS_GRANT } from './lwa-token.ts';

/**
 * Typed SP-API operations over a transport (which may be rate-limited). Each method sends one request (plus a
 * document transfer where named) and validates the answer against the wire schema derived from Amazon's model.
 * Errors: every method throws the transport's HttpError kinds (see http-client.ts), and SB_AMZ_RESPONSE_INVALID
 * when an answer does not have the model's shape.
 */
export interface SpApiClientOptions {
  /** For document transfers to presigned URLs (not through the SP-API transport). */
  readonly fetch?: FetchFn;
  readonly documentTimeoutMs?: number;
}

export interface SearchOrdersParams {
  readonly createdAfter?: string;
  readonly createdBefore?: string;
  readonly lastUpdatedAfter?: string;
  readonly lastUpdatedBefore?: string;
  readonly fulfillmentStatuses?: readonly wire.AmazonFulfillmentStatus[];
  readonly marketplaceIds?: readonly string[];
  readonly fulfilledBy?: readonly ('MERCHANT' | 'AMAZON')[];
  /** 1..100, default 100. */
  readonly maxResultsPerPage?: number;
  readonly paginationToken?: string;
  readonly includedData?: readonly wire.AmazonIncludedData[];
}

export interface Page<T> {
  readonly items: T[];
  readonly nextToken: string | undefined;
}

export interface GetFeedsParams {
  readonly feedTypes?: readonly string[];
  readonly marketplaceIds?: readonly string[];
  readonly pageSize?: number;
  readonly processingStatuses?: readonly wire.AmazonProcessingStatus[];
  readonly createdSince?: string;
  readonly createdUntil?: string;
  readonly nextToken?: string;
}

export type GetReportsParams = Omit<GetFeedsParams, 'feedTypes'> & { readonly reportTypes?: readonly string[] };

export interface InventorySummariesParams {
  readonly marketplaceId: string;
  readonly details?: boolean;
  readonly startDateTime?: string;
  readonly sellerSkus?: readonly string[];
  readonly nextToken?: string;
}

export interface ListTransactionsParams {
  readonly postedAfter?: string;
  readonly postedBefore?: string;
  readonly marketplaceId?: string;
  readonly transactionStatus?: string;
  readonly relatedIdentifierName?: string;
  readonly relatedIdentifierValue?: string;
  readonly nextToken?: string;
}

export type SpApiClient = ReturnType<typeof createSpApiClient>;

export function parseWire<S extends z.ZodType>(schema: S, response: SpApiResponse, operation: string): z.output<S> {
  const result = schema.safeParse(response.body);
  if (result.success) return result.data;
  // Paths and problems only: the values may be buyer PII.
  const where = result.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`)
    .join('; ');
  throw new HttpError('SB_AMZ_RESPONSE_INVALID', `${operation} answer does not match Amazon's model (${where})`, {
    operation,
    field: result.error.issues[0]?.path.join('.') || '(root)',
    status: response.status,
    requestId: response.requestId,
  });
}

export function createSpApiClient(transport: SpApiTransport, options: SpApiClientOptions = {}) {
  const call = async <S extends z.ZodType>(
    schema: S,
    request: Parameters<SpApiTransport['send']>[0],
  ): Promise<z.output<S>> => parseWire(schema, await transport.send(request), request.operation);
  const docs = {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.documentTimeoutMs ? { timeoutMs: options.documentTimeoutMs } : {}),
  };

  return {
    transport,

    // --- Orders 2026-01-01 -----------------------------------------------------------------------------
    async searchOrders(
      params: SearchOrdersParams,
    ): Promise<Page<wire.AmazonOrder> & { lastUpdatedBefore?: string; createdBefore?: string }> {
      const body = await call(wire.amazonSearchOrdersResponse, {
        operation: 'orders.searchOrders',
        method: 'GET',
        path: '/orders/2026-01-01/orders',
        query: { ...params },
      });
      return {
        items: body.orders,
        nextToken: body.pagination?.nextToken,
        ...(body.lastUpdatedBefore ? { lastUpdatedBefore: body.lastUpdatedBefore } : {}),
        ...(body.createdBefore ? { createdBefore: body.createdBefore } : {}),
      };
    },

    async getOrder(orderId: string, includedData?: readonly wire.AmazonIncludedData[]): Promise<wire.AmazonOrder> {
      const body = await call(wire.amazonGetOrderResponse, {
        operation: 'orders.getOrder',
        method: 'GET',
        path: encodePath`/orders/2026-01-01/orders/${orderId}`,
        query: { includedData },
      });
      return body.order;
    },

    // --- Orders v0 -------------------------------------------------------------------------------------
    /** 204 on success. Re-confirming the same package is how Amazon edits shipment details. */
    async confirmShipment(orderId: string, request: wire.AmazonConfirmShipmentRequest): Promise<void> {
      await transport.send({
        operation: 'ordersV0.confirmShipment',
        method: 'POST',
        path: encodePath`/orders/v0/orders/${orderId}/shipmentConfirmation`,
        body: wire.amazonConfirmShipmentRequest.parse(request),
      });
    },

    // --- Feeds 2021-06-30 ------------------------------------------------------------------------------
    createFeedDocument(contentType: string) {
      return call(wire.amazonCreateFeedDocumentResponse, {
        operation: 'feeds.createFeedDocument',
        method: 'POST',
        path: '/feeds/2021-06-30/documents',
        body: { contentType },
      });
    },
    /** PUT to the presigned URL (valid 5 minutes) with the content type declared in createFeedDocument. */
    uploadFeedDocument(url: string, content: string | Uint8Array, contentType: string) {
      return uploadDocument(url, content, { contentType, ...docs });
    },
    createFeed(spec: {
      feedType: string;
      marketplaceIds: readonly string[];
      inputFeedDocumentId: string;
      feedOptions?: Record<string, string>;
    }) {
      return call(wire.amazonCreateFeedResponse, {
        operation: 'feeds.createFeed',
        method: 'POST',
        path: '/feeds/2021-06-30/feeds',
        body: spec,
      });
    },
    getFeed(feedId: string) {
      return call(wire.amazonFeed, {
        operation: 'feeds.getFeed',
        method: 'GET',
        path: encodePath`/feeds/2021-06-30/feeds/${feedId}`,
      });
    },
    async getFeeds(params: GetFeedsParams): Promise<Page<wire.AmazonFeed>> {
      const body = await call(wire.amazonGetFeedsResponse, {
        operation: 'feeds.getFeeds',
        method: 'GET',
        path: '/feeds/2021-06-30/feeds',
        query: { ...params },
      });
      return { items: body.feeds, nextToken: body.nextToken };
    },
    /** Only IN_QUEUE feeds can be cancelled; others answer 400. */
    async cancelFeed(feedId: string): Promise<void> {
      await transport.send({
        operation: 'feeds.cancelFeed',
        method: 'DELETE',
        path: encodePath`/feeds/2021-06-30/feeds/${feedId}`,
      });
    },
    getFeedDocument(feedDocumentId: string) {
      return call(wire.amazonFeedDocument, {
        operation: 'feeds.getFeedDocument',
        method: 'GET',
        path: encodePath`/feeds/2021-06-30/documents/${feedDocumentId}`,
      });
    },
    /** Downloads and (when flagged GZIP and really gzip) decompresses a feed result document. */
    downloadFeedDocument(document: wire.AmazonFeedDocument): Promise<Buffer> {
      return downloadDocument(document.url, {
        operation: 'feeds.downloadFeedDocument',
        compressionAlgorithm: document.compressionAlgorithm,
        ...docs,
      });
    },

    // --- Reports 2021-06-30 ----------------------------------------------------------------------------
    async getReports(params: GetReportsParams): Promise<Page<wire.AmazonReport>> {
      const body = await call(wire.amazonGetReportsResponse, {
        operation: 'reports.getReports',
        method: 'GET',
        path: '/reports/2021-06-30/reports',
        query: { ...params },
      });
      return { items: body.reports, nextToken: body.nextToken };
    },
    /** Requests a report for a window; Amazon makes it asynchronously (getReport until DONE, CANCELLED or FATAL). */
    createReport(spec: {
      reportType: string;
      marketplaceIds: readonly string[];
      dataStartTime?: string;
      dataEndTime?: string;
    }) {
      return call(wire.amazonCreateReportResponse, {
        operation: 'reports.createReport',
        method: 'POST',
        path: '/reports/2021-06-30/reports',
        body: spec,
      });
    },
    getReport(reportId: string) {
      return call(wire.amazonReport, {
        operation: 'reports.getReport',
        method: 'GET',
        path: encodePath`/reports/2021-06-30/reports/${reportId}`,
      });
    },
    getReportDocument(reportDocumentId: string) {
      return call(wire.amazonReportDocument, {
        operation: 'reports.getReportDocument',
        method: 'GET',
        path: encodePath`/reports/2021-06-30/documents/${reportDocumentId}`,
      });
    },
    downloadReportDocument(document: wire.AmazonReportDocument): Promise<Buffer> {
      return downloadDocument(document.url, {
        operation: 'reports.downloadReportDocument',
        compressionAlgorithm: document.compressionAlgorithm,
        ...docs,
      });
    },
    /** The report document as a stream of (gunzipped) bytes, for reports too large to hold in memory. */
    streamReportDocument(document: wire.AmazonReportDocument): Promise<Readable> {
      return streamDocument(document.url, {
        operation: 'reports.downloadReportDocument',
        compressionAlgorithm: document.compressionAlgorithm,
        ...docs,
      });
    },

    // --- Listings Items 2021-08-01 ---------------------------------------------------------------------
    getListingsItem(
      sellerId: string,
      sku: string,
      params: { marketplaceIds: readonly string[]; includedData?: readonly string[]; issueLocale?: string },
    ) {
      return call(wire.amazonListingsItem, {
        operation: 'listings.getListingsItem',
        method: 'GET',
        path: encodePath`/listings/2021-08-01/items/${sellerId}/${sku}`,
        query: { ...params },
      });
    },
    patchListingsItem(
      sellerId: string,
      sku: string,
      body: { productType: string; patches: readonly wire.AmazonPatchOperation[] },
      params: {
        marketplaceIds: readonly string[];
        mode?: 'VALIDATION_PREVIEW';
        includedData?: readonly ('identifiers' | 'issues')[];
        issueLocale?: string;
      },
    ) {
      return call(wire.amazonListingsItemSubmissionResponse, {
        operation: 'listings.patchListingsItem',
        method: 'PATCH',
        path: encodePath`/listings/2021-08-01/items/${sellerId}/${sku}`,
        query: { ...params },
        body,
      });
    },

    // --- Product Type Definitions 2020-09-01 ------------------------------------------------------------
    getDefinitionsProductType(
      productType: string,
      params: {
        marketplaceIds: readonly string[];
        requirements?: 'LISTING' | 'LISTING_PRODUCT_ONLY' | 'LISTING_OFFER_ONLY';
        locale?: string;
      },
    ) {
      return call(wire.amazonProductTypeDefinition, {
        operation: 'definitions.getDefinitionsProductType',
        method: 'GET',
        path: encodePath`/definitions/2020-09-01/productTypes/${productType}`,
        query: { ...params },
      });
    },
    /** The product type's JSON Schema document from the definition's link (valid seven days). */
    async downloadProductTypeSchema(definition: wire.AmazonProductTypeDefinition): Promise<Record<string, unknown>> {
      const bytes = await downloadDocument(definition.schema.link.resource, {
        operation: 'definitions.downloadProductTypeSchema',
        ...docs,
      });
      return JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    },

    // --- FBA Inventory v1 ------------------------------------------------------------------------------
    async getInventorySummaries(params: InventorySummariesParams): Promise<Page<wire.AmazonInventorySummary>> {
      const body = await call(wire.amazonGetInventorySummariesResponse, {
        operation: 'fbaInventory.getInventorySummaries',
        method: 'GET',
        path: '/fba/inventory/v1/summaries',
        query: {
          granularityType: 'Marketplace',
          granularityId: params.marketplaceId,
          marketplaceIds: [params.marketplaceId],
          details: params.details,
          startDateTime: params.startDateTime,
          sellerSkus: params.sellerSkus,
          nextToken: params.nextToken,
        },
      });
      return { items: body.payload?.inventorySummaries ?? [], nextToken: body.pagination?.nextToken };
    },

    // --- Notifications v1 ------------------------------------------------------------------------------
    /** Grantless (client-credentials token, notifications scope). */
    async createDestination(
      name: string,
      resource: { sqs: { arn: string } } | { eventBridge: { accountId: string; region: string } },
    ) {
      const body = await call(wire.amazonCreateDestinationResponse, {
        operation: 'notifications.createDestination',
        method: 'POST',
        path: '/notifications/v1/destinations',
        body: { name, resourceSpecification: resource },
        grant: NOTIFICATIONS_GRANT,
      });
      return requirePayload(body.payload, 'notifications.createDestination');
    },
    /** Grantless. */
    async getDestinations(): Promise<wire.AmazonDestination[]> {
      const body = await call(wire.amazonGetDestinationsResponse, {
        operation: 'notifications.getDestinations',
        method: 'GET',
        path: '/notifications/v1/destinations',
        grant: NOTIFICATIONS_GRANT,
      });
      return body.payload ?? [];
    },
    async createSubscription(
      notificationType: string,
      request: { payloadVersion: string; destinationId: string; processingDirective?: Record<string, unknown> },
    ) {
      const body = await call(wire.amazonSubscriptionResponse, {
        operation: 'notifications.createSubscription',
        method: 'POST',
        path: encodePath`/notifications/v1/subscriptions/${notificationType}`,
        body: request,
      });
      return requirePayload(body.payload, 'notifications.createSubscription');
    },
    /** Undefined when the seller has no subscription of that type (404). */
    async getSubscription(
      notificationType: string,
      payloadVersion?: string,
    ): Promise<wire.AmazonSubscription | undefined> {
      try {
        const body = await call(wire.amazonSubscriptionResponse, {
          operation: 'notifications.getSubscription',
          method: 'GET',
          path: encodePath`/notifications/v1/subscriptions/${notificationType}`,
          query: { payloadVersion },
        });
        return body.payload;
      } catch (err) {
        if (err instanceof HttpError && err.status === 404) return undefined;
        throw err;
      }
    },
    /** Grantless. */
    async deleteSubscriptionById(notificationType: string, subscriptionId: string): Promise<void> {
      await transport.send({
        operation: 'notifications.deleteSubscriptionById',
        method: 'DELETE',
        path: encodePath`/notifications/v1/subscriptions/${notificationType}/${subscriptionId}`,
        grant: NOTIFICATIONS_GRANT,
      });
    },

    // --- Finances 2024-06-19 ---------------------------------------------------------------------------
    async listTransactions(params: ListTransactionsParams): Promise<Page<wire.AmazonTransaction>> {
      const body = await call(wire.amazonListTransactionsResponse, {
        operation: 'finances.listTransactions',
        method: 'GET',
        path: '/finances/2024-06-19/transactions',
        query: { ...params },
      });
      return { items: body.payload?.transactions ?? [], nextToken: body.payload?.nextToken };
    },

    // --- Finances v0 (financial event groups: a deposit's original and converted totals) ------------------
    async listFinancialEventGroups(params: {
      readonly FinancialEventGroupStartedAfter?: string;
      readonly FinancialEventGroupStartedBefore?: string;
      readonly MaxResultsPerPage?: number;
      readonly NextToken?: string;
    }): Promise<Page<wire.AmazonFinancialEventGroup>> {
      const body = await call(wire.amazonListFinancialEventGroupsResponse, {
        operation: 'finances.listFinancialEventGroups',
        method: 'GET',
        path: '/finances/v0/financialEventGroups',
        query: { ...params },
      });
      return { items: body.payload?.FinancialEventGroupList ?? [], nextToken: body.payload?.NextToken };
    },
  };
}

function requirePayload<T>(payload: T | undefined, operation: string): T {
  if (payload === undefined) {
    throw new HttpError('SB_AMZ_RESPONSE_INVALID', `${operation} answered without a payload`, {
      operation,
      status: 200,
    });
  }
  return payload;
}

/** Walks every page of a paginated operation; stops when Amazon sends no next token. */
export async function* paginate<T>(
  fetchPage: (nextToken: string | undefined) => Promise<Page<T>>,
): AsyncGenerator<T[]> {
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    yield page.items;
    token = page.nextToken;
  } while (token);
}
