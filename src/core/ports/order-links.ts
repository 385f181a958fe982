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
}

export interface OrderLinks {
  get(connectionId: string, amazonOrderId: string): Promise<OrderLink | undefined>;
  findByTranNo(connectionId: string, tranNo: string): Promise<OrderLink | undefined>;
  /**
   * Returns the TranNo reserved for the order, reserving the next one of the connection's sequence the first
   * time. Exactly once: a second call (a retry, a concurrent worker) returns the same TranNo and draws nothing.
   */
  reserveTranNo(connectionId: string, amazonOrderId: string): Promise<string>;
  /** Creates the link when absent and records its state (and the given fields). */
  setState(connectionId: string, amazonOrderId: string, state: SyncState, update?: OrderLinkUpdate): Promise<OrderLink>;
  /**
   * Moves the order from `current` (the link the caller holds; undefined when there is none yet) to `to` along
   * `pathTo` (core/lifecycle.ts), writes `update` with the last step (alone when there is no step), and returns
   * the link as stored: the caller threads it on instead of reading it again.
   */
  advance(key: OrderKey, current: OrderLink | undefined, to: SyncState, update?: OrderLinkUpdate): Promise<OrderLink>;
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
