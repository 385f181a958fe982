import { existsSync, readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { z } from 'zod';
import type { ListingAttributes } from '../../core/model/listing.ts';
import { moneyFromDecimal } from '../../core/model/money.ts';
import type { ListingIssueCause } from '../../core/ports/listing-problems.ts';
import type { ListingReadBack, ListingsChannel, PatchResult } from '../../core/ports/listings-channel.ts';
import type { ListingsFeedDocument } from '../../core/transform/feed-messages-from-deltas.ts';
import { readFeedResult, submitJsonListingsFeed } from './feeds.ts';
import { HttpError } from './sp-api/http-client.ts';
import { compileProductTypeSchema, type AttributeChecker } from './product-type-schema.ts';
import type { SpApiClient } from './sp-api/client.ts';

// Read when called, not at load: the single executable loads ajv-formats only when a schema is first compiled.
const addFormats = (ajv: Ajv): Ajv => (addFormatsModule as unknown as (a: Ajv) => Ajv)(ajv);

/**
 * The ListingsChannel port over SP-API. Feeds are validated before upload against Amazon's official
 * JSON_LISTINGS_FEED schema when its file is available (`schemaFile`, e.g.
 * `<sp-api-models>/schemas/feeds/listings-feed-schema-v2.json`; never copied into this repository), and always
 * against the same rules in code (`feedDocumentSchema`, a twin of the official schema's required parts: header,
 * 1..25,000 messages, unique message ids, PATCH with productType and patches, ops and paths).
 */
export interface ListingsChannelOptions {
  readonly client: SpApiClient;
  readonly sellerId: string;
  /** Path of the official listings-feed-schema-v2.json; absent or unreadable = the structural twin only. */
  readonly schemaFile?: string;
}

const patchSchema = z.strictObject({
  op: z.enum(['add', 'replace', 'merge', 'delete']),
  path: z.string().regex(/^\/attributes\/[A-Za-z0-9_]+$/, 'a top-level /attributes/<name> path'),
  value: z.array(z.record(z.string(), z.unknown())).optional(),
});
const messageSchema = z.strictObject({
  messageId: z.number().int().min(1).max(2_147_483_647),
  sku: z.string().min(1),
  operationType: z.literal('PATCH'),
  productType: z.string().min(1),
  patches: z.array(patchSchema).min(1),
});
/** The structural twin of listings-feed-schema-v2.json for what Sellbridge sends (PATCH messages only). */
export const feedDocumentSchema = z
  .strictObject({
    header: z.strictObject({
      sellerId: z.string().min(1),
      version: z.literal('2.0'),
      issueLocale: z
        .string()
        .regex(/^[a-z]{2}_[A-Z]{2}$/)
        .optional(),
    }),
    messages: z.array(messageSchema).min(1).max(25_000),
  })
  .superRefine((doc, ctx) => {
    const seen = new Set<number>();
    doc.messages.forEach((m, i) => {
      if (seen.has(m.messageId))
        ctx.addIssue({
          code: 'custom',
          path: ['messages', i, 'messageId'],
          message: `message id ${m.messageId} is used twice`,
        });
      seen.add(m.messageId);
    });
  });

function officialValidator(file: string | undefined): ValidateFunction | undefined {
  if (!file || !existsSync(file)) return undefined;
  try {
    const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    delete schema['$schema'];
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    return ajv.compile(schema);
  } catch {
    return undefined;
  }
}

/** Problems of a feed document (empty = valid): the official schema when loaded, and the structural twin. */
export function listingsFeedProblems(document: ListingsFeedDocument, official?: ValidateFunction): string[] {
  const problems: string[] = [];
  if (official && !official(document))
    for (const e of official.errors?.slice(0, 10) ?? [])
      problems.push(`official schema: ${e.instancePath || '(root)'} ${e.message ?? ''}`.trim());
  const parsed = feedDocumentSchema.safeParse(document);
  if (!parsed.success)
    for (const i of parsed.error.issues.slice(0, 10)) problems.push(`${i.path.join('.') || '(root)'}: ${i.message}`);
  return problems;
}

const issueText = (i: { code: string; message: string; attributeNames?: readonly string[] | undefined }): string =>
  `${i.code}: ${i.message}${i.attributeNames?.length ? ` (${i.attributeNames.join(', ')})` : ''}`;

/** Quantity on channel DEFAULT and the marketplace's our_price from a getListingsItem answer. */
export function readBackFromItem(
  item: {
    sku: string;
    attributes?: Record<string, unknown> | undefined;
    issues?:
      | readonly {
          code: string;
          message: string;
          severity: string;
          attributeNames?: string[] | undefined;
          enforcements?: unknown;
        }[]
      | undefined;
    summaries?: readonly { marketplaceId: string; status: string[] }[] | undefined;
  },
  marketplaceId: string,
): ListingReadBack {
  const attributes = (item.attributes ?? {}) as ListingAttributes;
  const availability = (attributes['fulfillment_availability'] ?? []) as readonly Record<string, unknown>[];
  const channel = availability.find((a) => a['fulfillment_channel_code'] === 'DEFAULT');
  const offers = (attributes['purchasable_offer'] ?? []) as readonly Record<string, unknown>[];
  const offer = offers.find((o) => o['marketplace_id'] === marketplaceId) ?? offers[0];
  const ourPrice = offer?.['our_price'] as { schedule?: { value_with_tax?: number }[] }[] | undefined;
  const value = ourPrice?.[0]?.schedule?.[0]?.value_with_tax;
  const currency = typeof offer?.['currency'] === 'string' ? (offer['currency'] as string) : undefined;
  const summary = item.summaries?.find((x) => x.marketplaceId === marketplaceId);
  let price;
  if (typeof value === 'number' && currency) {
    try {
      price = moneyFromDecimal(String(value), currency);
    } catch {
      price = undefined;
    }
  }
  return {
    sku: item.sku,
    ...(typeof channel?.['quantity'] === 'number' ? { quantity: channel['quantity'] } : {}),
    ...(price ? { price } : {}),
    attributes,
    ...(item.issues ? { issues: item.issues.map(issueCause) } : {}),
    ...(summary ? { statuses: [...summary.status] } : {}),
  };
}

/** An issue of getListingsItem as a cause: code, message, severity, attributes and enforcement actions taken. */
function issueCause(i: {
  code: string;
  message: string;
  severity: string;
  attributeNames?: string[] | undefined;
  enforcements?: unknown;
}): ListingIssueCause {
  const actions = (i.enforcements as { actions?: { action?: unknown }[] } | undefined)?.actions ?? [];
  const enforcements = actions.map((a) => a.action).filter((a): a is string => typeof a === 'string');
  return {
    code: i.code,
    message: i.message,
    severity: i.severity,
    ...(i.attributeNames?.length ? { attributeNames: [...i.attributeNames] } : {}),
    ...(enforcements.length ? { enforcements } : {}),
  };
}

export function createListingsChannel(options: ListingsChannelOptions): ListingsChannel {
  const { client, sellerId } = options;
  const official = officialValidator(options.schemaFile);
  // One definition and schema read per product type and marketplace for the life of the process (a failed read is
  // not kept). PRODUCT_TYPE_DEFINITIONS_CHANGE is not subscribed: a new schema version is seen after a restart.
  const checkers = new Map<string, Promise<AttributeChecker>>();
  const checkerFor = (productType: string, marketplaceId: string): Promise<AttributeChecker> => {
    const key = `${marketplaceId}\u0000${productType}`;
    let found = checkers.get(key);
    if (!found) {
      found = (async () => {
        const definition = await client.getDefinitionsProductType(productType, {
          marketplaceIds: [marketplaceId],
          requirements: 'LISTING',
        });
        return compileProductTypeSchema(await client.downloadProductTypeSchema(definition));
      })();
      found.catch(() => checkers.delete(key));
      checkers.set(key, found);
    }
    return found;
  };
  return {
    async checkAttributes({ marketplaceId, productType, attributes }) {
      return (await checkerFor(productType, marketplaceId))(attributes);
    },
    validateFeed: (document) => listingsFeedProblems(document, official),
    submitFeed: (marketplaceId, document) =>
      submitJsonListingsFeed(client, { marketplaceIds: [marketplaceId], document }),
    async readFeed(feedId, sent) {
      const read = await readFeedResult(client, feedId, sent);
      return { status: read.status, ...(read.result ? { report: read.result } : {}) };
    },
    async patchListing(request): Promise<PatchResult> {
      const answer = await client.patchListingsItem(
        sellerId,
        request.sku,
        {
          productType: request.productType,
          patches: request.patches.map((p) => ({
            op: p.op,
            path: p.path,
            value: p.value as Record<string, unknown>[],
          })),
        },
        {
          marketplaceIds: [request.marketplaceId],
          ...(request.preview ? { mode: 'VALIDATION_PREVIEW' as const } : {}),
          includedData: ['issues'],
        },
      );
      const issues = answer.issues ?? [];
      return {
        status: answer.status,
        issues: issues.map(issueText),
        hasErrors: answer.status === 'INVALID' || issues.some((i) => i.severity === 'ERROR'),
      };
    },
    async readListing(marketplaceId, sku) {
      try {
        const item = await client.getListingsItem(sellerId, sku, {
          marketplaceIds: [marketplaceId],
          includedData: ['summaries', 'attributes', 'issues'],
        });
        return readBackFromItem(item, marketplaceId);
      } catch (err) {
        if (err instanceof HttpError && err.status === 404) return undefined;
        throw err;
      }
    },
    async fbaQuantities(marketplaceId, skus) {
      const out = new Map<string, number>();
      let nextToken: string | undefined;
      do {
        const page = await client.getInventorySummaries({
          marketplaceId,
          details: true,
          ...(skus?.length && skus.length <= 50 ? { sellerSkus: skus } : {}),
          ...(nextToken ? { nextToken } : {}),
        });
        for (const s of page.items)
          if (s.sellerSku) out.set(s.sellerSku, s.inventoryDetails?.fulfillableQuantity ?? s.totalQuantity ?? 0);
        nextToken = page.nextToken;
      } while (nextToken);
      return out;
    },
  };
}
