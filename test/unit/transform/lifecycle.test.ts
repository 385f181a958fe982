import { describe, expect, it } from 'vitest';
import { canTransition, isSyncState, ORDER_LIFECYCLE, SYNC_STATES, type SyncState } from '../../../src/core/lifecycle.ts';

describe('order lifecycle (states as data)', () => {
  it('names only known states, never itself, and terminal states move only by a replay', () => {
    for (const state of SYNC_STATES) {
      const info = ORDER_LIFECYCLE[state];
      expect(info.description.length).toBeGreaterThan(10);
      for (const next of info.next) {
        expect(isSyncState(next)).toBe(true);
        expect(next).not.toBe(state);
      }
      if (info.terminal) expect(info.next.filter((n) => n !== 'received')).toEqual([]);
    }
  });

  it('reaches every state from received, and a terminal state from every state', () => {
    const reach = (from: SyncState): Set<SyncState> => {
      const seen = new Set<SyncState>([from]);
      const todo = [from];
      while (todo.length > 0) {
        for (const n of ORDER_LIFECYCLE[todo.pop()!].next) {
          if (!seen.has(n)) {
            seen.add(n);
            todo.push(n);
          }
        }
      }
      return seen;
    };
    expect([...reach('received')].sort()).toEqual([...SYNC_STATES].sort());
    for (const s of SYNC_STATES) expect([...reach(s)].some((r) => ORDER_LIFECYCLE[r].terminal)).toBe(true);
  });

  it('allows the happy path and forbids shortcuts', () => {
    const path: SyncState[] = ['received', 'mapped', 'reserved', 'created', 'shipped-partially', 'shipped', 'confirmed'];
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
    expect(canTransition('received', 'created')).toBe(false); // never create without a reserved TranNo
    expect(canTransition('mapped', 'created')).toBe(false);
    expect(canTransition('confirmed', 'cancelled')).toBe(false);
    expect(canTransition('shipped', 'cancelled')).toBe(false); // cancelling after shipping needs a person
    expect(canTransition('dead-lettered', 'received')).toBe(true); // replay after adding an alias
    expect(canTransition('created', 'created')).toBe(false);
  });
});
