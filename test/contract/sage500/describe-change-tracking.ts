import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sage500Gateway } from '../../../src/core/ports/sage500-gateway.ts';

/** A gateway opened with `changeTracking: { enabled: true }` on the demo company, and the powers the suite needs. */
export interface ChangeTrackingHarness {
  readonly gateway: Sage500Gateway;
  /** A Sage user adjusts stock: every bin of the item gets this quantity on hand. */
  setOnHand(itemId: string, qty: number): Promise<void>;
  /** The retention cleanup ran past every change so far (sandbox only: SQL Server cannot be told to). */
  expire?(): void;
  close(): Promise<void>;
}

/**
 * The optional change-tracking mode, run once per adapter: off until install-extensions turns it on (idempotent),
 * a first version asks for one full read, then only items whose bins changed come back, and a version older than
 * the retention asks for a full read again.
 */
export function describeChangeTracking(adapter: string, makeHarness: () => Promise<ChangeTrackingHarness>): void {
  describe(`Sage500Gateway change tracking: ${adapter}`, () => {
    let h: ChangeTrackingHarness;
    beforeEach(async () => {
      h = await makeHarness();
    });
    afterEach(async () => {
      await h.close();
    });

    it('reads only the items whose bins changed since the version, after one full read', async () => {
      await h.gateway.installExtensions();
      await h.gateway.installExtensions(); // idempotent
      const first = await h.gateway.stockChangesSince(undefined);
      expect(first).toMatchObject({ tracking: 'full', reason: 'first' });
      const v0 = (first as { version: string }).version;
      expect(await h.gateway.stockChangesSince(v0)).toEqual({ tracking: 'changes', version: v0, itemIds: [] });
      await h.setOnHand('WIDGET-BLUE', 17);
      const next = await h.gateway.stockChangesSince(v0);
      expect(next).toMatchObject({ tracking: 'changes', itemIds: ['WIDGET-BLUE'] });
      const v1 = (next as { version: string }).version;
      expect(Number(v1)).toBeGreaterThan(Number(v0));
      expect(await h.gateway.stockChangesSince(v1)).toMatchObject({ tracking: 'changes', itemIds: [] });
      // The change is visible through the stock view the sync reads.
      const [blue] = await h.gateway.getStock(['WIDGET-BLUE'], ['MAIN']);
      expect(blue?.onHand).toBe(17);
    });

    it('a version older than the retention asks for one full read', async (ctx) => {
      if (!h.expire) return ctx.skip();
      await h.gateway.installExtensions();
      const first = (await h.gateway.stockChangesSince(undefined)) as { version: string };
      await h.setOnHand('WIDGET-RED', 3);
      h.expire();
      const after = await h.gateway.stockChangesSince(first.version);
      expect(after).toMatchObject({ tracking: 'full', reason: 'expired' });
      const v = (after as { version: string }).version;
      expect(await h.gateway.stockChangesSince(v)).toMatchObject({ tracking: 'changes', itemIds: [] });
    });
  });
}
