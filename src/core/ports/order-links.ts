import type { SyncState } from '../lifecycle.ts';

/**
 * Sellbridge's record of one Amazon order (ARCHITECTURE.md "Exactly once into Sage 500"): its lifecycle state,
 * the Sage TranNo reserved for it before anything is created, and the Sage order once it exists. Implemented over
 * the store (`order_links`, `tran_no_sequences`); tests use an in-memory fake.
 */
export interface OrderLink {
  readonly connectionId: string;
  readonly amazonOrderId: string;
  readonly state: SyncState;
  /** Reserved before creation; unique per connection; never changes once set. */
  readonly tranNo?: string;
  /** Sage SOKey as text, once the order exists. */
  readonly salesOrderKey?: string;
  readonly marketplaceId?: string;
  /** Code of the last failure that moved the order to dead-lettered or needs-attention; ids only. */
  readonly lastError?: string;
  /** Amazon's latest ship date as order.sync last read it (the at-risk list reads it until a comparison records one). */
  readonly latestShipDate?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface OrderLinkUpdate {
  readonly salesOrderKey?: string;
  /** Adopts a TranNo found in Sage (the order exists there but the store had no reservation); ignored once one is set. */
  readonly adoptTranNo?: string;
  readonly marketplaceId?: string;
  /** `null` clears it. */
  readonly lastError?: string | null;
  /** Amazon's latest ship date (UTC ISO-8601), carried by the write order.sync makes anyway. */
  readonly latestShipDate?: string;
  /**
   * The Amazon version (LastUpdateDate) the Sage order was created from and its ship-to's digest, carried by the move
   * to `created` (OrderChanges.get answers them until a later comparison is recorded).
   */
  readonly createdFrom?: { readonly amazonUpdatedAt: string; readonly shipToDigest?: string };
}

export interface OrderLinks {
  get(connectionId: string, amazonOrderId: string): Promise<OrderLink | undefined>;
  findByTranNo(connectionId: string, tranNo: string): Promise<OrderLink | undefined>;
  /** The links of these TranNos (one read for a page of shipments), by TranNo; TranNos without one are left out. */
  findByTranNos(connectionId: string, tranNos: readonly string[]): Promise<Map<string, OrderLink>>;
  /**
   * Returns the TranNo reserved for the order, reserving the next one of the connection's sequence the first
   * time. Exactly once: a second call (a retry, a concurrent worker) returns the same TranNo and draws nothing.
   * `known`: the link as the caller just read or wrote it, so it is not read again (the reservation itself still
   * checks, atomically, that no TranNo was reserved meanwhile). `prefix`: the connection's TranNo prefix as it
   * stands now (an order-policies edit); unset, the configured one. It only shapes a TranNo drawn now.
   */
  reserveTranNo(connectionId: string, amazonOrderId: string, known?: OrderLink, prefix?: string): Promise<string>;
  /** Creates the link when absent and records its state (and the given fields). */
  setState(connectionId: string, amazonOrderId: string, state: SyncState, update?: OrderLinkUpdate): Promise<OrderLink>;
  /**
   * Moves the order from `current` (the link the caller holds; undefined when there is none yet) to `to` along
   * `pathTo` (core/lifecycle.ts), writes `update` with the last step (alone when there is no step), and returns
   * the link as stored: the caller threads it on instead of reading it again. The write is a compare-and-set on
   * `current`'s state: when the stored link moved on meanwhile (another job), it is read again and the path taken
   * from where it stands, so a stale `current` never records a move the lifecycle does not allow (a store may take a
   * stored state whose path ends in the same write directly, as that re-read would).
   */
  advance(key: OrderKey, current: OrderLink | undefined, to: SyncState, update?: OrderLinkUpdate): Promise<OrderLink>;
  /**
   * `advance(key, current, 'reserved', update)` with the TranNo reserved in the same write (issue 15: one step, one
   * write): the link never holds `reserved` without its TranNo, nor a TranNo drawn for a move that did not happen.
   * The reservation keeps reserveTranNo's rules (a TranNo once set never changes; a concurrent call keeps the first
   * one), and the move is advance's compare-and-set on `current`'s state. Returns the link as stored, `tranNo` set.
   */
  reserve(key: OrderKey, current: OrderLink | undefined, update?: OrderLinkUpdate, prefix?: string): Promise<OrderLink>;
}

export interface OrderKey {
  readonly connectionId: string;
  readonly amazonOrderId: string;
}

/** Where orders stand, for readers outside the order flow (the PII purge starts its clock when one is done). */
export interface OrderStates {
  /** State and last change of each given order Sellbridge has a link for; orders without one are left out. */
  statesOf(
    refs: readonly { readonly connectionId: string; readonly amazonOrderId: string }[],
  ): Promise<readonly OrderStateOf[]>;
}

export interface OrderStateOf {
  readonly connectionId: string;
  readonly amazonOrderId: string;
  readonly state: string;
  readonly updatedAt: string;
}
