import { isSyncState, type SyncState } from '../../core/lifecycle.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { OrderStates } from '../../core/ports/order-links.ts';
import { writeAudit } from '../audit.ts';
import { authTables } from '../auth/tables.ts';
import type { Store } from '../store/store.ts';
import type { Keyring } from './keyring.ts';

/** The buyer data Sellbridge may keep for an order (sp-api-facts §13): never in logs, sealed at rest. */
export interface BuyerPii {
  readonly buyerName?: string | null;
  readonly buyerEmail?: string | null;
  readonly phone?: string | null;
  readonly shipTo?: {
    readonly name?: string | null;
    readonly companyName?: string | null;
    readonly addressLines?: readonly string[];
    readonly district?: string | null;
    readonly city?: string | null;
    readonly stateOrRegion?: string | null;
    readonly postalCode?: string | null;
    readonly countryCode?: string | null;
    readonly phone?: string | null;
  } | null;
}

export interface OrderRef {
  readonly connectionId: string;
  readonly amazonOrderId: string;
}

export interface PurgeResult {
  readonly purged: number;
}

export interface RotateResult {
  readonly activeKeyId: string;
  readonly reencrypted: number;
  readonly alreadyCurrent: number;
}

/**
 * Buyer PII per order, AES-256-GCM sealed with the row's identity as additional data (a sealed value copied to
 * another order does not open). `put` is what a flow calls when it must keep buyer data; `get` decrypts only for
 * a flow or an audited admin view; `markDelivered` starts the retention clock; `purgeDue` deletes what is past it.
 */
export interface PiiVault {
  readonly keyring: Keyring;
  put(ref: OrderRef, pii: BuyerPii): Promise<void>;
  get(ref: OrderRef): Promise<BuyerPii | undefined>;
  has(
    ref: OrderRef,
  ): Promise<{ stored: boolean; deliveredAt: string | null; purgeAfter: string | null; keyId: string | null }>;
  /** Sets delivered_at and purge_after = deliveredAt + retentionDays (kept if already set earlier). */
  markDelivered(ref: OrderRef, deliveredAt: Date): Promise<void>;
  /**
   * Starts the retention clock by each order's state (RETENTION_CLOCK_START; rows of untracked orders from when
   * stored), then deletes every row past its purge_after. Audited.
   */
  purgeDue(now?: Date): Promise<PurgeResult>;
  /** Re-encrypts every row (PII and sealed secrets) not under the active key. */
  rotate(actor: string): Promise<RotateResult>;
  /** Write-only secrets (connection credentials): sealed, never returned by the API. */
  putSecret(scope: string, name: string, value: string, actor: string): Promise<void>;
  openSecret(scope: string, name: string): Promise<string | undefined>;
  listSecrets(scope: string): Promise<Array<{ name: string; updatedAt: string; updatedBy: string }>>;
}

/**
 * When the retention clock of an order's buyer data starts, for EVERY sync state (a new state must be
 * placed here, the type makes it so):
 * - `entered`: from when the order entered the state, which nothing automatic leaves while it needs buyer data:
 *   done (confirmed, cancelled, skipped) or stopped until a person acts (dead-lettered, needs-attention; a replay
 *   within the period still finds the data, the clock is not reset);
 * - `idle`: pass-through states one job run crosses (received, waiting-for-pending, mapped, reserved): the clock runs
 *   from the order's last move and is set only once a whole period passed without one (a stuck order), so an order
 *   that moves on is not cut short;
 * - `fulfilment`: the Sage order exists and is being shipped (created, shipped-partially, shipped): the clock starts
 *   when it is done, or at delivery (`markDelivered`).
 */
export const RETENTION_CLOCK_START: Readonly<Record<SyncState, 'entered' | 'idle' | 'fulfilment'>> = {
  confirmed: 'entered',
  cancelled: 'entered',
  skipped: 'entered',
  'dead-lettered': 'entered',
  'needs-attention': 'entered',
  received: 'idle',
  'waiting-for-pending': 'idle',
  mapped: 'idle',
  reserved: 'idle',
  created: 'fulfilment',
  'shipped-partially': 'fulfilment',
  shipped: 'fulfilment',
};

/** When the clock of an order in `state` since `since` starts, as seen at `now`; undefined while it does not run. */
function clockStart(state: string, since: string, now: Date, retentionMs: number): string | undefined {
  const rule = isSyncState(state) ? RETENTION_CLOCK_START[state] : 'entered';
  if (rule === 'entered') return since;
  if (rule === 'idle' && Date.parse(since) + retentionMs <= now.getTime()) return since;
  return undefined;
}

const aadOf = (ref: OrderRef) => `buyer_pii|${ref.connectionId}|${ref.amazonOrderId}`;
const secretAad = (scope: string, name: string) => `sealed_secrets|${scope}|${name}`;

export interface PiiVaultOptions {
  /** Where the orders stand: an order's PII retention starts when it is done. */
  readonly orders: OrderStates;
  readonly retentionDays?: number;
}

export function createPiiVault(store: Store, keyring: Keyring, clock: Clock, options: PiiVaultOptions): PiiVault {
  const db = authTables(store);
  const retentionMs = (options.retentionDays ?? 30) * 86_400_000;
  const row = (ref: OrderRef) =>
    db
      .selectFrom('buyer_pii')
      .selectAll()
      .where('connection_id', '=', ref.connectionId)
      .where('amazon_order_id', '=', ref.amazonOrderId);
  return {
    keyring,
    async put(ref, pii) {
      const at = clock.now().toISOString();
      const sealed = keyring.seal(JSON.stringify(pii), aadOf(ref));
      await db
        .insertInto('buyer_pii')
        .values({
          connection_id: ref.connectionId,
          amazon_order_id: ref.amazonOrderId,
          key_id: keyring.activeKeyId,
          sealed,
          delivered_at: null,
          purge_after: null,
          created_at: at,
          updated_at: at,
        })
        .onConflict((oc) =>
          oc
            .columns(['connection_id', 'amazon_order_id'])
            .doUpdateSet({ key_id: keyring.activeKeyId, sealed, updated_at: at }),
        )
        .execute();
    },
    async get(ref) {
      const r = await row(ref).executeTakeFirst();
      return r ? (JSON.parse(keyring.open(r.sealed, aadOf(ref))) as BuyerPii) : undefined;
    },
    async has(ref) {
      const r = await row(ref).executeTakeFirst();
      return {
        stored: !!r,
        deliveredAt: r?.delivered_at ?? null,
        purgeAfter: r?.purge_after ?? null,
        keyId: r?.key_id ?? null,
      };
    },
    async markDelivered(ref, deliveredAt) {
      await db
        .updateTable('buyer_pii')
        .set({
          delivered_at: deliveredAt.toISOString(),
          purge_after: new Date(deliveredAt.getTime() + retentionMs).toISOString(),
          updated_at: clock.now().toISOString(),
        })
        .where('connection_id', '=', ref.connectionId)
        .where('amazon_order_id', '=', ref.amazonOrderId)
        .where('delivered_at', 'is', null)
        .execute();
    },
    async purgeDue(now = clock.now()) {
      // Start the retention clock by the order's state (RETENTION_CLOCK_START: confirmed = shipped and confirmed to
      // Amazon, which is before delivery, so this keeps PII no longer than the DPP allows); rows whose order
      // Sellbridge never tracked count from when they were stored.
      const open = await db
        .selectFrom('buyer_pii')
        .select(['connection_id', 'amazon_order_id', 'created_at'])
        .where('purge_after', 'is', null)
        .execute();
      const states = await options.orders.statesOf(
        open.map((r) => ({ connectionId: r.connection_id, amazonOrderId: r.amazon_order_id })),
      );
      const linkOf = new Map(states.map((l) => [`${l.connectionId}\u0000${l.amazonOrderId}`, l]));
      for (const r of open) {
        const link = linkOf.get(`${r.connection_id}\u0000${r.amazon_order_id}`);
        const doneAt = link ? clockStart(link.state, link.updatedAt, now, retentionMs) : r.created_at;
        if (!doneAt) continue;
        await db
          .updateTable('buyer_pii')
          .set({ delivered_at: doneAt, purge_after: new Date(Date.parse(doneAt) + retentionMs).toISOString() })
          .where('connection_id', '=', r.connection_id)
          .where('amazon_order_id', '=', r.amazon_order_id)
          .where('purge_after', 'is', null)
          .execute();
      }
      const r = await db
        .deleteFrom('buyer_pii')
        .where('purge_after', 'is not', null)
        .where('purge_after', '<=', now.toISOString())
        .executeTakeFirst();
      const purged = Number(r.numDeletedRows);
      if (purged > 0)
        await writeAudit(
          store.db,
          { actor: 'system', action: 'pii.purge', target: 'buyer_pii', detail: { purged } },
          now,
        );
      return { purged };
    },
    async rotate(actor) {
      let reencrypted = 0;
      const active = keyring.activeKeyId;
      const pii = await db
        .selectFrom('buyer_pii')
        .select(['connection_id', 'amazon_order_id', 'sealed'])
        .where('key_id', '!=', active)
        .execute();
      for (const r of pii) {
        const ref = { connectionId: r.connection_id, amazonOrderId: r.amazon_order_id };
        const sealed = keyring.seal(keyring.open(r.sealed, aadOf(ref)), aadOf(ref));
        // Only rows still sealed as read are updated: a concurrent put (already under the active key) wins.
        const u = await db
          .updateTable('buyer_pii')
          .set({ sealed, key_id: active })
          .where('connection_id', '=', r.connection_id)
          .where('amazon_order_id', '=', r.amazon_order_id)
          .where('sealed', '=', r.sealed)
          .executeTakeFirst();
        reencrypted += Number(u.numUpdatedRows);
      }
      const secrets = await db
        .selectFrom('sealed_secrets')
        .select(['scope', 'name', 'sealed'])
        .where('key_id', '!=', active)
        .execute();
      for (const s of secrets) {
        const aad = secretAad(s.scope, s.name);
        const sealed = keyring.seal(keyring.open(s.sealed, aad), aad);
        const u = await db
          .updateTable('sealed_secrets')
          .set({ sealed, key_id: active })
          .where('scope', '=', s.scope)
          .where('name', '=', s.name)
          .where('sealed', '=', s.sealed)
          .executeTakeFirst();
        reencrypted += Number(u.numUpdatedRows);
      }
      const current =
        Number(
          (
            await db
              .selectFrom('buyer_pii')
              .select((eb) => eb.fn.countAll().as('n'))
              .where('key_id', '=', active)
              .executeTakeFirst()
          )?.n ?? 0,
        ) +
        Number(
          (
            await db
              .selectFrom('sealed_secrets')
              .select((eb) => eb.fn.countAll().as('n'))
              .where('key_id', '=', active)
              .executeTakeFirst()
          )?.n ?? 0,
        );
      await writeAudit(
        store.db,
        { actor, action: 'keys.rotate', target: `key:${active}`, detail: { reencrypted } },
        clock.now(),
      );
      return { activeKeyId: active, reencrypted, alreadyCurrent: current - reencrypted };
    },
    async putSecret(scope, name, value, actor) {
      const at = clock.now().toISOString();
      const sealed = keyring.seal(value, secretAad(scope, name));
      await db
        .insertInto('sealed_secrets')
        .values({ scope, name, key_id: keyring.activeKeyId, sealed, updated_by: actor, updated_at: at })
        .onConflict((oc) =>
          oc
            .columns(['scope', 'name'])
            .doUpdateSet({ key_id: keyring.activeKeyId, sealed, updated_by: actor, updated_at: at }),
        )
        .execute();
    },
    async openSecret(scope, name) {
      const r = await db
        .selectFrom('sealed_secrets')
        .select('sealed')
        .where('scope', '=', scope)
        .where('name', '=', name)
        .executeTakeFirst();
      return r ? keyring.open(r.sealed, secretAad(scope, name)) : undefined;
    },
    async listSecrets(scope) {
      const rows = await db
        .selectFrom('sealed_secrets')
        .select(['name', 'updated_at', 'updated_by'])
        .where('scope', '=', scope)
        .orderBy('name')
        .execute();
      return rows.map((r) => ({ name: r.name, updatedAt: r.updated_at, updatedBy: r.updated_by }));
    },
  };
}
