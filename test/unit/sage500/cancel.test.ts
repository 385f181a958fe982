import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { LINE_STATUS } from '../../../src/connectors/sage500/tables.ts';
import { money } from '../../../src/core/model/money.ts';
import type { SalesOrderDraft } from '../../../src/core/model/sales-order.ts';

const draft = (amazonOrderId: string): SalesOrderDraft => ({
  customerId: 'AMAZON-US',
  amazonOrderId,
  orderDate: '2026-11-20T10:00:00Z',
  currency: 'USD',
  warehouseId: 'MAIN',
  lines: [
    {
      lineNo: 1,
      itemId: 'WIDGET-RED',
      quantity: 3,
      unitPrice: money('USD', 1999),
      amazonOrderItemId: '11111111111111',
    },
    { lineNo: 2, itemId: 'AMZ-TAX', quantity: 1, unitPrice: money('USD', 312), glAccountNo: '2300-00' },
  ],
});

let gw: SandboxGateway;
beforeEach(async () => {
  gw = await createSandboxGateway({ path: ':memory:', clock: { now: () => new Date('2026-11-20T16:00:00Z') } });
});
afterEach(async () => {
  await gw.close();
});

const available = async () => (await gw.getStock(['WIDGET-RED'], ['MAIN']))[0]!.available;

describe("cancelSalesOrder does what Sage's cancel does (review §3 item 11)", () => {
  it('closes lines and distributions and releases the committed stock, in one step with the header', async () => {
    const before = await available();
    const { order } = await gw.createSalesOrder(draft('111-0000000-0000001'), { tranNo: 'AZ00000101' });
    expect(await available()).toBe(before - 3);
    expect((await gw.cancelSalesOrder(order.tranNo)).status).toBe('canceled');
    expect(await available()).toBe(before);
    const key = Number(order.key);
    const lines = await gw.db
      .selectFrom('tsoSOLine')
      .select(['Status', 'UpdateCounter'])
      .where('SOKey', '=', key)
      .execute();
    expect(lines).toEqual([
      { Status: LINE_STATUS.closed, UpdateCounter: 1 },
      { Status: LINE_STATUS.closed, UpdateCounter: 1 },
    ]);
    const dists = await gw.db
      .selectFrom('tsoSOLineDist as d')
      .innerJoin('tsoSOLine as l', 'l.SOLineKey', 'd.SOLineKey')
      .select(['d.Status', 'd.QtyOpenToShip'])
      .where('l.SOKey', '=', key)
      .execute();
    expect(dists).toEqual([
      { Status: LINE_STATUS.closed, QtyOpenToShip: 0 },
      { Status: LINE_STATUS.closed, QtyOpenToShip: 0 },
    ]);
    // Idempotent: a second cancel changes nothing, stock included.
    expect((await gw.cancelSalesOrder(order.tranNo)).status).toBe('canceled');
    expect(await available()).toBe(before);
  });

  it('refuses an order on a pick list or pending shipment, though nothing shipped yet', async () => {
    const { order } = await gw.createSalesOrder(draft('111-0000000-0000002'), { tranNo: 'AZ00000102' });
    const line = await gw.db
      .selectFrom('tsoSOLine')
      .select(['SOLineKey', 'ItemKey'])
      .where('SOKey', '=', Number(order.key))
      .where('SOLineNo', '=', 1)
      .executeTakeFirstOrThrow();
    await gw.db
      .insertInto('tsoShipLine')
      .values({ ShipLineKey: 9901, ShipKey: 9900, SOLineKey: line.SOLineKey, ItemKey: line.ItemKey, ShipDate: null })
      .execute();
    await expect(gw.cancelSalesOrder(order.tranNo)).rejects.toMatchObject({
      code: 'SB_SAGE_ORDER_NOT_CANCELABLE',
      message: expect.stringContaining('pick list or shipment'),
    });
    expect((await gw.findSalesOrder({ tranNo: order.tranNo }))!.status).toBe('open');
  });
});

describe('order readback (review §3 item 12)', () => {
  it('keeps a line whose distribution has no warehouse (a misc or charge line), so the totals still reconcile', async () => {
    const { order } = await gw.createSalesOrder(draft('111-0000000-0000003'), { tranNo: 'AZ00000103' });
    const tax = await gw.db
      .selectFrom('tsoSOLine')
      .select('SOLineKey')
      .where('SOKey', '=', Number(order.key))
      .where('SOLineNo', '=', 2)
      .executeTakeFirstOrThrow();
    await gw.db.updateTable('tsoSOLineDist').set({ WhseKey: null }).where('SOLineKey', '=', tax.SOLineKey).execute();
    const read = (await gw.findSalesOrder({ tranNo: order.tranNo }))!;
    expect(read.lines.map((l) => [l.itemId, l.warehouseId, l.amount])).toEqual([
      ['WIDGET-RED', 'MAIN', money('USD', 5997)],
      ['AMZ-TAX', '', money('USD', 312)],
    ]);
    expect(read.total).toEqual(money('USD', 6309));
  });
});
