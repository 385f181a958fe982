/**
 * Order sync states and the moves allowed between them, as data (STYLE.md §8.3, after Vendure's order
 * process). The flow, the store, `sellbridge orders status` and the dashboard read this one map.
 */

export const SYNC_STATES = [
  'received',
  'waiting-for-pending',
  'mapped',
  'reserved',
  'created',
  'shipped-partially',
  'shipped',
  'confirmed',
  'cancelled',
  'skipped',
  'needs-attention',
  'dead-lettered',
] as const;

export type SyncState = (typeof SYNC_STATES)[number];

export interface SyncStateInfo {
  readonly description: string;
  /** No automatic move leaves a terminal state (a person may still replay). */
  readonly terminal: boolean;
  readonly next: readonly SyncState[];
}

export const ORDER_LIFECYCLE: Readonly<Record<SyncState, SyncStateInfo>> = {
  received: {
    description: 'A notification or the polling safety net named the order; it is queued to be read.',
    terminal: false,
    next: ['waiting-for-pending', 'mapped', 'skipped', 'needs-attention', 'dead-lettered'],
  },
  'waiting-for-pending': {
    description: 'Amazon has not priced the order yet (Pending); it is read again on its next change.',
    terminal: false,
    next: ['mapped', 'skipped', 'needs-attention', 'dead-lettered'],
  },
  mapped: {
    description: 'The Sage draft was built: every SKU, address field and amount mapped.',
    terminal: false,
    next: ['reserved', 'skipped', 'needs-attention', 'dead-lettered'],
  },
  reserved: {
    description: 'A Sage TranNo is reserved in the store; creation may run (and re-run) safely.',
    terminal: false,
    next: ['created', 'skipped', 'needs-attention', 'dead-lettered'],
  },
  created: {
    description: 'The Sage sales order exists (open, or booked in the FBA warehouse).',
    terminal: false,
    next: ['shipped-partially', 'shipped', 'cancelled', 'needs-attention'],
  },
  'shipped-partially': {
    description: 'Sage shipped part of the order; shipped packages are confirmed to Amazon one by one.',
    terminal: false,
    next: ['shipped', 'needs-attention'],
  },
  shipped: {
    description: 'Sage shipped everything; confirmations to Amazon are under way.',
    terminal: false,
    next: ['confirmed', 'needs-attention'],
  },
  confirmed: {
    description: 'Every package is confirmed to Amazon (or Amazon shipped it itself): done.',
    terminal: true,
    next: [],
  },
  cancelled: {
    description: 'Cancelled at Amazon after creation; the Sage order was cancelled too.',
    terminal: true,
    next: [],
  },
  skipped: {
    description: 'Nothing to create by policy: cancelled before creation, or FBA with fba mode skip.',
    terminal: true,
    next: ['received'],
  },
  'needs-attention': {
    description: 'A person must decide (e.g. shipped at Amazon but not in Sage, cancelled after shipping).',
    terminal: false,
    next: ['received', 'skipped', 'cancelled', 'confirmed'],
  },
  'dead-lettered': {
    description: 'Bad data (unknown SKU, address that does not fit...); replay after fixing the mapping.',
    terminal: false,
    next: ['received', 'skipped'],
  },
};

/** Whether `from -> to` is an allowed move. Staying in the same state is not a move. */
export function canTransition(from: SyncState, to: SyncState): boolean {
  return ORDER_LIFECYCLE[from].next.includes(to);
}

export function isSyncState(value: string): value is SyncState {
  return (SYNC_STATES as readonly string[]).includes(value);
}
