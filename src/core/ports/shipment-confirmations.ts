import type { PackageShipment } from './amazon-marketplace.ts';

/**
 * One record per (connection, Amazon order, Sage shipment, package) (ARCHITECTURE.md "Shipment confirmation"):
 * written before `confirmShipment` is called and marked after it answered, so each package is confirmed exactly
 * once and a retry after an unknown outcome knows it must check the order first.
 */
export type ConfirmationState = 'pending' | 'sending' | 'unknown' | 'confirmed' | 'skipped';

export interface ConfirmationKey {
  readonly connectionId: string;
  readonly amazonOrderId: string;
  readonly shipmentKey: string;
  readonly packageNo: string;
}

/** What will be (or was) sent for the package; ids, codes and quantities only (the package minus its keys). */
export type ConfirmationDetail = Omit<PackageShipment, 'orderId' | 'packageReferenceId'>;

export interface ShipmentConfirmation extends ConfirmationKey {
  readonly state: ConfirmationState;
  /** Positive number unique within the order, assigned by the store when the record is created. */
  readonly packageReferenceId: string;
  readonly detail: ConfirmationDetail;
  /** Calls of confirmShipment started for this package. */
  readonly sendAttempts: number;
}

export interface ShipmentConfirmations {
  /** Creates the record (state `pending`, next packageReferenceId of the order) or returns the existing one unchanged. */
  record(key: ConfirmationKey, detail: ConfirmationDetail): Promise<ShipmentConfirmation>;
  /**
   * `record` for several packages in one write (a shipment poll's new packages): each new one gets the next
   * packageReferenceId of its order in the entries' order (1, 2, 3... after the order's recorded ones); one recorded
   * before is returned unchanged. Returns one record per entry, in the entries' order.
   */
  recordMany(
    entries: readonly { readonly key: ConfirmationKey; readonly detail: ConfirmationDetail }[],
  ): Promise<ShipmentConfirmation[]>;
  get(key: ConfirmationKey): Promise<ShipmentConfirmation | undefined>;
  /** `sending` increments sendAttempts (a call is about to start); the others just record the state. */
  setState(key: ConfirmationKey, state: ConfirmationState): Promise<void>;
  /**
   * The one way to start a call: moves the record to `sending` (counting the attempt) when it is `pending` or
   * `unknown`, or `sending` for longer than `fenceMs` (its worker died mid-call), in one conditional write. False
   * when another worker holds it, so two workers (a lease lost under load) never send the same package together.
   */
  claimSend(key: ConfirmationKey, fenceMs: number): Promise<boolean>;
  /**
   * The first call's claim, one write that also reads: a `pending` record moved to `sending` (attempt counted) and
   * returned as it now stands; undefined when the record is in any other state or missing (the caller reads it and
   * decides as before: an earlier call's outcome may be unknown).
   */
  claimPending(key: ConfirmationKey): Promise<ShipmentConfirmation | undefined>;
  /**
   * `claimPending` for several packages of one order in one write (a shipment.confirm job carries all of an order's
   * packages): the listed records that are `pending` move to `sending` (attempt counted) and are returned as they
   * now stand; the others (any other state, or missing) are left and not returned.
   */
  claimPendingMany(keys: readonly ConfirmationKey[]): Promise<ShipmentConfirmation[]>;
  /**
   * Hands back claims taken by `claimPending(Many)` whose call was never started (an earlier package's call failed,
   * or the claim grew too old to start a call under it): each record still `sending` with the attempt count the
   * claim returned (nobody took it over past the fence since) goes back to `pending`, that attempt uncounted.
   */
  releaseClaims(claims: readonly ShipmentConfirmation[]): Promise<void>;
  listForOrder(connectionId: string, amazonOrderId: string): Promise<readonly ShipmentConfirmation[]>;
  /**
   * The call for this package was answered: the record becomes `confirmed`, and every record of its order is
   * returned as it now stands (the caller decides whether the whole order is confirmed), in one write.
   */
  markConfirmed(key: ConfirmationKey): Promise<readonly ShipmentConfirmation[]>;
  /** The records of several orders in one read (a shipment poll checks its page's packages against them). */
  listForOrders(connectionId: string, amazonOrderIds: readonly string[]): Promise<readonly ShipmentConfirmation[]>;
}
