import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MappingError, SellbridgeError } from '../../../src/core/errors.ts';
import { money } from '../../../src/core/model/money.ts';
import type { SalesOrderDraft } from '../../../src/core/model/sales-order.ts';
import type { Sage500Gateway } from '../../../src/core/ports/sage500-gateway.ts';

/** A clock the suite moves by hand (tests never sleep). */
export class ManualClock {
  #now: number;
  constructor(iso: string) {
    this.#now = Date.parse(iso);
  }
  now(): Date {
    return new Date(this.#now);
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}

/** What an adapter runner gives the suite. Optional hooks are sandbox powers; tests needing them skip elsewhere. */
export interface Sage500Harness {
  readonly gateway: Sage500Gateway;
  readonly clock: ManualClock;
  /** Rows left in StgSalesOrder, StgSOLine and tdmMigrationLogWrk (all sessions). */
  stagingRowCount(): Promise<number>;
  /** tsoSalesOrder rows with this TranNo. */
  salesOrderRowCount(tranNo: string): Promise<number>;
  /** Ships due orders (warehouse simulator). */
  shipDueOrders?(): Promise<number>;
  /** Makes the gateway unavailable for a while (fault injection). */
  injectUnavailable?(ms: number): void;
  close(): Promise<void>;
}

/**
 * The contract every Sage500Gateway passes (STYLE.md §8.7), run once per adapter. It expects the demo company
 * of `sandbox/seed.ts` (the SQL Server runner seeds the same rows into a test company).
 */
export function describeSage500Gateway(adapter: string, makeHarness: () => Promise<Sage500Harness>): void {
  describe(`Sage500Gateway contract: ${adapter}`, () => {
    let h: Sage500Harness;
    let seq = 0;
    beforeEach(async () => {
      h = await makeHarness();
    });
    afterEach(async () => {
      await h.close();
    });
    // Unique per run as well, so a suite run twice against the same SQL Server database does not collide.
    const run = Date.now().toString(36).slice(-5).toUpperCase();
    const runDigits = String(Date.now()).slice(-7);
    const tranNo = () => `Z${run}${String(++seq).padStart(4, '0')}`;
    const draft = (over: Partial<SalesOrderDraft> = {}): SalesOrderDraft => ({
      customerId: 'AMAZON-US',
      amazonOrderId: `111-${runDigits}-${String(seq).padStart(7, '0')}`,
      marketplaceId: 'ATVPDKIKX0DER',
      orderDate: '2026-11-20T15:04:05.000Z',
      currency: 'USD',
      warehouseId: 'MAIN',
      shipMethodId: 'UPS-GND',
      shipTo: {
        name: 'J. Doe',
        lines: ['1 Main St'],
        city: 'Springfield',
        region: 'IL',
        postalCode: '62701',
        countryId: 'USA',
      },
      customerPoNo: '1234567-1234567',
      freight: money('USD', 499),
      lines: [
        {
          lineNo: 1,
          itemId: 'WIDGET-RED',
          quantity: 2,
          unitPrice: money('USD', 1999),
          amazonOrderItemId: '12345678901234',
          sellerSku: 'AMZ-RED-WIDGET',
        },
        {
          lineNo: 2,
          itemId: 'CABLE-USB-C',
          quantity: 1,
          unitPrice: money('USD', 949),
          amazonOrderItemId: '12345678901235',
        },
      ],
      ...over,
    });

    it('reports health', async () => {
      expect(await h.gateway.health()).toMatchObject({ ok: true });
    });

    it('resolves items by ItemID, alias and UPC, and lists what it cannot find', async () => {
      const { items, unknown } = await h.gateway.resolveItems([
        'WIDGET-RED',
        'AMZ-RED-WIDGET',
        '012345678905',
        'NO-SUCH-SKU',
      ]);
      expect(items.map((i) => [i.query, i.itemId, i.matchedBy])).toEqual([
        ['WIDGET-RED', 'WIDGET-RED', 'item-id'],
        ['AMZ-RED-WIDGET', 'WIDGET-RED', 'alias'],
        ['012345678905', 'GADGET-PRO', 'upc'],
      ]);
      expect(items[0]).toMatchObject({
        description: 'Widget, red',
        stockUnit: 'Each',
        weight: 0.5,
        upc: '012345678912',
      });
      expect(unknown).toEqual(['NO-SUCH-SKU']);
    });

    it('lists active items (ItemID, description, UPC) for suggestions, filtered by text and limited', async () => {
      const all = await h.gateway.listItems();
      expect(all.map((i) => i.itemId)).toEqual([
        'AMZ-CHARGE',
        'AMZ-FREIGHT',
        'AMZ-GIFTWRAP',
        'AMZ-MF-TAX',
        'AMZ-PROMO',
        'AMZ-ROUNDING',
        'AMZ-TAX',
        'CABLE-USB-C',
        'GADGET-PRO',
        'MUG-LOGO',
        'WIDGET-BLUE',
        'WIDGET-RED',
      ]);
      expect(all.find((i) => i.itemId === 'GADGET-PRO')).toEqual({
        itemId: 'GADGET-PRO',
        description: 'Gadget Pro',
        upc: '012345678905',
      });
      // By ItemID, description (any case) or UPC; the limit keeps the first by ItemID.
      expect((await h.gateway.listItems({ text: 'widget' })).map((i) => i.itemId)).toEqual([
        'WIDGET-BLUE',
        'WIDGET-RED',
      ]);
      expect((await h.gateway.listItems({ text: 'usb-c cable' })).map((i) => i.itemId)).toEqual(['CABLE-USB-C']);
      expect((await h.gateway.listItems({ text: '8912' })).map((i) => i.itemId)).toEqual(['WIDGET-RED']);
      expect((await h.gateway.listItems({ text: 'widget', limit: 1 })).map((i) => i.itemId)).toEqual(['WIDGET-BLUE']);
      // LIKE wildcards in the text are matched literally: "_" is not "any character".
      expect(await h.gateway.listItems({ text: 'WIDGET_RED' })).toEqual([]);
      expect(await h.gateway.listItems({ text: '%' })).toEqual([]);
    });

    it('resolves warehouses and leaves unknown ones out', async () => {
      expect(await h.gateway.resolveWarehouses(['EAST', 'MAIN', 'NOPE'])).toEqual([
        { warehouseId: 'EAST', description: 'East coast warehouse' },
        { warehouseId: 'MAIN', description: 'Main warehouse' },
      ]);
    });

    it('resolves customers with status, hold and currency, and ship methods; unknown ones are left out', async () => {
      expect(await h.gateway.resolveCustomers(['AMAZON-US', 'AMAZON-UK', 'AMAZON-HOLD', 'NOPE'])).toEqual([
        {
          customerId: 'AMAZON-HOLD',
          name: 'Amazon test customer on hold',
          status: 'active',
          onHold: true,
          currency: 'USD',
        },
        { customerId: 'AMAZON-UK', name: 'Amazon.co.uk marketplace', status: 'active', onHold: false, currency: 'GBP' },
        { customerId: 'AMAZON-US', name: 'Amazon.com marketplace', status: 'active', onHold: false, currency: 'USD' },
      ]);
      expect(await h.gateway.resolveCustomers([])).toEqual([]);
      expect(await h.gateway.resolveShipMethods(['USPS-PRI', 'UPS-GND', 'NOPE'])).toEqual([
        { shipMethodId: 'UPS-GND', description: 'UPS Ground' },
        { shipMethodId: 'USPS-PRI', description: 'USPS Priority Mail' },
      ]);
    });

    it('loads the order context: items, stock, customer and ship method', async () => {
      const ctx = await h.gateway.loadOrderContext({
        skus: ['AMZ-RED-WIDGET', 'GHOST'],
        customerId: 'AMAZON-US',
        warehouseIds: ['MAIN', 'EAST'],
        shipMethodId: 'UPS-GND',
      });
      expect(ctx.items.map((i) => i.itemId)).toEqual(['WIDGET-RED']);
      expect(ctx.unknownItems).toEqual(['GHOST']);
      // On hand is fixed by the seed; available also depends on open orders (a shared SQL Server keeps them).
      expect(ctx.stock.map((s) => [s.itemId, s.warehouseId, s.onHand])).toEqual([
        ['WIDGET-RED', 'EAST', 30],
        ['WIDGET-RED', 'MAIN', 125],
      ]);
      expect(ctx.stock.every((s) => s.available <= s.onHand)).toBe(true);
      expect(ctx.customer).toEqual({
        customerId: 'AMAZON-US',
        name: 'Amazon.com marketplace',
        onHold: false,
        customFields: ['ATVPDKIKX0DER', '', '', ''],
      });
      expect(ctx.shipMethod).toEqual({ shipMethodId: 'UPS-GND', description: 'UPS Ground' });
    });

    it('creates a sales order through the import procedure and finds it by TranNo and by AmazonOrderId', async () => {
      const no = tranNo();
      const d = draft();
      const [before] = await h.gateway.getStock(['WIDGET-RED'], ['MAIN']);
      const result = await h.gateway.createSalesOrder(d, { tranNo: no });
      expect(result.outcome).toBe('created');
      expect(result.order).toMatchObject({
        tranNo: no,
        status: 'open',
        customerId: 'AMAZON-US',
        amazonOrderId: d.amazonOrderId,
        currency: 'USD',
        orderDate: '2026-11-20T00:00:00.000Z',
      });
      expect(result.order.lines).toEqual([
        {
          lineNo: 1,
          itemId: 'WIDGET-RED',
          quantity: 2,
          quantityShipped: 0,
          unitPrice: money('USD', 1999),
          amount: money('USD', 3998),
          warehouseId: 'MAIN',
          amazonOrderItemId: '12345678901234',
        },
        {
          lineNo: 2,
          itemId: 'CABLE-USB-C',
          quantity: 1,
          quantityShipped: 0,
          unitPrice: money('USD', 949),
          amount: money('USD', 949),
          warehouseId: 'MAIN',
          amazonOrderItemId: '12345678901235',
        },
      ]);
      expect(await h.gateway.findSalesOrder({ tranNo: no })).toEqual(result.order);
      expect(await h.gateway.findSalesOrder({ amazonOrderId: d.amazonOrderId })).toEqual(result.order);
      expect(await h.gateway.findSalesOrder({ tranNo: 'ZZNOTHERE' })).toBeUndefined();
      // The reconciliation's batch read: the same TranNo and total, unknown orders left out, each id once.
      expect(await h.gateway.salesOrderTotalsOf(['999-0000000-0000000', d.amazonOrderId, d.amazonOrderId])).toEqual([
        { amazonOrderId: d.amazonOrderId, tranNo: result.order.tranNo, total: result.order.total },
      ]);
      expect(await h.stagingRowCount()).toBe(0);
      // The order commits stock: available drops by the ordered quantity.
      const [red] = await h.gateway.getStock(['WIDGET-RED'], ['MAIN']);
      expect(red).toEqual({ ...before, available: before!.available - 2 });
    });

    it('creating the same order twice (same TranNo) yields one sales order', async () => {
      const no = tranNo();
      const first = await h.gateway.createSalesOrder(draft(), { tranNo: no });
      const second = await h.gateway.createSalesOrder(draft(), { tranNo: no });
      expect([first.outcome, second.outcome]).toEqual(['created', 'existing']);
      expect(second.order).toEqual(first.order);
      expect(await h.salesOrderRowCount(no)).toBe(1);
      const both = await Promise.all([
        h.gateway.createSalesOrder(draft(), { tranNo: no }),
        h.gateway.createSalesOrder(draft(), { tranNo: no }),
      ]);
      expect(both.map((r) => r.order.key)).toEqual([first.order.key, first.order.key]);
      expect(await h.salesOrderRowCount(no)).toBe(1);
      expect(await h.stagingRowCount()).toBe(0);
    });

    it('refuses to take over an order that belongs to another Amazon order under the same TranNo', async () => {
      const no = tranNo();
      await h.gateway.createSalesOrder(draft(), { tranNo: no });
      await expect(
        h.gateway.createSalesOrder({ ...draft(), amazonOrderId: '999-9999999-9999999' }, { tranNo: no }),
      ).rejects.toMatchObject({ code: 'SB_SAGE_TRANNO_TAKEN', kind: 'validation' });
      expect(await h.salesOrderRowCount(no)).toBe(1);
    });

    it("a staged order with an unknown item fails with Sage's message and leaves nothing behind", async () => {
      const no = tranNo();
      const bad = draft({ lines: [{ lineNo: 1, itemId: 'NO-SUCH-ITEM', quantity: 1, unitPrice: money('USD', 100) }] });
      const err = await h.gateway.createSalesOrder(bad, { tranNo: no }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MappingError);
      const mapping = err as MappingError;
      expect(mapping.code).toBe('SB_SAGE_ORDER_REJECTED');
      expect(mapping.kind).toBe('mapping');
      expect(mapping.issues).toEqual([
        expect.objectContaining({ field: `${no}|Line 1 ItemID`, problem: expect.stringContaining('NO-SUCH-ITEM') }),
      ]);
      expect(await h.gateway.findSalesOrder({ tranNo: no })).toBeUndefined();
      expect(await h.salesOrderRowCount(no)).toBe(0);
      expect(await h.stagingRowCount()).toBe(0);
      // Once the data is fixed the same TranNo goes through.
      expect((await h.gateway.createSalesOrder(draft(), { tranNo: no })).outcome).toBe('created');
    });

    it('lists every unknown reference Sage reports (customer, warehouse, item)', async () => {
      const no = tranNo();
      const err = (await h.gateway
        .createSalesOrder(
          draft({
            customerId: 'NOBODY',
            warehouseId: 'XX',
            lines: [{ lineNo: 1, itemId: 'GHOST', quantity: 1, unitPrice: money('USD', 100) }],
          }),
          { tranNo: no },
        )
        .catch((e: unknown) => e)) as MappingError;
      expect(err.code).toBe('SB_SAGE_ORDER_REJECTED');
      expect(err.issues.map((i) => i.field)).toEqual(
        expect.arrayContaining([`${no} CustID`, `${no} DfltWarehouseID`, `${no}|Line 1 ItemID`]),
      );
      expect(await h.stagingRowCount()).toBe(0);
    });

    it('refuses values that do not fit Sage columns before writing anything', async () => {
      const no = tranNo();
      const err = (await h.gateway
        .createSalesOrder(
          draft({
            customerPoNo: '111-1234567-1234567',
            lines: [
              {
                lineNo: 1,
                itemId: 'X'.repeat(31),
                quantity: 1,
                unitPrice: money('USD', 1),
                // Longer than tsoSOLine_AMZ.AmazonOrderItemId varchar(20), where the id is kept (review §3 item 20).
                amazonOrderItemId: '1'.repeat(21),
              },
            ],
          }),
          { tranNo: no },
        )
        .catch((e: unknown) => e)) as MappingError;
      expect(err.code).toBe('SB_SAGE_VALUE_TOO_LONG');
      expect(err.issues.map((i) => i.field)).toEqual(['customerPoNo', 'lines[0].itemId', 'lines[0].amazonOrderItemId']);
      expect(await h.stagingRowCount()).toBe(0);
      await expect(h.gateway.createSalesOrder(draft(), { tranNo: 'TOO-LONG-TRANNO' })).rejects.toMatchObject({
        code: 'SB_SAGE_TRANNO_INVALID',
      });
    });

    it('cancels an unshipped order, idempotently', async () => {
      const no = tranNo();
      await h.gateway.createSalesOrder(draft(), { tranNo: no });
      expect((await h.gateway.cancelSalesOrder(no)).status).toBe('canceled');
      expect((await h.gateway.cancelSalesOrder(no)).status).toBe('canceled');
      await expect(h.gateway.cancelSalesOrder('ZZNOTHERE')).rejects.toMatchObject({ code: 'SB_SAGE_ORDER_NOT_FOUND' });
    });

    it('cancels one unshipped line, releasing its committed stock, idempotently', async () => {
      const no = tranNo();
      const available = async () =>
        (await h.gateway.getStock(['CABLE-USB-C'], ['MAIN'])).find((s) => s.warehouseId === 'MAIN')?.available ?? 0;
      const before = await available();
      await h.gateway.createSalesOrder(draft(), { tranNo: no });
      expect(await available()).toBe(before - 1);
      const after = await h.gateway.cancelSalesOrderLine(no, 2);
      expect(after.status).toBe('open');
      expect(after.lines.map((l) => [l.lineNo, l.status ?? 'open', l.quantity])).toEqual([
        [1, 'open', 2],
        [2, 'closed', 1],
      ]);
      expect(await available()).toBe(before);
      // Again: nothing moves twice.
      expect((await h.gateway.cancelSalesOrderLine(no, 2)).lines[1]!.status).toBe('closed');
      expect(await available()).toBe(before);
      await expect(h.gateway.cancelSalesOrderLine(no, 9)).rejects.toMatchObject({ code: 'SB_SAGE_LINE_NOT_FOUND' });
      await expect(h.gateway.cancelSalesOrderLine('ZZNOTHERE', 1)).rejects.toMatchObject({
        code: 'SB_SAGE_ORDER_NOT_FOUND',
      });
    });

    it('changes the ship-to of an unshipped order to a new address row, idempotently, and checks its lengths', async () => {
      const no = tranNo();
      const first = await h.gateway.createSalesOrder(draft(), { tranNo: no });
      const moved = {
        name: 'J. Doe',
        lines: ['22 Elm Ave', 'Apt 4'],
        city: 'Rancho Sta Margarita',
        region: 'CA',
        postalCode: '92688',
        countryId: 'USA',
      };
      const changed = await h.gateway.updateSalesOrderShipTo(no, moved);
      expect(changed.shipTo).toEqual(moved);
      expect(changed.lines).toEqual(first.order.lines);
      expect((await h.gateway.updateSalesOrderShipTo(no, moved)).shipTo).toEqual(moved);
      await expect(h.gateway.updateSalesOrderShipTo(no, { ...moved, city: 'x'.repeat(21) })).rejects.toMatchObject({
        code: 'SB_SAGE_VALUE_TOO_LONG',
      });
      expect((await h.gateway.findSalesOrder({ tranNo: no }))!.shipTo).toEqual(moved);
    });

    it("keeps Amazon's latest ship date as each line's promise date", async () => {
      const no = tranNo();
      const created = await h.gateway.createSalesOrder(draft({ shipBy: '2026-11-23T07:59:59.000Z' }), { tranNo: no });
      expect(created.order.lines.map((l) => l.promiseDate?.slice(0, 10))).toEqual(['2026-11-23', '2026-11-23']);
    });

    it("reads the item fields listings are mapped from: descriptions, UPC, weight and the item's custom fields", async () => {
      const fields = await h.gateway.readItemFields(['WIDGET-RED', 'CABLE-USB-C', 'NO-SUCH-ITEM']);
      expect(fields.map((f) => f.itemId)).toEqual(['CABLE-USB-C', 'WIDGET-RED']);
      expect(fields[1]).toMatchObject({
        itemId: 'WIDGET-RED',
        shortDesc: 'Widget, red',
        longDesc: 'A sturdy red widget for everyday use.',
        upc: '012345678912',
        weight: 0.5,
        userFields: ['Acme', 'Red', undefined, undefined],
      });
      expect(fields[0]!.userFields).toBeUndefined();
      expect(await h.gateway.readItemFields([])).toEqual([]);
    });

    it('books an order as shipped from its warehouse with the shipment procedures, once; stock moves; nothing to cancel after', async () => {
      const no = tranNo();
      await h.gateway.createSalesOrder(draft({ warehouseId: 'FBA' }), { tranNo: no });
      const before = await h.gateway.getStock(['WIDGET-RED', 'CABLE-USB-C'], ['FBA']);
      const shipped = await h.gateway.shipSalesOrder(no, { shipDate: '2026-11-21T08:00:00Z' });
      expect(shipped.outcome).toBe('shipped');
      expect(shipped.shipmentKeys).toHaveLength(1);
      expect(shipped.order.lines.map((l) => [l.itemId, l.quantity, l.quantityShipped, l.warehouseId])).toEqual([
        ['WIDGET-RED', 2, 2, 'FBA'],
        ['CABLE-USB-C', 1, 1, 'FBA'],
      ]);
      const after = await h.gateway.getStock(['WIDGET-RED', 'CABLE-USB-C'], ['FBA']);
      const onHand = (levels: typeof before, item: string) => levels.find((l) => l.itemId === item)?.onHand ?? 0;
      expect(onHand(before, 'WIDGET-RED') - onHand(after, 'WIDGET-RED')).toBe(2);
      expect(onHand(before, 'CABLE-USB-C') - onHand(after, 'CABLE-USB-C')).toBe(1);
      // Exactly once: a second call (a retried job) makes nothing and names the same shipment.
      const again = await h.gateway.shipSalesOrder(no, { shipDate: '2026-11-21T08:00:00Z' });
      expect(again).toMatchObject({ outcome: 'existing', shipmentKeys: shipped.shipmentKeys });
      expect(await h.gateway.getStock(['WIDGET-RED'], ['FBA'])).toEqual(after.filter((l) => l.itemId === 'WIDGET-RED'));
      // Committed, without packages: the poll reads it, and nothing in it carries a tracking number to confirm.
      const page = await h.gateway.listShipments(undefined);
      const mine = page.shipments.filter((s) => s.key === shipped.shipmentKeys[0]);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ status: 'committed', warehouseId: 'FBA', packages: [] });
      await expect(h.gateway.cancelSalesOrder(no)).rejects.toMatchObject({ code: 'SB_SAGE_ORDER_NOT_CANCELABLE' });
      await expect(h.gateway.shipSalesOrder('ZZNOTHERE', { shipDate: '2026-11-21T08:00:00Z' })).rejects.toMatchObject({
        code: 'SB_SAGE_ORDER_NOT_FOUND',
      });
    });

    it('enters a refund as a pending customer return (811) linked to the order lines, once; refuses what the order cannot return', async () => {
      const no = tranNo();
      const d = draft({ warehouseId: 'FBA' });
      await h.gateway.createSalesOrder(d, { tranNo: no });
      await h.gateway.shipSalesOrder(no, { shipDate: '2026-11-21T08:00:00Z' });
      const refund = {
        amazonOrderId: d.amazonOrderId,
        salesOrderTranNo: no,
        reference: '12345678901234',
        returnDate: '2026-11-28T10:00:00Z',
        lines: [{ amazonOrderItemId: '12345678901234', quantity: 1 }],
      };
      const returnNo = `R${no.slice(1)}`;
      const made = await h.gateway.recordCustomerReturn(refund, { tranNo: returnNo });
      expect(made).toMatchObject({ outcome: 'created', tranNo: returnNo });
      expect(await h.gateway.recordCustomerReturn(refund, { tranNo: returnNo })).toEqual({
        ...made,
        outcome: 'existing',
      });
      // Not a shipment to confirm: the poll reads customer shipments (810) only.
      const page = await h.gateway.listShipments(undefined);
      expect(page.shipments.some((s) => s.key === made.returnKey)).toBe(false);
      await expect(
        h.gateway.recordCustomerReturn(
          {
            ...refund,
            lines: [
              { amazonOrderItemId: '99999999999999', quantity: 1 },
              { amazonOrderItemId: '12345678901235', quantity: 5 },
            ],
          },
          { tranNo: `Q${no.slice(1)}` },
        ),
      ).rejects.toMatchObject({
        code: 'SB_SAGE_RETURN_INVALID',
        issues: [{ field: 'lines[0].amazonOrderItemId' }, { field: 'lines[1].quantity' }],
      });
      await expect(
        h.gateway.recordCustomerReturn({ ...refund, salesOrderTranNo: 'ZZNOTHERE' }, { tranNo: `P${no.slice(1)}` }),
      ).rejects.toMatchObject({ code: 'SB_SAGE_ORDER_NOT_FOUND' });
    });

    it('refuses to ship a canceled order', async () => {
      const no = tranNo();
      await h.gateway.createSalesOrder(draft({ warehouseId: 'FBA' }), { tranNo: no });
      await h.gateway.cancelSalesOrder(no);
      await expect(h.gateway.shipSalesOrder(no, { shipDate: '2026-11-21T08:00:00Z' })).rejects.toMatchObject({
        code: 'SB_SAGE_ORDER_NOT_SHIPPABLE',
      });
    });

    it('reads stock from the stock view', async () => {
      expect(await h.gateway.getStock(['GADGET-PRO', 'MUG-LOGO'], ['MAIN', 'EAST'])).toEqual([
        { itemId: 'GADGET-PRO', warehouseId: 'EAST', onHand: 2, available: 2 },
        { itemId: 'GADGET-PRO', warehouseId: 'MAIN', onHand: 8, available: 8 },
        { itemId: 'MUG-LOGO', warehouseId: 'EAST', onHand: 24, available: 24 },
        { itemId: 'MUG-LOGO', warehouseId: 'MAIN', onHand: 0, available: 0 },
      ]);
    });

    it('reads the latest effective price of a price sheet, exactly', async () => {
      const now = await h.gateway.getPrices({
        itemIds: ['WIDGET-RED', 'CABLE-USB-C'],
        warehouseId: 'MAIN',
        priceSheet: 'list',
        currency: 'USD',
        asOf: '2026-11-20T00:00:00Z',
      });
      expect(now.map((p) => [p.itemId, p.price.minor, p.effectiveDate])).toEqual([
        ['CABLE-USB-C', 949, '2026-01-01T00:00:00.000Z'],
        ['WIDGET-RED', 1999, '2026-01-01T00:00:00.000Z'],
      ]);
      const sheet1 = await h.gateway.getPrices({
        itemIds: ['WIDGET-RED'],
        warehouseId: 'MAIN',
        priceSheet: 'sheet1',
        currency: 'USD',
        asOf: '2026-11-20T00:00:00Z',
      });
      expect(sheet1[0]?.price).toEqual(money('USD', 1899));
      const earlier = await h.gateway.getPrices({
        itemIds: ['WIDGET-RED'],
        warehouseId: 'MAIN',
        priceSheet: 'list',
        currency: 'USD',
        asOf: '2025-06-01T00:00:00Z',
      });
      expect(earlier[0]?.price).toEqual(money('USD', 1799));
      expect(
        await h.gateway.getPrices({
          itemIds: ['WIDGET-RED'],
          warehouseId: 'MAIN',
          priceSheet: 'list',
          currency: 'EUR',
        }),
      ).toEqual([]);
    });

    it('validates GL accounts: active and financial only', async () => {
      expect(await h.gateway.validateGlAccounts(['1010-00', '4100-00', '9999-00', '9000-00', '0000-00'])).toEqual([
        { account: '1010-00', valid: true },
        { account: '4100-00', valid: true },
        { account: '9999-00', valid: false, problem: 'status 2 is not active (1)' },
        { account: '9000-00', valid: false, problem: 'posting type 2 is not financial (1 or 3)' },
        { account: '0000-00', valid: false, problem: 'no such account in tglAccount' },
      ]);
    });

    it('enters a journal as one unposted batch, once per reference', async () => {
      const batch = {
        reference: `settlement:${tranNo()}:USD`,
        postDate: '2026-11-15T10:00:00Z',
        currency: 'USD',
        lines: [
          { account: '1010-00', amount: money('USD', 8751), comment: 'net payout' },
          { account: '6100-00', amount: money('USD', 1248), comment: 'fees' },
          { account: '4000-00', amount: money('USD', -9999), comment: 'sales' },
        ],
      };
      const first = await h.gateway.postJournal(batch);
      expect(first.outcome).toBe('created');
      expect(await h.gateway.postJournal(batch)).toEqual({ ...first, outcome: 'existing' });
      await expect(
        h.gateway.postJournal({ ...batch, reference: 'unbalanced', lines: batch.lines.slice(1) }),
      ).rejects.toMatchObject({ code: 'SB_SAGE_JOURNAL_UNBALANCED' });
      await expect(
        h.gateway.postJournal({ ...batch, reference: 'closed period', postDate: '2025-03-15T00:00:00Z' }),
      ).rejects.toMatchObject({ code: 'SB_SAGE_FISCAL_PERIOD_CLOSED' });
      const badAccounts = (await h.gateway
        .postJournal({
          ...batch,
          reference: 'bad accounts',
          lines: [
            { account: '9999-00', amount: money('USD', 1), comment: '' },
            { account: 'NOPE', amount: money('USD', -1), comment: '' },
          ],
        })
        .catch((e: unknown) => e)) as MappingError;
      expect(badAccounts.code).toBe('SB_SAGE_GL_ACCOUNT_INVALID');
      expect(badAccounts.issues.map((i) => i.field)).toEqual(['account 9999-00', 'account NOPE']);
    });

    it("knows the company's home currency, needs no rate for it, and says why a rate is missing", async () => {
      const home = await h.gateway.exchangeRate({ currency: 'USD', date: '2026-11-15T00:00:00Z' });
      expect(home).toEqual({ homeCurrency: 'USD', rate: '1' });
      const none = await h.gateway.exchangeRate({ currency: 'XTS', date: '2026-11-15T00:00:00Z' });
      expect(none.rate).toBeUndefined();
      expect(none.problem).toContain('no rate XTS -> USD on 2026-11-15');
    });

    it('finds no invoice for an order Sage has not invoiced', async () => {
      expect(await h.gateway.invoicesOfOrders(['999-0000000-0000000'])).toEqual([]);
    });

    it('installs its extension tables idempotently', async () => {
      await h.gateway.installExtensions();
      const again = await h.gateway.installExtensions();
      expect(again.join('\n')).toContain('tsoSalesOrder_AMZ');
    });

    it('lists committed shipments with lines, ship method and tracked packages, and refuses to cancel them', async (ctx) => {
      if (!h.shipDueOrders) return ctx.skip();
      const no = tranNo();
      const d = draft();
      await h.gateway.createSalesOrder(d, { tranNo: no });
      expect(await h.shipDueOrders()).toBe(0); // not due yet
      h.clock.advance(60 * 60 * 1000);
      expect(await h.shipDueOrders()).toBeGreaterThan(0);
      const page = await h.gateway.listShipments(undefined);
      const mine = page.shipments.filter((s) => s.lines.some((l) => l.salesOrderTranNo === no));
      const lines = mine.flatMap((s) => s.lines);
      expect(lines.every((l) => l.amazonOrderId === d.amazonOrderId && l.shipMethodId === 'UPS-GND')).toBe(true);
      expect(lines.map((l) => l.amazonOrderItemId).sort()).toContain('12345678901234');
      expect(
        mine.every(
          (s) =>
            s.status === 'committed' && s.packages.length > 0 && s.packages.every((p) => /^1Z/.test(p.trackingNumber)),
        ),
      ).toBe(true);
      expect(Number(page.cursor)).toBeGreaterThan(0);
      // Re-reading from the cursor is safe: the rewind window may return the same shipments again.
      const again = await h.gateway.listShipments(page.cursor);
      expect(again.cursor).toBe(page.cursor);
      await expect(h.gateway.cancelSalesOrder(no)).rejects.toMatchObject({ code: 'SB_SAGE_ORDER_NOT_CANCELABLE' });
      await expect(h.gateway.cancelSalesOrderLine(no, 1)).rejects.toMatchObject({
        code: 'SB_SAGE_ORDER_NOT_CANCELABLE',
      });
      await expect(h.gateway.updateSalesOrderShipTo(no, { ...d.shipTo!, lines: ['9 Other Rd'] })).rejects.toMatchObject(
        { code: 'SB_SAGE_ORDER_NOT_CHANGEABLE' },
      );
    });

    it('reports unavailability as a retryable error with a wait, and recovers', async (ctx) => {
      if (!h.injectUnavailable) return ctx.skip();
      h.injectUnavailable(30_000);
      const err = (await h.gateway.getStock(['WIDGET-RED'], ['MAIN']).catch((e: unknown) => e)) as SellbridgeError;
      expect(err).toBeInstanceOf(SellbridgeError);
      expect(err).toMatchObject({
        code: 'SB_SAGE_UNAVAILABLE',
        kind: 'unavailable',
        retryable: true,
        retryAfterMs: 30_000,
      });
      expect((await h.gateway.health()).ok).toBe(false);
      h.clock.advance(30_000);
      expect((await h.gateway.health()).ok).toBe(true);
    });
  });
}
