import { z } from 'zod';

/**
 * Zod schemas of the SP-API wire shapes we read and send, derived from Amazon's models in
 * `../shared/sp-api-models/models/` (test/unit/amazon/wire-vs-models.test.ts checks every property name and
 * required list against them). Objects are loose: Amazon adds fields without a new version, and a field we
 * do not know must not fail an order. Wire types carry the `Amazon` prefix (STYLE.md §8.4).
 */

const money = z.looseObject({ amount: z.string(), currencyCode: z.string() });
const dateTimeRange = z.looseObject({ earliestDateTime: z.string().optional(), latestDateTime: z.string().optional() });

// --- Orders 2026-01-01 [models/orders-api-model/orders_2026-01-01.json] ---------------------------------

export const FULFILLMENT_STATUSES = [
  'PENDING_AVAILABILITY',
  'PENDING',
  'UNSHIPPED',
  'PARTIALLY_SHIPPED',
  'SHIPPED',
  'CANCELLED',
  'UNFULFILLABLE',
] as const;
export const INCLUDED_DATA = [
  'BUYER',
  'RECIPIENT',
  'PROCEEDS',
  'EXPENSE',
  'PROMOTION',
  'CANCELLATION',
  'FULFILLMENT',
  'PACKAGES',
  'TAX',
  'PAYMENT',
  'FULFILLMENT_ORDERS',
] as const;
export type AmazonIncludedData = (typeof INCLUDED_DATA)[number];
export type AmazonFulfillmentStatus = (typeof FULFILLMENT_STATUSES)[number];

export const amazonCustomerAddress = z.looseObject({
  name: z.string().optional(),
  companyName: z.string().optional(),
  addressLine1: z.string().optional(),
  addressLine2: z.string().optional(),
  addressLine3: z.string().optional(),
  city: z.string().optional(),
  districtOrCounty: z.string().optional(),
  stateOrRegion: z.string().optional(),
  municipality: z.string().optional(),
  postalCode: z.string().optional(),
  countryCode: z.string().optional(),
  phone: z.string().optional(),
  addressType: z.string().optional(),
});

const breakdownDetail = z.looseObject({ subtype: z.string().optional(), value: money.optional() });

export const amazonOrderItem = z.looseObject({
  orderItemId: z.string(),
  quantityOrdered: z.number().int(),
  programs: z.array(z.string()).optional(),
  product: z.looseObject({
    asin: z.string().optional(),
    title: z.string().optional(),
    sellerSku: z.string().optional(),
    condition: z
      .looseObject({ conditionType: z.string().optional(), conditionSubtype: z.string().optional() })
      .optional(),
    price: z.looseObject({ unitPrice: money.optional(), priceDesignation: z.string().optional() }).optional(),
    serialNumbers: z.array(z.string()).optional(),
  }),
  proceeds: z
    .looseObject({
      proceedsTotal: money.optional(),
      breakdowns: z
        .array(
          z.looseObject({ type: z.string(), subtotal: money, detailedBreakdowns: z.array(breakdownDetail).optional() }),
        )
        .optional(),
    })
    .optional(),
  promotion: z
    .looseObject({ breakdowns: z.array(z.looseObject({ promotionId: z.string().optional() })).optional() })
    .optional(),
  cancellation: z
    .looseObject({
      cancellationRequest: z
        .looseObject({ requester: z.string().optional(), cancelReason: z.string().optional() })
        .optional(),
    })
    .optional(),
  fulfillment: z
    .looseObject({
      quantityFulfilled: z.number().int().optional(),
      quantityUnfulfilled: z.number().int().optional(),
      packing: z
        .looseObject({
          giftOption: z
            .looseObject({ giftMessage: z.string().optional(), giftWrapLevel: z.string().optional() })
            .optional(),
        })
        .optional(),
    })
    .optional(),
  tax: z
    .looseObject({
      taxCollections: z
        .array(z.looseObject({ model: z.string().optional(), responsibleParty: z.string().optional() }))
        .optional(),
    })
    .optional(),
});

export const amazonOrderPackage = z.looseObject({
  packageReferenceId: z.string(),
  createdTime: z.string().optional(),
  packageStatus: z.looseObject({ status: z.string(), detailedStatus: z.string().optional() }).optional(),
  carrier: z.string().optional(),
  shipTime: z.string().optional(),
  shippingService: z.string().optional(),
  trackingNumber: z.string().optional(),
  packageItems: z.array(z.looseObject({ orderItemId: z.string(), quantity: z.number().int() })).optional(),
});

export const amazonOrder = z.looseObject({
  orderId: z.string(),
  createdTime: z.string(),
  lastUpdatedTime: z.string(),
  programs: z.array(z.string()).optional(),
  associatedOrders: z
    .array(z.looseObject({ orderId: z.string().optional(), associationType: z.string().optional() }))
    .optional(),
  salesChannel: z.looseObject({
    channelName: z.string(),
    marketplaceId: z.string().optional(),
    marketplaceName: z.string().optional(),
  }),
  buyer: z
    .looseObject({
      buyerName: z.string().optional(),
      buyerEmail: z.string().optional(),
      buyerCompanyName: z.string().optional(),
      buyerPurchaseOrderNumber: z.string().optional(),
    })
    .optional(),
  recipient: z.looseObject({ deliveryAddress: amazonCustomerAddress.optional() }).optional(),
  proceeds: z
    .looseObject({
      grandTotal: money.optional(),
      breakdowns: z
        .array(z.looseObject({ type: z.string(), status: z.string().optional(), subtotal: money }))
        .optional(),
    })
    .optional(),
  fulfillment: z
    .looseObject({
      fulfillmentStatus: z.string(),
      fulfilledBy: z.string().optional(),
      fulfillmentServiceLevel: z.string().optional(),
      shipByWindow: dateTimeRange.optional(),
      deliverByWindow: dateTimeRange.optional(),
    })
    .optional(),
  orderItems: z.array(amazonOrderItem),
  packages: z.array(amazonOrderPackage).optional(),
});
export type AmazonOrder = z.infer<typeof amazonOrder>;
export type AmazonOrderItem = z.infer<typeof amazonOrderItem>;
export type AmazonCustomerAddress = z.infer<typeof amazonCustomerAddress>;

export const amazonSearchOrdersResponse = z.looseObject({
  orders: z.array(amazonOrder),
  pagination: z.looseObject({ nextToken: z.string().optional() }).optional(),
  lastUpdatedBefore: z.string().optional(),
  createdBefore: z.string().optional(),
});
export const amazonGetOrderResponse = z.looseObject({ order: amazonOrder });

// --- Orders v0 confirmShipment [models/orders-api-model/ordersV0.json] ----------------------------------

export const amazonConfirmShipmentRequest = z.strictObject({
  marketplaceId: z.string(),
  codCollectionMethod: z.literal('DirectPayment').optional(),
  packageDetail: z.strictObject({
    packageReferenceId: z.string().regex(/^[1-9]\d*$/, 'a positive number'),
    carrierCode: z.string().min(1),
    carrierName: z.string().optional(),
    shippingMethod: z.string().optional(),
    trackingNumber: z.string().min(1),
    shipDate: z.string(),
    shipFromSupplySourceId: z.string().optional(),
    orderItems: z
      .array(
        z.strictObject({
          orderItemId: z.string(),
          quantity: z.number().int().positive(),
          transparencyCodes: z.array(z.string()).optional(),
        }),
      )
      .min(1),
  }),
});
export type AmazonConfirmShipmentRequest = z.infer<typeof amazonConfirmShipmentRequest>;

// --- Feeds 2021-06-30 [models/feeds-api-model/feeds_2021-06-30.json] ------------------------------------

export const PROCESSING_STATUSES = ['CANCELLED', 'DONE', 'FATAL', 'IN_PROGRESS', 'IN_QUEUE'] as const;
export type AmazonProcessingStatus = (typeof PROCESSING_STATUSES)[number];

export const amazonCreateFeedDocumentResponse = z.looseObject({ feedDocumentId: z.string(), url: z.string() });
export const amazonCreateFeedResponse = z.looseObject({ feedId: z.string() });
export const amazonFeed = z.looseObject({
  feedId: z.string(),
  feedType: z.string(),
  marketplaceIds: z.array(z.string()).optional(),
  createdTime: z.string(),
  processingStatus: z.enum(PROCESSING_STATUSES),
  processingStartTime: z.string().optional(),
  processingEndTime: z.string().optional(),
  resultFeedDocumentId: z.string().optional(),
});
export type AmazonFeed = z.infer<typeof amazonFeed>;
export const amazonGetFeedsResponse = z.looseObject({ feeds: z.array(amazonFeed), nextToken: z.string().optional() });
export const amazonFeedDocument = z.looseObject({
  feedDocumentId: z.string(),
  url: z.string(),
  compressionAlgorithm: z.literal('GZIP').optional(),
});
export type AmazonFeedDocument = z.infer<typeof amazonFeedDocument>;

// --- Reports 2021-06-30 [models/reports-api-model/reports_2021-06-30.json] ------------------------------

export const amazonCreateReportResponse = z.looseObject({ reportId: z.string() });
export const amazonReport = z.looseObject({
  reportId: z.string(),
  reportType: z.string(),
  marketplaceIds: z.array(z.string()).optional(),
  dataStartTime: z.string().optional(),
  dataEndTime: z.string().optional(),
  reportScheduleId: z.string().optional(),
  createdTime: z.string(),
  processingStatus: z.enum(PROCESSING_STATUSES),
  processingStartTime: z.string().optional(),
  processingEndTime: z.string().optional(),
  reportDocumentId: z.string().optional(),
});
export type AmazonReport = z.infer<typeof amazonReport>;
export const amazonGetReportsResponse = z.looseObject({
  reports: z.array(amazonReport),
  nextToken: z.string().optional(),
});
export const amazonReportDocument = z.looseObject({
  reportDocumentId: z.string(),
  url: z.string(),
  compressionAlgorithm: z.literal('GZIP').optional(),
});
export type AmazonReportDocument = z.infer<typeof amazonReportDocument>;

// --- Product Type Definitions 2020-09-01 (ProductTypeDefinition; not among the copied models: the fields read) --

const schemaLink = z.looseObject({
  link: z.looseObject({ resource: z.string(), verb: z.string() }),
  checksum: z.string(),
});
export const amazonProductTypeDefinition = z.looseObject({
  metaSchema: schemaLink.optional(),
  schema: schemaLink,
  requirements: z.string().optional(),
  productType: z.string(),
  productTypeVersion: z.looseObject({ version: z.string() }).optional(),
});
export type AmazonProductTypeDefinition = z.infer<typeof amazonProductTypeDefinition>;

// --- Listings Items 2021-08-01 [models/listings-items-api-model/listingsItems_2021-08-01.json] ----------

const listingsIssue = z.looseObject({
  code: z.string(),
  message: z.string(),
  severity: z.enum(['ERROR', 'WARNING', 'INFO']),
  attributeNames: z.array(z.string()).optional(),
  categories: z.array(z.string()),
});
export const amazonListingsItem = z.looseObject({
  sku: z.string(),
  summaries: z
    .array(
      z.looseObject({
        marketplaceId: z.string(),
        asin: z.string().optional(),
        productType: z.string(),
        status: z.array(z.string()),
        itemName: z.string().optional(),
        createdDate: z.string(),
        lastUpdatedDate: z.string(),
      }),
    )
    .optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  issues: z.array(listingsIssue).optional(),
  offers: z.array(z.looseObject({ marketplaceId: z.string(), offerType: z.string(), price: money })).optional(),
  fulfillmentAvailability: z
    .array(z.looseObject({ fulfillmentChannelCode: z.string(), quantity: z.number().int().optional() }))
    .optional(),
});
export type AmazonListingsItem = z.infer<typeof amazonListingsItem>;
export const amazonPatchOperation = z.strictObject({
  op: z.enum(['add', 'replace', 'merge', 'delete']),
  path: z.string(),
  value: z.array(z.record(z.string(), z.unknown())).optional(),
});
export type AmazonPatchOperation = z.infer<typeof amazonPatchOperation>;
export const amazonListingsItemSubmissionResponse = z.looseObject({
  sku: z.string(),
  status: z.enum(['ACCEPTED', 'INVALID', 'VALID']),
  submissionId: z.string(),
  issues: z.array(listingsIssue).optional(),
});
export type AmazonListingsItemSubmissionResponse = z.infer<typeof amazonListingsItemSubmissionResponse>;

// --- FBA Inventory v1 [models/fba-inventory-api-model/fbaInventory.json] --------------------------------

export const amazonInventorySummary = z.looseObject({
  asin: z.string().optional(),
  fnSku: z.string().optional(),
  sellerSku: z.string().optional(),
  condition: z.string().optional(),
  lastUpdatedTime: z.string().optional(),
  productName: z.string().optional(),
  totalQuantity: z.number().int().optional(),
  inventoryDetails: z
    .looseObject({
      fulfillableQuantity: z.number().int().optional(),
      inboundWorkingQuantity: z.number().int().optional(),
      inboundShippedQuantity: z.number().int().optional(),
      inboundReceivingQuantity: z.number().int().optional(),
    })
    .optional(),
});
export type AmazonInventorySummary = z.infer<typeof amazonInventorySummary>;
export const amazonGetInventorySummariesResponse = z.looseObject({
  payload: z
    .looseObject({
      granularity: z.looseObject({ granularityType: z.string().optional(), granularityId: z.string().optional() }),
      inventorySummaries: z.array(amazonInventorySummary),
    })
    .optional(),
  pagination: z.looseObject({ nextToken: z.string().optional() }).optional(),
});

// --- Notifications v1 [models/notifications-api-model/notifications.json] -------------------------------

export const amazonDestination = z.looseObject({
  destinationId: z.string(),
  name: z.string(),
  resource: z.looseObject({
    sqs: z.looseObject({ arn: z.string() }).optional(),
    eventBridge: z.looseObject({ name: z.string(), region: z.string(), accountId: z.string() }).optional(),
  }),
});
export type AmazonDestination = z.infer<typeof amazonDestination>;
export const amazonCreateDestinationResponse = z.looseObject({ payload: amazonDestination.optional() });
export const amazonGetDestinationsResponse = z.looseObject({ payload: z.array(amazonDestination).optional() });
export const amazonSubscription = z.looseObject({
  subscriptionId: z.string(),
  payloadVersion: z.string(),
  destinationId: z.string(),
  processingDirective: z.looseObject({}).optional(),
});
export type AmazonSubscription = z.infer<typeof amazonSubscription>;
export const amazonSubscriptionResponse = z.looseObject({ payload: amazonSubscription.optional() });

// --- Finances 2024-06-19 [models/finances-api-model/finances_2024-06-19.json] ---------------------------

const currency = z.looseObject({ currencyCode: z.string().optional(), currencyAmount: z.number().optional() });
export interface AmazonBreakdown {
  breakdownType?: string | undefined;
  breakdownAmount?: z.infer<typeof currency> | undefined;
  breakdowns?: AmazonBreakdown[] | undefined;
  [key: string]: unknown;
}
const breakdown: z.ZodType<AmazonBreakdown> = z.lazy(() =>
  z.looseObject({
    breakdownType: z.string().optional(),
    breakdownAmount: currency.optional(),
    breakdowns: z.array(breakdown).optional(),
  }),
);
export const amazonTransactionItem = z.looseObject({
  description: z.string().optional(),
  totalAmount: currency.optional(),
  relatedIdentifiers: z
    .array(
      z.looseObject({
        itemRelatedIdentifierName: z.string().optional(),
        itemRelatedIdentifierValue: z.string().optional(),
      }),
    )
    .optional(),
  breakdowns: z.array(breakdown).optional(),
  contexts: z.array(z.looseObject({ contextType: z.string() })).optional(),
});
export const amazonTransaction = z.looseObject({
  items: z.array(amazonTransactionItem).optional(),
  breakdowns: z.array(breakdown).optional(),
  contexts: z.array(z.looseObject({ contextType: z.string() })).optional(),
  transactionType: z.string().optional(),
  transactionId: z.string().optional(),
  transactionStatus: z.string().optional(),
  description: z.string().optional(),
  postedDate: z.string().optional(),
  totalAmount: currency.optional(),
  relatedIdentifiers: z
    .array(
      z.looseObject({ relatedIdentifierName: z.string().optional(), relatedIdentifierValue: z.string().optional() }),
    )
    .optional(),
  marketplaceDetails: z
    .looseObject({ marketplaceId: z.string().optional(), marketplaceName: z.string().optional() })
    .optional(),
});
export type AmazonTransaction = z.infer<typeof amazonTransaction>;
export const amazonListTransactionsResponse = z.looseObject({
  payload: z
    .looseObject({ nextToken: z.string().optional(), transactions: z.array(amazonTransaction).optional() })
    .optional(),
});

// --- Finances v0 listFinancialEventGroups [models/finances-api-model/financesV0.json] ------------------------
// CurrencyAmount is a JSON number (BigDecimal): read as its shortest decimal text, then exactly.
const amazonV0Currency = z.looseObject({
  CurrencyCode: z.string().optional(),
  CurrencyAmount: z.union([z.number(), z.string()]).optional(),
});
export const amazonFinancialEventGroup = z.looseObject({
  FinancialEventGroupId: z.string().optional(),
  ProcessingStatus: z.string().optional(),
  FundTransferStatus: z.string().optional(),
  OriginalTotal: amazonV0Currency.optional(),
  ConvertedTotal: amazonV0Currency.optional(),
  FundTransferDate: z.string().optional(),
  FinancialEventGroupStart: z.string().optional(),
  FinancialEventGroupEnd: z.string().optional(),
});
export type AmazonFinancialEventGroup = z.infer<typeof amazonFinancialEventGroup>;
export const amazonListFinancialEventGroupsResponse = z.looseObject({
  payload: z
    .looseObject({
      NextToken: z.string().optional(),
      FinancialEventGroupList: z.array(amazonFinancialEventGroup).optional(),
    })
    .optional(),
});

// --- Tokens 2021-03-01 [models/tokens-api-model/tokens_2021-03-01.json] ---------------------------------

export const amazonRestrictedResource = z.strictObject({
  method: z.enum(['GET', 'PUT', 'POST', 'DELETE']),
  path: z.string(),
  dataElements: z.array(z.string()).optional(),
});
export type AmazonRestrictedResource = z.infer<typeof amazonRestrictedResource>;
// Both fields are optional in the model; rdt.ts treats a missing token as an invalid answer.
export const amazonCreateRestrictedDataTokenResponse = z.looseObject({
  restrictedDataToken: z.string().optional(),
  expiresIn: z.number().int().optional(),
});
