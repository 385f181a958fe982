import type { Shipment } from '../model/shipment.ts';
import type { CarrierRules } from '../rules/carriers.ts';
import { amazonCarrierFromShipMethod } from './carrier-code.ts';
import type { ConfirmationDetail } from '../ports/shipment-confirmations.ts';

/** One package of one Amazon order in a Sage shipment, ready to be recorded and confirmed. */
export interface PackageToConfirm {
  readonly amazonOrderId: string;
  readonly shipmentKey: string;
  readonly packageNo: string;
  readonly detail: ConfirmationDetail;
}

/** What the poll knows of each Sellbridge order that a shipment line names (by TranNo). */
export interface ShippedOrderRef {
  readonly amazonOrderId: string;
  readonly marketplaceId: string;
}

/**
 * Sage shipment -> one confirmation per (Amazon order, package) (issue 5, steps 4-5). Pure. Lines are grouped by
 * the Sellbridge order they belong to (`orderOf(tranNo)`; lines of other orders are left out) and keep only those
 * that name an Amazon order item. Sage records packages per shipment, not which line went into which box, so
 * with several packages the order's lines are dealt to them in turn and a package left without lines is not
 * confirmed (documented limitation). The carrier comes from the line's ship method through the carrier table.
 */
export function packagesFromShipment(
  shipment: Shipment,
  orderOf: (tranNo: string) => ShippedOrderRef | undefined,
  carriers: CarrierRules,
): PackageToConfirm[] {
  const byOrder = new Map<string, { ref: ShippedOrderRef; lines: Shipment['lines'][number][] }>();
  for (const line of shipment.lines) {
    const ref = orderOf(line.salesOrderTranNo);
    if (!ref || !line.amazonOrderItemId || line.quantity <= 0) continue;
    const group = byOrder.get(ref.amazonOrderId) ?? { ref, lines: [] };
    group.lines.push(line);
    byOrder.set(ref.amazonOrderId, group);
  }
  const packages = shipment.packages.length > 0 ? shipment.packages : [];
  const out: PackageToConfirm[] = [];
  for (const { ref, lines } of byOrder.values()) {
    packages.forEach((pkg, p) => {
      const mine = lines.filter((_, i) => i % packages.length === p);
      if (mine.length === 0) return;
      const carrier = amazonCarrierFromShipMethod(mine[0]!.shipMethodId, carriers);
      out.push({
        amazonOrderId: ref.amazonOrderId,
        shipmentKey: shipment.key,
        packageNo: pkg.packageNo,
        detail: {
          marketplaceId: ref.marketplaceId,
          carrierCode: carrier.carrierCode,
          ...(carrier.carrierName ? { carrierName: carrier.carrierName } : {}),
          ...(carrier.shippingMethod ? { shippingMethod: carrier.shippingMethod } : {}),
          trackingNumber: pkg.trackingNumber,
          shipDate: shipment.shipDate,
          lines: sumByLine(mine),
        },
      });
    });
  }
  return out;
}

function sumByLine(lines: readonly Shipment['lines'][number][]): { lineId: string; quantity: number }[] {
  const sums = new Map<string, number>();
  for (const l of lines) sums.set(l.amazonOrderItemId!, (sums.get(l.amazonOrderItemId!) ?? 0) + l.quantity);
  return [...sums].map(([lineId, quantity]) => ({ lineId, quantity }));
}
