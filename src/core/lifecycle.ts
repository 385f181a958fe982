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

/** The creation path in lifecycle order: a re-run never records a step the order has already passed. */
export const CREATION_PATH: readonly SyncState[] = ['received', 'waiting-for-pending', 'mapped', 'reserved', 'created'];
/** The shipping path in lifecycle order (`confirmed` is reached through `shipped`). */
export const SHIPPING_PATH: readonly SyncState[] = ['created', 'shipped-partially', 'shipped', 'confirmed'];

/**
 * The states to record, in order, to move an order from `from` (undefined: no link yet) to `to` along
 * ORDER_LIFECYCLE's moves:
 * - none when it is in `to` already, or passed it on the creation or shipping path (a re-run after a crash);
 * - to a shipping state only from the shipping path or `needs-attention`, through one state when no move is direct
 *   (`created` -> `shipped` -> `confirmed`);
 * - from a state that only leads back to `received` (dead-lettered after a replay, skipped, needs-attention),
 *   through `received` first.
 */
export function pathTo(from: SyncState | undefined, to: SyncState): SyncState[] {
  if (from === undefined) return [to];
  const passed = (path: readonly SyncState[]) =>
    path.includes(from) && path.includes(to) && path.indexOf(from) > path.indexOf(to);
  if (from === to || passed(CREATION_PATH) || passed(SHIPPING_PATH)) return [];
  if (to !== 'created' && SHIPPING_PATH.includes(to)) {
    if (!SHIPPING_PATH.includes(from) && from !== 'needs-attention') return [];
    if (canTransition(from, to)) return [to];
    const via = ORDER_LIFECYCLE[from].next.find((m) => canTransition(m, to));
    return via ? [via, to] : [];
  }
  if (canTransition(from, to)) return [to];
  return canTransition(from, 'received') ? ['received', to] : [to];
}

/**
 * Records the steps of `pathTo(current.state, to)` with `write`, `update` going with the last step (or alone, in
 * the current state, when there is no step), and returns what the last write returned (`current` when nothing was
 * written). The one way an OrderLinks implementation advances a link.
 */
export async function advanceAlong<L extends { readonly state: SyncState }, U>(
  current: L | undefined,
  to: SyncState,
  update: U | undefined,
  write: (state: SyncState, update?: U) => Promise<L>,
): Promise<L> {
  const steps = pathTo(current?.state, to);
  if (steps.length === 0) return current && update !== undefined ? write(current.state, update) : current!;
  let link = current;
  for (const [i, state] of steps.entries())
    link = await (i === steps.length - 1 && update !== undefined ? write(state, update) : write(state));
  return link!;
}
