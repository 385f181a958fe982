import type { FastifyInstance } from 'fastify';
import { defineOperation, queryList, queryString } from '../http.ts';
import { invalidInput } from '../errors.ts';
import { eventGroupOf, transactionsOfGroup, type SimFinancialGroup, type WireTransaction } from '../finances.ts';
import { settlementFromOrders } from '../settlement.ts';
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
  const transactionPages = new Map<string, { items: WireTransaction[]; offset: number; sellerId: string }>();

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
      const idName = queryString(request, 'relatedIdentifierName');
      const idValue = queryString(request, 'relatedIdentifierValue');
      if (!postedAfterRaw && !idName)
        throw invalidInput('postedAfter is required unless relatedIdentifierName is given.');
      if (idName && idName !== 'ORDER_ID' && idName !== 'FINANCIAL_EVENT_GROUP_ID')
        throw invalidInput('relatedIdentifierName filters by ORDER_ID or FINANCIAL_EVENT_GROUP_ID only.');
      if (idName && !idValue) throw invalidInput('relatedIdentifierValue is required with relatedIdentifierName.');
      const after = postedAfterRaw ? Date.parse(postedAfterRaw) : 0;
      const before = Date.parse(queryString(request, 'postedBefore') ?? new Date(sim.now() - 120_000).toISOString());
      if (Number.isNaN(after) || Number.isNaN(before))
        throw invalidInput('postedAfter and postedBefore must be ISO 8601 date-times.');
      const marketplaceId = queryString(request, 'marketplaceId');
      const status = queryString(request, 'transactionStatus');
      const named = (t: WireTransaction, name: string) =>
        (t['relatedIdentifiers'] as { relatedIdentifierName: string; relatedIdentifierValue: string }[]).find(
          (r) => r.relatedIdentifierName === name,
        )?.relatedIdentifierValue;
      const groups = [...sim.financialGroups.filter((g) => g.sellerId === sellerId), ...openGroups(sim, sellerId!)];
      const items = groups
        .filter((g) => !marketplaceId || g.file.marketplaceId === marketplaceId)
        .flatMap((g) => transactionsOfGroup(g))
        .filter((t) => {
          const posted = Date.parse(t.postedDate);
          return posted >= after && posted < before;
        })
        .filter((t) => !status || t['transactionStatus'] === status)
        .filter((t) => !idName || named(t, idName) === idValue)
        .sort((a, b) => a.postedDate.localeCompare(b.postedDate));
      cursor = { items, offset: 0, sellerId: sellerId! };
    }
    const transactions = cursor.items.slice(cursor.offset, cursor.offset + TRANSACTIONS_PAGE);
    const payload: Record<string, unknown> = { transactions };
    if (cursor.offset + TRANSACTIONS_PAGE < cursor.items.length) {
      const token = sim.idPrng.alnum(32);
      transactionPages.set(token, { ...cursor, offset: cursor.offset + TRANSACTIONS_PAGE });
      payload.nextToken = token;
    }
    return { status: 200, body: { payload } };
  });

  // Closed settlements' groups, started in the asked window, oldest first; one page (the simulator keeps few).
  defineOperation(app, sim, 'finances.listFinancialEventGroups', ({ request, sellerId }) => {
    const afterRaw = queryString(request, 'FinancialEventGroupStartedAfter');
    const beforeRaw = queryString(request, 'FinancialEventGroupStartedBefore');
    const after = afterRaw ? Date.parse(afterRaw) : 0;
    const before = beforeRaw ? Date.parse(beforeRaw) : Number.MAX_SAFE_INTEGER;
    if (Number.isNaN(after) || Number.isNaN(before))
      throw invalidInput(
        'FinancialEventGroupStartedAfter and FinancialEventGroupStartedBefore must be ISO 8601 date-times.',
      );
    const list = sim.financialGroups
      .filter((g) => g.sellerId === sellerId && g.file.startMs >= after && g.file.startMs < before)
      .sort((a, b) => a.file.startMs - b.file.startMs)
      .map(eventGroupOf);
    return { status: 200, body: { payload: { FinancialEventGroupList: list } } };
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

/**
 * The open settlement of each of the seller's marketplaces: orders shipped since its last closed settlement, as
 * Amazon shows them before the settlement closes (no SETTLEMENT_ID yet, status DEFERRED; no account-level fees).
 */
function openGroups(sim: SimulatorState, sellerId: string): SimFinancialGroup[] {
  const seller = sim.seller(sellerId);
  const endMs = sim.now();
  return seller.marketplaceIds.flatMap((marketplaceId) => {
    const closed = sim.financialGroups.filter((g) => g.sellerId === sellerId && g.file.marketplaceId === marketplaceId);
    const startMs = closed.length ? Math.max(...closed.map((g) => g.file.endMs)) : 0;
    const orders = [...sim.orders.values()]
      .filter((o) => o.sellerId === sellerId && o.marketplaceId === marketplaceId)
      .filter((o) => Date.parse(o.createdTime) > startMs && Date.parse(o.createdTime) <= endMs)
      .sort((a, b) => a.createdTime.localeCompare(b.createdTime));
    if (orders.length === 0) return [];
    const file = settlementFromOrders(orders, sim.prng.fork(`open:${sellerId}:${marketplaceId}:${startMs}`), {
      startMs: Math.max(startMs, 0),
      endMs,
    });
    const entries = file.entries.filter((e) => e.orderId !== undefined);
    if (entries.length === 0) return [];
    return [{ groupId: `open-${marketplaceId}-${startMs}`, sellerId, file: { ...file, entries } }];
  });
}
