import type { Clock } from '../../core/ports/clock.ts';
import type { SightingVia, WorkSightings } from '../../core/ports/work-sightings.ts';
import type { Db, Store } from '../../runtime/store/store.ts';

/** Row of `work_sightings` (migration 0015). */
export type WorkSightingTables = {
  work_sightings: {
    connection_id: string;
    kind: string;
    subject: string;
    first_via: SightingVia;
    first_seen_at: string;
  };
};

/** Subjects per statement of noteMany (5 bound parameters each, under SQLite's and PostgreSQL's limits). */
const SIGHTING_BATCH = 1000;

/** Records a sighting inside a transaction (the inbox row's, for events); true when it was the first. */
export async function noteSightingIn(
  tx: Db,
  row: { connectionId: string; kind: string; subject: string; via: SightingVia; at: string },
): Promise<boolean> {
  const inserted = await tx
    .withTables<WorkSightingTables>()
    .insertInto('work_sightings')
    .values({
      connection_id: row.connectionId,
      kind: row.kind,
      subject: row.subject,
      first_via: row.via,
      first_seen_at: row.at,
    })
    .onConflict((oc) => oc.columns(['connection_id', 'kind', 'subject']).doNothing())
    .returning('subject')
    .execute();
  return inserted.length > 0;
}

export function storeWorkSightings(store: Store, clock: Clock): WorkSightings {
  return {
    note: (connectionId, kind, subject, via) =>
      noteSightingIn(store.db, { connectionId, kind, subject, via, at: clock.now().toISOString() }),
    async noteMany(connectionId, kind, subjects, via) {
      // One multi-row INSERT per SIGHTING_BATCH subjects (issue 15: a poll noted each package's shipment by itself);
      // the first sighting of a subject wins, as with `note`.
      const at = clock.now().toISOString();
      const distinct = [...new Set(subjects)];
      let first = 0;
      for (let i = 0; i < distinct.length; i += SIGHTING_BATCH) {
        const inserted = await store.db
          .withTables<WorkSightingTables>()
          .insertInto('work_sightings')
          .values(
            distinct
              .slice(i, i + SIGHTING_BATCH)
              .map((subject) => ({ connection_id: connectionId, kind, subject, first_via: via, first_seen_at: at })),
          )
          .onConflict((oc) => oc.columns(['connection_id', 'kind', 'subject']).doNothing())
          .returning('subject')
          .execute();
        first += inserted.length;
      }
      return first;
    },
  };
}
