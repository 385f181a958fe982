import type { Shipment } from '../../src/core/model/shipment.ts';

/** A committed Sage shipment of one sales order: lines as [Amazon OrderItemId, quantity], one package per entry. */
export function sageShipment(
  tranNo: string,
  key: string,
  packages: string[],
  shipMethodId = 'UPS-GND',
  lines: [string, number][] = [
    ['10000000000001', 2],
    ['10000000000002', 1],
  ],
): Shipment {
  return {
    key,
    tranId: `SH-${key}`,
    status: 'committed',
    shipDate: '2026-11-27T10:00:00.000Z',
    warehouseId: 'MAIN',
    lines: lines.map(([itemId, q], i) => ({
      lineKey: `${key}-${i}`,
      salesOrderTranNo: tranNo,
      amazonOrderItemId: itemId,
      itemId: 'X',
      quantity: q,
      shipMethodId,
    })),
    packages: packages.map((p, i) => ({ packageNo: p, trackingNumber: `1ZTRACK${key}${i}` })),
  };
}
