import { SellbridgeError } from '../../../core/errors.ts';
import type { Shipment, ShipmentPage } from '../../../core/model/shipment.ts';
import type { Sage500Gateway, ShipmentChanges } from '../../../core/ports/sage500-gateway.ts';
import { SHIPMENT_TRACKED_TABLES } from '../sql/change-tracking.ts';
import { isoFromSage, wholeQuantity } from '../decimal.ts';
import { selectMaxShipKey, selectPackages, selectShipmentLines, type ShipKeyFilter } from '../sql/list-shipments.ts';
import { SHIPMENT_TRAN_STATUS } from '../tables.ts';
import { trackingStart } from './change-tracking.ts';
import type { GatewayContext } from './context.ts';

/** Committed and posted shipments with their packages and tracking numbers. */
export function shipmentMethods(ctx: GatewayContext): Pick<Sage500Gateway, 'listShipments' | 'shipmentChangesSince'> {
  const { backend, co, options } = ctx;

  async function listShipments(cursor: string | undefined): Promise<ShipmentPage> {
    const after = cursor === undefined || cursor === '' ? 0 : Number(cursor);
    if (!Number.isSafeInteger(after) || after < 0)
      throw new SellbridgeError('SB_SAGE_QUERY_FAILED', `shipment cursor "${cursor}" is not a ShipKey`);
    const from = Math.max(0, after - options.shipmentRewindKeys);
    const maxKey = Number((await selectMaxShipKey(backend.db, co).executeTakeFirst())?.MaxShipKey ?? 0);
    const to = Math.min(after + (options.shipmentPageKeys ?? 5000), maxKey);
    const shipments = to > from ? await readShipments({ from, to }) : [];
    // The cursor moves to the end of the page even when the page held nothing final yet: shipments committed
    // later within the rewind window are read again on the next calls.
    return { shipments, cursor: String(Math.max(after, to)), more: to < maxKey };
  }

  async function shipmentChangesSince(
    since: string | undefined,
    recheck: readonly string[] = [],
  ): Promise<ShipmentChanges> {
    const start = await trackingStart(ctx, SHIPMENT_TRACKED_TABLES, since);
    if (start.tracking !== 'since') return start;
    const keys = recheck.map(Number);
    const bad = recheck.find((k, i) => !Number.isSafeInteger(keys[i]) || keys[i]! <= 0);
    if (bad !== undefined)
      throw new SellbridgeError('SB_SAGE_QUERY_FAILED', `shipment key "${bad}" to read again is not a ShipKey`);
    const shipments = await readShipments({
      changedSince: start.from,
      source: backend.changeTracking.source,
      ...(keys.length > 0 ? { recheck: keys } : {}),
    });
    return { tracking: 'changes', version: start.version, shipments };
  }

  /** The shipments of a key filter with their lines (one statement) and their tracked packages (one more). */
  async function readShipments(keys: ShipKeyFilter): Promise<Shipment[]> {
    const facts = await ctx.facts();
    const rows = await selectShipmentLines(backend.db, co, keys, facts.shipmentShipMethod).execute();
    const byKey = new Map<
      number,
      { shipment: Omit<Shipment, 'lines' | 'packages'>; lines: Shipment['lines'][number][] }
    >();
    for (const r of rows) {
      let s = byKey.get(r.ShipKey);
      if (!s) {
        s = {
          shipment: {
            key: String(r.ShipKey),
            tranId: r.TranID,
            status: r.TranStatus === SHIPMENT_TRAN_STATUS.posted ? 'posted' : 'committed',
            shipDate: isoFromSage(r.TranDate),
            warehouseId: r.WhseID,
          },
          lines: [],
        };
        byKey.set(r.ShipKey, s);
      }
      // The ship method actually used: the shipment's, else the SO line's, else the order's (review §3 item 14).
      const shipMethodId = r.ShipmentShipMethID ?? r.LineShipMethID ?? r.HeaderShipMethID ?? undefined;
      s.lines.push({
        lineKey: String(r.ShipLineKey),
        salesOrderTranNo: r.SOTranNo,
        ...(r.AmazonOrderId ? { amazonOrderId: r.AmazonOrderId } : {}),
        ...(r.AmazonOrderItemId ? { amazonOrderItemId: r.AmazonOrderItemId } : {}),
        itemId: r.ItemID,
        quantity: wholeQuantity(r.QtyShipped ?? 0, `shipment ${r.TranID} line ${r.ShipLineKey}`),
        ...(shipMethodId ? { shipMethodId: String(shipMethodId) } : {}),
      });
    }
    const shipKeys = [...byKey.keys()];
    // No package table known (none configured, and the catalog did not show exactly one): the shipments come
    // back without packages instead of failing every poll; `sellbridge sage500 verify` (run at start) says so.
    const packages =
      shipKeys.length === 0 || !facts.packageTable
        ? []
        : (await selectPackages(backend.db, facts.packageTable, shipKeys).execute(backend.db)).rows;
    return shipKeys.map((k) => {
      const s = byKey.get(k)!;
      return {
        ...s.shipment,
        lines: s.lines,
        packages: packages
          .filter((p) => Number(p.ShipKey) === k && p.TrackingNo)
          .map((p) => ({ packageNo: String(p.PackageNo), trackingNumber: String(p.TrackingNo) })),
      };
    });
  }

  return { listShipments, shipmentChangesSince };
}
