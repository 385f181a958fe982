import { describe, expect, it } from 'vitest';
import { canTransition } from '../../../src/core/lifecycle.ts';
import type { OrderStatus } from '../../../src/core/model/order.ts';
import type { StatusPolicy } from '../../../src/core/rules/status-policy.ts';
import {
  SYNC_STATE_AFTER,
  orderActionFromStatus,
  type SageOrderState,
} from '../../../src/core/transform/status-map.ts';

const OPEN: SageOrderState = { status: 'open', anyShipped: false, allShipped: false };
const PART: SageOrderState = { status: 'open', anyShipped: true, allShipped: false };
const DONE: SageOrderState = { status: 'closed', anyShipped: true, allShipped: true };
const CANC: SageOrderState = { status: 'canceled', anyShipped: false, allShipped: false };
const SKIP: StatusPolicy = { fba: { mode: 'skip' } };
const FBA: StatusPolicy = { fba: { mode: 'record-shipped', warehouseId: 'FBA' } };

const kind = (status: OrderStatus, sage: SageOrderState | undefined, fba = false, policy: StatusPolicy = SKIP) =>
  orderActionFromStatus({ status, fulfilledBy: fba ? 'marketplace' : 'merchant' }, sage, policy).kind;

describe('status map: Amazon status x Sage state -> action', () => {
  it.each([
    ['pending', undefined, 'wait'],
    ['pending-availability', undefined, 'wait'],
    ['unshipped', undefined, 'create'],
    ['partially-shipped', undefined, 'create'],
    ['unshipped', OPEN, 'none'],
    ['unshipped', CANC, 'flag'],
    ['cancelled', undefined, 'skip'],
    ['unfulfillable', undefined, 'skip'],
    ['cancelled', OPEN, 'cancel'],
    ['cancelled', CANC, 'none'],
    ['cancelled', PART, 'flag'],
    ['shipped', undefined, 'flag'],
    ['shipped', OPEN, 'flag'],
    ['shipped', PART, 'flag'],
    ['shipped', DONE, 'none'],
  ] as const)('merchant %s with Sage %o -> %s', (status, sage, expected) => {
    expect(kind(status, sage)).toBe(expected);
  });

  it('FBA orders follow the policy: skip, or book them once Amazon shipped them', () => {
    expect(kind('shipped', undefined, true, SKIP)).toBe('skip');
    expect(kind('unshipped', undefined, true, SKIP)).toBe('skip');
    expect(orderActionFromStatus({ status: 'shipped', fulfilledBy: 'marketplace' }, undefined, FBA)).toEqual({
      kind: 'record-fba-shipped',
      warehouseId: 'FBA',
    });
    expect(kind('unshipped', undefined, true, FBA)).toBe('wait');
    expect(kind('pending', undefined, true, FBA)).toBe('wait');
    expect(kind('shipped', DONE, true, FBA)).toBe('none');
    // Created but not shipped yet (the booking stopped between the two): booking goes on; cancelled in Sage: a person.
    expect(kind('shipped', { status: 'open', anyShipped: false, allShipped: false }, true, FBA)).toBe(
      'record-fba-shipped',
    );
    expect(kind('shipped', { status: 'canceled', anyShipped: false, allShipped: false }, true, FBA)).toBe('flag');
    expect(kind('cancelled', undefined, true, FBA)).toBe('skip');
    expect(kind('cancelled', DONE, true, FBA)).toBe('flag');
  });
});

describe('status map and lifecycle agree', () => {
  it('every action leads to a state the lifecycle allows from received or waiting-for-pending (cancel: from created)', () => {
    for (const [kind, state] of Object.entries(SYNC_STATE_AFTER)) {
      if (state === undefined) continue;
      const from = kind === 'cancel' || kind === 'flag' ? 'created' : 'received';
      expect(canTransition(from, state), `${kind} -> ${state}`).toBe(true);
    }
    expect(canTransition('waiting-for-pending', SYNC_STATE_AFTER.create!)).toBe(true);
  });
});
