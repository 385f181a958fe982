import type { FastifyInstance } from 'fastify';
import { defineOperation, queryList, queryString } from '../http.ts';
import { invalidInput } from '../errors.ts';
import { itemTotalMinor } from '../scenario.ts';
import { decimal } from '../order-wire.ts';
import { marketplaceById } from '../marketplaces.ts';
import type { SimulatorState } from '../state.ts';
import type { FbaStock } from '../fba-stock.ts';

/**
 * FBA Inventory v1 getInventorySummaries, Finances 2024-06-19 listTransactions and Tokens 2021-03-01
 * createRestrictedDataToken.
 */

const INVENTORY_PAGE = 50;
const TRANSACTIONS_PAGE = 20;

export function registerMiscRoutes(app: FastifyInstance, sim: SimulatorState, stock: Map<string, FbaStock>): void {
  const inventoryPages = new Map<
    string,
    { skus: string[]; offset: number; details: boolean; granularityId: string; sellerId: string }
  >();
  const transactionPages = new Map<string, { ids: string[]; offset: number; sellerId: string }>();

  defineOperation(app, sim, 'fbaInventory.getInventorySummaries', ({ request, sellerId }) => {
    const nextToken = queryString(request, 'nextToken');
    let cursor;
    if (nextToken) {
      cursor = inventoryPages.get(nextToken);
      if (!cursor || cursor.sellerId !== sellerId)
        throw invalidInput('Invalid nextToken (tokens expire 30 seconds after they are issued).');
      inventoryPages.delete(nextToken);
    } else {
      if (queryString(request, 'granularityType') !== 'Marketplace')
        throw invalidInput("granularityType is required and must be 'Marketplace'.");
      const granularityId = queryString(request, 'granularityId');
      const marketplaceIds = queryList(request, 'marketplaceIds');
      if (!granularityId || !marketplaceIds || marketplaceIds.length !== 1)
        throw invalidInput('granularityId and exactly one marketplaceIds value are required.');
      const sellerSkus =
        queryList(request, 'sellerSkus') ??
        (queryString(request, 'sellerSku') ? [queryString(request, 'sellerSku')!] : undefined);
      if (sellerSkus && sellerSkus.length > 50) throw invalidInput('sellerSkus accepts at most 50 values.');
      const startDateTime = queryString(request, 'startDateTime');
      const since = startDateTime ? Date.parse(startDateTime) : undefined;
      const prefix = `${sellerId}\u0000`;
      const skus = [...stock.keys()]
        .filter((k) => k.startsWith(prefix))
        .map((k) => k.slice(prefix.length))
        .filter((sku) => !sellerSkus || sellerSkus.includes(sku))
        .filter((sku) => since === undefined || Date.parse(stock.get(`${prefix}${sku}`)!.lastUpdatedTime) >= since)
        .sort();
      cursor = {
        skus,
        offset: 0,
        details: queryString(request, 'details') === 'true',
        granularityId,
        sellerId: sellerId!,
      };
    }
    const page = cursor.skus.slice(cursor.offset, cursor.offset + INVENTORY_PAGE);
    const summaries = page.map((sku) => {
      const s = stock.get(`${cursor.sellerId}\u0000${sku}`)!;
      const asin = sim.generator(cursor.sellerId).asinOf(sku);
      return {
        asin,
        fnSku: `X00${asin.slice(-7)}`,
        sellerSku: sku,
        condition: 'NewItem',
        lastUpdatedTime: s.lastUpdatedTime,
        productName: sim.catalogue(cursor.sellerId).find((c) => c.sku === sku)?.title ?? sku,
        totalQuantity: s.fulfillable + s.inboundWorking + s.inboundShipped + s.reserved + s.unfulfillable,
        ...(cursor.details
          ? {
              inventoryDetails: {
                fulfillableQuantity: s.fulfillable,
                inboundWorkingQuantity: s.inboundWorking,
                inboundShippedQuantity: s.inboundShipped,
                inboundReceivingQuantity: 0,
                reservedQuantity: {
                  totalReservedQuantity: s.reserved,
                  pendingCustomerOrderQuantity: s.reserved,
                  pendingTransshipmentQuantity: 0,
                  fcProcessingQuantity: 0,
                },
                researchingQuantity: { totalResearchingQuantity: 0, researchingQuantityBreakdown: [] },
                unfulfillableQuantity: {
                  totalUnfulfillableQuantity: s.unfulfillable,
                  customerDamagedQuantity: s.unfulfillable,
                  warehouseDamagedQuantity: 0,
                  distributorDamagedQuantity: 0,
                  carrierDamagedQuantity: 0,
                  defectiveQuantity: 0,
                  expiredQuantity: 0,
                },
              },
            }
          : {}),
      };
    });
    const body: Record<string, unknown> = {
      payload: {
        granularity: { granularityType: 'Marketplace', granularityId: cursor.granularityId },
        inventorySummaries: summaries,
      },
    };
    if (cursor.offset + INVENTORY_PAGE < cursor.skus.length) {
      const token = sim.idPrng.alnum(40);
      inventoryPages.set(token, { ...cursor, offset: cursor.offset + INVENTORY_PAGE });
      body.pagination = { nextToken: token };
    }
    return { status: 200, body };
  });

  defineOperation(app, sim, 'finances.listTransactions', ({ request, sellerId }) => {
    const nextToken = queryString(request, 'nextToken');
    let cursor;
    if (nextToken) {
      cursor = transactionPages.get(nextToken);
      if (!cursor || cursor.sellerId !== sellerId) throw invalidInput('Invalid nextToken.');
      transactionPages.delete(nextToken);
    } else {
      const postedAfterRaw = queryString(request, 'postedAfter');
      if (!postedAfterRaw && !queryString(request, 'relatedIdentifierName'))
        throw invalidInput('postedAfter is required unless relatedIdentifierName is given.');
      const after = postedAfterRaw ? Date.parse(postedAfterRaw) : 0;
      const before = Date.parse(queryString(request, 'postedBefore') ?? new Date(sim.now()).toISOString());
      if (Number.isNaN(after) || Number.isNaN(before))
        throw invalidInput('postedAfter and postedBefore must be ISO 8601 date-times.');
      const marketplaceId = queryString(request, 'marketplaceId');
      const idName = queryString(request, 'relatedIdentifierName');
      const idValue = queryString(request, 'relatedIdentifierValue');
      if (idName && idName !== 'ORDER_ID')
        throw invalidInput('The simulator filters by relatedIdentifierName=ORDER_ID only.');
      const ids = [...sim.orders.values()]
        .filter((o) => o.sellerId === sellerId && (o.status === 'SHIPPED' || o.status === 'PARTIALLY_SHIPPED'))
        .filter((o) => !marketplaceId || o.marketplaceId === marketplaceId)
        .filter((o) => !idValue || o.orderId === idValue)
        .filter((o) => Date.parse(o.lastUpdatedTime) >= after && Date.parse(o.lastUpdatedTime) <= before)
        .sort((a, b) => a.lastUpdatedTime.localeCompare(b.lastUpdatedTime))
        .map((o) => o.orderId);
      cursor = { ids, offset: 0, sellerId: sellerId! };
    }
    const transactions = cursor.ids.slice(cursor.offset, cursor.offset + TRANSACTIONS_PAGE).map((orderId) => {
      const order = sim.orders.get(orderId)!;
      // Finances 2024-06-19 writes amounts as JSON numbers (BigDecimal); built from minor units, never summed as floats.
      const num = (minor: number): number => Number(decimal(minor));
      const principal = order.items.reduce((n, i) => n + i.unitPriceMinor * i.quantity, 0);
      const total = order.items.reduce((n, i) => n + itemTotalMinor(i), 0);
      const fees = -Math.round(principal * 0.15);
      return {
        sellingPartnerMetadata: {
          sellingPartnerId: order.sellerId,
          accountType: 'PAYABLE',
          marketplaceId: order.marketplaceId,
        },
        relatedIdentifiers: [{ relatedIdentifierName: 'ORDER_ID', relatedIdentifierValue: order.orderId }],
        transactionType: 'Shipment',
        transactionId: `sim-${order.orderId}`,
        transactionStatus: 'RELEASED',
        description: 'Order Payment',
        postedDate: order.lastUpdatedTime,
        totalAmount: { currencyCode: order.currency, currencyAmount: num(total + fees) },
        marketplaceDetails: {
          marketplaceId: order.marketplaceId,
          marketplaceName: marketplaceById(order.marketplaceId)?.name ?? 'Amazon',
        },
        breakdowns: [
          { breakdownType: 'Sales', breakdownAmount: { currencyCode: order.currency, currencyAmount: num(total) } },
          { breakdownType: 'Fees', breakdownAmount: { currencyCode: order.currency, currencyAmount: num(fees) } },
        ],
      };
    });
    const payload: Record<string, unknown> = { transactions };
    if (cursor.offset + TRANSACTIONS_PAGE < cursor.ids.length) {
      const token = sim.idPrng.alnum(32);
      transactionPages.set(token, { ...cursor, offset: cursor.offset + TRANSACTIONS_PAGE });
      payload.nextToken = token;
    }
    return { status: 200, body: { payload } };
  });

  defineOperation(app, sim, 'tokens.createRestrictedDataToken', ({ request, token }) => {
    const body = request.body as { restrictedResources?: unknown; targetApplication?: unknown } | undefined;
    const resources = body?.restrictedResources;
    if (!Array.isArray(resources) || resources.length < 1 || resources.length > 50)
      throw invalidInput('restrictedResources must list 1 to 50 resources.');
    for (const resource of resources as { method?: unknown; path?: unknown }[]) {
      if (
        !['GET', 'PUT', 'POST', 'DELETE'].includes(String(resource.method)) ||
        typeof resource.path !== 'string' ||
        !resource.path.startsWith('/')
      ) {
        throw invalidInput(
          'Each restricted resource needs method (GET, PUT, POST, DELETE) and a path starting with /.',
        );
      }
    }
    const rdt = `Atz.sprdt|sim.${sim.idPrng.alnum(40)}`;
    const expiresIn = 3600;
    sim.tokens.set(rdt, {
      token: rdt,
      kind: 'rdt',
      ...(token.sellerId ? { sellerId: token.sellerId } : {}),
      clientId: token.clientId,
      expiresAtMs: sim.now() + expiresIn * 1000,
    });
    return { status: 200, body: { restrictedDataToken: rdt, expiresIn } };
  });
}
