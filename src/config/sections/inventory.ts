import { z } from 'zod';
import { count, durationMs, MINUTE } from '../fields.ts';

/**
 * Inventory and price sync: which Sage warehouses feed Amazon, the availability and price rules as
 * data, the price sheet and currency per marketplace, and the schedule. Owned by the inventory flows.
 */

const override = z
  .strictObject({
    optOut: z
      .enum(['quantity', 'price', 'all'])
      .optional()
      .describe('Leave the quantity, the price or both of this SKU alone'),
    safetyStock: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Units held back for this SKU instead of the connection-wide value'),
    maxQuantity: z.number().int().min(0).optional().describe('Cap on the listed quantity of this SKU'),
    priceMinor: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('A fixed price in minor units (cents) instead of the price sheet'),
  })
  .describe('Per-SKU exception');

const marketplacePrice = z
  .strictObject({
    priceSheet: z
      .enum(['list', 'sheet1', 'sheet2', 'sheet3', 'sheet4'])
      .default('list')
      .describe('Sage price column read for this marketplace'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'an ISO 4217 code')
      .default('USD')
      .describe('Currency of the Sage price rows and of the Amazon offer'),
    warehouseId: z.string().min(1).default('MAIN').describe('Warehouse whose price rows apply'),
  })
  .describe('Price source of one marketplace');

const customField = z
  .strictObject({
    source: z
      .string()
      .regex(/^(ShortDesc|LongDesc|UPC|Weight|UserFld[1-9])$/, 'ShortDesc, LongDesc, UPC, Weight or UserFld1..9')
      .describe('Sage item field read'),
    attribute: z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/, 'a top-level Amazon attribute name')
      .describe('Amazon attribute written (top level), e.g. item_name, brand'),
    kind: z.enum(['text', 'number', 'weight', 'upc', 'enum']).default('text').describe('Value shape of the attribute'),
    required: z.boolean().default(false).describe('A missing value is an error (dead letter) instead of "not sent"'),
    maxLength: z.number().int().positive().optional().describe('text/enum: longest value'),
    allowed: z.array(z.string()).optional().describe('enum: allowed values'),
    unit: z.string().optional().describe('weight: Amazon unit name (pounds, kilograms, ounces, grams)'),
    min: z.number().optional().describe('number/weight: lowest value'),
    max: z.number().optional().describe('number/weight: highest value'),
  })
  .describe('One row of the custom-field map');

export const inventorySection = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Run inventory and price sync on a schedule inside `sellbridge run`'),
    connectionId: z
      .string()
      .min(1)
      .default('default')
      .describe(
        'Name of the connection (one Sage company + one seller account) the listing state is kept under; in a `connections:` entry it is the entry id',
      ),
    warehouseIds: z
      .array(z.string().min(1))
      .min(1)
      .default(['MAIN'])
      .describe('Sage warehouses whose available quantity (vdvStockStatus.QtyAvailable) is summed per item'),
    safetyStock: count('Units always held back per Sage item', 0),
    safetyStockPercent: z
      .number()
      .min(0)
      .max(100)
      .default(0)
      .describe('Percent of the pool held back as well (rounded up, never oversells)'),
    exposePercent: z
      .number()
      .min(0)
      .max(100)
      .default(100)
      .describe('Percent of what is left that is listed (rounded down)'),
    maxQuantity: z.number().int().min(0).optional().describe('Cap on the listed quantity of any SKU; unset = no cap'),
    zeroBelow: count('When the listed quantity would be below this, list 0 instead', 0),
    sharedItem: z
      .enum(['split', 'first'])
      .default('split')
      .describe(
        'Several Amazon SKUs on one Sage item: `split` divides the pool evenly (remainder to the first SKUs in sort order), `first` gives it all to the first SKU',
      ),
    onHoldItemIds: z
      .array(z.string().min(1))
      .default([])
      .describe('Sage items on hold: their SKUs list 0 whatever the stock'),
    overrides: z
      .record(z.string(), override)
      .default({})
      .describe('Per-SKU exceptions keyed by SKU (set them in the YAML file)'),
    fbaSkus: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'SKUs fulfilled by Amazon: their quantity is never pushed from Sage; reconciliation reads getInventorySummaries for them',
      ),
    prices: z
      .record(z.string(), marketplacePrice)
      .default({})
      .describe(
        'Price sheet, currency and warehouse per marketplace id; a marketplace not listed uses list price in USD from MAIN',
      ),
    markupBasisPoints: z
      .number()
      .int()
      .min(-10_000)
      .default(0)
      .describe('Markup on the sheet price in basis points (250 = +2.5 %)'),
    rounding: z
      .enum(['half-up', 'up', 'down'])
      .default('half-up')
      .describe('How a marked-up price between minor units is rounded'),
    minPriceMinor: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Guard rail: a price below this (minor units) is not sent and waits for approval'),
    maxPriceMinor: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Guard rail: a price above this (minor units) is not sent and waits for approval'),
    maxPriceChangePercent: z
      .number()
      .positive()
      .default(20)
      .describe(
        'Guard rail: a price change larger than this percent of the last price sent waits for approval in the dead-letter queue',
      ),
    customFieldMap: z
      .array(customField)
      .default([])
      .describe(
        'Sage item fields -> Amazon listing attributes, sent as PATCH messages with the quantity sync (empty = attributes are not managed; set it in the YAML file)',
      ),
    languageTag: z
      .string()
      .regex(/^[a-z]{2}_[A-Z]{2}$/, 'e.g. en_US')
      .default('en_US')
      .describe('language_tag of text attributes'),
    fastLaneMax: count(
      'Drops to zero sent at once through patchListingsItem (5 rps) when there are at most this many; more go first in the next feed',
      20,
    ),
    readBackSample: count(
      'After a feed is DONE: how many accepted SKUs are read back through getListingsItem (0 = none)',
      50,
    ),
    feedsPer5Min: count('JSON_LISTINGS_FEED submissions allowed per 5 minutes per region (Amazon: 5)', 5, 1),
    feedPollMs: durationMs('How often a submitted feed is polled with getFeed until it is final', MINUTE),
    feedTracking: z
      .enum(['poll', 'notification'])
      .default('poll')
      .describe(
        'How a submitted feed learns it finished: poll (getFeed every feedPollMs) or notification (FEED_PROCESSING_FINISHED through the SQS or webhook intake; subscribe to it; feedSafetyNetMs polls what is left)',
      ),
    feedSafetyNetMs: durationMs(
      'With feedTracking notification: how often unfinished feeds are polled anyway (the safety net for a lost notification)',
      15 * MINUTE,
    ),
    syncEveryMs: durationMs('Schedule: full inventory sync', 15 * MINUTE),
    priceSyncEveryMs: durationMs('Schedule: full price sync', 60 * MINUTE),
    stockWatchEveryMs: durationMs(
      'Schedule: Sage stock change check (runs a sync only when available stock changed)',
      2 * MINUTE,
    ),
  })
  .prefault({})
  .describe('Inventory and price sync to Amazon listings');
