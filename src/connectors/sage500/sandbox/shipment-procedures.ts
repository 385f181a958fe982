import { decimalText } from '../decimal.ts';
import type { PickCandidate } from '../gateway/backend.ts';
import type { SageDb } from '../sql/db.ts';
import { writeCommittedShipment } from './warehouse-simulator.ts';

/**
 * The sandbox's emulation of Sage's pick list and Generate Shipments (spsoCreatePickList, spsoCreateShipLines,
 * spsoGenShip, spsoGenerateShipments) for the given order line distributions: one customer shipment (810) per
 * warehouse, each line's whole open quantity shipped (tsoShipLineDist.QtyShipped, tsoSOLineDist.QtyShip), stock
 * down, committed (TranStatus 6), no packages (Amazon shipped it: nothing of ours carries a tracking number).
 * Runs inside the caller's transaction. Answers as spsoGenerateShipments does: the count and the last number.
 */
export async function emulateGenerateShipments(
  tx: SageDb,
  companyId: string,
  candidates: readonly PickCandidate[],
  tranDate: string,
): Promise<{ shipCount: number; lastShipNo: string | null }> {
  const byWarehouse = new Map<number, PickCandidate[]>();
  for (const c of candidates) {
    if (c.WhseKey === null) continue; // a line without a warehouse is nothing Sage picks
    byWarehouse.set(c.WhseKey, [...(byWarehouse.get(c.WhseKey) ?? []), c]);
  }
  let lastShipNo: string | null = null;
  for (const [whseKey, rows] of byWarehouse) {
    const { tranNo } = await writeCommittedShipment(tx, {
      companyId,
      nowText: tranDate,
      custKey: rows[0]!.CustKey,
      whseKey,
      comment: `Generated for ${rows[0]!.TranNo}`,
      lines: rows.map((r) => ({ ...r, WhseKey: whseKey, qty: Number(decimalText(r.QtyOpenToShip)) })),
      packages: 0,
    });
    lastShipNo = tranNo;
  }
  return { shipCount: byWarehouse.size, lastShipNo };
}
