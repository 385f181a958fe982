import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as wire from '../../../src/connectors/amazon/wire.ts';
import { SHARED_PRESENT, SHARED_SKIP_MESSAGE, sharedPath } from '../../helpers/shared.ts';

/**
 * Our zod wire schemas are a reading of Amazon's Swagger models. This checks, recursively, that every property
 * we declare exists in the model, that what we require the model requires too (so a valid answer never fails),
 * that what the model requires we declare, and that our enums are subsets of the model's.
 */
interface Node {
  type?: string | string[];
  properties?: Record<string, Node>;
  required?: string[];
  items?: Node;
  enum?: unknown[];
  $ref?: string;
  anyOf?: Node[];
  allOf?: Node[];
  const?: unknown;
}

const CASES: [string, z.ZodType, string, string][] = [
  [
    'searchOrders response',
    wire.amazonSearchOrdersResponse,
    'orders-api-model/orders_2026-01-01.json',
    'SearchOrdersResponse',
  ],
  ['getOrder response', wire.amazonGetOrderResponse, 'orders-api-model/orders_2026-01-01.json', 'GetOrderResponse'],
  [
    'confirmShipment request',
    wire.amazonConfirmShipmentRequest,
    'orders-api-model/ordersV0.json',
    'ConfirmShipmentRequest',
  ],
  [
    'createFeedDocument response',
    wire.amazonCreateFeedDocumentResponse,
    'feeds-api-model/feeds_2021-06-30.json',
    'CreateFeedDocumentResponse',
  ],
  ['createFeed response', wire.amazonCreateFeedResponse, 'feeds-api-model/feeds_2021-06-30.json', 'CreateFeedResponse'],
  ['getFeed response', wire.amazonFeed, 'feeds-api-model/feeds_2021-06-30.json', 'Feed'],
  ['getFeeds response', wire.amazonGetFeedsResponse, 'feeds-api-model/feeds_2021-06-30.json', 'GetFeedsResponse'],
  ['getFeedDocument response', wire.amazonFeedDocument, 'feeds-api-model/feeds_2021-06-30.json', 'FeedDocument'],
  [
    'createReport response',
    wire.amazonCreateReportResponse,
    'reports-api-model/reports_2021-06-30.json',
    'CreateReportResponse',
  ],
  ['getReport response', wire.amazonReport, 'reports-api-model/reports_2021-06-30.json', 'Report'],
  [
    'getReports response',
    wire.amazonGetReportsResponse,
    'reports-api-model/reports_2021-06-30.json',
    'GetReportsResponse',
  ],
  [
    'getReportDocument response',
    wire.amazonReportDocument,
    'reports-api-model/reports_2021-06-30.json',
    'ReportDocument',
  ],
  [
    'getListingsItem response',
    wire.amazonListingsItem,
    'listings-items-api-model/listingsItems_2021-08-01.json',
    'Item',
  ],
  [
    'patch operation',
    wire.amazonPatchOperation,
    'listings-items-api-model/listingsItems_2021-08-01.json',
    'PatchOperation',
  ],
  [
    'patchListingsItem response',
    wire.amazonListingsItemSubmissionResponse,
    'listings-items-api-model/listingsItems_2021-08-01.json',
    'ListingsItemSubmissionResponse',
  ],
  [
    'getInventorySummaries response',
    wire.amazonGetInventorySummariesResponse,
    'fba-inventory-api-model/fbaInventory.json',
    'GetInventorySummariesResponse',
  ],
  [
    'createDestination response',
    wire.amazonCreateDestinationResponse,
    'notifications-api-model/notifications.json',
    'CreateDestinationResponse',
  ],
  [
    'getDestinations response',
    wire.amazonGetDestinationsResponse,
    'notifications-api-model/notifications.json',
    'GetDestinationsResponse',
  ],
  [
    'createSubscription response',
    wire.amazonSubscriptionResponse,
    'notifications-api-model/notifications.json',
    'CreateSubscriptionResponse',
  ],
  [
    'getSubscription response',
    wire.amazonSubscriptionResponse,
    'notifications-api-model/notifications.json',
    'GetSubscriptionResponse',
  ],
  [
    'listTransactions response',
    wire.amazonListTransactionsResponse,
    'finances-api-model/finances_2024-06-19.json',
    'ListTransactionsResponse',
  ],
  [
    'restricted resource',
    wire.amazonRestrictedResource,
    'tokens-api-model/tokens_2021-03-01.json',
    'RestrictedResource',
  ],
  [
    'createRestrictedDataToken response',
    wire.amazonCreateRestrictedDataTokenResponse,
    'tokens-api-model/tokens_2021-03-01.json',
    'CreateRestrictedDataTokenResponse',
  ],
];

function compare(ours: Node, model: Node, defs: Record<string, Node>, path: string, problems: string[]): void {
  const resolve = (n: Node): Node => {
    let cur = n;
    while (cur.$ref) cur = defs[cur.$ref.split('/').pop()!]!;
    if (cur.allOf)
      return cur.allOf
        .map(resolve)
        .reduce((a, b) => ({ ...a, ...b, properties: { ...a.properties, ...b.properties } }), {});
    return cur;
  };
  const m = resolve(model);
  const o = ours.anyOf ? (ours.anyOf.find((x) => x.type !== 'null') ?? ours) : ours;
  if (o.enum && m.enum)
    for (const v of o.enum) if (!m.enum.includes(v)) problems.push(`${path}: enum value ${String(v)} not in the model`);
  if (o.const !== undefined && m.enum && !m.enum.includes(o.const))
    problems.push(`${path}: ${String(o.const)} not in the model's enum`);
  if (o.items && (m.items || m.type === 'array')) compare(o.items, m.items ?? {}, defs, `${path}[]`, problems);
  if (!o.properties) return;
  const props = m.properties ?? {};
  const required = new Set(m.required ?? []);
  for (const [key, child] of Object.entries(o.properties)) {
    if (!(key in props)) {
      problems.push(`${path}.${key}: not in the model`);
      continue;
    }
    compare(child, props[key]!, defs, `${path}.${key}`, problems);
  }
  for (const key of o.required ?? [])
    if (!required.has(key)) problems.push(`${path}.${key}: we require it, the model does not`);
  for (const key of required)
    if (!(o.required ?? []).includes(key))
      problems.push(`${path}.${key}: the model requires it, we do not declare it required`);
}

describe.skipIf(!SHARED_PRESENT)('wire schemas vs Amazon models', () => {
  it.each(CASES)('%s matches the model', (_name, schema, file, definition) => {
    const model = JSON.parse(readFileSync(sharedPath('sp-api-models', 'models', file), 'utf8')) as {
      definitions: Record<string, Node>;
    };
    const ours = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Node;
    const problems: string[] = [];
    compare(ours, { $ref: `#/definitions/${definition}` }, model.definitions, definition, problems);
    expect(problems).toEqual([]);
  });
});
describe.skipIf(SHARED_PRESENT)('wire schemas vs Amazon models', () => {
  it.skip(SHARED_SKIP_MESSAGE, () => undefined);
});
