import { describe, expect, it } from 'vitest';
import {
  advanceAlong,
  canTransition,
  isSyncState,
  ORDER_LIFECYCLE,
  pathTo,
  SYNC_STATES,
  type SyncState,
} from '../../../src/core/lifecycle.ts';

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
    const path: SyncState[] = [
      'received',
      'mapped',
      'reserved',
      'created',
      'shipped-partially',
      'shipped',
      'confirmed',
    ];
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
    expect(canTransition('received', 'created')).toBe(false); // never create without a reserved TranNo
    expect(canTransition('mapped', 'created')).toBe(false);
    expect(canTransition('confirmed', 'cancelled')).toBe(false);
    expect(canTransition('shipped', 'cancelled')).toBe(false); // cancelling after shipping needs a person
    expect(canTransition('dead-lettered', 'received')).toBe(true); // replay after adding an alias
    expect(canTransition('created', 'created')).toBe(false);
  });

  it('pathTo: the steps the flows record, each one a legal move', () => {
    expect(pathTo(undefined, 'mapped')).toEqual(['mapped']);
    expect(pathTo('received', 'mapped')).toEqual(['mapped']);
    expect(pathTo('reserved', 'created')).toEqual(['created']);
    expect(pathTo('created', 'mapped')).toEqual([]); // a re-run never goes back on the creation path
    expect(pathTo('reserved', 'reserved')).toEqual([]);
    expect(pathTo('dead-lettered', 'mapped')).toEqual(['received', 'mapped']); // a replay
    expect(pathTo('created', 'confirmed')).toEqual(['shipped', 'confirmed']);
    expect(pathTo('shipped-partially', 'confirmed')).toEqual(['shipped', 'confirmed']);
    expect(pathTo('created', 'shipped-partially')).toEqual(['shipped-partially']);
    expect(pathTo('shipped', 'shipped-partially')).toEqual([]);
    expect(pathTo('needs-attention', 'confirmed')).toEqual(['confirmed']);
    expect(pathTo('reserved', 'shipped-partially')).toEqual([]); // shipping starts from a created order only
    for (const from of SYNC_STATES) {
      for (const to of ['shipped-partially', 'confirmed'] as const) {
        const steps = pathTo(from, to);
        steps.forEach((s, i) => expect(canTransition(i === 0 ? from : steps[i - 1]!, s), `${from} -> ${s}`).toBe(true));
      }
    }
  });

  it('advanceAlong writes each step, the update with the last one, and returns the last link written', async () => {
    const writes: string[] = [];
    const write = async (state: SyncState, update?: string) => (
      writes.push(`${state}${update ? `+${update}` : ''}`),
      { state }
    );
    expect(await advanceAlong({ state: 'created' as SyncState }, 'confirmed', 'u', write)).toEqual({
      state: 'confirmed',
    });
    expect(writes).toEqual(['shipped', 'confirmed+u']);
    writes.length = 0;
    expect(await advanceAlong({ state: 'created' as SyncState }, 'mapped', 'u', write)).toEqual({ state: 'created' });
    expect(writes).toEqual(['created+u']); // no step: the update alone, in the current state
    writes.length = 0;
    const current = { state: 'created' as SyncState };
    expect(await advanceAlong(current, 'mapped', undefined, write)).toBe(current);
    expect(writes).toEqual([]);
  });
});
