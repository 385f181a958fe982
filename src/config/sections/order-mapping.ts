import { z } from 'zod';
import { DEFAULT_CARRIERS } from '../../core/rules/carriers.ts';
import { DEFAULT_CHARGE_LINES, type ChargeLineRule } from '../../core/rules/gl-accounts.ts';
import { DEFAULT_MAPPING_RULES } from '../../core/rules/mapping-rules.ts';
import { DEFAULT_PRICING } from '../../core/rules/pricing.ts';
import { DEFAULT_SHIP_METHODS } from '../../core/rules/shipping.ts';

/**
 * The order mapping of the connection, as `sellbridge.yaml` sets it (issue 21): customers and warehouses per
 * marketplace, ship methods, carriers, charge lines, tax and promotion policies. Defaults are the values of
 * DEFAULT_MAPPING_RULES (the sandbox's demo company), so a file written before these settings existed means what it
 * meant. Lengths are Sage's columns (tables.ts): CustID varchar(12), WhseID varchar(6), ShipMethID varchar(15),
 * ItemID varchar(30), GLAcctNo varchar(100), line Description varchar(40). `sellbridge connections check` compares
 * every value with the Sage company.
 */

const custId = z.string().trim().min(1).max(12, 'at most 12 characters (Sage CustID)');
const whseId = z.string().trim().min(1).max(6, 'at most 6 characters (Sage WhseID)');
const shipMethId = z.string().trim().min(1).max(15, 'at most 15 characters (Sage ShipMethID)');
const currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD');
const glAccountNo = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[0-9A-Za-z][0-9A-Za-z-]*$/, 'a Sage GL account number like 4050-00');

const customer = z
  .strictObject({
    customerId: custId.describe('Sage CustID'),
    currency: currency.describe("The customer's currency in Sage (orders in another currency are refused)"),
    warehouseId: whseId
      .optional()
      .describe('Sage WhseID of this marketplace’s merchant-fulfilled orders; unset = `orders.warehouseId`'),
  })
  .describe('The Sage customer of one marketplace');

const DEFAULT_CUSTOMERS = Object.fromEntries(
  Object.entries(DEFAULT_MAPPING_RULES.customers).map(([mp, c]) => [
    mp,
    { customerId: c.customerId, currency: c.currency },
  ]),
);

function chargeLine(what: string, def: ChargeLineRule) {
  return z
    .strictObject({
      itemId: z
        .string()
        .trim()
        .min(1)
        .max(30, 'at most 30 characters (Sage ItemID)')
        .default(def.itemId)
        .describe(`Sage ItemID of the misc (non-stock) item on the ${what} line`),
      description: z
        .string()
        .trim()
        .min(1)
        .max(40, 'at most 40 characters (Sage line Description)')
        .default(def.description)
        .describe(`Description of the ${what} line`),
      glAccountNo: (def.glAccountNo ? glAccountNo.default(def.glAccountNo) : glAccountNo.optional()).describe(
        `GL account (StgSOLine.GLAcctNo) the ${what} line is booked to; unset = the item's own sales account`,
      ),
    })
    .prefault({})
    .describe(`The ${what} line`);
}

const L = DEFAULT_CHARGE_LINES;

/** Fields spread into `orders` (src/config/sections/orders.ts). */
export const orderMappingFields = {
  customers: z
    .record(z.string().regex(/^[A-Z0-9]{10,20}$/, 'an Amazon marketplace id such as ATVPDKIKX0DER'), customer)
    .default(DEFAULT_CUSTOMERS)
    .describe(
      'Amazon marketplace id -> the Sage customer that receives its orders: `{customerId (CustID, 12), currency (ISO 4217, the customer’s currency in Sage), warehouseId? (WhseID, 6: this marketplace’s merchant-fulfilled orders)}`. Setting it replaces the whole list; an order of a marketplace not listed is refused with a mapping error',
    ),
  warehouseId: whseId
    .default(DEFAULT_MAPPING_RULES.warehouseId)
    .describe(
      'Sage WhseID (varchar(6)) of merchant-fulfilled orders whose marketplace names no `warehouseId` of its own',
    ),
  shipMethods: z
    .strictObject({
      byServiceLevel: z
        .record(z.string().min(1).max(40), shipMethId)
        .default({ ...DEFAULT_SHIP_METHODS.byServiceLevel })
        .describe(
          'Amazon shipping service level (STANDARD, FREE_ECONOMY, SCHEDULED, EXPEDITED, SECOND_DAY, PRIORITY, NEXT_DAY, SAME_DAY; v0 spellings such as `SecondDay` are normalised first) -> Sage ShipMethID (15). Setting it replaces the whole table',
        ),
      fallback: z
        .string()
        .trim()
        .max(15, 'at most 15 characters (Sage ShipMethID)')
        .default(DEFAULT_SHIP_METHODS.fallback ?? '')
        .describe(
          "Sage ShipMethID when the level is absent or not in the table; an empty string leaves it to the Sage customer's default ship method",
        ),
    })
    .prefault({})
    .describe('Amazon shipping service level -> Sage ship method'),
  carriers: z
    .record(
      shipMethId,
      z.strictObject({
        carrierCode: z.string().trim().min(1).max(60),
        carrierName: z.string().trim().min(1).max(60).optional(),
        shippingMethod: z.string().trim().min(1).max(100).optional(),
      }),
    )
    .default({ ...DEFAULT_CARRIERS })
    .describe(
      "Sage ShipMethID -> Amazon carrier of the shipment confirmation: `{carrierCode (Amazon's CarrierCode list, e.g. UPS, FedEx, USPS), carrierName? (required with `Other`), shippingMethod? (shown to the buyer)}`; lookups ignore case and spaces. Setting it replaces the whole table; rows edited through the admin API (`/api/v1/mappings/carriers`) go before it",
    ),
  pricing: z
    .strictObject({
      promotions: z
        .enum(['line-discount', 'net-unit-price', 'discount-line'])
        .default(DEFAULT_PRICING.promotions)
        .describe(
          'Amazon promotions: `line-discount` (listed unit price, the promotion as the line’s trade discount), `net-unit-price` (spread over the units, leftover cents on the rounding line) or `discount-line` (one negative promotions line per order)',
        ),
      marketplaceTax: z
        .enum(['exclude', 'liability-line'])
        .default(DEFAULT_PRICING.marketplaceTax)
        .describe(
          'Tax Amazon collects and remits as marketplace facilitator: `exclude` (left out of the Sage order) or `liability-line` (booked on the marketplace tax line to a liability account so the Sage total equals what the buyer paid)',
        ),
      sellerTax: z
        .enum(['tax-line', 'exclude'])
        .default(DEFAULT_PRICING.sellerTax)
        .describe(
          'Tax the seller collects and remits: `tax-line` (booked on the seller tax line) or `exclude` (Sage computes tax)',
        ),
    })
    .prefault({})
    .describe('Tax and promotion policy'),
  chargeLines: z
    .strictObject({
      freight: z
        .strictObject({
          itemId: z
            .string()
            .trim()
            .min(1)
            .max(30, 'at most 30 characters (Sage ItemID)')
            .optional()
            .describe(
              'Sage ItemID of the misc item that carries net freight (shipping minus its discount) as an order line (e.g. AMZ-FREIGHT); unset = freight goes to the header FreightAmt',
            ),
          description: z
            .string()
            .trim()
            .min(1)
            .max(40, 'at most 40 characters (Sage line Description)')
            .default('Amazon shipping')
            .describe('Description of the freight line'),
          glAccountNo: glAccountNo
            .optional()
            .describe("GL account of the freight line; unset = the item's own sales account"),
        })
        .prefault({})
        .describe('Net freight as an order line (only when `itemId` is set)'),
      giftWrap: chargeLine('gift wrap', L.giftWrap),
      otherCharges: chargeLine('other charges (COD fees, unclassified Amazon charges)', L.otherCharges),
      marketplaceTax: chargeLine('marketplace facilitator tax', L.marketplaceTax),
      sellerTax: chargeLine('seller-collected tax', L.sellerTax),
      promotions: chargeLine('promotions', L.promotions),
      rounding: chargeLine('unit price rounding', L.rounding),
    })
    .prefault({})
    .describe('Charge items and GL accounts of the Sage order lines that are not products'),
  skuAliases: z
    .record(z.string().min(1).max(40), z.string().trim().min(1).max(30))
    .default({})
    .describe(
      'Amazon SellerSKU -> Sage ItemID for SKUs Sage does not know by ItemID, alias or UPC; aliases saved through the admin API or the dead-letter screen go before these',
    ),
  addressLines: z
    .number()
    .int()
    .min(1)
    .max(5)
    .default(DEFAULT_MAPPING_RULES.addressLines)
    .describe('How many address lines of the Sage ship-to are used (AddrLine1..5)'),
};
