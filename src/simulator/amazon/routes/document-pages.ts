import type { FastifyRequest } from 'fastify';
import { queryList, queryString } from '../http.ts';
import { invalidInput } from '../errors.ts';
import type { SimulatorState } from '../state.ts';

/** A page cursor behind a nextToken: the ids matched by the first call, and where the next page starts. */
export interface PageCursor {
  ids: string[];
  offset: number;
  pageSize: number;
  sellerId: string;
}

interface ListedDocument {
  readonly sellerId: string;
  readonly processingStatus: string;
  readonly marketplaceIds: readonly string[];
  readonly createdTime: string;
}

export interface DocumentListSpec<T extends ListedDocument> {
  /** Query parameter of the type filter: `feedTypes` or `reportTypes`. */
  readonly typesParam: string;
  /** Response property of the list: `feeds` or `reports`. */
  readonly listKey: string;
  readonly documents: () => Iterable<T>;
  readonly typeOf: (d: T) => string;
  readonly idOf: (d: T) => string;
  readonly byId: (id: string) => T;
  readonly toWire: (d: T) => unknown;
  readonly retentionMs: number;
}

/**
 * getFeeds and getReports page the same way (Feeds and Reports 2021-06-30): a first call with 1 to 10 types and
 * optional status, marketplace and creation-time filters, newest first; later calls with nextToken only.
 */
export function listDocumentsPage<T extends ListedDocument>(
  request: FastifyRequest,
  sellerId: string | undefined,
  sim: SimulatorState,
  pages: Map<string, PageCursor>,
  spec: DocumentListSpec<T>,
): { status: number; body: Record<string, unknown> } {
  const nextToken = queryString(request, 'nextToken');
  let cursor: PageCursor;
  if (nextToken) {
    const found = pages.get(nextToken);
    if (!found || found.sellerId !== sellerId) throw invalidInput('Invalid nextToken.');
    pages.delete(nextToken);
    cursor = found;
  } else {
    const types = queryList(request, spec.typesParam);
    if (!types || types.length < 1 || types.length > 10)
      throw invalidInput(`${spec.typesParam} (1 to 10) or nextToken is required.`);
    const statuses = queryList(request, 'processingStatuses');
    const marketplaceIds = queryList(request, 'marketplaceIds');
    const pageSize = Number(queryString(request, 'pageSize') ?? 10);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100)
      throw invalidInput('pageSize must be an integer from 1 to 100.');
    const since = Date.parse(
      queryString(request, 'createdSince') ?? new Date(sim.now() - spec.retentionMs).toISOString(),
    );
    const until = Date.parse(queryString(request, 'createdUntil') ?? new Date(sim.now()).toISOString());
    if (Number.isNaN(since) || Number.isNaN(until))
      throw invalidInput('createdSince and createdUntil must be ISO 8601 date-times.');
    const ids = [...spec.documents()]
      .filter((d) => d.sellerId === sellerId && types.includes(spec.typeOf(d)))
      .filter((d) => !statuses || statuses.includes(d.processingStatus))
      .filter((d) => !marketplaceIds || d.marketplaceIds.some((m) => marketplaceIds.includes(m)))
      .filter((d) => Date.parse(d.createdTime) >= since && Date.parse(d.createdTime) <= until)
      // Past the retention Amazon no longer lists a document, whatever createdSince asks for.
      .filter((d) => Date.parse(d.createdTime) >= sim.now() - spec.retentionMs)
      .sort((a, b) => b.createdTime.localeCompare(a.createdTime) || spec.idOf(b).localeCompare(spec.idOf(a)))
      .map(spec.idOf);
    cursor = { ids, offset: 0, pageSize, sellerId: sellerId! };
  }
  const body: Record<string, unknown> = {
    [spec.listKey]: cursor.ids
      .slice(cursor.offset, cursor.offset + cursor.pageSize)
      .map((id) => spec.toWire(spec.byId(id))),
  };
  if (cursor.offset + cursor.pageSize < cursor.ids.length) {
    const token = sim.idPrng.alnum(32);
    pages.set(token, { ...cursor, offset: cursor.offset + cursor.pageSize });
    body['nextToken'] = token;
  }
  return { status: 200, body };
}
