/**
 * Canonical shipment terms (ERP side): what the warehouse shipped, read back from the ERP so Amazon can be
 * told. One ERP shipment may carry lines of several sales orders and several packages.
 */

export interface ShipmentLine {
  readonly lineKey: string;
  readonly salesOrderTranNo: string;
  readonly amazonOrderId?: string;
  readonly amazonOrderItemId?: string;
  readonly itemId: string;
  /** Whole units shipped on this line. */
  readonly quantity: number;
  readonly shipMethodId?: string;
}

export interface ShipmentPackage {
  readonly packageNo: string;
  readonly trackingNumber: string;
}

export interface Shipment {
  /** The ERP's key (Sage ShipKey) as text. */
  readonly key: string;
  /** The ERP's display id (Sage TranID). */
  readonly tranId: string;
  /** `committed` or `posted`: only those are final enough to confirm to Amazon. */
  readonly status: 'committed' | 'posted';
  /** UTC ISO-8601. */
  readonly shipDate: string;
  readonly warehouseId: string;
  readonly lines: readonly ShipmentLine[];
  readonly packages: readonly ShipmentPackage[];
}

export interface ShipmentPage {
  readonly shipments: readonly Shipment[];
  /** Opaque; pass it to the next call. It only moves forward; a rewind window re-reads late commits. */
  readonly cursor: string;
  /** Whether more shipments may follow right away (call again with `cursor`). */
  readonly more: boolean;
}
