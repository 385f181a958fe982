import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSalesOrderImport } from '../../../src/connectors/sage500/sandbox/import-procedure.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { rowsFromSalesOrder } from '../../../src/connectors/sage500/rows-from-sales-order.ts';
import { money } from '../../../src/core/model/money.ts';
import type { SalesOrderDraft } from '../../../src/core/model/sales-order.ts';
import { ManualClock } from '../../contract/sage500/describe-sage500-gateway.ts';

const draft = (itemId = 'WIDGET-RED', quantity = 2): SalesOrderDraft => ({
  customerId: 'AMAZON-US',
  amazonOrderId: '111-0000000-0000001',
  orderDate: '2026-11-20T12:00:00Z',
  currency: 'USD',
  warehouseId: 'MAIN',
  shipMethodId: 'FEDEX-2D',
  lines: [{ lineNo: 1, itemId, quantity, unitPrice: money('USD', 1999), amazonOrderItemId: '12345678901234' }],
});

describe('Sage 500 sandbox', () => {
  let clock: ManualClock;
  let sb: SandboxGateway;
  beforeEach(async () => {
    clock = new ManualClock('2026-11-20T16:00:00Z');
    sb = await createSandboxGateway({
      path: ':memory:',
      clock,
      warehouseSimulator: { delayMs: 1000, partialEvery: 1, packagesPerShipment: 2 },
    });
  });
  afterEach(() => sb.close());

  const stage = async (sessionKey: number, tranNo: string, d: SalesOrderDraft) => {
    const rows = rowsFromSalesOrder(d, tranNo, sessionKey);
    await sb.db.insertInto('StgSalesOrder').values(rows.header).execute();
    await sb.db.insertInto('StgSOLine').values(rows.lines).execute();
  };

  it('finds an order by AmazonOrderId through its extension row, and by TranCmnt when that row is missing', async () => {
    const { order } = await sb.createSalesOrder(draft(), { tranNo: 'AZ00000009' });
    expect(await sb.findSalesOrder({ amazonOrderId: '111-0000000-0000001' })).toEqual(order);
    // A crash between the import and the link: no extension row, the AmazonOrderId is still in TranCmnt.
    await sb.db.deleteFrom('tsoSalesOrder_AMZ').execute();
    const found = await sb.findSalesOrder({ amazonOrderId: '111-0000000-0000001' });
    expect(found?.tranNo).toBe('AZ00000009');
    expect(await sb.findSalesOrder({ amazonOrderId: '111-0000000-0000002' })).toBeUndefined();
    // The reconciliation's batch read finds it the same way, and leaves the unknown one out.
    expect(await sb.salesOrderTotalsOf(['111-0000000-0000002', '111-0000000-0000001'])).toEqual([
      { amazonOrderId: '111-0000000-0000001', tranNo: 'AZ00000009', total: found!.total },
    ]);
    // The lookups an index answers (no scan of the company's orders): TranNo by Sage's unique key, the
    // AmazonOrderId by the extension's; the extension's lines by their SOKey index.
    const plan = async (q: string) =>
      (await sql.raw<{ detail: string }>(`EXPLAIN QUERY PLAN ${q}`).execute(sb.db)).rows
        .map((r) => r.detail)
        .join('; ');
    expect(
      await plan(
        "SELECT SOKey FROM tsoSalesOrder WHERE CompanyID = 'SOA' AND TranType = 801 AND TranNoRel = 'AZ00000009'",
      ),
    ).toMatch(/USING INDEX/);
    expect(await plan('SELECT SOLineKey FROM tsoSOLine_AMZ WHERE SOKey = 1')).toMatch(/USING INDEX XIE1tsoSOLine_AMZ/);
    expect(await plan('SELECT SOLineKey FROM tsoSOLine WHERE SOKey = 1')).toMatch(/USING INDEX XIE_tsoSOLine_SOKey/);
  });

  it('enforces Sage column lengths and the unique key (CompanyID, TranType, TranNoRel)', async () => {
    await sb.createSalesOrder(draft(), { tranNo: 'AZ00000001' });
    const so = await sb.db.selectFrom('tsoSalesOrder').selectAll().executeTakeFirstOrThrow();
    await expect(
      sb.db
        .updateTable('tsoSalesOrder')
        .set({ TranCmnt: 'x'.repeat(51) })
        .execute(),
    ).rejects.toThrow(/CHECK constraint/);
    await expect(
      sb.db
        .insertInto('tsoSalesOrder')
        .values({
          ...so,
          SOKey: so.SOKey + 1,
          TranID: 'OTHER',
          TranDate: String(so.TranDate),
          CreateDate: String(so.CreateDate),
        })
        .execute(),
    ).rejects.toThrow(
      /UNIQUE constraint failed: tsoSalesOrder.CompanyID, tsoSalesOrder.TranType, tsoSalesOrder.TranNoRel/,
    );
  });

  it('spSOapiSalesOrdIns keeps trade discounts, GL accounts and the five-line ship-to, and totals the header exactly', async () => {
    await sb.createSalesOrder(
      {
        ...draft(),
        freight: money('USD', 499),
        shipTo: {
          name: 'J. Doe',
          lines: ['L1', 'L2', 'L3', 'L4', 'L5'],
          city: 'Springfield',
          region: 'IL',
          postalCode: '62701',
          countryId: 'USA',
        },
        lines: [
          {
            lineNo: 1,
            itemId: 'WIDGET-RED',
            quantity: 3,
            unitPrice: money('USD', 1999),
            tradeDiscount: money('USD', 597),
          },
          { lineNo: 2, itemId: 'AMZ-TAX', quantity: 1, unitPrice: money('USD', 433), glAccountNo: '2300-00' },
        ],
      },
      { tranNo: 'AZ00000007' },
    );
    const so = await sb.db
      .selectFrom('tsoSalesOrder')
      .selectAll()
      .where('TranNo', '=', 'AZ00000007')
      .executeTakeFirstOrThrow();
    // Lines: 3 x 19.99 = 59.97 - 5.97 = 54.00, plus 4.33 = 58.33; with 4.99 freight 63.32.
    expect([so.SalesAmt, so.TradeDiscAmt, so.FreightAmt, so.TranAmt].map(Number)).toEqual([58.33, 5.97, 4.99, 63.32]);
    const dist = await sb.db
      .selectFrom('tsoSOLineDist as ld')
      .innerJoin('tsoSOLine as l', 'l.SOLineKey', 'ld.SOLineKey')
      .select(['l.SOLineNo', 'ld.ExtAmt', 'ld.TradeDiscAmt', 'ld.GLAcctKey', 'ld.ShipToAddrKey'])
      .where('l.SOKey', '=', so.SOKey)
      .orderBy('l.SOLineNo')
      .execute();
    expect(
      dist.map((d) => [d.SOLineNo, Number(d.ExtAmt), Number(d.TradeDiscAmt), d.GLAcctKey, d.ShipToAddrKey]),
    ).toEqual([
      [1, 54, 5.97, null, so.DfltShipToAddrKey],
      [2, 4.33, 0, 707, so.DfltShipToAddrKey],
    ]);
    const addr = await sb.db
      .selectFrom('tciAddress')
      .selectAll()
      .where('AddrKey', '=', so.DfltShipToAddrKey!)
      .executeTakeFirstOrThrow();
    expect([addr.AddrLine1, addr.AddrLine2, addr.AddrLine3, addr.AddrLine4, addr.AddrLine5]).toEqual([
      'L1',
      'L2',
      'L3',
      'L4',
      'L5',
    ]);
    // Misc (charge) items have no inventory rows, so the order reserves no stock for them.
    expect(await sb.db.selectFrom('timInventory').select('ItemKey').where('ItemKey', '=', 201).execute()).toEqual([]);
  });

  it('spSOapiSalesOrdIns processes one order per call and asks to be called again while rows remain', async () => {
    await stage(50, 'AZ00000010', draft());
    await stage(50, 'AZ00000011', draft('NO-SUCH-ITEM'));
    const first = await runSalesOrderImport(sb.db, 'SOA', 50, 'test', '2026-11-20T16:00:00');
    expect(first).toMatchObject({ retVal: 1, continue: true });
    const second = await runSalesOrderImport(sb.db, 'SOA', 50, 'test', '2026-11-20T16:00:00');
    expect(second).toMatchObject({ retVal: 2, continue: false, failedRecs: 1 });
    // The good order's staging rows are gone; the bad one stays with ProcessStatus 2 on header and line.
    expect(await sb.db.selectFrom('StgSalesOrder').select(['TranNo', 'ProcessStatus']).execute()).toEqual([
      { TranNo: 'AZ00000011', ProcessStatus: 2 },
    ]);
    expect(await sb.db.selectFrom('StgSOLine').select(['TranNo', 'ProcessStatus']).execute()).toEqual([
      { TranNo: 'AZ00000011', ProcessStatus: 2 },
    ]);
    const log = await sb.db
      .selectFrom('tdmMigrationLogWrk')
      .select(['EntityID', 'ColumnID', 'Status'])
      .orderBy('Status')
      .execute();
    expect(log).toEqual([
      { EntityID: 'AZ00000011|Line 1', ColumnID: 'ItemID', Status: 1 },
      { EntityID: 'AZ00000010', ColumnID: null, Status: 3 },
    ]);
    // Rows of another session are never touched.
    await stage(51, 'AZ00000012', draft());
    expect(await runSalesOrderImport(sb.db, 'SOA', 50, 'test', '2026-11-20T16:00:00')).toMatchObject({
      continue: false,
      recsProcessed: 0,
    });
  });

  it('requires a TranNo, like Sage', async () => {
    await sb.db
      .insertInto('StgSalesOrder')
      .values({ SessionKey: 60, ProcessStatus: 0, TranNo: null, CustID: 'AMAZON-US' })
      .execute();
    await runSalesOrderImport(sb.db, 'SOA', 60, 'test', '2026-11-20T16:00:00');
    const [msg] = await sb.db.selectFrom('tdmMigrationLogWrk').select(['ColumnID', 'Comment']).execute();
    expect(msg).toEqual({ ColumnID: 'TranNo', Comment: expect.stringContaining('TranNo is null') });
  });

  it('the warehouse simulator ships due orders in parts, with several tracked packages', async () => {
    await sb.createSalesOrder(draft('WIDGET-RED', 3), { tranNo: 'AZ00000020' });
    expect(await sb.shipDueOrders()).toBe(0);
    clock.advance(1000);
    expect(await sb.shipDueOrders()).toBe(1);
    const first = await sb.listShipments(undefined);
    expect(first.shipments).toHaveLength(1);
    expect(first.shipments[0]!.lines.map((l) => [l.itemId, l.quantity, l.shipMethodId, l.amazonOrderItemId])).toEqual([
      ['WIDGET-RED', 2, 'FEDEX-2D', '12345678901234'],
    ]);
    expect(first.shipments[0]!.packages.map((p) => p.packageNo)).toEqual(['1', '2']);
    expect(await sb.shipDueOrders()).toBe(1);
    expect(await sb.shipDueOrders()).toBe(0);
    const all = await sb.listShipments(undefined);
    expect(all.shipments.flatMap((s) => s.lines.map((l) => l.quantity))).toEqual([2, 1]);
    // Shipping moved stock: 125 on hand before, 3 shipped; nothing left on sales orders.
    expect(await sb.getStock(['WIDGET-RED'], ['MAIN'])).toEqual([
      { itemId: 'WIDGET-RED', warehouseId: 'MAIN', onHand: 122, available: 117 },
    ]);
  });

  it('re-reads a rewind window so a shipment committed after the cursor passed it is not missed', async () => {
    await sb.createSalesOrder(draft(), { tranNo: 'AZ00000030' });
    clock.advance(1000);
    await sb.shipDueOrders();
    const page = await sb.listShipments(undefined);
    const key = Number(page.shipments[0]!.key);
    // Pretend the shipment was still pending when the cursor moved past it, then got committed.
    await sb.db.updateTable('tsoShipmentLog').set({ TranStatus: 2 }).where('ShipKey', '=', key).execute();
    expect((await sb.listShipments(page.cursor)).shipments).toEqual([]);
    await sb.db.updateTable('tsoShipmentLog').set({ TranStatus: 6 }).where('ShipKey', '=', key).execute();
    expect((await sb.listShipments(page.cursor)).shipments.map((s) => s.key)).toEqual([String(key)]);
  });

  it('reads long id lists in chunks (SQL Server allows 2100 parameters per statement)', async () => {
    const ids = [...Array.from({ length: 1500 }, (_, i) => `NOPE-${i}`), 'WIDGET-RED'];
    expect((await sb.getStock(ids, ['MAIN'])).map((s) => s.itemId)).toEqual(['WIDGET-RED']);
    expect(
      (await sb.getPrices({ itemIds: ids, warehouseId: 'MAIN', priceSheet: 'list', currency: 'USD' })).map(
        (p) => p.itemId,
      ),
    ).toEqual(['WIDGET-RED']);
    const resolved = await sb.resolveItems(ids);
    expect([resolved.items.length, resolved.unknown.length]).toEqual([1, 1500]);
  });

  it('links the Amazon ids in the extension tables: order id, order item ids and seller SKUs', async () => {
    const d = draft();
    await sb.createSalesOrder(
      { ...d, lines: [{ ...d.lines[0]!, sellerSku: 'AMZ-RED-WIDGET' }] },
      { tranNo: 'AZ00000080' },
    );
    const links = await sb.db
      .selectFrom('tsoSOLine_AMZ as x')
      .innerJoin('tsoSalesOrder_AMZ as o', 'o.SOKey', 'x.SOKey')
      .select(['o.TranNo', 'o.AmazonOrderId', 'o.MarketplaceId', 'x.AmazonOrderItemId', 'x.SellerSKU'])
      .execute();
    expect(links).toEqual([
      {
        TranNo: 'AZ00000080',
        AmazonOrderId: '111-0000000-0000001',
        MarketplaceId: null,
        AmazonOrderItemId: '12345678901234',
        SellerSKU: 'AMZ-RED-WIDGET',
      },
    ]);
  });

  it('links each created line to its Amazon order item by line position, without UserFld1 (review §3 item 20)', async () => {
    const d = draft();
    const line = d.lines[0]!;
    await sb.createSalesOrder(
      {
        ...d,
        lines: [
          { ...line, lineNo: 7, amazonOrderItemId: '11111111111111' },
          { ...line, lineNo: 3, itemId: 'WIDGET-BLUE', amazonOrderItemId: '22222222222222', sellerSku: 'SKU-BLUE' },
          { ...line, lineNo: 5, itemId: 'GADGET-PRO', amazonOrderItemId: undefined },
        ],
      },
      { tranNo: 'AZ00000081' },
    );
    const rows = await sb.db
      .selectFrom('tsoSOLine as l')
      .innerJoin('timItem as i', 'i.ItemKey', 'l.ItemKey')
      .leftJoin('tsoSOLine_AMZ as x', 'x.SOLineKey', 'l.SOLineKey')
      .select(['l.SOLineNo', 'i.ItemID', 'l.UserFld1', 'x.AmazonOrderItemId', 'x.SellerSKU'])
      .orderBy('l.SOLineNo')
      .execute();
    // Sage numbers the lines 1, 2, 3 in staging order whatever SOLineNo was staged; UserFld1 stays the customer's.
    expect(rows).toEqual([
      { SOLineNo: 1, ItemID: 'WIDGET-RED', UserFld1: null, AmazonOrderItemId: '11111111111111', SellerSKU: null },
      {
        SOLineNo: 2,
        ItemID: 'WIDGET-BLUE',
        UserFld1: null,
        AmazonOrderItemId: '22222222222222',
        SellerSKU: 'SKU-BLUE',
      },
      { SOLineNo: 3, ItemID: 'GADGET-PRO', UserFld1: null, AmazonOrderItemId: null, SellerSKU: null },
    ]);
    const order = await sb.findSalesOrder({ tranNo: 'AZ00000081' });
    expect(order!.lines.map((l) => [l.itemId, l.amazonOrderItemId])).toEqual([
      ['WIDGET-RED', '11111111111111'],
      ['WIDGET-BLUE', '22222222222222'],
      ['GADGET-PRO', undefined],
    ]);
  });

  /** What a failed import transaction must leave: no order, no staging rows, no link rows, no committed stock. */
  const nothingLeft = async (tranNo: string, qtyOnSoBefore: unknown) => {
    expect(await sb.db.selectFrom('tsoSalesOrder').select('SOKey').where('TranNo', '=', tranNo).execute()).toEqual([]);
    expect(await sb.db.selectFrom('tsoSOLine').select('SOLineKey').execute()).toEqual([]);
    expect(await sb.db.selectFrom('StgSalesOrder').select('RowKey').execute()).toEqual([]);
    expect(await sb.db.selectFrom('StgSOLine').select('RowKey').execute()).toEqual([]);
    expect(await sb.db.selectFrom('tsoSalesOrder_AMZ').select('SOKey').execute()).toEqual([]);
    expect(await sb.db.selectFrom('tsoSOLine_AMZ').select('SOLineKey').execute()).toEqual([]);
    expect(await qtyOnSo()).toEqual(qtyOnSoBefore);
  };
  const qtyOnSo = () =>
    sb.db
      .selectFrom('timInventory')
      .select(['ItemKey', 'WhseKey', 'QtyOnSO'])
      .orderBy('ItemKey')
      .orderBy('WhseKey')
      .execute();

  it('a failed link write rolls the whole import back; the retry creates the order once, linked', async () => {
    const before = await qtyOnSo();
    // As if the worker died at the link write: the import transaction never commits.
    await sql`CREATE TRIGGER fail_line_link BEFORE INSERT ON tsoSOLine_AMZ BEGIN SELECT RAISE(ABORT, 'link write failed (test)'); END`.execute(
      sb.db,
    );
    await expect(sb.createSalesOrder(draft(), { tranNo: 'AZ00000083' })).rejects.toThrow('link write failed (test)');
    await nothingLeft('AZ00000083', before);
    await sql`DROP TRIGGER fail_line_link`.execute(sb.db);
    const again = await sb.createSalesOrder(draft(), { tranNo: 'AZ00000083' });
    expect(again.outcome).toBe('created');
    expect(again.order.lines.map((l) => l.amazonOrderItemId)).toEqual(['12345678901234']);
    expect(await sb.db.selectFrom('tsoSalesOrder').select('SOKey').execute()).toHaveLength(1);
  });

  it('Sage creating other lines than staged fails SB_SAGE_ORDER_LINES_MISMATCH and rolls the import back', async () => {
    const before = await qtyOnSo();
    // A Sage-side rule that adds a line to every order (as a kit expansion might): positions no longer match.
    await sql`CREATE TRIGGER extra_line AFTER INSERT ON tsoSOLine WHEN NEW.SOLineNo = 1 BEGIN
      INSERT INTO tsoSOLine (SOLineKey, SOKey, SOLineNo, ItemKey, Status, UnitPrice, UpdateCounter)
      VALUES (NEW.SOLineKey + 900000, NEW.SOKey, 0, NEW.ItemKey, 1, '0', 0); END`.execute(sb.db);
    await expect(sb.createSalesOrder(draft(), { tranNo: 'AZ00000084' })).rejects.toMatchObject({
      code: 'SB_SAGE_ORDER_LINES_MISMATCH',
      context: { tranNo: 'AZ00000084', sageLines: 2, amazonLines: 1 },
    });
    await nothingLeft('AZ00000084', before);
  });

  it('repairs the links of an existing order by position on a retry, and refuses when its lines differ', async () => {
    const d = draft();
    const two: SalesOrderDraft = {
      ...d,
      lines: [d.lines[0]!, { ...d.lines[0]!, lineNo: 2, itemId: 'WIDGET-BLUE', amazonOrderItemId: '22222222222222' }],
    };
    const { order } = await sb.createSalesOrder(two, { tranNo: 'AZ00000082' });
    const soKey = Number(order.key);
    const unlink = async () => {
      await sb.db.deleteFrom('tsoSOLine_AMZ').where('SOKey', '=', soKey).execute();
      await sb.db.deleteFrom('tsoSalesOrder_AMZ').where('SOKey', '=', soKey).execute();
    };
    // An order left without its rows (made by an older Sellbridge that wrote them after the import, and killed
    // in between): the retry writes them.
    await unlink();
    const repaired = await sb.createSalesOrder(two, { tranNo: 'AZ00000082' });
    expect(repaired.outcome).toBe('existing');
    expect(repaired.order.lines.map((l) => [l.itemId, l.amazonOrderItemId])).toEqual([
      ['WIDGET-RED', '12345678901234'],
      ['WIDGET-BLUE', '22222222222222'],
    ]);
    // Once more: nothing to write, nothing written twice.
    await sb.createSalesOrder(two, { tranNo: 'AZ00000082' });
    expect(
      await sb.db.selectFrom('tsoSOLine_AMZ').select('SOLineKey').where('SOKey', '=', soKey).execute(),
    ).toHaveLength(2);

    // Sage's order lost a line meanwhile: positions cannot be trusted, nothing is linked.
    await unlink();
    const last = await sb.db
      .selectFrom('tsoSOLine')
      .select('SOLineKey')
      .where('SOLineNo', '=', 2)
      .where('SOKey', '=', soKey)
      .executeTakeFirstOrThrow();
    await sb.db.deleteFrom('tsoSOLineDist').where('SOLineKey', '=', last.SOLineKey).execute();
    await sb.db.deleteFrom('tsoSOLine').where('SOLineKey', '=', last.SOLineKey).execute();
    await expect(sb.createSalesOrder(two, { tranNo: 'AZ00000082' })).rejects.toMatchObject({
      code: 'SB_SAGE_ORDER_LINES_MISMATCH',
    });
    expect(await sb.db.selectFrom('tsoSOLine_AMZ').selectAll().where('SOKey', '=', soKey).execute()).toEqual([]);
    expect(await sb.db.selectFrom('tsoSalesOrder_AMZ').selectAll().where('SOKey', '=', soKey).execute()).toEqual([]);
  });

  it('creates orders of a customer on hold as pending approval', async () => {
    const created = await sb.createSalesOrder({ ...draft(), customerId: 'AMAZON-HOLD' }, { tranNo: 'AZ00000050' });
    expect(created.order.status).toBe('pending-approval');
  });

  it("two sandbox gateways on one file see each other's writes (CLI beside a running engine)", async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'sb-sandbox-'));
    const a = await createSandboxGateway({ path: join(dir, 's.db'), clock });
    const b = await createSandboxGateway({ path: join(dir, 's.db'), clock });
    try {
      await a.createSalesOrder(draft(), { tranNo: 'AZ00000060' });
      expect((await b.findSalesOrder({ tranNo: 'AZ00000060' }))?.tranId).toBe('AZ00000060-SO');
      expect((await b.createSalesOrder(draft(), { tranNo: 'AZ00000060' })).outcome).toBe('existing');
    } finally {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a slow sandbox still answers (fault injection adds latency, not errors)', async () => {
    sb.injectFaults({ slowMs: 1 });
    expect(await sb.health()).toMatchObject({ ok: true });
    sb.injectFaults({});
  });

  it('pages shipments by key range and says when more follow', async () => {
    const paged = await createSandboxGateway({
      path: ':memory:',
      clock,
      shipmentPageKeys: 1000,
      warehouseSimulator: { delayMs: 0, partialEvery: 0 },
    });
    try {
      await paged.createSalesOrder(draft(), { tranNo: 'AZ00000070' });
      await paged.createSalesOrder({ ...draft(), amazonOrderId: '111-0000000-0000002' }, { tranNo: 'AZ00000071' });
      expect(await paged.shipDueOrders()).toBe(2);
      const first = await paged.listShipments(undefined);
      expect([first.shipments.map((s) => s.key), first.cursor, first.more]).toEqual([['1000'], '1000', true]);
      const second = await paged.listShipments(first.cursor);
      expect([second.shipments.map((s) => s.key), second.cursor, second.more]).toEqual([
        ['1000', '1001'],
        '1001',
        false,
      ]);
    } finally {
      await paged.close();
    }
  });

  it('reset recreates the demo company from scratch', async () => {
    await sb.createSalesOrder(draft(), { tranNo: 'AZ00000040' });
    await sb.reset();
    expect(await sb.findSalesOrder({ tranNo: 'AZ00000040' })).toBeUndefined();
    expect((await sb.resolveItems(['WIDGET-RED'])).items).toHaveLength(1);
  });
});
