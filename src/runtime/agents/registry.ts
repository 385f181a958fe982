import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { SellbridgeError } from '../../core/errors.ts';
import type { Clock } from '../../core/ports/clock.ts';
import { writeAudit } from '../audit.ts';
import { constantTimeEqual, randomSecret, sha256Hex } from '../auth/hashing.ts';
import type { Store } from '../store/store.ts';
import type { Database } from '../store/tables.ts';

/** Row types of migration 0019-agents (kept beside their only user). */
export type AgentTables = {
  agent_enrolments: {
    token_hash: string;
    connection_id: string;
    created_by: string;
    created_at: string;
    expires_at: string;
    used_at: string | null;
    agent_id: string | null;
  };
  agents: {
    id: string;
    connection_id: string;
    name: string;
    secret_hash: string;
    created_at: string;
    revoked_at: string | null;
    online: number;
    version: string | null;
    last_seen_at: string | null;
    latency_ms: number | null;
    in_flight: number;
  };
};

type AgentDb = Kysely<Database & AgentTables>;

/** An agent as the admin API and the dashboard show it (never its secret). */
export interface AgentView {
  readonly id: string;
  readonly connectionId: string;
  readonly name: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
  /** Whether a hub process holds its channel open (as that process last wrote it). */
  readonly online: boolean;
  readonly version: string | null;
  readonly lastSeenAt: string | null;
  /** Round trip of the last heartbeat, milliseconds. */
  readonly latencyMs: number | null;
  /** Operations sent to it and not yet answered. */
  readonly inFlight: number;
}

/** The agent's own credential: `<agentId>.<secret>`; the hub keeps only the SHA-256 of the secret. */
export interface AgentCredential {
  readonly agentId: string;
  readonly connectionId: string;
  readonly credential: string;
}

export interface AgentRegistry {
  /** A single-use enrolment token for `connectionId`, valid `ttlMs`; shown once. Audited. */
  createEnrolment(
    connectionId: string,
    actor: string,
    ttlMs?: number,
  ): Promise<{ token: string; connectionId: string; expiresAt: string }>;
  /** Spends an enrolment token for a new agent credential; refuses a used, expired or unknown token. */
  enrol(token: string, name: string): Promise<AgentCredential>;
  /** The agent a credential belongs to, or why it is refused (unknown, revoked). */
  authenticate(credential: string): Promise<{ ok: true; agent: AgentView } | { ok: false; reason: string }>;
  /** Revokes an agent: its channel is closed at the next heartbeat and it cannot connect again. Audited. */
  revoke(agentId: string, actor: string): Promise<AgentView>;
  list(connectionId?: string): Promise<readonly AgentView[]>;
  get(agentId: string): Promise<AgentView | undefined>;
  /** What the hub saw of an agent's channel (online, version, latency, in-flight). */
  recordState(
    agentId: string,
    state: { online: boolean; version?: string; latencyMs?: number | null; inFlight?: number },
  ): Promise<void>;
}

export const ENROLMENT_TTL_MS = 24 * 3_600_000;

/** A hub writes the state at every heartbeat; an `online` older than this is a hub that stopped writing (it died). */
const STALE_MS = 60_000;

const view = (r: AgentTables['agents'], now: Date): AgentView => ({
  id: r.id,
  connectionId: r.connection_id,
  name: r.name,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  online:
    Number(r.online) === 1 &&
    !r.revoked_at &&
    r.last_seen_at !== null &&
    now.getTime() - Date.parse(r.last_seen_at) < STALE_MS,
  version: r.version,
  lastSeenAt: r.last_seen_at,
  latencyMs: r.latency_ms === null ? null : Number(r.latency_ms),
  inFlight: Number(r.in_flight),
});

const refused = (message: string) => new SellbridgeError('SB_AGENT_REFUSED', message);

export function createAgentRegistry(store: Store, clock: Clock): AgentRegistry {
  const db = (): AgentDb => store.db.withTables<AgentTables>();
  const get = async (agentId: string) => {
    const row = await db().selectFrom('agents').selectAll().where('id', '=', agentId).executeTakeFirst();
    return row ? view(row, clock.now()) : undefined;
  };
  return {
    async createEnrolment(connectionId, actor, ttlMs = ENROLMENT_TTL_MS) {
      const token = randomSecret('sbe_');
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
      await db()
        .insertInto('agent_enrolments')
        .values({
          token_hash: sha256Hex(token),
          connection_id: connectionId,
          created_by: actor,
          created_at: now.toISOString(),
          expires_at: expiresAt,
          used_at: null,
          agent_id: null,
        })
        .execute();
      await writeAudit(store.db, { actor, action: 'agent.enrolment', target: `connection:${connectionId}` }, now);
      return { token, connectionId, expiresAt };
    },

    async enrol(token, name) {
      const now = clock.now().toISOString();
      const hash = sha256Hex(token);
      const secret = randomSecret('sba_');
      const agentId = randomUUID();
      return store.db.transaction().execute(async (trx) => {
        const tx = trx.withTables<AgentTables>();
        const row = await tx
          .selectFrom('agent_enrolments')
          .selectAll()
          .where('token_hash', '=', hash)
          .executeTakeFirst();
        if (!row) throw refused('enrolment token unknown: ask the hub for a new one (`sellbridge agents enrol`)');
        if (row.used_at) throw refused(`enrolment token already used (at ${row.used_at}): each token enrols one agent`);
        if (row.expires_at <= now) throw refused(`enrolment token expired at ${row.expires_at}: ask for a new one`);
        // Spent with a guard on used_at so two agents racing with one token cannot both enrol.
        const spent = await tx
          .updateTable('agent_enrolments')
          .set({ used_at: now, agent_id: agentId })
          .where('token_hash', '=', hash)
          .where('used_at', 'is', null)
          .executeTakeFirst();
        if (Number(spent.numUpdatedRows) !== 1)
          throw refused('enrolment token already used: each token enrols one agent');
        await tx
          .insertInto('agents')
          .values({
            id: agentId,
            connection_id: row.connection_id,
            name: name.slice(0, 200) || agentId,
            secret_hash: sha256Hex(secret),
            created_at: now,
            revoked_at: null,
            online: 0,
            version: null,
            last_seen_at: null,
            latency_ms: null,
            in_flight: 0,
          })
          .execute();
        await writeAudit(
          trx,
          {
            actor: `agent:${agentId}`,
            action: 'agent.enrol',
            target: `connection:${row.connection_id}`,
            detail: { name },
          },
          clock.now(),
        );
        return { agentId, connectionId: row.connection_id, credential: `${agentId}.${secret}` };
      });
    },

    async authenticate(credential) {
      const dot = credential.indexOf('.');
      if (dot <= 0) return { ok: false, reason: 'malformed agent credential' };
      const agentId = credential.slice(0, dot);
      const row = await db().selectFrom('agents').selectAll().where('id', '=', agentId).executeTakeFirst();
      if (!row || !constantTimeEqual(row.secret_hash, sha256Hex(credential.slice(dot + 1))))
        return { ok: false, reason: 'unknown agent credential' };
      if (row.revoked_at) return { ok: false, reason: `agent ${agentId} was revoked at ${row.revoked_at}` };
      return { ok: true, agent: view(row, clock.now()) };
    },

    async revoke(agentId, actor) {
      const now = clock.now();
      const existing = await get(agentId);
      if (!existing) throw new SellbridgeError('SB_AGENT_NOT_FOUND', `no agent ${agentId}`, { context: { agentId } });
      if (!existing.revokedAt) {
        await db()
          .updateTable('agents')
          .set({ revoked_at: now.toISOString(), online: 0 })
          .where('id', '=', agentId)
          .execute();
        await writeAudit(store.db, { actor, action: 'agent.revoke', target: `agent:${agentId}` }, now);
      }
      return (await get(agentId))!;
    },

    async list(connectionId) {
      let q = db().selectFrom('agents').selectAll().orderBy('created_at').orderBy('id');
      if (connectionId) q = q.where('connection_id', '=', connectionId);
      return (await q.execute()).map((r) => view(r, clock.now()));
    },

    get,

    async recordState(agentId, state) {
      await db()
        .updateTable('agents')
        .set({
          online: state.online ? 1 : 0,
          last_seen_at: clock.now().toISOString(),
          ...(state.version !== undefined ? { version: state.version } : {}),
          ...(state.latencyMs !== undefined
            ? { latency_ms: state.latencyMs === null ? null : Math.round(state.latencyMs) }
            : {}),
          ...(state.inFlight !== undefined ? { in_flight: state.inFlight } : {}),
        })
        .where('id', '=', agentId)
        .execute();
    },
  };
}
