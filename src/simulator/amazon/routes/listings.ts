import type { FastifyInstance } from 'fastify';
import { defineOperation, queryList, queryString } from '../http.ts';
import { invalidInput, notFound } from '../errors.ts';
import { LISTING_ISSUE, type ListingIssue, type PatchOperation, type SimListing } from '../listings.ts';
import { marketplaceById } from '../marketplaces.ts';
import type { SimulatorState } from '../state.ts';
import { PRODUCT_TYPE_META_SCHEMA, productTypeSchema } from '../product-types.ts';
import { baseUrl } from './feeds.ts';

/**
 * Listings Items API 2021-08-01: getListingsItem (summaries, attributes, issues, offers, fulfillmentAvailability)
 * and patchListingsItem, including `mode=VALIDATION_PREVIEW`, which validates without saving.
 */
const INCLUDED = [
  'summaries',
  'attributes',
  'issues',
  'offers',
  'fulfillmentAvailability',
  'procurement',
  'relationships',
  'productTypes',
];

function issueWire(issue: ListingIssue, marketplaceIds: readonly string[]): Record<string, unknown> {
  return {
    code: issue.code,
    message: issue.message,
    severity: issue.severity,
    ...(issue.attributeName ? { attributeNames: [issue.attributeName] } : {}),
    categories: [
      issue.code === LISTING_ISSUE.badValue
        ? 'INVALID_ATTRIBUTE'
        : issue.code === LISTING_ISSUE.missing
          ? 'MISSING_ATTRIBUTE'
          : 'INVALID_ATTRIBUTE',
    ],
    marketplaceIds: [...marketplaceIds],
    ...(issue.enforcements?.length
      ? {
          enforcements: {
            actions: issue.enforcements.map((action) => ({ action })),
            exemption: { status: 'NOT_EXEMPT' },
          },
        }
      : {}),
  };
}

function listingToWire(
  listing: SimListing,
  marketplaceIds: readonly string[],
  included: readonly string[],
): Record<string, unknown> {
  const wire: Record<string, unknown> = { sku: listing.sku };
  if (included.includes('summaries')) {
    wire.summaries = marketplaceIds.map((marketplaceId) => ({
      marketplaceId,
      asin: listing.asin,
      productType: listing.productType,
      conditionType: 'new_new',
      status: [...listing.status],
      itemName: String(listing.attributes.item_name?.[0]?.value ?? listing.sku),
      createdDate: listing.createdDate,
      lastUpdatedDate: listing.lastUpdatedDate,
    }));
  }
  if (included.includes('attributes')) wire.attributes = structuredClone(listing.attributes);
  if (included.includes('issues')) wire.issues = listing.issues.map((i) => issueWire(i, marketplaceIds));
  if (included.includes('offers')) {
    wire.offers = (listing.attributes.purchasable_offer ?? [])
      .filter((o) => marketplaceIds.includes(String(o.marketplace_id)))
      .map((o) => {
        const value = (o.our_price as { schedule?: { value_with_tax?: number }[] }[] | undefined)?.[0]?.schedule?.[0]
          ?.value_with_tax;
        return {
          marketplaceId: String(o.marketplace_id),
          offerType: o.audience === 'B2B' ? 'B2B' : 'B2C',
          price: {
            currencyCode: String(o.currency ?? marketplaceById(String(o.marketplace_id))?.currency ?? 'USD'),
            amount: typeof value === 'number' ? value.toFixed(2) : '0.00',
          },
        };
      });
  }
  if (included.includes('fulfillmentAvailability')) {
    wire.fulfillmentAvailability = (listing.attributes.fulfillment_availability ?? []).map((f) => ({
      fulfillmentChannelCode: String(f.fulfillment_channel_code),
      ...(typeof f.quantity === 'number' ? { quantity: f.quantity } : {}),
    }));
  }
  if (included.includes('productTypes'))
    wire.productTypes = marketplaceIds.map((marketplaceId) => ({ marketplaceId, productType: listing.productType }));
  return wire;
}

export function registerListingRoutes(app: FastifyInstance, sim: SimulatorState): void {
  // Product Type Definitions API 2020-09-01: the definition, with a presigned link to its JSON Schema document.
  defineOperation(app, sim, 'definitions.getDefinitionsProductType', ({ request, sellerId }) => {
    const { productType } = request.params as { productType: string };
    const marketplaceIds = queryList(request, 'marketplaceIds');
    if (!marketplaceIds?.length) throw invalidInput('marketplaceIds is required.');
    if (!/^[A-Z][A-Z0-9_]*$/.test(productType)) throw notFound(`Product type ${productType} not found.`);
    const requirements = queryString(request, 'requirements') ?? 'LISTING';
    const doc = sim.documents.create(sellerId ?? '', 'report', 'application/json');
    sim.documents.produce(doc, JSON.stringify(productTypeSchema(productType)), false);
    return {
      status: 200,
      body: {
        metaSchema: {
          link: { resource: PRODUCT_TYPE_META_SCHEMA, verb: 'GET' },
          checksum: 'simulated',
        },
        schema: {
          link: { resource: sim.documents.url(doc, baseUrl(request)), verb: 'GET' },
          checksum: doc.signature,
        },
        requirements,
        requirementsEnforced: queryString(request, 'requirementsEnforced') ?? 'ENFORCED',
        propertyGroups: {},
        locale: queryString(request, 'locale') ?? 'DEFAULT',
        marketplaceIds,
        productType,
        displayName: productType,
        productTypeVersion: { version: 'U1', latest: true, releaseCandidate: false },
      },
    };
  });

  defineOperation(app, sim, 'listings.getListingsItem', ({ request, sellerId }) => {
    const { sellerId: pathSeller, sku } = request.params as { sellerId: string; sku: string };
    if (pathSeller !== sellerId)
      throw invalidInput(`sellerId ${pathSeller} does not match the authorized selling partner.`);
    const marketplaceIds = queryList(request, 'marketplaceIds');
    if (!marketplaceIds?.length) throw invalidInput('marketplaceIds is required.');
    const included = queryList(request, 'includedData') ?? ['summaries'];
    for (const value of included)
      if (!INCLUDED.includes(value)) throw invalidInput(`Invalid includedData value: ${value}.`);
    const listing = sim.listings.get(sellerId!, sku);
    if (!listing) throw notFound(`SKU '${sku}' not found in marketplace ${marketplaceIds[0]}.`);
    return { status: 200, body: listingToWire(listing, marketplaceIds, included) };
  });

  defineOperation(app, sim, 'listings.patchListingsItem', ({ request, sellerId }) => {
    const { sellerId: pathSeller, sku } = request.params as { sellerId: string; sku: string };
    if (pathSeller !== sellerId)
      throw invalidInput(`sellerId ${pathSeller} does not match the authorized selling partner.`);
    const marketplaceIds = queryList(request, 'marketplaceIds');
    if (!marketplaceIds?.length) throw invalidInput('marketplaceIds is required.');
    const mode = queryString(request, 'mode');
    if (mode !== undefined && mode !== 'VALIDATION_PREVIEW') throw invalidInput(`Invalid mode ${mode}.`);
    const body = request.body as { productType?: unknown; patches?: unknown } | undefined;
    if (!body || typeof body.productType !== 'string' || !Array.isArray(body.patches) || body.patches.length === 0)
      throw invalidInput('productType and at least one patch are required.');
    const patches = body.patches as PatchOperation[];
    for (const patch of patches) {
      if (!['add', 'replace', 'merge', 'delete'].includes(patch.op) || typeof patch.path !== 'string')
        throw invalidInput('Each patch needs op (add, replace, merge, delete) and path.');
    }
    const listing = sim.listings.get(sellerId!, sku);
    const issues: ListingIssue[] = listing
      ? sim.listings.validatePatches(patches)
      : [
          {
            code: LISTING_ISSUE.skuNotFound,
            severity: 'ERROR',
            message: `SKU '${sku}' does not exist; create it with putListingsItem or a feed UPDATE first.`,
          },
        ];
    const invalid = issues.some((i) => i.severity === 'ERROR');
    const submissionId = sim.idPrng.uuid().replace(/-/g, '');
    if (!invalid && mode !== 'VALIDATION_PREVIEW') {
      sim.listings.applyPatches(listing!, patches);
      sim.events.emit('listing', listing);
    }
    return {
      status: 200,
      body: {
        sku,
        status: invalid ? 'INVALID' : mode === 'VALIDATION_PREVIEW' ? 'VALID' : 'ACCEPTED',
        submissionId,
        issues: issues.map((i) => issueWire(i, marketplaceIds)),
      },
    };
  });
}
