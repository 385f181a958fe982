import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeOrderLinks } from '../../../src/connectors/store/order-links.ts';
import { storeShipmentConfirmations } from '../../../src/connectors/store/shipment-confirmations.ts';
import { storeSkuAliases } from '../../../src/connectors/store/sku-aliases.ts';
import { storeWatermarks } from '../../../src/connectors/store/watermarks.ts';
import { tranNoFor } from '../../../src/connectors/sage500/tran-no.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { dropSchemas, freshStore, pgAvailable } from '../../helpers/queue-env.ts';

/**
 * `reserve` (issue 15: the moves to `mapped` and `reserved` and the TranNo claim in one write) on either store: one
 * TranNo per order under concurrent calls, a stale holder re-planned from the stored link, a re-run drawing nothing.
 */
async function reserveOnce(s: Store, conn: string): Promise<void> {
  const links = storeOrderLinks(s, clock, (n, prefix) => tranNoFor(prefix ?? 'AMZ', n));
  const key = { connectionId: conn, amazonOrderId: '111-0000051-0000051' };
  const all = await Promise.all(
    Array.from({ length: 8 }, () => links.reserve(key, undefined, { marketplaceId: 'ATVPDKIKX0DER' }, 'RZ')),
  );
  // One TranNo for all; on PostgreSQL the losers' numbers are gaps (any of them may win), on SQLite none is drawn.
  const tranNo = all[0]!.tranNo!;
  expect(new Set(all.map((l) => l.tranNo))).toEqual(new Set([tranNo]));
  if (s.dialect === 'sqlite') expect(tranNo).toBe('RZ00000001');
  expect(tranNo).toMatch(/^RZ\d{8}$/);
  expect(all.every((l) => l.state === 'reserved' && l.marketplaceId === 'ATVPDKIKX0DER')).toBe(true);
  // A re-run holding the reserved link: its TranNo kept, its fields written, no number drawn.
  const again = await links.reserve(key, all[0], { lastError: null }, 'RZ');
  expect(again).toMatchObject({ state: 'reserved', tranNo });
  // From a link the caller read before a failure was recorded: the compare-and-set misses, the link is read again.
  const failed = await links.advance(key, again, 'dead-lettered', { lastError: 'SB_MAP_SKU_UNKNOWN' });
  expect(await links.reserve(key, again, { lastError: null }, 'RZ')).toMatchObject({ state: 'reserved', tranNo });
  expect(failed.state).toBe('dead-lettered');
  // A link that got further meanwhile (created) does not go back, and keeps its TranNo.
  const created = await links.advance(key, await links.get(conn, key.amazonOrderId), 'created', { salesOrderKey: '9' });
  expect(await links.reserve(key, again, {}, 'RZ')).toMatchObject({ state: 'created', tranNo });
  expect(created.salesOrderKey).toBe('9');
  // Another order gets another number (on SQLite the next: the eight concurrent calls drew one).
  const next = await links.reserve({ connectionId: conn, amazonOrderId: '111-0000052-0000052' }, undefined, {}, 'RZ');
  expect(next.tranNo).not.toBe(tranNo);
  if (s.dialect === 'sqlite') expect(next.tranNo).toBe('RZ00000002');
}

/** The store adapters of the order flows on SQLite (migration 0005-order-links). */
let store: Store;
const clock = { now: () => new Date('2026-11-27T12:00:00Z') };
beforeAll(async () => {
  store = await freshStore('sqlite', 'flows-order-flow-store');
});
afterAll(async () => {
  await store.close();
});

describe('order flow store adapters (SQLite)', () => {
  it('reserves one TranNo per order, exactly once under concurrent calls, from a sequence per connection', async () => {
    const links = storeOrderLinks(store, clock, (n) => tranNoFor('AMZ', n));
    const same = await Promise.all(Array.from({ length: 8 }, () => links.reserveTranNo('c1', '111-0000001-0000001')));
    expect(new Set(same)).toEqual(new Set(['AMZ0000001']));
    expect(await links.reserveTranNo('c1', '111-0000002-0000002')).toBe('AMZ0000002');
    expect(await links.reserveTranNo('c2', '111-0000001-0000001')).toBe('AMZ0000001');
    expect(await links.findByTranNo('c1', 'AMZ0000002')).toMatchObject({
      amazonOrderId: '111-0000002-0000002',
      state: 'received',
    });
  });

  it('records state and fields; lastError null clears it; unknown orders are undefined', async () => {
    const links = storeOrderLinks(store, clock, (n) => tranNoFor('AMZ', n));
    await links.setState('c1', '111-0000009-0000009', 'dead-lettered', { lastError: 'SB_MAP_SKU_UNKNOWN' });
    expect(await links.get('c1', '111-0000009-0000009')).toMatchObject({
      state: 'dead-lettered',
      lastError: 'SB_MAP_SKU_UNKNOWN',
    });
    const l = await links.setState('c1', '111-0000009-0000009', 'mapped', {
      lastError: null,
      marketplaceId: 'ATVPDKIKX0DER',
    });
    expect(l.lastError).toBeUndefined();
    expect(l.marketplaceId).toBe('ATVPDKIKX0DER');
    expect(await links.get('c1', 'nope')).toBeUndefined();
  });

  it('keeps SKU aliases per connection and watermarks', async () => {
    const aliases = storeSkuAliases(store, clock);
    await aliases.setAlias('c1', 'SKU-A', 'WIDGET-RED');
    await aliases.setAlias('c1', 'SKU-A', 'WIDGET-BLUE');
    await aliases.setAlias('c2', 'SKU-B', 'MUG-LOGO');
    expect(await aliases.aliasesFor('c1')).toEqual({ 'SKU-A': 'WIDGET-BLUE' });
    const w = storeWatermarks(store, clock);
    expect(await w.get('c1', 'sage.shipments')).toBeUndefined();
    await w.set('c1', 'sage.shipments', '17');
    await w.set('c1', 'sage.shipments', '18');
    expect(await w.get('c1', 'sage.shipments')).toBe('18');
  });

  it('records each (order, shipment, package) once with packageReferenceIds 1, 2, ... per order, and counts send attempts', async () => {
    const c = storeShipmentConfirmations(store, clock);
    const detail = {
      marketplaceId: 'M',
      carrierCode: 'UPS',
      trackingNumber: '1Z',
      shipDate: '2026-11-27T10:00:00Z',
      lines: [{ lineId: '1', quantity: 1 }],
    };
    const k1 = { connectionId: 'c1', amazonOrderId: 'O1', shipmentKey: '10', packageNo: '1' };
    const k2 = { ...k1, shipmentKey: '11' };
    const a = await c.record(k1, detail);
    const again = await c.record(k1, { ...detail, trackingNumber: 'changed' });
    const b = await c.record(k2, detail);
    const other = await c.record({ ...k1, amazonOrderId: 'O2' }, detail);
    expect([a.packageReferenceId, again.packageReferenceId, b.packageReferenceId, other.packageReferenceId]).toEqual([
      '1',
      '1',
      '2',
      '1',
    ]);
    expect(again.detail.trackingNumber).toBe('1Z');
    await c.setState(k1, 'sending');
    await c.setState(k1, 'sending');
    await c.setState(k1, 'confirmed');
    expect(await c.get(k1)).toMatchObject({ state: 'confirmed', sendAttempts: 2 });
    expect((await c.listForOrder('c1', 'O1')).map((r) => r.state)).toEqual(['confirmed', 'pending']);
  });

  it('claimSend: one of several concurrent claims wins; a fresh claim holds; an unknown outcome or a claim past the fence can be taken', async () => {
    let at = Date.parse('2026-11-27T12:00:00Z');
    const moving = { now: () => new Date(at) };
    const c = storeShipmentConfirmations(store, moving);
    const detail = {
      marketplaceId: 'M',
      carrierCode: 'UPS',
      trackingNumber: '1Z',
      shipDate: '2026-11-27T10:00:00Z',
      lines: [{ lineId: '1', quantity: 1 }],
    };
    const k = { connectionId: 'c1', amazonOrderId: 'O-CLAIM', shipmentKey: '10', packageNo: '1' };
    await c.record(k, detail);
    const wins = await Promise.all(Array.from({ length: 5 }, () => c.claimSend(k, 60_000)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    at += 59_000;
    expect(await c.claimSend(k, 60_000)).toBe(false);
    at += 2_000;
    expect(await c.claimSend(k, 60_000)).toBe(true);
    await c.setState(k, 'unknown');
    expect(await c.claimSend(k, 60_000)).toBe(true);
    await c.setState(k, 'confirmed');
    expect(await c.claimSend(k, 0)).toBe(false);
    expect(await c.get(k)).toMatchObject({ state: 'confirmed', sendAttempts: 3 });
  });
});

describe('order link moves and confirmation claims in one statement (SQLite, issue 15)', () => {
  it('reserve moves the link to reserved with its TranNo in one write, exactly once', async () => {
    await reserveOnce(store, 'c-reserve');
    // A first reservation draws from the counter (an upsert) and claims (an upsert); a re-run one upsert.
    const links = storeOrderLinks(store, clock, (n) => tranNoFor('AMZ', n));
    const key = { connectionId: 'c-reserve', amazonOrderId: '111-0000053-0000053' };
    let before = store.statements();
    const first = await links.reserve(key, undefined, {});
    expect(store.statements() - before).toBe(2);
    before = store.statements();
    await links.reserve(key, first, {});
    expect(store.statements() - before).toBe(1);
    // Orders in quick succession draw numbers in growing blocks: 30 reservations, far fewer counter draws, and the
    // numbers consecutive (one process, nothing lost).
    before = store.statements();
    const burst = [];
    for (let i = 0; i < 30; i++)
      burst.push(
        await links.reserve(
          { connectionId: 'c-reserve', amazonOrderId: `111-0000054-${String(i).padStart(7, '0')}` },
          undefined,
          {},
        ),
      );
    expect(store.statements() - before).toBeLessThanOrEqual(30 + 6);
    const numbers = burst.map((l) => Number(l.tranNo!.slice(3)));
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
  });

  it('advance writes the last state of the path once, and re-plans from the stored state when the caller holds a stale link', async () => {
    const links = storeOrderLinks(store, clock, (n) => tranNoFor('AMZ', n));
    const key = { connectionId: 'c1', amazonOrderId: '111-0000031-0000031' };
    const created = await links.advance(key, undefined, 'created', { salesOrderKey: '77', adoptTranNo: 'AMZ9000031' });
    expect(created).toMatchObject({ state: 'created', salesOrderKey: '77', tranNo: 'AMZ9000031' });
    const before = store.statements();
    // created -> shipped -> confirmed: one write.
    expect(await links.advance(key, created, 'confirmed')).toMatchObject({ state: 'confirmed' });
    expect(store.statements() - before).toBe(1);
    // `created` is stale now: the compare-and-set misses, the link is read again, and nothing goes backwards.
    expect(await links.advance(key, created, 'shipped-partially')).toMatchObject({ state: 'confirmed' });
    // A stale holder whose move is still allowed from where the link stands gets it.
    const other = { connectionId: 'c1', amazonOrderId: '111-0000032-0000032' };
    const first = await links.advance(other, undefined, 'created', { adoptTranNo: 'AMZ9000032' });
    await links.advance(other, first, 'shipped-partially');
    // ...in one write when the stored state's path ends in the same one (created or shipped-partially -> confirmed).
    const before2 = store.statements();
    expect(await links.advance(other, first, 'confirmed')).toMatchObject({ state: 'confirmed' });
    expect(store.statements() - before2).toBe(1);
    // An absent link the caller thought absent but another job made: read, then moved from there.
    const third = { connectionId: 'c1', amazonOrderId: '111-0000033-0000033' };
    await links.setState(third.connectionId, third.amazonOrderId, 'mapped');
    expect(await links.advance(third, undefined, 'received')).toMatchObject({ state: 'mapped' });
    expect([...(await links.findByTranNos('c1', ['AMZ9000031', 'AMZ9000032', 'AMZ-NONE'])).keys()].sort()).toEqual([
      'AMZ9000031',
      'AMZ9000032',
    ]);
  });

  it('claimPending claims a pending record once and returns it; any other state is left to claimSend', async () => {
    const c = storeShipmentConfirmations(store, clock);
    const detail = {
      marketplaceId: 'M',
      carrierCode: 'UPS',
      trackingNumber: '1Z',
      shipDate: '2026-11-27T10:00:00Z',
      lines: [{ lineId: '1', quantity: 1 }],
    };
    const k = { connectionId: 'c1', amazonOrderId: 'O-PENDING', shipmentKey: '10', packageNo: '1' };
    expect(await c.claimPending(k)).toBeUndefined();
    await c.record(k, detail);
    const claims = await Promise.all(Array.from({ length: 4 }, () => c.claimPending(k)));
    expect(claims.filter(Boolean)).toEqual([expect.objectContaining({ state: 'sending', sendAttempts: 1 })]);
    await c.setState(k, 'unknown');
    expect(await c.claimPending(k)).toBeUndefined();
    expect(await c.get(k)).toMatchObject({ state: 'unknown', sendAttempts: 1 });
    // markConfirmed: this package confirmed, its sibling untouched, both returned in one statement.
    const sibling = { ...k, shipmentKey: '11' };
    await c.record(sibling, detail);
    const before = store.statements();
    const all = await c.markConfirmed(k);
    expect(store.statements() - before).toBe(1);
    expect(all.map((r) => [r.shipmentKey, r.state])).toEqual([
      ['10', 'confirmed'],
      ['11', 'pending'],
    ]);
    expect(await c.get(sibling)).toMatchObject({ state: 'pending', sendAttempts: 0 });
  });
});

describe('order link adoption (SQLite)', () => {
  it('adopts a TranNo found in Sage only while the link has none', async () => {
    const links = storeOrderLinks(store, clock, (n) => tranNoFor('AMZ', n));
    expect(await links.setState('c3', 'A', 'created', { adoptTranNo: 'AMZ0000042', salesOrderKey: '9' })).toMatchObject(
      { tranNo: 'AMZ0000042', salesOrderKey: '9' },
    );
    expect((await links.setState('c3', 'A', 'created', { adoptTranNo: 'AMZ0000043' })).tranNo).toBe('AMZ0000042');
    expect(await links.reserveTranNo('c3', 'A')).toBe('AMZ0000042');
  });
});

describe.skipIf(!(await pgAvailable()))('TranNo reservation on PostgreSQL (a database sequence per connection)', () => {
  let pgStore: Store;
  beforeAll(async () => {
    pgStore = await freshStore('postgres', 'flows-tran-no-sequence');
  });
  afterAll(async () => {
    await pgStore?.close();
    await dropSchemas(pgStore.schema);
  });

  it('continues after the counter an older store left, hands out distinct numbers to concurrent orders, per connection', async () => {
    // A store made before this change: the connection's counter row says 41 numbers were drawn.
    await pgStore.db
      .withTables<{ tran_no_sequences: { connection_id: string; next_value: number } }>()
      .insertInto('tran_no_sequences')
      .values({ connection_id: 'c1', next_value: 41 })
      .execute();
    // Two processes' worth of adapters (each its own cache of known sequences) reserving side by side.
    const a = storeOrderLinks(pgStore, clock, (n) => tranNoFor('AMZ', n));
    const b = storeOrderLinks(pgStore, clock, (n) => tranNoFor('AMZ', n));
    const ids = Array.from({ length: 20 }, (_, i) => `111-${String(i).padStart(7, '0')}-0000001`);
    const got = await Promise.all(ids.map((id, i) => (i % 2 ? a : b).reserveTranNo('c1', id)));
    expect(new Set(got).size).toBe(20);
    // Each adapter draws blocks of the sequence (issue 15), so the numbers are distinct and after the old counter,
    // and the two processes' blocks hold no more than the 20 orders and the blocks' unused rest (at most 31 each).
    const numbers = got.map((t) => Number(t.slice(3)));
    expect(Math.min(...numbers)).toBe(42);
    expect(Math.max(...numbers)).toBeLessThan(42 + 20 + 2 * 31);
    // Asked again, an order keeps its TranNo; another connection starts at 1.
    expect(await b.reserveTranNo('c1', ids[3]!)).toBe(got[3]);
    expect(await a.reserveTranNo('c2', ids[0]!)).toBe('AMZ0000001');
    expect(await a.findByTranNo('c1', got[5]!)).toMatchObject({ amazonOrderId: ids[5], state: 'received' });
  });

  it('reserve moves the link to reserved with its TranNo in one write, exactly once', async () => {
    await reserveOnce(pgStore, 'c-reserve');
  });
});
