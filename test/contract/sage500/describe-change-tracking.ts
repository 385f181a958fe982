import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { money } from '../../../src/core/model/money.ts';
import type { SalesOrderDraft } from '../../../src/core/model/sales-order.ts';
import type { ShipmentChanges } from '../../../src/core/ports/sage500-gateway.ts';
import type { Sage500Adapter } from '../../../src/connectors/sage500/gateway/index.ts';

/** A gateway opened with `changeTracking: { enabled: true }` on the demo company, and the powers the suite needs. */
export interface ChangeTrackingHarness {
  readonly gateway: Sage500Adapter;
  /** A Sage user adjusts stock: every bin of the item gets this quantity on hand. */
  setOnHand(itemId: string, qty: number): Promise<void>;
  /** The retention cleanup ran past every change so far (sandbox only: SQL Server cannot be told to). */
  expire?(): void;
  /** The warehouse ships every open order now (sandbox's warehouse simulator); the number of shipments made. */
  shipDueOrders?(): Promise<number>;
  close(): Promise<void>;
}

let orderSeq = 0;
/** A one-line Amazon order for the demo company (the TranNo is unique per run). */
function orderDraft(): { draft: SalesOrderDraft; tranNo: string } {
  const n = `${Date.now() % 10_000_000}`.padStart(7, '0');
  const seq = String(++orderSeq).padStart(3, '0');
  return {
    tranNo: `C${n}${seq}`.slice(0, 10),
    draft: {
      customerId: 'AMAZON-US',
      amazonOrderId: `111-${n}-0000${seq}`,
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
      customerPoNo: `${n}-${seq}`,
      freight: money('USD', 0),
      lines: [
        {
          lineNo: 1,
          itemId: 'WIDGET-RED',
          quantity: 1,
          unitPrice: money('USD', 1999),
          amazonOrderItemId: `${n}${seq}0001`,
        },
      ],
    },
  };
}

const shipmentsOf = (changes: ShipmentChanges) =>
  changes.tracking === 'changes' ? changes.shipments.map((s) => s.lines[0]?.salesOrderTranNo) : undefined;

/**
 * The optional change-tracking mode, run once per adapter: off until install-extensions turns it on (idempotent),
 * a first version asks for one full read, then only items whose bins changed (or shipments whose header or log
 * changed) come back, and a version older than the retention asks for a full read again.
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

    it('verify reports change tracking on, with the retention and every tracked table', async () => {
      await h.gateway.installExtensions();
      const findings = await h.gateway.verify();
      const ct = findings.find((f) => f.subject === 'change tracking');
      expect(ct).toMatchObject({ severity: 'note' });
      expect(ct?.problem).toMatch(
        /^on: retention \d+ DAYS?.*timWhseBinInvt, timInventory, tsoShipment, tsoShipmentLog/,
      );
    });

    it('reads only the shipments whose header or log changed since the version, after one full read', async (ctx) => {
      if (!h.shipDueOrders) return ctx.skip();
      await h.gateway.installExtensions();
      const first = await h.gateway.shipmentChangesSince(undefined);
      expect(first).toMatchObject({ tracking: 'full', reason: 'first' });
      const v0 = (first as { version: string }).version;
      expect(await h.gateway.shipmentChangesSince(v0)).toEqual({ tracking: 'changes', version: v0, shipments: [] });
      const a = orderDraft();
      await h.gateway.createSalesOrder(a.draft, { tranNo: a.tranNo });
      // An order alone changes no shipment row.
      expect(shipmentsOf(await h.gateway.shipmentChangesSince(v0))).toEqual([]);
      expect(await h.shipDueOrders()).toBe(1);
      const next = await h.gateway.shipmentChangesSince(v0);
      expect(shipmentsOf(next)).toEqual([a.tranNo]);
      const shipped = (next as Extract<ShipmentChanges, { tracking: 'changes' }>).shipments[0]!;
      expect(shipped).toMatchObject({
        status: 'committed',
        lines: [{ amazonOrderItemId: a.draft.lines[0]!.amazonOrderItemId, quantity: 1 }],
      });
      const v1 = (next as { version: string }).version;
      expect(Number(v1)).toBeGreaterThan(Number(v0));
      expect(shipmentsOf(await h.gateway.shipmentChangesSince(v1))).toEqual([]);
      // A shipment read again on request (waiting for a tracking number), though none of its tracked rows changed.
      expect(shipmentsOf(await h.gateway.shipmentChangesSince(v1, [shipped.key]))).toEqual([a.tranNo]);
      // A second shipment: only it comes back since v1.
      const b = orderDraft();
      await h.gateway.createSalesOrder(b.draft, { tranNo: b.tranNo });
      await h.shipDueOrders();
      expect(shipmentsOf(await h.gateway.shipmentChangesSince(v1))).toEqual([b.tranNo]);
    });

    it('shipments: a version older than the retention asks for one full read', async (ctx) => {
      if (!h.expire || !h.shipDueOrders) return ctx.skip();
      await h.gateway.installExtensions();
      const first = (await h.gateway.shipmentChangesSince(undefined)) as { version: string };
      const a = orderDraft();
      await h.gateway.createSalesOrder(a.draft, { tranNo: a.tranNo });
      await h.shipDueOrders();
      h.expire();
      const after = await h.gateway.shipmentChangesSince(first.version);
      expect(after).toMatchObject({ tracking: 'full', reason: 'expired' });
      // The full read is the cursor path, which finds the shipment.
      const page = await h.gateway.listShipments(undefined);
      expect(page.shipments.flatMap((s) => s.lines.map((l) => l.salesOrderTranNo))).toContain(a.tranNo);
      const v = (after as { version: string }).version;
      expect(await h.gateway.shipmentChangesSince(v)).toMatchObject({ tracking: 'changes', shipments: [] });
    });
  });
}
