import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { SellbridgeError, type FieldIssue } from '../../core/errors.ts';
import type { JournalBatch } from '../../core/model/journal.ts';
import { money } from '../../core/model/money.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type {
  OrderStage,
  PostedSettlementJournal,
  QuarantineEntry,
  SettlementOrderSum,
  StagedOrderSum,
  SettlementLedger,
  SettlementRecord,
  SettlementState,
  SettlementSummary,
} from '../../core/ports/settlement-ledger.ts';
import { emptyKinds, SETTLED_KINDS, type SettledKind } from '../../core/transform/three-way-reconciliation.ts';
import { writeAudit } from '../../runtime/audit.ts';
import type { Store } from '../../runtime/store/store.ts';
import type { Database } from '../../runtime/store/tables.ts';
import type { OrderLinkTables } from './order-links.ts';

/** Row types of migration 0007-settlements (kept here, beside their only users). */
export type SettlementTables = {
  settlements: {
    connection_id: string;
    settlement_id: string;
    state: string;
    revision: number;
    fingerprint: string;
    pending_fingerprint: string | null;
    currency: string;
    total_minor: number | string;
    period_start: string;
    period_end: string;
    deposit_date: string;
    rows: number;
    source: string;
    journals: string;
    pending_journals: string | null;
    last_error: string | null;
    created_at: string;
    updated_at: string;
  };
  settlement_orders: {
    connection_id: string;
    settlement_id: string;
    amazon_order_id: string;
    currency: string;
    amount_minor: number | string;
    rows: number;
    posted_at: string | null;
    /** JSON SettledKinds (minor units by kind); null before migration 0016. */
    kinds: string | null;
  };
  settlement_quarantine: {
    id: string;
    connection_id: string;
    source: string;
    settlement_id: string | null;
    code: string;
    message: string;
    issues: string;
    created_at: string;
  };
};

type Db = Kysely<Database & SettlementTables & OrderLinkTables>;
const tables = (store: Store): Db => store.db.withTables<SettlementTables & OrderLinkTables>();
const STATES: readonly SettlementState[] = ['posting', 'posted', 'correcting'];
/** Stored state of a `posting` row one import has claimed (shown as `posting`). */
const CLAIMED = 'posting-claimed';

/** Store-backed SettlementLedger: the row per settlement id is the exactly-once guard; audit in the same transaction. */
export function storeSettlementLedger(store: Store, clock: Clock): SettlementLedger {
  const db = tables(store);
  const now = () => clock.now().toISOString();
  const get = async (connectionId: string, settlementId: string) =>
    recordFromRow(
      await db
        .selectFrom('settlements')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .where('settlement_id', '=', settlementId)
        .executeTakeFirst(),
    );
  const summaryColumns = (s: SettlementSummary) => ({
    currency: s.currency,
    total_minor: s.total.minor,
    period_start: s.periodStart,
    period_end: s.periodEnd,
    deposit_date: s.depositDate,
    rows: s.rows,
  });
  return {
    get,
    async reserve(connectionId, summary, source, pending) {
      const at = now();
      const inserted = await db
        .insertInto('settlements')
        .values({
          connection_id: connectionId,
          settlement_id: summary.settlementId,
          state: 'posting',
          revision: 1,
          fingerprint: pending.fingerprint,
          pending_fingerprint: pending.fingerprint,
          ...summaryColumns(summary),
          source,
          journals: '[]',
          pending_journals: JSON.stringify(pending.journals),
          last_error: null,
          created_at: at,
          updated_at: at,
        })
        .onConflict((oc) => oc.columns(['connection_id', 'settlement_id']).doNothing())
        .executeTakeFirst();
      const record = await get(connectionId, summary.settlementId);
      return { record: record!, created: Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0 };
    },
    async beginCorrection(connectionId, summary, source, fromRevision, pending) {
      await db
        .updateTable('settlements')
        .set({
          state: 'correcting',
          revision: fromRevision + 1,
          pending_fingerprint: pending.fingerprint,
          pending_journals: JSON.stringify(pending.journals),
          ...summaryColumns(summary),
          source,
          last_error: null,
          updated_at: now(),
        })
        .where('connection_id', '=', connectionId)
        .where('settlement_id', '=', summary.settlementId)
        .where('state', '=', 'posted')
        .where('revision', '=', fromRevision)
        .execute();
      return (await get(connectionId, summary.settlementId))!;
    },
    async markPosted(connectionId, settlementId, posted, audit) {
      const at = now();
      await store.transaction(async (storeTx) => {
        const tx = storeTx.withTables<SettlementTables & OrderLinkTables>();
        await tx
          .updateTable('settlements')
          .set({
            state: 'posted',
            fingerprint: posted.fingerprint,
            journals: JSON.stringify(posted.journals),
            pending_fingerprint: null,
            pending_journals: null,
            last_error: null,
            updated_at: at,
          })
          .where('connection_id', '=', connectionId)
          .where('settlement_id', '=', settlementId)
          .execute();
        await tx
          .deleteFrom('settlement_orders')
          .where('connection_id', '=', connectionId)
          .where('settlement_id', '=', settlementId)
          .execute();
        const insert = async (chunk: readonly SettlementOrderSum[]) => {
          if (chunk.length === 0) return;
          await tx
            .insertInto('settlement_orders')
            .values(
              chunk.map((o) => ({
                connection_id: connectionId,
                settlement_id: settlementId,
                amazon_order_id: o.amazonOrderId,
                currency: o.currency,
                amount_minor: o.minor,
                rows: o.rows,
                posted_at: at,
                kinds: o.kinds ? JSON.stringify(o.kinds) : null,
              })),
            )
            .onConflict((oc) =>
              oc.columns(['connection_id', 'settlement_id', 'amazon_order_id']).doUpdateSet((eb) => ({
                amount_minor: eb('settlement_orders.amount_minor', '+', eb.ref('excluded.amount_minor')),
                kinds: eb.ref('excluded.kinds'),
              })),
            )
            .execute();
        };
        if (isStage(posted.orders)) {
          // A staged import: its sums move into the settlement's rows page by page, never all in memory.
          let chunk: SettlementOrderSum[] = [];
          for await (const o of readStage(tx, connectionId, posted.orders)) {
            chunk.push(o);
            if (chunk.length === 200) {
              await insert(chunk);
              chunk = [];
            }
          }
          await insert(chunk);
        } else {
          for (let i = 0; i < posted.orders.length; i += 200) await insert(posted.orders.slice(i, i + 200));
        }
        await writeAudit(
          storeTx,
          {
            actor: 'sellbridge',
            action: audit.action,
            target: `settlement:${connectionId}:${settlementId}`,
            detail: audit.detail,
          },
          clock.now(),
        );
      });
      return (await get(connectionId, settlementId))!;
    },
    async claim(connectionId, settlementId, leaseMs) {
      const at = clock.now();
      const cutoff = new Date(at.getTime() - leaseMs).toISOString();
      const res = await db
        .updateTable('settlements')
        .set({ state: CLAIMED, updated_at: at.toISOString() })
        .where('connection_id', '=', connectionId)
        .where('settlement_id', '=', settlementId)
        .where((eb) =>
          eb.or([eb('state', '=', 'posting'), eb.and([eb('state', '=', CLAIMED), eb('updated_at', '<', cutoff)])]),
        )
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    async noteError(connectionId, settlementId, error) {
      await db
        .updateTable('settlements')
        .set({ last_error: error.slice(0, 2000), updated_at: now() })
        .where('connection_id', '=', connectionId)
        .where('settlement_id', '=', settlementId)
        .execute();
      await db
        .updateTable('settlements')
        .set({ state: 'posting' })
        .where('connection_id', '=', connectionId)
        .where('settlement_id', '=', settlementId)
        .where('state', '=', CLAIMED)
        .execute();
    },
    async stageOrders(connectionId, stage, part, orders) {
      for (let i = 0; i < orders.length; i += 200) {
        await db
          .insertInto('settlement_orders')
          .values(
            orders.slice(i, i + 200).map((o) => ({
              connection_id: connectionId,
              settlement_id: stagePartId(stage, part),
              amazon_order_id: `${o.currency} ${o.amazonOrderId}`,
              currency: o.currency,
              amount_minor: o.minor,
              rows: o.rows,
              posted_at: null,
              kinds: JSON.stringify({ ...o.kinds, [CLEARED]: o.cleared }),
            })),
          )
          .execute();
      }
    },
    stagedOrders(connectionId, stage) {
      return readStage(db, connectionId, stage);
    },
    async dropStage(connectionId, stage) {
      await db
        .deleteFrom('settlement_orders')
        .where('connection_id', '=', connectionId)
        .where('settlement_id', 'in', stagePartIds(stage))
        .execute();
    },
    async quarantine(entry: QuarantineEntry) {
      const id = randomUUID();
      await db
        .insertInto('settlement_quarantine')
        .values({
          id,
          connection_id: entry.connectionId,
          source: entry.source,
          settlement_id: entry.settlementId ?? null,
          code: entry.code,
          message: entry.message.slice(0, 4000),
          issues: JSON.stringify(entry.issues.slice(0, 500)),
          created_at: now(),
        })
        .execute();
      return id;
    },
  };
}

/**
 * Staged per-order sums (OrderStage) live in `settlement_orders` itself (no table of their own): each part under
 * the settlement id `~stage:<stageId>:<part>`, each order as `<currency> <order id>`, `posted_at` null, the
 * cleared amount beside the kinds. Readers of settled orders skip them (STAGED_PREFIX).
 */
export const STAGED_PREFIX = '~stage:';
const CLEARED = '~cleared';
const STAGE_PAGE = 2000;
const stagePartId = (stage: OrderStage, part: number) => `${STAGED_PREFIX}${stage.stageId}:${part}`;
const stagePartIds = (stage: OrderStage) =>
  Array.from({ length: Math.max(1, stage.parts) }, (_, p) => stagePartId(stage, p));
const isStage = (orders: readonly SettlementOrderSum[] | OrderStage): orders is OrderStage =>
  !Array.isArray(orders) && typeof (orders as OrderStage).stageId === 'string';

/**
 * A stage read back in pages of STAGE_PAGE rows ordered by key, each order's rows of every part merged (sums in
 * integer minor units). A page's last key may continue on the next page, so it is read again with that page.
 */
async function* readStage(db: Db, connectionId: string, stage: OrderStage): AsyncGenerator<StagedOrderSum> {
  const parts = stagePartIds(stage);
  const page = Math.max(STAGE_PAGE, parts.length + 1);
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('settlement_orders')
      .select(['amazon_order_id', 'currency', 'amount_minor', 'rows', 'kinds'])
      .where('connection_id', '=', connectionId)
      .where('settlement_id', 'in', parts)
      .where('amazon_order_id', '>', after)
      .orderBy('amazon_order_id')
      .limit(page)
      .execute();
    const full = rows.length === page;
    const last = rows.at(-1)?.amazon_order_id;
    let current: { key: string; sum: StagedOrderSum & { kinds: Record<SettledKind, number> } } | undefined;
    for (const r of rows) {
      if (full && r.amazon_order_id === last) break;
      const stored = JSON.parse(r.kinds ?? '{}') as Record<string, number>;
      if (current && current.key !== r.amazon_order_id) yield current.sum;
      if (!current || current.key !== r.amazon_order_id) {
        current = {
          key: r.amazon_order_id,
          sum: {
            amazonOrderId: r.amazon_order_id.slice(r.amazon_order_id.indexOf(' ') + 1),
            currency: r.currency,
            minor: 0,
            rows: 0,
            cleared: 0,
            kinds: emptyKinds(),
          },
        };
      }
      const s = current.sum as { minor: number; rows: number; cleared: number; kinds: Record<SettledKind, number> };
      s.minor += Number(r.amount_minor);
      s.rows += Number(r.rows);
      s.cleared += Number(stored[CLEARED] ?? 0);
      for (const k of SETTLED_KINDS) s.kinds[k] += Number(stored[k] ?? 0);
      after = r.amazon_order_id;
    }
    if (current) yield current.sum;
    if (!full) return;
  }
}

function recordFromRow(row: SettlementTables['settlements'] | undefined): SettlementRecord | undefined {
  if (!row) return undefined;
  if (row.state === CLAIMED) row = { ...row, state: 'posting' };
  if (!STATES.includes(row.state as SettlementState))
    throw new SellbridgeError(
      'SB_JOB_HANDLER_CRASHED',
      `settlements row ${row.settlement_id} has unknown state ${row.state}`,
    );
  const pendingJournals = row.pending_journals ? (JSON.parse(row.pending_journals) as JournalBatch[]) : undefined;
  return {
    connectionId: row.connection_id,
    settlementId: row.settlement_id,
    state: row.state as SettlementState,
    revision: Number(row.revision),
    fingerprint: row.fingerprint,
    journals: JSON.parse(row.journals) as PostedSettlementJournal[],
    ...(row.pending_fingerprint && pendingJournals
      ? { pending: { fingerprint: row.pending_fingerprint, journals: pendingJournals } }
      : {}),
    currency: row.currency,
    total: money(row.currency, Number(row.total_minor)),
    periodStart: row.period_start,
    periodEnd: row.period_end,
    depositDate: row.deposit_date,
    rows: Number(row.rows),
    source: row.source,
    ...(row.last_error ? { lastError: row.last_error } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

// --- read side for the CLI ----------------------------------------------------------------------------

export interface QuarantinedFile {
  readonly id: string;
  readonly source: string;
  readonly settlementId?: string;
  readonly code: string;
  readonly message: string;
  readonly issues: readonly FieldIssue[];
  readonly createdAt: string;
}

export async function listSettlements(store: Store, connectionId: string, limit = 50): Promise<SettlementRecord[]> {
  const rows = await tables(store)
    .selectFrom('settlements')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .orderBy('deposit_date', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => recordFromRow(r)!);
}

export async function getSettlement(
  store: Store,
  connectionId: string,
  settlementId: string,
): Promise<SettlementRecord | undefined> {
  return recordFromRow(
    await tables(store)
      .selectFrom('settlements')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .where('settlement_id', '=', settlementId)
      .executeTakeFirst(),
  );
}

export async function listQuarantine(store: Store, connectionId: string, limit = 50): Promise<QuarantinedFile[]> {
  const rows = await tables(store)
    .selectFrom('settlement_quarantine')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    source: r.source,
    ...(r.settlement_id ? { settlementId: r.settlement_id } : {}),
    code: r.code,
    message: r.message,
    issues: JSON.parse(r.issues) as FieldIssue[],
    createdAt: r.created_at,
  }));
}

export interface SettledOrder {
  readonly amazonOrderId: string;
  readonly settlementId: string;
  readonly currency: string;
  readonly minor: number;
  readonly rows: number;
  /** The order's Sage TranNo when Sellbridge created it; absent = Sellbridge never saw this order. */
  readonly tranNo?: string;
  readonly orderState?: string;
}

export interface UnsettledOrder {
  readonly amazonOrderId: string;
  readonly tranNo?: string;
  readonly state: string;
  readonly createdAt: string;
  readonly ageDays: number;
  /** `0-14`, `15-30`, `31-60`, `61+` days. */
  readonly bucket: string;
}

export interface SettlementReconciliation {
  /** Settlement order rows matched to an order Sellbridge created (order_links). */
  readonly matched: readonly SettledOrder[];
  /** Settlement order rows for orders Sellbridge never saw. */
  readonly neverSeen: readonly SettledOrder[];
  /** Orders Sellbridge created that no posted settlement names yet, oldest first (only for the whole connection). */
  readonly unsettled: readonly UnsettledOrder[];
  readonly ageing: Readonly<Record<string, number>>;
}

const BUCKETS: readonly [number, string][] = [
  [14, '0-14'],
  [30, '15-30'],
  [60, '31-60'],
  [Infinity, '61+'],
];
/** Order states that mean a sales order exists in Sage (the settlement should name it sooner or later). */
const SAGE_ORDER_STATES = ['created', 'shipped-partially', 'shipped', 'confirmed'];

/**
 * Settlement order rows against `order_links` (by AmazonOrderId): matched, never seen by Sellbridge, and orders
 * created in Sage that no settlement names yet with their age (from the order link's creation). With
 * `settlementId` only that settlement's rows are compared (and `unsettled` is empty).
 */
export async function reconcileSettlements(
  store: Store,
  connectionId: string,
  now: Date,
  settlementId?: string,
): Promise<SettlementReconciliation> {
  const db = tables(store);
  let q = db
    .selectFrom('settlement_orders as s')
    .leftJoin('order_links as o', (j) =>
      j.onRef('o.connection_id', '=', 's.connection_id').onRef('o.amazon_order_id', '=', 's.amazon_order_id'),
    )
    .select(['s.amazon_order_id', 's.settlement_id', 's.currency', 's.amount_minor', 's.rows', 'o.tran_no', 'o.state'])
    .where('s.connection_id', '=', connectionId)
    .where('s.settlement_id', 'not like', `${STAGED_PREFIX}%`)
    .orderBy('s.settlement_id')
    .orderBy('s.amazon_order_id');
  if (settlementId) q = q.where('s.settlement_id', '=', settlementId);
  const rows = await q.execute();
  const settled = rows.map((r): SettledOrder & { seen: boolean } => ({
    amazonOrderId: r.amazon_order_id,
    settlementId: r.settlement_id,
    currency: r.currency,
    minor: Number(r.amount_minor),
    rows: Number(r.rows),
    ...(r.tran_no ? { tranNo: r.tran_no } : {}),
    ...(r.state ? { orderState: r.state } : {}),
    seen: r.state !== null && r.state !== undefined,
  }));
  const strip = ({ seen: _seen, ...rest }: SettledOrder & { seen: boolean }): SettledOrder => rest;
  const unsettled: UnsettledOrder[] = [];
  const ageing: Record<string, number> = Object.fromEntries(BUCKETS.map(([, name]) => [name, 0]));
  if (!settlementId) {
    const open = await db
      .selectFrom('order_links as o')
      .select(['o.amazon_order_id', 'o.tran_no', 'o.state', 'o.created_at'])
      .where('o.connection_id', '=', connectionId)
      .where('o.state', 'in', SAGE_ORDER_STATES)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('settlement_orders as s')
              .select('s.amazon_order_id')
              .whereRef('s.connection_id', '=', 'o.connection_id')
              .whereRef('s.amazon_order_id', '=', 'o.amazon_order_id')
              .where('s.settlement_id', 'not like', `${STAGED_PREFIX}%`),
          ),
        ),
      )
      .orderBy('o.created_at')
      .execute();
    for (const o of open) {
      const ageDays = Math.max(0, Math.floor((now.getTime() - Date.parse(o.created_at)) / 86_400_000));
      const bucket = BUCKETS.find(([max]) => ageDays <= max)![1];
      ageing[bucket] = (ageing[bucket] ?? 0) + 1;
      unsettled.push({
        amazonOrderId: o.amazon_order_id,
        ...(o.tran_no ? { tranNo: o.tran_no } : {}),
        state: o.state,
        createdAt: o.created_at,
        ageDays,
        bucket,
      });
    }
  }
  return {
    matched: settled.filter((s) => s.seen).map(strip),
    neverSeen: settled.filter((s) => !s.seen).map(strip),
    unsettled,
    ageing,
  };
}

/** Settlements, newest deposit first, and the files refused as a whole (the admin API's settlement list). */
export async function listSettlementRows(
  store: Store,
  query: { readonly state?: string; readonly connectionId?: string; readonly limit: number },
): Promise<{
  settlements: SettlementTables['settlements'][];
  quarantine: SettlementTables['settlement_quarantine'][];
}> {
  const db = tables(store);
  let q = db
    .selectFrom('settlements')
    .selectAll()
    .orderBy('deposit_date', 'desc')
    .orderBy('settlement_id', 'desc')
    .limit(query.limit);
  if (query.state) q = q.where('state', '=', query.state);
  let quarantine = db.selectFrom('settlement_quarantine').selectAll().orderBy('created_at', 'desc').limit(query.limit);
  if (query.connectionId) {
    q = q.where('connection_id', '=', query.connectionId);
    quarantine = quarantine.where('connection_id', '=', query.connectionId);
  }
  return { settlements: await q.execute(), quarantine: await quarantine.execute() };
}

/** One settlement (of one connection, or any) with its per-order sums. */
export async function findSettlement(
  store: Store,
  settlementId: string,
  connectionId?: string,
): Promise<
  { settlement: SettlementTables['settlements']; orders: SettlementTables['settlement_orders'][] } | undefined
> {
  const db = tables(store);
  let q = db.selectFrom('settlements').selectAll().where('settlement_id', '=', settlementId);
  if (connectionId) q = q.where('connection_id', '=', connectionId);
  const settlement = await q.executeTakeFirst();
  if (!settlement) return undefined;
  const orders = await db
    .selectFrom('settlement_orders')
    .selectAll()
    .where('connection_id', '=', settlement.connection_id)
    .where('settlement_id', '=', settlement.settlement_id)
    .orderBy('amazon_order_id')
    .limit(5000)
    .execute();
  return { settlement, orders };
}
