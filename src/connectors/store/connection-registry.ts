import type { Clock } from '../../core/ports/clock.ts';
import type { Store } from '../../runtime/store/store.ts';
import { writeAudit } from '../../runtime/audit.ts';

export type ConnectionOrigin = 'config' | 'api';
export type ConnectionState = 'active' | 'paused';

/** One row of the connection registry (table `connections`, columns of migration 0027). */
export interface ConnectionRecord {
  readonly id: string;
  readonly name: string;
  readonly origin: ConnectionOrigin;
  readonly state: ConnectionState;
  readonly reason: string | null;
  /** An api-added connection's `{amazon, sage500, orders}` blocks; null for a sellbridge.yaml connection. */
  readonly config: Readonly<Record<string, unknown>> | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * The registry of connections in the store (issue 21): what every process reads, so a change made by the CLI in
 * another process reaches a running worker (it reads the table every few seconds: one indexed select of a few
 * rows). Every change is audited.
 */
export interface ConnectionRegistry {
  list(): Promise<ConnectionRecord[]>;
  get(id: string): Promise<ConnectionRecord | undefined>;
  /** Records the sellbridge.yaml connections (a row per id, kept when it exists: a pause outlives a restart). */
  recordConfigured(ids: readonly string[]): Promise<void>;
  add(record: { id: string; name?: string; config: Record<string, unknown> }, actor: string): Promise<ConnectionRecord>;
  setState(
    id: string,
    state: ConnectionState,
    reason: string | null,
    actor: string,
  ): Promise<ConnectionRecord | undefined>;
  remove(id: string, actor: string): Promise<boolean>;
}

type Row = {
  id: string;
  name: string;
  origin: string;
  state: string;
  reason: string | null;
  config: string | null;
  created_at: string;
  updated_at: string;
};

const recordOf = (r: Row): ConnectionRecord => ({
  id: r.id,
  name: r.name,
  origin: r.origin === 'api' ? 'api' : 'config',
  state: r.state === 'paused' ? 'paused' : 'active',
  reason: r.reason,
  config: r.config ? (JSON.parse(r.config) as Record<string, unknown>) : null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function storeConnectionRegistry(store: Store, clock: Clock): ConnectionRegistry {
  const db = store.db;
  const columns = ['id', 'name', 'origin', 'state', 'reason', 'config', 'created_at', 'updated_at'] as const;
  const get = async (id: string) => {
    const row = await db.selectFrom('connections').select(columns).where('id', '=', id).executeTakeFirst();
    return row ? recordOf(row) : undefined;
  };
  return {
    async list() {
      const rows = await db.selectFrom('connections').select(columns).orderBy('id').execute();
      return rows.map(recordOf);
    },
    get,
    async recordConfigured(ids) {
      const at = clock.now().toISOString();
      for (const id of ids)
        await db
          .insertInto('connections')
          .values({
            id,
            name: id,
            settings: '{}',
            enabled: 1,
            origin: 'config',
            state: 'active',
            created_at: at,
            updated_at: at,
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
    },
    async add(record, actor) {
      const at = clock.now().toISOString();
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto('connections')
          .values({
            id: record.id,
            name: record.name ?? record.id,
            settings: '{}',
            enabled: 1,
            origin: 'api',
            state: 'active',
            reason: null,
            config: JSON.stringify(record.config),
            created_at: at,
            updated_at: at,
          })
          .execute();
        await writeAudit(
          tx,
          {
            actor,
            action: 'connection.add',
            target: `connection:${record.id}`,
            detail: { blocks: Object.keys(record.config) },
          },
          clock.now(),
        );
      });
      return (await get(record.id))!;
    },
    async setState(id, state, reason, actor) {
      const at = clock.now().toISOString();
      const changed = await db.transaction().execute(async (tx) => {
        const r = await tx
          .updateTable('connections')
          .set({ state, reason, enabled: state === 'active' ? 1 : 0, updated_at: at })
          .where('id', '=', id)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) return false;
        await writeAudit(
          tx,
          {
            actor,
            action: state === 'paused' ? 'connection.pause' : 'connection.resume',
            target: `connection:${id}`,
            detail: reason ? { reason } : {},
          },
          clock.now(),
        );
        return true;
      });
      return changed ? get(id) : undefined;
    },
    async remove(id, actor) {
      return db.transaction().execute(async (tx) => {
        const r = await tx.deleteFrom('connections').where('id', '=', id).executeTakeFirst();
        if (Number(r.numDeletedRows) === 0) return false;
        await writeAudit(
          tx,
          { actor, action: 'connection.remove', target: `connection:${id}`, detail: {} },
          clock.now(),
        );
        return true;
      });
    },
  };
}
