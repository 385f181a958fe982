import type { OrderKey } from './order-links.ts';

/** One line of a Sage order keyed by hand, matched to the Amazon line it fulfils. */
export interface HandLinkLine {
  readonly itemId: string;
  readonly amazonOrderItemId: string;
  readonly quantity: number;
}

/**
 * An Amazon order linked by an operator to a Sage sales order keyed by hand (`sellbridge orders link`): the Sage
 * order carries no Sellbridge extension rows, so the line map lives here and the shipment poll reads it.
 */
export interface HandLink {
  readonly connectionId: string;
  readonly amazonOrderId: string;
  readonly tranNo: string;
  readonly salesOrderKey: string;
  readonly marketplaceId?: string;
  readonly lines: readonly HandLinkLine[];
  /** Linked with `--force` although lines or total differed (the differences are in the audit log). */
  readonly forced: boolean;
  readonly linkedBy: string;
  readonly linkedAt: string;
}

export interface HandLinks {
  /**
   * Records the link and moves the order's link to `created` with the Sage TranNo and SOKey (replacing a TranNo that
   * was reserved but never used), in one transaction.
   */
  record(link: Omit<HandLink, 'linkedAt'>): Promise<HandLink>;
  get(key: OrderKey): Promise<HandLink | undefined>;
  /** The hand links of these Sage TranNos (the shipment poll's line map). */
  byTranNos(connectionId: string, tranNos: readonly string[]): Promise<ReadonlyMap<string, HandLink>>;
}
