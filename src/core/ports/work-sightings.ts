/** How a unit of work was first found: by an Amazon notification (`event`) or by a polling safety net (`poll`). */
export type SightingVia = 'event' | 'poll';

/**
 * Which path found a unit of work first, per kind (store table `work_sightings`; orders keep `order_sightings`).
 * A `poll` sighting is work the notification did not announce in time: the push-miss figure of its kind.
 */
export interface WorkSightings {
  /** Records the sighting unless one exists; true when this call was first. */
  note(connectionId: string, kind: string, subject: string, via: SightingVia): Promise<boolean>;
  /** `note` for several subjects of one kind in one write (a shipment poll's shipments); returns how many were first. */
  noteMany(connectionId: string, kind: string, subjects: readonly string[], via: SightingVia): Promise<number>;
}
