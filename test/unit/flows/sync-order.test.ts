import { describe, expect, it } from 'vitest';
import { MappingError, SellbridgeError } from '../../../src/core/errors.ts';
import { canTransition } from '../../../src/core/lifecycle.ts';
import { DEFAULT_MAPPING_RULES } from '../../../src/core/rules/mapping-rules.ts';
import { skusOf, syncOrder } from '../../../src/flows/sync-order.ts';
import { anOrder, CONN, fakes } from './fakes.ts';

/** Every recorded move of the order is one ORDER_LIFECYCLE allows. */
function expectLegalMoves(history: readonly string[], id: string): void {
  const states = history.filter((h) => h.startsWith(`${id}:`)).map((h) => h.slice(id.length + 1));
  for (let i = 1; i < states.length; i++)
    expect(canTransition(states[i - 1] as never, states[i] as never), `${states[i - 1]} -> ${states[i]}`).toBe(true);
}

const job = (amazonOrderId = '111-0000001-0000001') => ({ connectionId: CONN, amazonOrderId });

describe('syncOrder (order.sync) with in-memory ports', () => {
  it('creates an unshipped order once: TranNo reserved before creation, link and lifecycle recorded', async () => {
    const f = fakes();
    f.amazon.orders.set('111-0000001-0000001', anOrder());
    const outcome = await syncOrder(job(), f.deps);
    expect(outcome).toEqual({ kind: 'created', tranNo: 'AMZ0000001', salesOrderKey: '5000' });
    expect(f.sage.creates).toHaveLength(1);
    expect(f.sage.creates[0]!.draft).toMatchObject({
      customerId: 'AMAZON-US',
      amazonOrderId: '111-0000001-0000001',
      warehouseId: 'MAIN',
      lines: [{ itemId: 'WIDGET-RED', quantity: 2, amazonOrderItemId: '10000000000001' }],
    });
    expect(f.links.history).toEqual([
      '111-0000001-0000001:mapped',
      '111-0000001-0000001:reserved',
      '111-0000001-0000001:created',
    ]);
    const link = await f.links.get(CONN, '111-0000001-0000001');
    expect(link).toMatchObject({
      state: 'created',
      tranNo: 'AMZ0000001',
      salesOrderKey: '5000',
      marketplaceId: 'ATVPDKIKX0DER',
    });
    const states = f.links.history.map((h) => h.split(':')[1]!);
    for (let i = 1; i < states.length; i++)
      expect(canTransition(states[i - 1] as never, states[i] as never)).toBe(true);
  });

  it('a re-run (duplicate notification, retry) creates nothing new and reserves no second TranNo', async () => {
    const f = fakes();
    f.amazon.orders.set('111-0000001-0000001', anOrder());
    await syncOrder(job(), f.deps);
    const again = await syncOrder(job(), f.deps);
    const third = await syncOrder(job(), f.deps);
    expect(again).toEqual({ kind: 'already-created', tranNo: 'AMZ0000001', salesOrderKey: '5000' });
    expect(third).toEqual(again);
    expect(f.sage.creates).toHaveLength(1);
    expect(f.links.reservations).toBe(1);
  });

  it('a crash after reservation but before the link recorded creation re-uses the reserved TranNo (Sage answers existing)', async () => {
    const f = fakes();
    f.amazon.orders.set('111-0000001-0000001', anOrder());
    // First run: Sage created the order, then the process died before the store recorded it.
    const realSet = f.links.setState.bind(f.links);
    f.links.setState = async (c, id, state, u) => {
      if (state === 'created') throw new Error('process killed');
      return realSet(c, id, state, u);
    };
    await expect(syncOrder(job(), f.deps)).rejects.toThrow('process killed');
    f.links.setState = realSet;
    // Sage is read by TranNo: it has the order, so the status map sees it as created.
    const outcome = await syncOrder(job(), f.deps);
    expect(outcome).toEqual({ kind: 'already-created', tranNo: 'AMZ0000001', salesOrderKey: '5000' });
    expect(f.links.reservations).toBe(1);
    expect(f.sage.orders.size).toBe(1);
  });

  it('a crash after reservation but before creation creates with the same TranNo', async () => {
    const f = fakes();
    f.amazon.orders.set('111-0000001-0000001', anOrder());
    const realCreate = f.sage.createSalesOrder.bind(f.sage);
    f.sage.createSalesOrder = async () => {
      throw new SellbridgeError('SB_SAGE_QUERY_FAILED', 'connection reset');
    };
    await expect(syncOrder(job(), f.deps)).rejects.toMatchObject({ kind: 'transient' });
    f.sage.createSalesOrder = realCreate;
    expect(await syncOrder(job(), f.deps)).toEqual({ kind: 'created', tranNo: 'AMZ0000001', salesOrderKey: '5000' });
    expect(f.links.reservations).toBe(1);
    // The re-run writes its fields on `reserved` and never moves back to `mapped`.
    expect(f.links.history.map((h) => h.split(':')[1])).toEqual(['mapped', 'reserved', 'reserved', 'created']);
  });

  it('an order Sage already has for the AmazonOrderId (store restored without it) is adopted, not created again', async () => {
    const f = fakes();
    f.amazon.orders.set('111-0000001-0000001', anOrder());
    await syncOrder(job(), f.deps);
    f.links.rows.clear(); // the store lost the link
    f.links.history.length = 0;
    expect(await syncOrder(job(), f.deps)).toEqual({
      kind: 'already-created',
      tranNo: 'AMZ0000001',
      salesOrderKey: '5000',
    });
    expect(f.sage.creates).toHaveLength(1);
    expect(await f.links.get(CONN, '111-0000001-0000001')).toMatchObject({
      state: 'created',
      tranNo: 'AMZ0000001',
      salesOrderKey: '5000',
    });
  });

  it('status branches: pending waits, cancelled before creation is skipped, shipped outside Sage is flagged; none creates', async () => {
    const f = fakes();
    f.amazon.orders.set('111-0000001-0000001', anOrder({ id: '111-0000001-0000001', status: 'pending' }));
    f.amazon.orders.set('111-0000002-0000002', anOrder({ id: '111-0000002-0000002', status: 'cancelled' }));
    f.amazon.orders.set('111-0000003-0000003', anOrder({ id: '111-0000003-0000003', status: 'shipped' }));
    expect(await syncOrder(job('111-0000001-0000001'), f.deps)).toMatchObject({ kind: 'waiting' });
    expect(await syncOrder(job('111-0000002-0000002'), f.deps)).toMatchObject({ kind: 'skipped' });
    expect(await syncOrder(job('111-0000003-0000003'), f.deps)).toMatchObject({ kind: 'flagged' });
    expect(f.sage.creates).toHaveLength(0);
    expect(f.links.reservations).toBe(0);
    expect((await f.links.get(CONN, '111-0000001-0000001'))!.state).toBe('waiting-for-pending');
    expect((await f.links.get(CONN, '111-0000002-0000002'))!.state).toBe('skipped');
    expect((await f.links.get(CONN, '111-0000003-0000003'))!.state).toBe('needs-attention');
  });

  it('FBA: skipped by the default policy; with record-shipped booked once in the FBA warehouse and shipped, never confirmed', async () => {
    const f = fakes();
    f.amazon.orders.set('111-0000001-0000001', anOrder({ fulfilledBy: 'marketplace', status: 'shipped' }));
    expect(await syncOrder(job(), f.deps)).toMatchObject({ kind: 'skipped' });
    const g = fakes();
    g.amazon.orders.set('111-0000001-0000001', anOrder({ fulfilledBy: 'marketplace', status: 'shipped' }));
    const rules = await g.deps.rulesFor(CONN);
    const deps = {
      ...g.deps,
      rulesFor: async () => ({ ...rules, status: { fba: { mode: 'record-shipped' as const, warehouseId: 'FBA' } } }),
    };
    // Sage goes away between the creation and the shipment: the retry finishes the booking, creating nothing twice.
    const ship = g.sage.shipSalesOrder.bind(g.sage);
    let failShip = true;
    g.sage.shipSalesOrder = async (tranNo, options) => {
      if (failShip) {
        failShip = false;
        throw new SellbridgeError('SB_SAGE_UNAVAILABLE', 'Sage is down (fake)', { retryAfterMs: 10 });
      }
      return ship(tranNo, options);
    };
    await expect(syncOrder(job(), deps)).rejects.toMatchObject({ code: 'SB_SAGE_UNAVAILABLE' });
    expect((await g.links.get(CONN, '111-0000001-0000001'))!.state).toBe('created');
    expect(await syncOrder(job(), deps)).toMatchObject({
      kind: 'fba-booked',
      tranNo: 'AMZ0000001',
      shipmentKeys: ['S-AMZ0000001'],
    });
    expect(g.sage.creates).toHaveLength(1);
    expect(g.sage.creates[0]!.draft.warehouseId).toBe('FBA');
    expect(await g.links.get(CONN, '111-0000001-0000001')).toMatchObject({ state: 'confirmed', tranNo: 'AMZ0000001' });
    // A later notification: already booked, nothing more.
    expect(await syncOrder(job(), deps)).toMatchObject({ kind: 'already-created', tranNo: 'AMZ0000001' });
    expect(g.sage.creates).toHaveLength(1);
    expect(g.sage.ships).toEqual(['AMZ0000001']);
    expect(g.amazon.confirms).toEqual([]);
  });

  it('pending then priced: waits first, creates on the next change', async () => {
    const f = fakes();
    f.amazon.orders.set('111-0000001-0000001', anOrder({ status: 'pending' }));
    await syncOrder(job(), f.deps);
    f.amazon.orders.set('111-0000001-0000001', anOrder());
    expect(await syncOrder(job(), f.deps)).toMatchObject({ kind: 'created' });
    expect(f.links.history.map((h) => h.split(':')[1])).toEqual([
      'waiting-for-pending',
      'mapped',
      'reserved',
      'created',
    ]);
  });

  it('cancelled at Amazon after creation cancels the Sage order once; a re-run changes nothing', async () => {
    const f = fakes();
    f.amazon.orders.set('111-0000001-0000001', anOrder());
    await syncOrder(job(), f.deps);
    f.amazon.orders.set('111-0000001-0000001', anOrder({ status: 'cancelled' }));
    expect(await syncOrder(job(), f.deps)).toEqual({ kind: 'cancelled', tranNo: 'AMZ0000001' });
    expect(await syncOrder(job(), f.deps)).toMatchObject({ kind: 'already-created' });
    expect(f.sage.cancels).toEqual(['AMZ0000001']);
    expect((await f.links.get(CONN, '111-0000001-0000001'))!.state).toBe('cancelled');
    expectLegalMoves(f.links.history, '111-0000001-0000001');
  });

  it('an unknown SKU throws one MappingError with every bad field and suggestions; nothing reserved; the link is dead-lettered', async () => {
    const f = fakes();
    f.amazon.orders.set(
      '111-0000001-0000001',
      anOrder({ latestShipDate: '2026-12-10T23:59:59.000Z' }, [
        { sku: 'WIDGET-REDD', quantityOrdered: 1, title: 'Widget, red' },
        { sku: 'NOPE-999', quantityOrdered: 1 },
        { sku: 'MUG-LOGO', quantityOrdered: 1 },
      ]),
    );
    const err = await syncOrder(job(), f.deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MappingError);
    const m = err as MappingError;
    expect(m.code).toBe('SB_MAP_SKU_UNKNOWN');
    expect(m.kind).toBe('mapping');
    expect(m.issues.map((i) => i.field)).toEqual(['lines[0].sku', 'lines[1].sku']);
    expect(m.issues[0]!.suggestions?.[0]).toBe('WIDGET-RED');
    expect(m.issues[0]!.suggestions!.length).toBeLessThanOrEqual(3);
    expect(m.context).toMatchObject({ amazonOrderId: '111-0000001-0000001', unknownSkus: ['WIDGET-REDD', 'NOPE-999'] });
    expect(m.message).not.toContain('Jane');
    expect(f.links.reservations).toBe(0);
    expect(await f.links.get(CONN, '111-0000001-0000001')).toMatchObject({
      state: 'dead-lettered',
      lastError: 'SB_MAP_SKU_UNKNOWN',
      // The move to dead-lettered carries the ship-by (issue 15): the order still counts among those at risk.
      latestShipDate: '2026-12-10T23:59:59.000Z',
    });
    // The operator adds aliases; the replay creates the order.
    await f.deps.aliases.setAlias(CONN, 'WIDGET-REDD', 'WIDGET-RED');
    await f.deps.aliases.setAlias(CONN, 'NOPE-999', 'GADGET-PRO');
    expect(await syncOrder(job(), f.deps)).toMatchObject({ kind: 'created', tranNo: 'AMZ0000001' });
    expect(f.sage.creates[0]!.draft.lines.filter((l) => !l.charge).map((l) => l.itemId)).toEqual([
      'WIDGET-RED',
      'GADGET-PRO',
      'MUG-LOGO',
    ]);
    expect((await f.links.get(CONN, '111-0000001-0000001'))!.lastError).toBeUndefined();
    expect(f.links.history.map((h) => h.split(':')[1])).toEqual([
      'dead-lettered',
      'received',
      'mapped',
      'reserved',
      'created',
    ]);
    expectLegalMoves(f.links.history, '111-0000001-0000001');
  });

  it('Sage unavailable surfaces as kind unavailable with retryAfterMs (the queue defers, no attempt spent) and reserves nothing', async () => {
    const f = fakes();
    f.amazon.orders.set('111-0000001-0000001', anOrder());
    f.sage.unavailable = true;
    const err = await syncOrder(job(), f.deps).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SB_SAGE_UNAVAILABLE', kind: 'unavailable', retryAfterMs: 50 });
    expect(f.links.reservations).toBe(0);
    f.sage.unavailable = false;
    expect(await syncOrder(job(), f.deps)).toMatchObject({ kind: 'created' });
  });

  it('a bad payload is SB_JOB_PAYLOAD_INVALID naming every bad field, before any I/O', async () => {
    const f = fakes();
    for (const payload of [null, 'x', [], {}, { connectionId: CONN }, { connectionId: '', amazonOrderId: 7 }]) {
      const err = (await syncOrder(payload, f.deps).catch((e: unknown) => e)) as SellbridgeError;
      expect(err.code).toBe('SB_JOB_PAYLOAD_INVALID');
      expect(err.kind).toBe('validation');
    }
    const err = (await syncOrder({ connectionId: '' }, f.deps).catch((e: unknown) => e)) as SellbridgeError;
    expect(err.context['fields']).toEqual(['connectionId', 'amazonOrderId']);
    expect(f.amazon.gets).toEqual([]);
  });

  it('a link that says created while Sage lost the order is SB_ORD_SALES_ORDER_MISSING (validation)', async () => {
    const f = fakes();
    f.amazon.orders.set('111-0000001-0000001', anOrder());
    await syncOrder(job(), f.deps);
    f.sage.orders.clear();
    await expect(syncOrder(job(), f.deps)).rejects.toMatchObject({
      code: 'SB_ORD_SALES_ORDER_MISSING',
      kind: 'validation',
    });
    expect(f.sage.creates).toHaveLength(1);
  });

  it('reads the rules with the aliases of the order’s SKUs (overrides included) in one call when the deps can (issue 15)', async () => {
    const f = fakes();
    f.amazon.orders.set(
      '111-0000001-0000001',
      anOrder({}, [
        { sku: 'widget-redd ', quantityOrdered: 1 },
        { sku: 'NOPE-999', quantityOrdered: 1 },
        { sku: 'MUG-LOGO', quantityOrdered: 1 },
      ]),
    );
    const asked: string[][] = [];
    const deps = {
      ...f.deps,
      aliases: {
        aliasesFor: async () => expect.fail('every alias of the connection read'),
        setAlias: async () => undefined,
      },
      rulesWithAliasesFor: async (connectionId: string, skus: readonly string[]) => {
        expect(connectionId).toBe(CONN);
        asked.push([...skus]);
        // What the store gives: the aliases those SKUs can match (here a normalized one).
        return { ...DEFAULT_MAPPING_RULES, skuAliases: { 'WIDGET-REDD': 'WIDGET-RED' } };
      },
    };
    const err = await syncOrder(job(), deps).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SB_MAP_SKU_UNKNOWN', context: { unknownSkus: ['NOPE-999'] } });
    expect(asked).toEqual([['widget-redd ', 'NOPE-999', 'MUG-LOGO']]);
    // The operator's replay names the SKU line 1 stands for: its aliases are read too.
    const replay = { ...job(), overrides: { 'lines[1].sku': 'GADGET-PRO' } };
    expect(await syncOrder(replay, deps)).toMatchObject({ kind: 'created', tranNo: 'AMZ0000001' });
    expect(asked[1]).toEqual(['widget-redd ', 'NOPE-999', 'MUG-LOGO', 'GADGET-PRO']);
    expect(f.sage.creates[0]!.draft.lines.filter((l) => !l.charge).map((l) => l.itemId)).toEqual([
      'WIDGET-RED',
      'GADGET-PRO',
      'MUG-LOGO',
    ]);
  });

  it('skusOf: each line SKU once, missing ones left out, override SKUs added', () => {
    const order = anOrder({}, [{ sku: 'A' }, { sku: 'A' }, { sku: undefined as never }, { sku: 'B' }]);
    expect(skusOf(order)).toEqual(['A', 'B']);
    expect(skusOf(order, { 'lines[0].sku': 'C', 'shipTo.city': 'X', customerId: 'D' })).toEqual(['A', 'B', 'C']);
  });
});
