import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeShipmentConfirmations } from '../../../src/connectors/store/shipment-confirmations.ts';
import { storeWorkSightings } from '../../../src/connectors/store/work-sightings.ts';
import type { ConfirmationKey } from '../../../src/core/ports/shipment-confirmations.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { dropSchemas, freshStore, pgAvailable, type StoreKind } from '../../helpers/queue-env.ts';

/**
 * A shipment poll's writes in one statement each (issue 15), on both stores: ShipmentConfirmations.recordMany
 * (packageReferenceIds dense 1, 2, 3... per order across batches and single records; a package recorded before
 * keeps its record) and WorkSightings.noteMany (the first sighting wins); and a shipment.confirm job's claim of its
 * order's pending packages in one statement (claimPendingMany) and the hand-back of claims never sent (releaseClaims).
 */
function describePollBatch(kind: StoreKind): void {
  describe(`shipment poll batch writes on ${kind}`, () => {
    let store: Store;
    const clock = { now: () => new Date('2026-12-07T12:00:00Z') };
    const detail = {
      marketplaceId: 'M',
      carrierCode: 'UPS',
      trackingNumber: '1Z',
      shipDate: '2026-12-07T10:00:00Z',
      lines: [{ lineId: '1', quantity: 1 }],
    };
    const key = (
      amazonOrderId: string,
      shipmentKey: string,
      packageNo = '1',
      connectionId = 'c1',
    ): ConfirmationKey => ({
      connectionId,
      amazonOrderId,
      shipmentKey,
      packageNo,
    });
    beforeAll(async () => {
      store = await freshStore(kind, `${kind}:shipment-poll-batch`);
    });
    afterAll(async () => {
      await store?.close();
      if (kind === 'postgres') await dropSchemas(store.schema);
    });

    it('recordMany numbers the new packages of each order densely after its recorded ones, in one statement', async () => {
      const c = storeShipmentConfirmations(store, clock);
      // Recorded earlier, one by one (an earlier poll).
      expect((await c.record(key('A', '10'), detail)).packageReferenceId).toBe('1');
      const before = store.statements();
      const got = await c.recordMany([
        { key: key('A', '11'), detail },
        { key: key('B', '11'), detail },
        { key: key('A', '11', '2'), detail },
        { key: key('A', '12'), detail },
        { key: key('B', '12'), detail },
        { key: key('A', '11', '1', 'c2'), detail },
      ]);
      expect(store.statements() - before).toBe(1);
      expect(
        got.map((r) => [r.connectionId, r.amazonOrderId, r.shipmentKey, r.packageNo, r.packageReferenceId]),
      ).toEqual([
        ['c1', 'A', '11', '1', '2'],
        ['c1', 'B', '11', '1', '1'],
        ['c1', 'A', '11', '2', '3'],
        ['c1', 'A', '12', '1', '4'],
        ['c1', 'B', '12', '1', '2'],
        ['c2', 'A', '11', '1', '1'],
      ]);
      expect(got.every((r) => r.state === 'pending' && r.sendAttempts === 0)).toBe(true);
      expect(got[0]!.detail).toEqual(detail);
      // A later single record continues the order's numbers.
      expect((await c.record(key('A', '13'), detail)).packageReferenceId).toBe('5');
      expect((await c.listForOrder('c1', 'A')).map((r) => r.packageReferenceId)).toEqual(['1', '2', '3', '4', '5']);
    });

    it('recordMany returns a package recorded before as it stands (its record wins) and numbers only the new ones', async () => {
      const c = storeShipmentConfirmations(store, clock);
      const first = await c.recordMany([{ key: key('C', '20'), detail }]);
      await c.setState(key('C', '20'), 'confirmed');
      const got = await c.recordMany([
        { key: key('C', '21'), detail },
        { key: key('C', '20'), detail: { ...detail, trackingNumber: 'changed' } },
        { key: key('C', '22'), detail },
        // The same package twice in one batch: one record.
        { key: key('C', '21'), detail: { ...detail, trackingNumber: 'twice' } },
      ]);
      expect(first[0]!.packageReferenceId).toBe('1');
      expect(got.map((r) => [r.shipmentKey, r.packageReferenceId, r.state])).toEqual([
        ['21', '2', 'pending'],
        ['20', '1', 'confirmed'],
        ['22', '3', 'pending'],
        ['21', '2', 'pending'],
      ]);
      expect(got[1]!.detail.trackingNumber).toBe('1Z');
      expect(got[3]!.detail.trackingNumber).toBe('1Z');
      // Everything recorded already (a poll read again after a crash): the records as they stand, numbers unchanged.
      const again = await c.recordMany([
        { key: key('C', '22'), detail },
        { key: key('C', '21'), detail },
      ]);
      expect(again.map((r) => r.packageReferenceId)).toEqual(['3', '2']);
      expect((await c.listForOrder('c1', 'C')).map((r) => r.packageReferenceId)).toEqual(['1', '2', '3']);
      expect(await c.recordMany([])).toEqual([]);
    });

    it('claimPendingMany claims the listed pending packages of an order in one statement, each once across workers', async () => {
      const c = storeShipmentConfirmations(store, clock);
      await c.recordMany(['30', '31', '32', '33'].map((k) => ({ key: key('D', k), detail })));
      await c.setState(key('D', '31'), 'confirmed');
      await c.setState(key('D', '32'), 'unknown');
      const before = store.statements();
      const got = await c.claimPendingMany([key('D', '30'), key('D', '31'), key('D', '32'), key('D', 'missing')]);
      expect(store.statements() - before).toBe(1);
      // Only the pending one: the confirmed, the unknown (claimSend's, after reading the order) and the missing are left.
      expect(got.map((r) => [r.shipmentKey, r.state, r.sendAttempts, r.packageReferenceId])).toEqual([
        ['30', 'sending', 1, '1'],
      ]);
      expect((await c.get(key('D', '33')))!.state).toBe('pending');
      // Two workers claiming the same packages together: each package goes to one of them.
      const both = await Promise.all([
        c.claimPendingMany([key('D', '30'), key('D', '33')]),
        c.claimPendingMany([key('D', '33'), key('D', '30')]),
      ]);
      expect(both.flat().map((r) => r.shipmentKey)).toEqual(['33']);
      expect(await c.claimPendingMany([])).toEqual([]);
    });

    it('releaseClaims hands back a claim whose call never started, and leaves one taken over since (past the fence)', async () => {
      const c = storeShipmentConfirmations(store, clock);
      await c.recordMany(['40', '41'].map((k) => ({ key: key('E', k), detail })));
      const claims = await c.claimPendingMany([key('E', '40'), key('E', '41')]);
      expect(claims).toHaveLength(2);
      // 41's claim was taken over by another worker past the fence (the fence of 0 makes it stale at once).
      expect(await c.claimSend(key('E', '41'), -1)).toBe(true);
      await c.releaseClaims(claims);
      expect(await c.get(key('E', '40'))).toMatchObject({ state: 'pending', sendAttempts: 0 });
      expect(await c.get(key('E', '41'))).toMatchObject({ state: 'sending', sendAttempts: 2 });
      // Released: the next claim takes it again.
      expect((await c.claimPendingMany([key('E', '40')])).map((r) => r.sendAttempts)).toEqual([1]);
    });

    it('noteMany records each subject once in one statement; the first sighting wins', async () => {
      const s = storeWorkSightings(store, clock);
      expect(await s.note('c1', 'shipment', '100', 'event')).toBe(true);
      const before = store.statements();
      expect(await s.noteMany('c1', 'shipment', ['100', '101', '102', '101'], 'poll')).toBe(2);
      expect(store.statements() - before).toBe(1);
      expect(await s.noteMany('c1', 'shipment', ['101', '102'], 'event')).toBe(0);
      expect(await s.noteMany('c1', 'shipment', [], 'poll')).toBe(0);
      const rows = await store.db
        .selectFrom('work_sightings' as never)
        .select(['subject', 'first_via'] as never[])
        .where('kind' as never, '=', 'shipment' as never)
        .orderBy('subject' as never)
        .execute();
      expect(rows).toEqual([
        { subject: '100', first_via: 'event' },
        { subject: '101', first_via: 'poll' },
        { subject: '102', first_via: 'poll' },
      ]);
    });
  });
}

describePollBatch('sqlite');
// Needs PostgreSQL at SELLBRIDGE_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test); .ci/run starts it.
describe.skipIf(!(await pgAvailable()))('on PostgreSQL', () => describePollBatch('postgres'));
