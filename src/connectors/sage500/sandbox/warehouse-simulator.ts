import { decimalText } from '../decimal.ts';
import type { SageDb } from '../sql/db.ts';
import { SHIPMENT_TRAN_STATUS, SO_STATUS, TRAN_TYPE_CUSTOMER_SHIPMENT } from '../tables.ts';
import { nextSurrogateKey } from './surrogate-keys.ts';

export interface WarehouseSimulatorOptions {
  /** How old (CreateDate) an open order must be before it ships. */
  readonly delayMs: number;
  /** Every Nth order (by SOKey) ships in two parts; 0 = never. */
  readonly partialEvery: number;
  readonly packagesPerShipment: number;
}

/**
 * Plays the warehouse in the demo: picks open sales orders and writes what Sage would hold after a committed
 * customer shipment: tsoShipment (810) + tsoShipmentLog (TranStatus 6) + lines + distributions + packages
 * with tracking numbers, and moves quantities (SO line open -> shipped, QtyOnSO and bin stock down).
 * One shipment per order and warehouse per tick. Deterministic for a given clock: tests call `tick` directly.
 */
export async function shipDueOrders(
  db: SageDb,
  companyId: string,
  now: Date,
  options: WarehouseSimulatorOptions,
): Promise<number> {
  const due = new Date(now.getTime() - options.delayMs).toISOString().slice(0, 19);
  const nowText = now.toISOString().slice(0, 19);
  const open = await db
    .selectFrom('tsoSalesOrder as so')
    .innerJoin('tsoSOLine as l', 'l.SOKey', 'so.SOKey')
    .innerJoin('tsoSOLineDist as ld', 'ld.SOLineKey', 'l.SOLineKey')
    .select([
      'so.SOKey',
      'so.CustKey',
      'so.TranNo',
      'l.SOLineKey',
      'l.ItemKey',
      'ld.SOLineDistKey',
      'ld.WhseKey',
      'ld.QtyOrd',
      'ld.QtyShip',
      'ld.QtyOpenToShip',
    ])
    .where('so.CompanyID', '=', companyId)
    .where('so.Status', '=', SO_STATUS.open)
    .where('so.CreateDate', '<=', due)
    .where('ld.QtyOpenToShip', '>', 0)
    .where('ld.WhseKey', 'is not', null)
    .orderBy('so.SOKey')
    .orderBy('l.SOLineNo')
    .execute();
  const groups = new Map<string, typeof open>();
  for (const row of open) {
    const k = `${row.SOKey}:${row.WhseKey}`;
    groups.set(k, [...(groups.get(k) ?? []), row]);
  }
  let shipments = 0;
  for (const rows of groups.values()) {
    const first = rows[0]!;
    const untouched = rows.every((r) => Number(decimalText(r.QtyShip)) === 0);
    const partial = options.partialEvery > 0 && first.SOKey % options.partialEvery === 0 && untouched;
    const plan = rows
      .map((r, i) => {
        const openQty = Number(decimalText(r.QtyOpenToShip));
        // First part of a split order: half of every line (rounded up), or only the first line of single units.
        const qty = !partial ? openQty : openQty > 1 ? Math.ceil(openQty / 2) : rows.length > 1 && i > 0 ? 0 : openQty;
        return { row: r, qty };
      })
      .filter((p) => p.qty > 0);
    if (plan.length === 0) continue;
    await db.transaction().execute((tx) =>
      writeCommittedShipment(tx, {
        companyId,
        nowText,
        custKey: first.CustKey,
        whseKey: first.WhseKey!,
        comment: `Shipped by the sandbox warehouse for ${first.TranNo}`,
        lines: plan.map(({ row, qty }) => ({ ...row, WhseKey: row.WhseKey!, qty })),
        packages: options.packagesPerShipment,
      }),
    );
    shipments += 1;
  }
  return shipments;
}

/** One line of a shipment the sandbox writes: the order line distribution it ships from and the quantity. */
export interface ShipmentLineToWrite {
  readonly SOLineKey: number;
  readonly SOLineDistKey: number;
  readonly ItemKey: number;
  readonly WhseKey: number;
  readonly qty: number;
}

/**
 * What Sage holds after a committed customer shipment: tsoShipment (810) + tsoShipmentLog (TranStatus 6) + a
 * tsoShipLine and tsoShipLineDist (QtyShipped) per line, the quantities moved (SO line distribution open ->
 * shipped, timInventory.QtyOnSO and the first available bin's stock down), and `packages` packages with tracking
 * numbers. Shared by the warehouse simulator and the emulation of Sage's shipment procedures. Returns the ShipKey
 * and the shipment's TranNo.
 */
export async function writeCommittedShipment(
  tx: SageDb,
  s: {
    readonly companyId: string;
    readonly nowText: string;
    readonly custKey: number;
    readonly whseKey: number;
    readonly comment: string;
    readonly lines: readonly ShipmentLineToWrite[];
    readonly packages: number;
  },
): Promise<{ shipKey: number; tranNo: string }> {
  const { companyId, nowText } = s;
  const shipKey = await nextSurrogateKey(tx, 'tsoShipment');
  const tranNo = String(shipKey).padStart(10, '0');
  await tx
    .insertInto('tsoShipment')
    .values({
      ShipKey: shipKey,
      CompanyID: companyId,
      TranType: TRAN_TYPE_CUSTOMER_SHIPMENT,
      TranNo: tranNo,
      TranID: `${tranNo}-SH`,
      TranDate: nowText,
      PostDate: null,
      CustKey: s.custKey,
      WhseKey: s.whseKey,
      TranCmnt: s.comment.slice(0, 50),
      CreateDate: nowText,
    })
    .execute();
  await tx
    .insertInto('tsoShipmentLog')
    .values({
      ShipKey: shipKey,
      CompanyID: companyId,
      TranType: TRAN_TYPE_CUSTOMER_SHIPMENT,
      TranNo: tranNo,
      TranStatus: SHIPMENT_TRAN_STATUS.committed,
    })
    .execute();
  for (const row of s.lines) {
    const qty = row.qty;
    const shipLineKey = await nextSurrogateKey(tx, 'tsoShipLine');
    await tx
      .insertInto('tsoShipLine')
      .values({
        ShipLineKey: shipLineKey,
        ShipKey: shipKey,
        SOLineKey: row.SOLineKey,
        ItemKey: row.ItemKey,
        ShipDate: nowText,
      })
      .execute();
    const bin = await tx
      .selectFrom('timWhseBinInvt as b')
      .innerJoin('timWhseBin as wb', 'wb.WhseBinKey', 'b.WhseBinKey')
      .select('b.WhseBinKey')
      .where('wb.WhseKey', '=', row.WhseKey)
      .where('b.ItemKey', '=', row.ItemKey)
      .where('wb.ExclFromAvail', '=', 0)
      .orderBy('b.WhseBinKey')
      .executeTakeFirst();
    await tx
      .insertInto('tsoShipLineDist')
      .values({
        ShipLineDistKey: await nextSurrogateKey(tx, 'tsoShipLineDist'),
        ShipLineKey: shipLineKey,
        WhseBinKey: bin?.WhseBinKey ?? null,
        QtyShipped: String(qty),
      })
      .execute();
    await tx
      .updateTable('tsoSOLineDist')
      .set((eb) => ({
        QtyShip: eb('QtyShip', '+', qty),
        QtyOpenToShip: eb('QtyOpenToShip', '-', qty),
        UpdateCounter: eb('UpdateCounter', '+', 1),
      }))
      .where('SOLineDistKey', '=', row.SOLineDistKey)
      .execute();
    await tx
      .updateTable('timInventory')
      .set((eb) => ({ QtyOnSO: eb('QtyOnSO', '-', qty) }))
      .where('ItemKey', '=', row.ItemKey)
      .where('WhseKey', '=', row.WhseKey)
      .execute();
    if (bin)
      await tx
        .updateTable('timWhseBinInvt')
        .set((eb) => ({ QtyOnHand: eb('QtyOnHand', '-', qty) }))
        .where('WhseBinKey', '=', bin.WhseBinKey)
        .where('ItemKey', '=', row.ItemKey)
        .execute();
  }
  for (let p = 1; p <= s.packages; p++) {
    await tx
      .insertInto('tsoPackage')
      .values({
        PackageKey: await nextSurrogateKey(tx, 'tsoPackage'),
        ShipKey: shipKey,
        PackageNo: String(p),
        TrackingNo: `1ZSB${String(shipKey).padStart(10, '0')}${String(p).padStart(2, '0')}`,
        Weight: null,
      })
      .execute();
  }
  return { shipKey, tranNo };
}
