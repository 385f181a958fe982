import type { Inbox } from '../runtime/inbox/inbox.ts';

/** What routing needs of a connection: its id, seller, marketplaces and the inbox that runs its handlers. */
export interface RoutedConnection {
  readonly id: string;
  readonly sellerId: string | undefined;
  readonly marketplaceIds: readonly string[];
  readonly inbox: Inbox;
}

const MAX_DEPTH = 8;

/** The first value of one of `keys` found in the document (breadth first, bounded depth): SellerId, MarketplaceId. */
export function findField(document: unknown, keys: readonly string[]): string | undefined {
  let level: unknown[] = [document];
  for (let depth = 0; depth < MAX_DEPTH && level.length > 0; depth++) {
    const next: unknown[] = [];
    for (const node of level) {
      if (typeof node !== 'object' || node === null) continue;
      if (Array.isArray(node)) {
        next.push(...node);
        continue;
      }
      const record = node as Record<string, unknown>;
      for (const k of keys) if (typeof record[k] === 'string' && record[k] !== '') return record[k];
      next.push(...Object.values(record));
    }
    level = next;
  }
  return undefined;
}

/**
 * One SQS queue (or webhook) shared by several connections (issue 21): each notification goes to the connection of
 * its SellerId (and, when two connections have that seller, of its MarketplaceId), into that connection's inbox
 * with its id. With one connection on the queue everything is that connection's, as before. A notification no
 * connection claims is kept `rejected` with the reason (nothing lost; `sellbridge notifications` shows it).
 */
export function routingInbox(base: Inbox, connections: () => readonly RoutedConnection[]): Inbox {
  return {
    ...base,
    async accept(entry, then) {
      const candidates = connections();
      if (candidates.length === 1)
        return candidates[0]!.inbox.accept({ ...entry, connectionId: candidates[0]!.id }, then);
      let document: unknown;
      try {
        document = JSON.parse(entry.payload);
      } catch {
        document = undefined;
      }
      const sellerId = findField(document, ['SellerId', 'sellerId', 'SellingPartnerId', 'sellingPartnerId']);
      const marketplaceId = findField(document, ['MarketplaceId', 'marketplaceId']);
      const bySeller = candidates.filter((c) => sellerId !== undefined && c.sellerId === sellerId);
      const target =
        bySeller.length > 1
          ? (bySeller.find((c) => marketplaceId !== undefined && c.marketplaceIds.includes(marketplaceId)) ??
            bySeller[0])
          : bySeller[0];
      if (target) return target.inbox.accept({ ...entry, connectionId: target.id }, then);
      return base.accept(
        {
          ...entry,
          status: 'rejected',
          connectionId: null,
          error: `SB_CONNECTION_NOT_FOUND: no connection on this queue has SellerId ${sellerId ?? '(none in the notification)'}${marketplaceId ? ` and marketplace ${marketplaceId}` : ''} (connections: ${candidates.map((c) => c.id).join(', ') || 'none'})`,
        },
        then,
      );
    },
  };
}
