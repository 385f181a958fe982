import type { Clock } from '../../core/ports/clock.ts';
import type { Watermarks } from '../../core/ports/watermarks.ts';
import type { Store } from '../../runtime/store/store.ts';

export function storeWatermarks(store: Store, clock: Clock): Watermarks {
  return {
    async get(connectionId, name) {
      const row = await store.db
        .selectFrom('watermarks')
        .select('value')
        .where('connection_id', '=', connectionId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row?.value;
    },
    async set(connectionId, name, value) {
      const at = clock.now().toISOString();
      await store.db
        .insertInto('watermarks')
        .values({ connection_id: connectionId, name, value, updated_at: at })
        .onConflict((oc) => oc.columns(['connection_id', 'name']).doUpdateSet({ value, updated_at: at }))
        .execute();
    },
  };
}
