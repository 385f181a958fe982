import { MappingError, type ErrorCode, type FieldIssue } from '../errors.ts';
import type { ItemRef } from '../model/inventory.ts';
import type { Order } from '../model/order.ts';
import type { SalesOrderDraft, SalesOrderLineDraft } from '../model/sales-order.ts';
import { merchantWarehouseOf, type MappingRules } from '../rules/mapping-rules.ts';
import type { ShipMethodRules } from '../rules/shipping.ts';
import { priceLinesFromOrder } from './price-lines.ts';
import { fitSageAddress, type AddressChange, type FittedAddressResult } from './fit-address.ts';
import { isAscii, sageAddressFromAddress, transliterate } from './sage-address-from-address.ts';
import { itemIdFromSku, type CatalogueItem } from './sku-resolution.ts';

/** What the flow read from Sage before mapping (issue 5, step 3). */
export interface SageOrderContext {
  /** Items the Sage gateway resolved for the order's SKUs (by ItemID, Sage alias or UPC). */
  readonly items?: readonly ItemRef[];
  /** Sage items for exact matches and for suggestions when a SKU is unknown. */
  readonly catalogue: readonly CatalogueItem[];
  /** A warehouse the flow chose (e.g. the one with stock); default: the rules' warehouse. */
  readonly warehouseId?: string;
}

const DESCRIPTION_LENGTH = 40;
const CUST_PO_LENGTH = 15;

/**
 * Canonical Amazon order + Sage context + rules -> the Sage sales order draft (issue 5, step 2; STYLE.md
 * §8.3 `salesOrderFromOrder`). Pure. Collects every problem first (unknown SKUs with up to three suggested
 * items, address fields that do not fit Sage, a marketplace without a Sage customer, a currency mismatch,
 * amounts that do not add up) and throws one MappingError listing them: `SB_MAP_SKU_UNKNOWN` when only SKUs
 * are unknown (the common, fixable case: add an alias and replay), otherwise the code of the one kind of
 * problem, or `SB_MAP_ORDER_INVALID` for a mix. Issue texts carry ids and lengths, never buyer PII.
 *
 * Goods lines come first (lineNo 1..n in Amazon's order), charge lines (freight, gift wrap, other charges,
 * promotions, rounding, tax) after them, as priced by `priceLinesFromOrder`.
 */
export function salesOrderFromOrder(order: Order, context: SageOrderContext, rules: MappingRules): SalesOrderDraft {
  return mapSalesOrder(order, context, rules).draft;
}

/** The Sage draft and what fitting the ship-to into Sage changed (empty when nothing had to change). */
export interface MappedSalesOrder {
  readonly draft: SalesOrderDraft;
  readonly addressChanges: readonly AddressChange[];
}

/**
 * `salesOrderFromOrder` with the address fitting reported: under the `fit` address policy (the default) the ship-to
 * is fitted (`fitSageAddress`) and every change is listed; under `dead-letter` an address that does not fit as it
 * is makes the order a dead letter (`sageAddressFromAddress`).
 */
export function mapSalesOrder(order: Order, context: SageOrderContext, rules: MappingRules): MappedSalesOrder {
  const issues: (FieldIssue & { readonly area: 'sku' | 'address' | 'amounts' | 'order' })[] = [];
  const add = (area: 'sku' | 'address' | 'amounts' | 'order', list: readonly FieldIssue[]): void => {
    for (const issue of list) issues.push({ ...issue, area });
  };

  const customer = order.marketplaceId ? rules.customers[order.marketplaceId] : undefined;
  if (!order.marketplaceId) add('order', [{ field: 'marketplaceId', problem: 'missing' }]);
  else if (!customer)
    add('order', [
      { field: 'marketplaceId', problem: `no Sage customer is mapped for marketplace ${order.marketplaceId}` },
    ]);
  const currency = order.currency ?? order.total?.currency;
  if (customer && currency && customer.currency !== currency) {
    add('order', [
      {
        field: 'currency',
        problem: `order in ${currency}, Sage customer ${customer.customerId} in ${customer.currency}`,
      },
    ]);
  }

  const fba = order.fulfilledBy === 'marketplace';
  const warehouseId =
    context.warehouseId ??
    (fba && rules.status.fba.mode === 'record-shipped'
      ? rules.status.fba.warehouseId
      : merchantWarehouseOf(rules, order.marketplaceId));

  const itemIds = order.lines.map((line, i) => {
    if (line.quantityOrdered === 0) return undefined; // cancelled line: nothing to create, its SKU does not matter
    if (!line.sku) {
      add('sku', [{ field: `lines[${i}].sku`, problem: 'missing SellerSKU' }]);
      return undefined;
    }
    const r = itemIdFromSku(
      line.sku,
      { aliases: rules.skuAliases, sageItems: context.items ?? [], catalogue: context.catalogue },
      line.title,
    );
    if (r.kind === 'resolved') return r.itemId;
    add('sku', [
      {
        field: `lines[${i}].sku`,
        problem: `unknown SellerSKU ${line.sku}`,
        ...(r.suggestions.length > 0 ? { suggestions: r.suggestions.map((s) => s.itemId) } : {}),
      },
    ]);
    return undefined;
  });

  if (!order.lines.some((l) => l.quantityOrdered > 0))
    add('order', [{ field: 'lines', problem: 'no line with a quantity left to sell' }]);

  let shipTo: SalesOrderDraft['shipTo'];
  let addressChanges: readonly AddressChange[] = [];
  if (order.shipTo) {
    const options = { maxLines: rules.addressLines, field: 'shipTo' };
    const strict = rules.addressPolicy === 'dead-letter' ? sageAddressFromAddress(order.shipTo, options) : undefined;
    const a: FittedAddressResult = strict
      ? strict.ok
        ? { ok: true, address: strict.address, changes: [] }
        : strict
      : fitSageAddress(order.shipTo, options);
    if (a.ok) {
      shipTo = a.address;
      addressChanges = a.changes;
    } else add('address', a.issues);
  } else if (!fba) {
    add('address', [{ field: 'shipTo', problem: 'missing (the application needs the RECIPIENT data and its role)' }]);
  }

  const customerPoNo = poNumber(order, (issue) => add('order', [issue]));

  const priced = priceLinesFromOrder(order, rules.pricing);
  if (!priced.ok) add('amounts', priced.issues);

  if (issues.length > 0 || !priced.ok) {
    const areas = new Set(issues.map((i) => i.area));
    const code: ErrorCode =
      areas.size > 1
        ? 'SB_MAP_ORDER_INVALID'
        : areas.has('sku')
          ? 'SB_MAP_SKU_UNKNOWN'
          : areas.has('address')
            ? 'SB_MAP_ADDRESS_INVALID'
            : areas.has('amounts')
              ? 'SB_MAP_AMOUNTS_INVALID'
              : 'SB_MAP_ORDER_INVALID';
    const unknownSkus = order.lines.flatMap((l, i) =>
      itemIds[i] === undefined && l.sku && l.quantityOrdered > 0 ? [l.sku] : [],
    );
    throw new MappingError(
      code,
      `order ${order.id}`,
      issues.map(({ area: _area, ...issue }) => issue),
      { context: { amazonOrderId: order.id, ...(unknownSkus.length > 0 ? { unknownSkus } : {}) } },
    );
  }

  const byLineId = new Map(priced.value.items.map((p) => [p.lineId, p]));
  const descriptions = new Map<string, string>([
    ...context.catalogue.map((c): [string, string] => [c.itemId, c.description ?? '']),
    ...(context.items ?? []).map((i): [string, string] => [i.itemId, i.description]),
  ]);
  const lines: SalesOrderLineDraft[] = [];
  order.lines.forEach((line, i) => {
    const p = byLineId.get(line.lineId);
    if (!p) return; // quantity 0: nothing left to sell on this line
    const itemId = itemIds[i]!;
    const description = descriptions.get(itemId);
    lines.push({
      lineNo: lines.length + 1,
      itemId,
      ...(description && description.length <= DESCRIPTION_LENGTH && isAscii(description) ? { description } : {}),
      quantity: p.quantity,
      unitPrice: p.unitPrice,
      ...(p.tradeDiscount ? { tradeDiscount: p.tradeDiscount } : {}),
      amazonOrderItemId: line.lineId,
      ...(line.sku ? { sellerSku: line.sku } : {}),
    });
  });
  for (const c of priced.value.charges) {
    lines.push({
      lineNo: lines.length + 1,
      itemId: c.itemId,
      description: c.description,
      quantity: 1,
      unitPrice: c.amount,
      ...(c.glAccountNo ? { glAccountNo: c.glAccountNo } : {}),
      charge: c.charge,
    });
  }

  const shipMethodId = shipMethodFromServiceLevel(order.shipServiceLevel, rules.shipMethods);
  const draft: SalesOrderDraft = {
    customerId: customer!.customerId,
    amazonOrderId: order.id,
    ...(order.marketplaceId ? { marketplaceId: order.marketplaceId } : {}),
    orderDate: order.createdAt,
    ...(order.latestShipDate ? { shipBy: order.latestShipDate } : {}),
    currency: priced.value.currency,
    warehouseId,
    ...(shipMethodId ? { shipMethodId } : {}),
    ...(shipTo ? { shipTo } : {}),
    ...(customerPoNo ? { customerPoNo } : {}),
    ...(priced.value.freight.minor !== 0 ? { freight: priced.value.freight } : {}),
    lines,
  };
  return { draft, addressChanges };
}

/**
 * Sage CustPONo (varchar(15)): the buyer's purchase-order number on Business orders, else the last 15
 * characters of the AmazonOrderId (`NNNNNNN-NNNNNNN`, sage500-facts §5; the full id goes to TranCmnt and
 * the extension table). A PO number that does not fit is an issue, never cut.
 */
function poNumber(order: Order, issue: (i: FieldIssue) => void): string | undefined {
  const po = order.buyer?.purchaseOrderNumber?.trim();
  if (po) {
    const ascii = transliterate(po);
    if (ascii.length > CUST_PO_LENGTH)
      issue({
        field: 'buyer.purchaseOrderNumber',
        problem: `${ascii.length} characters; Sage CustPONo holds ${CUST_PO_LENGTH}`,
      });
    else if (!isAscii(ascii))
      issue({ field: 'buyer.purchaseOrderNumber', problem: "characters with no ASCII form for Sage's varchar column" });
    return ascii;
  }
  return order.id.slice(-CUST_PO_LENGTH);
}

/** `SecondDay`, `second-day`, `SECOND_DAY` -> `SECOND_DAY`. */
export function serviceLevelKey(level: string): string {
  return level
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[\s-]+/g, '_')
    .toUpperCase();
}

/** Amazon shipping service level -> Sage ShipMethID via the rules; the fallback when absent or unmapped. */
export function shipMethodFromServiceLevel(level: string | undefined, rules: ShipMethodRules): string | undefined {
  if (level) {
    const id = rules.byServiceLevel[level] ?? rules.byServiceLevel[serviceLevelKey(level)];
    if (id) return id;
  }
  return rules.fallback;
}
