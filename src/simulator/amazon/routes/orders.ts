import type { FastifyInstance } from 'fastify';
import { defineOperation, queryList, queryString } from '../http.ts';
import { invalidInput, notFound } from '../errors.ts';
import { INCLUDED_DATA, orderToWire } from '../order-wire.ts';
import type { FulfillmentStatus, SimOrder } from '../scenario.ts';
import type { SimulatorState } from '../state.ts';

/**
 * Orders API 2026-01-01 (`searchOrders`, `getOrder`) and Orders v0 `confirmShipment` (the only v0 operation
 * Sellbridge uses; v0 reads are deprecated, sp-api-facts.md §0).
 */

const STATUSES: readonly FulfillmentStatus[] = [
  'PENDING_AVAILABILITY',
  'PENDING',
  'UNSHIPPED',
  'PARTIALLY_SHIPPED',
  'SHIPPED',
  'CANCELLED',
  'UNFULFILLABLE',
];
const FULFILLED_BY = ['MERCHANT', 'AMAZON'];
/** Amazon wants `*Before` at least two minutes in the past (sp-api-facts.md §4.1, §4.4). */
const BEFORE_LAG_MS = 2 * 60_000;
const PAGINATION_TOKEN_TTL_MS = 24 * 3_600_000;

interface PageCursor {
  readonly sellerId: string;
  readonly orderIds: readonly string[];
  readonly offset: number;
  readonly pageSize: number;
  readonly includedData: readonly string[];
  readonly expiresAtMs: number;
  readonly before: { readonly createdBefore?: string; readonly lastUpdatedBefore?: string };
}

function checkEnum(name: string, values: readonly string[] | undefined, allowed: readonly string[]): void {
  for (const v of values ?? [])
    if (!allowed.includes(v))
      throw invalidInput(`Invalid ${name} value: ${v}.`, `Allowed values: ${allowed.join(', ')}.`);
}

function parseTime(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms))
    throw invalidInput(`${name} must be an ISO 8601 date-time.`);
  return ms;
}

export function registerOrderRoutes(app: FastifyInstance, sim: SimulatorState): void {
  const cursors = new Map<string, PageCursor>();

  const page = (cursor: PageCursor): Record<string, unknown> => {
    const ids = cursor.orderIds.slice(cursor.offset, cursor.offset + cursor.pageSize);
    const orders = ids.map((id) => sim.orders.get(id)).filter((o): o is SimOrder => o !== undefined);
    const body: Record<string, unknown> = {
      orders: orders.map((o) => orderToWire(o, cursor.includedData)),
      ...cursor.before,
    };
    if (cursor.offset + cursor.pageSize < cursor.orderIds.length) {
      const token = Buffer.from(sim.idPrng.alnum(24)).toString('base64url');
      cursors.set(token, {
        ...cursor,
        offset: cursor.offset + cursor.pageSize,
        expiresAtMs: sim.now() + PAGINATION_TOKEN_TTL_MS,
      });
      body.pagination = { nextToken: token };
    }
    return body;
  };

  defineOperation(app, sim, 'orders.searchOrders', ({ request, sellerId }) => {
    const includedData = queryList(request, 'includedData') ?? [];
    checkEnum('includedData', includedData, INCLUDED_DATA);
    const paginationToken = queryString(request, 'paginationToken');
    if (paginationToken) {
      const cursor = cursors.get(paginationToken);
      if (!cursor || cursor.sellerId !== sellerId || cursor.expiresAtMs <= sim.now())
        throw invalidInput('Invalid paginationToken.', 'The token is unknown or expired (tokens last 24 hours).');
      cursors.delete(paginationToken);
      return {
        status: 200,
        body: page({ ...cursor, includedData: includedData.length ? includedData : cursor.includedData }),
      };
    }
    const createdAfter = parseTime('createdAfter', queryString(request, 'createdAfter'));
    const createdBefore = parseTime('createdBefore', queryString(request, 'createdBefore'));
    const updatedAfter = parseTime('lastUpdatedAfter', queryString(request, 'lastUpdatedAfter'));
    const updatedBefore = parseTime('lastUpdatedBefore', queryString(request, 'lastUpdatedBefore'));
    const byCreated = createdAfter !== undefined || createdBefore !== undefined;
    const byUpdated = updatedAfter !== undefined || updatedBefore !== undefined;
    if (byCreated && byUpdated)
      throw invalidInput('createdAfter/createdBefore cannot be combined with lastUpdatedAfter/lastUpdatedBefore.');
    if ((createdAfter === undefined) === (updatedAfter === undefined))
      throw invalidInput('Exactly one of createdAfter or lastUpdatedAfter must be specified.');
    const latest = sim.now() - sim.scaled(BEFORE_LAG_MS);
    for (const [name, value] of [
      ['createdBefore', createdBefore],
      ['lastUpdatedBefore', updatedBefore],
    ] as const) {
      if (value !== undefined && value > latest)
        throw invalidInput(`${name} must be at least two minutes before the time of the request.`);
    }
    const after = (createdAfter ?? updatedAfter)!;
    const before = (byCreated ? createdBefore : updatedBefore) ?? sim.now();
    if (before < after)
      throw invalidInput(
        `${byCreated ? 'createdBefore' : 'lastUpdatedBefore'} must be later than ${byCreated ? 'createdAfter' : 'lastUpdatedAfter'}.`,
      );
    const statuses = queryList(request, 'fulfillmentStatuses');
    checkEnum('fulfillmentStatuses', statuses, STATUSES);
    const fulfilledBy = queryList(request, 'fulfilledBy');
    checkEnum('fulfilledBy', fulfilledBy, FULFILLED_BY);
    const marketplaceIds = queryList(request, 'marketplaceIds');
    if (marketplaceIds && marketplaceIds.length > 50) throw invalidInput('marketplaceIds accepts at most 50 values.');
    const maxRaw = queryString(request, 'maxResultsPerPage');
    const pageSize = maxRaw === undefined ? 100 : Number(maxRaw);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100)
      throw invalidInput('maxResultsPerPage must be an integer from 1 to 100.');

    const timeOf = (o: SimOrder): number => Date.parse(byCreated ? o.createdTime : o.lastUpdatedTime);
    const matches = [...sim.orders.values()]
      .filter((o) => o.sellerId === sellerId)
      .filter((o) => !marketplaceIds || marketplaceIds.includes(o.marketplaceId))
      .filter((o) => !statuses || statuses.includes(o.status))
      .filter((o) => !fulfilledBy || fulfilledBy.includes(o.fulfilledBy))
      .filter((o) => timeOf(o) >= after && timeOf(o) <= before)
      .sort((a, b) => timeOf(a) - timeOf(b) || a.orderId.localeCompare(b.orderId));
    const beforeIso = new Date(before).toISOString();
    return {
      status: 200,
      body: page({
        sellerId: sellerId!,
        orderIds: matches.map((o) => o.orderId),
        offset: 0,
        pageSize,
        includedData,
        expiresAtMs: 0,
        before: byCreated ? { createdBefore: beforeIso } : { lastUpdatedBefore: beforeIso },
      }),
    };
  });

  defineOperation(app, sim, 'orders.getOrder', ({ request, sellerId }) => {
    const { orderId } = request.params as { orderId: string };
    const includedData = queryList(request, 'includedData') ?? [];
    checkEnum('includedData', includedData, INCLUDED_DATA);
    const order = sim.orders.get(orderId);
    if (!order || order.sellerId !== sellerId) throw notFound(`Order ${orderId} was not found.`);
    return { status: 200, body: { order: orderToWire(order, includedData) } };
  });

  defineOperation(app, sim, 'ordersV0.confirmShipment', ({ request, sellerId }) => {
    const { orderId } = request.params as { orderId: string };
    const body = request.body as Record<string, unknown> | undefined;
    const detail = body?.packageDetail as Record<string, unknown> | undefined;
    if (!body || typeof body.marketplaceId !== 'string' || !detail)
      throw invalidInput('marketplaceId and packageDetail are required.');
    for (const field of ['packageReferenceId', 'carrierCode', 'trackingNumber', 'shipDate'] as const) {
      if (typeof detail[field] !== 'string' || detail[field] === '')
        throw invalidInput(`packageDetail.${field} is required.`);
    }
    const packageReferenceId = detail.packageReferenceId as string;
    if (!/^[1-9]\d*$/.test(packageReferenceId))
      throw invalidInput(
        'packageReferenceId must be a positive number.',
        'It is seller-chosen and unique within the order.',
      );
    if (detail.carrierCode === 'Other' && !detail.carrierName)
      throw invalidInput('carrierName is required when carrierCode is Other.');
    if (Number.isNaN(Date.parse(detail.shipDate as string)))
      throw invalidInput('shipDate must be an ISO 8601 date-time.');
    const lines = detail.orderItems;
    if (!Array.isArray(lines) || lines.length === 0)
      throw invalidInput('packageDetail.orderItems must list at least one item.');
    const order = sim.orders.get(orderId);
    if (!order || order.sellerId !== sellerId) throw notFound(`Order ${orderId} was not found.`);
    if (order.marketplaceId !== body.marketplaceId)
      throw invalidInput(`Order ${orderId} does not belong to marketplace ${body.marketplaceId}.`);
    if (order.fulfilledBy !== 'MERCHANT')
      throw invalidInput(`Order ${orderId} is fulfilled by Amazon; only seller-fulfilled orders can be confirmed.`);
    if (
      order.status === 'PENDING' ||
      order.status === 'PENDING_AVAILABILITY' ||
      order.status === 'CANCELLED' ||
      order.status === 'UNFULFILLABLE'
    ) {
      throw invalidInput(`Order ${orderId} is ${order.status} and cannot be shipped.`);
    }
    // A confirmation that repeats a packageReferenceId edits that package (Amazon lets sellers correct a shipment).
    const previous = order.packages.find((p) => p.packageReferenceId === packageReferenceId);
    const shippedBefore = new Map(
      order.items.map((i) => [
        i.orderItemId,
        i.quantityShipped - (previous?.items.find((x) => x.orderItemId === i.orderItemId)?.quantity ?? 0),
      ]),
    );
    const items: { orderItemId: string; quantity: number }[] = [];
    for (const line of lines as Record<string, unknown>[]) {
      const item = order.items.find((i) => i.orderItemId === line.orderItemId);
      if (!item) throw invalidInput(`Order item ${String(line.orderItemId)} is not part of order ${orderId}.`);
      if (!Number.isInteger(line.quantity) || (line.quantity as number) < 1)
        throw invalidInput('orderItems[].quantity must be a positive integer.');
      const quantity = line.quantity as number;
      if (shippedBefore.get(item.orderItemId)! + quantity > item.quantity)
        throw invalidInput(`Quantity for order item ${item.orderItemId} exceeds the unshipped quantity.`);
      items.push({ orderItemId: item.orderItemId, quantity });
    }
    for (const item of order.items)
      item.quantityShipped =
        shippedBefore.get(item.orderItemId)! + (items.find((x) => x.orderItemId === item.orderItemId)?.quantity ?? 0);
    const pkg = {
      packageReferenceId,
      carrier: detail.carrierCode as string,
      ...(typeof detail.carrierName === 'string' ? { carrierName: detail.carrierName } : {}),
      ...(typeof detail.shippingMethod === 'string' ? { shippingService: detail.shippingMethod } : {}),
      trackingNumber: detail.trackingNumber as string,
      shipTime: new Date(Date.parse(detail.shipDate as string)).toISOString(),
      items,
    };
    if (previous) Object.assign(previous, pkg);
    else order.packages.push(pkg);
    order.status = order.items.every((i) => i.quantityShipped >= i.quantity)
      ? 'SHIPPED'
      : order.items.some((i) => i.quantityShipped > 0)
        ? 'PARTIALLY_SHIPPED'
        : 'UNSHIPPED';
    sim.touch(order);
    sim.events.emit('order-change', order, 'OrderStatusChange');
    return { status: 204 };
  });
}
